/**
 * The gateway's commands (main.ts loads this module): read the configuration, then either serve (the
 * default) or `migrate` the database and exit, for a rollout that migrates once before its replicas
 * start (an initContainer or a Job).
 */
import 'reflect-metadata';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { initOrm, migrateLocked } from './db/orm.js';
import { createLogger } from './logger.js';

const USAGE = `usage: spokegraph [serve|migrate]
  serve     run the gateway (the default)
  migrate   apply pending database migrations and exit (safe to run beside starting replicas)
Configured by environment variables; see the README.`;

export async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'serve';
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (argv.length > 1 || (command !== 'serve' && command !== 'migrate')) {
    process.stderr.write(`spokegraph: unknown arguments: ${argv.join(' ')}\n${USAGE}\n`);
    process.exit(2);
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`spokegraph: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  if (command === 'migrate') await runMigrate(config);
  else await serve(config);
}

async function runMigrate(config: Config): Promise<void> {
  const log = createLogger({ level: config.logLevel, json: config.logJson });
  for (const warning of config.warnings) log.warn(warning);
  const orm = await initOrm({ db: config.db, logger: log, poolMax: 2, migrator: 'lazy' });
  try {
    const applied = await migrateLocked(orm, log);
    log.info(applied.length ? 'database migrated' : 'database already up to date', { applied, db: config.db.kind });
  } finally {
    await orm.close(true);
  }
}

/**
 * One full GC once the gateway is up. With the young generation held small, the start's short-lived
 * objects are promoted early, and with them the Buffers the module loader read every source file
 * into (about 15 MB outside the heap): nothing would collect them before the first full GC, which an
 * idle gateway does not reach. Costs some tens of ms, after /readyz already answers.
 */
function releaseStartGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** V8's default growth factor of the young generation (main.ts sets 1 while the gateway starts). */
const YOUNG_GENERATION_GROWTH = 2;

async function serve(config: Config): Promise<void> {
  const started = Date.now();
  const app = await startApp(config);
  // main.ts held the young generation at its initial size during the start: let it grow with the load
  v8.setFlagsFromString(`--semi-space-growth-factor=${YOUNG_GENERATION_GROWTH}`);
  releaseStartGarbage();
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
