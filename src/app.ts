/**
 * Composition root: database, services, schema, HTTP/WS server. Returns a handle the CLI (main.ts),
 * the tests and the benchmarks share, so all of them run the same assembly.
 */
import 'reflect-metadata';
import type { Config } from './config.js';
import { initOrm, migrate, type Em, type Orm } from './db/orm.js';
import { seedDemo } from './demo.seed.js';
import { buildGatewaySchema } from './graphql/schema.js';
import { Metrics } from './graphql/metrics.js';
import { createGatewayServer } from './graphql/server.js';
import { createLogger, type Logger } from './logger.js';
import { createServices, type Services } from './services.js';

export interface App {
  config: Config;
  orm: Orm;
  services: Services;
  metrics: Metrics;
  log: Logger;
  url: string;
  port: number;
  /** The platform-admin secret minted on the first start of an empty database, else null. */
  bootstrapToken: string | null;
  stop(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  /** Every SQL statement, for tests that count queries. */
  onQuery?: (sql: string) => void;
}

export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger({ level: config.logLevel, json: config.logJson });
  const orm = await initOrm({ db: config.db, logger: log, onQuery: opts.onQuery });
  let stopped = false;
  try {
    const applied = await migrate(orm);
    if (applied.length) log.info('database migrated', { applied, db: config.db.kind });

    const services = createServices();
    const em = orm.em.fork() as Em;
    const bootstrapToken = await services.tokens.bootstrapAdmin(em, config.bootstrapAdminToken);
    if (bootstrapToken && config.seedDemo) await seedDemo(orm, services, log);

    const metrics = new Metrics();
    const schema = await buildGatewaySchema();
    const server = await createGatewayServer({ config, schema, orm, services, metrics, log });
    const { port, url } = await server.listen(config.port, config.host);

    return {
      config,
      orm,
      services,
      metrics,
      log,
      url,
      port,
      bootstrapToken,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await server.stop();
        await orm.close(true);
      },
    };
  } catch (e) {
    await orm.close(true).catch(() => undefined);
    throw e;
  }
}
