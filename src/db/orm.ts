/**
 * MikroORM set-up for both dialects. SQLite (embedded default) and PostgreSQL (production, CI) share
 * the entities; migrations are per dialect because they are dialect SQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { migrations as postgresqlMigrations } from '../../migrations/postgresql/index.js';
import { migrations as sqliteMigrations } from '../../migrations/sqlite/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { entities } from './entities.js';

export type Orm = MikroORM;
export type Em = SqlEntityManager;
export type Dialect = 'sqlite' | 'postgresql';

export interface OrmOptions {
  db: Config['db'];
  logger?: Logger;
  /** Called for every SQL statement (used by tests that count queries). */
  onQuery?: (sql: string) => void;
  /** PostgreSQL pool size */
  poolMax?: number;
}

/**
 * Only the configured dialect's driver is loaded: each pulls in its own client library, and loading
 * both costs a second of cold start for nothing.
 */
export async function ormOptions(opts: OrmOptions): Promise<Options> {
  const base: Options = {
    entities,
    extensions: [Migrator],
    forceUtcTimezone: true,
    allowGlobalContext: false,
    // Queries are logged at debug level only; the query hook is for tests and metrics.
    debug: opts.onQuery ? ['query'] : false,
    logger: opts.onQuery ? (msg: string) => opts.onQuery!(msg) : (msg: string) => opts.logger?.debug(msg),
    discovery: { warnWhenNoEntities: true },
    // knex's own messages through our logger (one JSON line each), not console: a pooled connection
    // found dead is routine while the database is away (the runner reports the outage itself)
    driverOptions: {
      log: {
        warn: (m: unknown) => (/^Connection Error/.test(String(m)) ? opts.logger?.debug(`database driver: ${String(m)}`) : opts.logger?.warn(`database driver: ${String(m)}`)),
        error: (m: unknown) => opts.logger?.error(`database driver: ${String(m)}`),
        deprecate: (m: unknown) => opts.logger?.debug(`database driver: ${String(m)}`),
        debug: () => undefined,
      },
    },
  };
  if (opts.db.kind === 'sqlite') {
    const { BetterSqliteDriver } = await import('@mikro-orm/better-sqlite');
    return {
      ...base,
      driver: BetterSqliteDriver,
      dbName: opts.db.file,
      migrations: { migrationsList: sqliteMigrations, snapshot: false, transactional: true, allOrNothing: true },
    };
  }
  const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
  return {
    ...base,
    driver: PostgreSqlDriver,
    clientUrl: opts.db.url,
    pool: { min: 1, max: opts.poolMax ?? 20 },
    migrations: { migrationsList: postgresqlMigrations, snapshot: false, transactional: true, allOrNothing: true },
  };
}

export async function initOrm(opts: OrmOptions): Promise<Orm> {
  if (opts.db.kind === 'sqlite' && opts.db.file !== ':memory:') {
    fs.mkdirSync(path.dirname(opts.db.file), { recursive: true });
  }
  const orm = await MikroORM.init(await ormOptions(opts));
  if (opts.db.kind === 'sqlite') {
    // WAL lets readers proceed while the single writer commits; busy_timeout covers a second process.
    const conn = orm.em.getConnection();
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 5000');
    await conn.execute('pragma synchronous = normal');
  }
  return orm;
}

export async function migrate(orm: Orm): Promise<string[]> {
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}

export function dialectOf(orm: Orm): Dialect {
  return orm.config.getPlatform().constructor.name.toLowerCase().includes('postgre') ? 'postgresql' : 'sqlite';
}

export function emOf(orm: Orm): Em {
  return orm.em.fork() as Em;
}
