/**
 * MikroORM set-up for both dialects. SQLite (embedded default) and PostgreSQL (production, CI) share
 * the entities; migrations are per dialect because they are dialect SQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlConnection, SqlEntityManager } from '@mikro-orm/knex';
import { migrationNames as postgresqlMigrationNames } from '../../migrations/postgresql/names.js';
import { migrationNames as sqliteMigrationNames } from '../../migrations/sqlite/names.js';
import { applyPrebuiltSchema, isEmptyDatabase } from './migrations.prebuilt.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { entities } from './entities.js';
import { reusePreparedStatements } from './sql.js';

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
  /**
   * 'lazy' (the gateway's start): the migrator (@mikro-orm/migrations, umzug) and the migrations are
   * loaded by migrate() only when the database is behind; 'eager' (default: tools and tests that call
   * orm.getMigrator() themselves) registers them at init.
   */
  migrator?: 'eager' | 'lazy';
}

/** The migrations of a dialect, loaded on demand: they import the migrator. */
async function migrationsOf(dialect: Dialect) {
  return dialect === 'sqlite' ? (await import('../../migrations/sqlite/index.js')).migrations : (await import('../../migrations/postgresql/index.js')).migrations;
}

/** The migrator options of a dialect, with its migrations. */
async function migrationOptions(dialect: Dialect): Promise<Options['migrations']> {
  return { migrationsList: await migrationsOf(dialect), snapshot: false, transactional: true, allOrNothing: true };
}

/**
 * Only the configured dialect's driver is loaded: each pulls in its own client library, and loading
 * both costs a second of cold start for nothing.
 */
export async function ormOptions(opts: OrmOptions): Promise<Options> {
  const logQueries = opts.logger?.level === 'debug';
  const eager = opts.migrator !== 'lazy';
  const base: Options = {
    entities,
    extensions: eager ? [(await import('@mikro-orm/migrations')).Migrator] : [],
    forceUtcTimezone: true,
    allowGlobalContext: false,
    // Queries are logged at debug level only (MikroORM formats each one when on, so off otherwise);
    // the query hook is for tests. Colours off: escape codes have no place in a JSON log line.
    debug: opts.onQuery || logQueries ? ['query'] : false,
    colors: false,
    logger: (msg: string) => {
      opts.onQuery?.(msg);
      if (logQueries || !msg.startsWith('[query]')) opts.logger?.debug(msg.startsWith('[query]') ? 'sql' : 'orm', { message: msg });
    },
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
    // reads outside a transaction on a second, read-only connection (db/sqlite.reader.ts)
    const { ReadSplitSqliteDriver } = await import('./sqlite.reader.js');
    return {
      ...base,
      driver: ReadSplitSqliteDriver,
      dbName: opts.db.file,
      ...(eager ? { migrations: await migrationOptions('sqlite') } : {}),
    };
  }
  const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
  return {
    ...base,
    driver: PostgreSqlDriver,
    clientUrl: opts.db.url,
    pool: { min: 1, max: opts.poolMax ?? 20 },
    ...(eager ? { migrations: await migrationOptions('postgresql') } : {}),
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
    reusePreparedStatements(orm.em.fork() as Em);
  }
  return orm;
}

/** Holds the start-up lock until released. */
export interface StartupLock {
  release(): Promise<void>;
}

// The ASCII of "spkgmigr" as one bigint: an advisory-lock key no other application is likely to use.
const STARTUP_LOCK_KEY = '8318266603714733938';

/**
 * Serialises the work that must happen once per database (migrations, the bootstrap token, the demo
 * seed) between processes starting together, e.g. N replicas of a rollout on an empty PostgreSQL
 * database, or a migrate Job beside them. It is a session-level advisory lock held by one pooled
 * connection until release(); a process that dies holding it loses its session and with it the lock,
 * so a crash never leaves the database locked. SQLite is one process by design: nothing to do there.
 */
export async function acquireStartupLock(orm: Orm, log?: Logger): Promise<StartupLock> {
  if (dialectOf(orm) !== 'postgresql') return { release: async () => undefined };
  const knex = (orm.em.getConnection() as AbstractSqlConnection).getKnex();
  const conn = await knex.client.acquireConnection();
  try {
    const tried = await knex.raw('select pg_try_advisory_lock(?::bigint) as locked', [STARTUP_LOCK_KEY]).connection(conn);
    if (!tried.rows[0].locked) {
      log?.info('waiting for another process to finish migrating this database');
      await knex.raw('select pg_advisory_lock(?::bigint)', [STARTUP_LOCK_KEY]).connection(conn);
    }
  } catch (e) {
    await knex.client.releaseConnection(conn);
    throw e;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        await knex.raw('select pg_advisory_unlock(?::bigint)', [STARTUP_LOCK_KEY]).connection(conn);
      } finally {
        await knex.client.releaseConnection(conn);
      }
    },
  };
}

/** Pending migrations, applied under the start-up lock (what `spokegraph migrate` and every start run). */
export async function migrateLocked(orm: Orm, log?: Logger): Promise<string[]> {
  const lock = await acquireStartupLock(orm, log);
  try {
    return await migrate(orm);
  } finally {
    await lock.release();
  }
}

export async function migrate(orm: Orm): Promise<string[]> {
  if (!orm.config.getExtension('@mikro-orm/migrator')) {
    // one cheap read first: on an up-to-date database the migrator is never loaded
    const dialect = dialectOf(orm);
    if (await upToDate(orm, dialect === 'sqlite' ? sqliteMigrationNames : postgresqlMigrationNames)) return [];
    // a new database: every migration at once, without loading the migrator (db/migrations.prebuilt.ts)
    if (await isEmptyDatabase(orm, dialect)) return applyPrebuiltSchema(orm, dialect);
    orm.config.set('migrations', { ...orm.config.get('migrations'), ...(await migrationOptions(dialect)) });
    (await import('@mikro-orm/migrations')).Migrator.register(orm);
  }
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}

/** Whether every one of `names` is recorded as executed (false when the migrations table is missing). */
async function upToDate(orm: Orm, names: string[]): Promise<boolean> {
  const table = orm.config.get('migrations').tableName ?? 'mikro_orm_migrations';
  try {
    const rows = (await orm.em.fork().getConnection().execute(`select name from "${table}"`)) as { name: string }[];
    const done = new Set(rows.map((r) => r.name.replace(/\.(js|ts)$/, '')));
    return names.every((n) => done.has(n));
  } catch {
    return false;
  }
}

export function dialectOf(orm: Orm): Dialect {
  return orm.config.getPlatform().constructor.name.toLowerCase().includes('postgre') ? 'postgresql' : 'sqlite';
}

export function emOf(orm: Orm): Em {
  return orm.em.fork() as Em;
}
