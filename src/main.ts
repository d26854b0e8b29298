/** `npm start`: read the configuration, start the gateway, print where it is, stop cleanly on signals. */
import 'reflect-metadata';
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`spokegraph: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const started = Date.now();
  const app = await startApp(config);
  app.log.info(`spokegraph listening on ${app.url}`, { db: config.db.kind, startupMs: Date.now() - started });
  if (app.bootstrapToken) {
    // Printed once, on the first start of an empty database; only its hash is stored.
    process.stdout.write(
      `\n  Platform-admin token (shown once, store it now):\n\n    ${app.bootstrapToken}\n\n` +
        `  GraphiQL: ${app.url}  (paste the token as  Authorization: Bearer <token>)\n` +
        `  Web console: ${app.url.replace(/\/graphql$/, '/')}  (sign in with the token)\n\n`,
    );
  } else {
    process.stdout.write(`\n  spokegraph ready: ${app.url}\n  Web console: ${app.url.replace(/\/graphql$/, '/')}\n\n`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info('shutting down', { signal });
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`spokegraph failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
