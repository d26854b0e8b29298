/**
 * Plain statements and transactions on the driver's own connection (better-sqlite3 or pg), taken
 * from and given back to knex's pool — for the workflow runner's hot path: its claims, heartbeats
 * and lease-guarded outcome transactions, which are plain SQL only (sql.ts `runBound`/`allBound`).
 *
 * Why: through MikroORM each such transaction cost a knex transactor (knex builds a new knex
 * instance per transaction: makeTransactor → makeKnex → redefineProperties), MikroORM's transaction
 * context and fork, and per statement a knex `raw` builder, its compilation and MikroORM's query
 * wrapper — several times the statements' own cost, five transactions and ~30 statements per
 * deployment. Here a statement is a prepared statement of the connection (SQLite) or a named
 * prepared statement (PostgreSQL), its parameters bound as knex would bind them.
 *
 * Same semantics: the same connection pool (SQLite: its one writer connection, so a transaction
 * here excludes every other writer of this process exactly as knex's does), BEGIN/COMMIT, rollback on
 * any error, and the retry of the outermost transaction after a deadlock, serialization failure or
 * lock timeout (transaction.ts). Every statement, BEGIN and COMMIT reach MikroORM's query log when
 * it logs (the debug log, the tests' statement hook). With SQL tracing on (knex query listeners)
 * callers keep the ORM path so every statement still gets its span (`driverSqlUsable`).
 *
 * An EntityManager handed to the transaction's callback answers `driverTxOf`: sql.ts runs its
 * statements on the transaction's connection. It must not be used for anything else (the unit of
 * work, query builders): those would run outside the transaction.
 */
import { isPostgres } from './dialect.js';
import type { Em } from './orm.js';
import { preparedOn } from './sqlite.prepared.js';
import { isRetryableConflict, retryPause } from './transaction.js';
import { publish, transactionRetries } from '../observability/channels.js';

interface SqliteStatement {
  reader: boolean;
  all(params: unknown[]): unknown[];
  run(params: unknown[]): { changes: number };
}
interface SqliteDb {
  prepare(sql: string): SqliteStatement;
  inTransaction: boolean;
}
interface PgConn {
  query(q: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}
interface KnexClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(c: unknown): Promise<unknown>;
}
interface LoggingConnection {
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: Record<string, unknown>): Promise<T>;
  logQuery(query: string): void;
}
interface TxPlatform {
  getBeginTransactionSQL(options?: object): string[];
  getCommitTransactionSQL(): string;
  getRollbackTransactionSQL(): string;
  formatQuery(sql: string, params: readonly unknown[]): string;
}

/** A transaction open on one of the pool's connections. */
export interface DriverTx {
  postgres: boolean;
  conn: unknown;
}

const open = new WeakMap<object, DriverTx>();

/** The driver transaction `em` was handed by `inDriverTransaction`, if any. */
export function driverTxOf(em: Em): DriverTx | undefined {
  return open.get(em);
}

/** Whether `em` is inside a transaction: MikroORM's, or a driver transaction of this module. */
export function isInAnyTransaction(em: Em): boolean {
  return open.has(em) || em.isInTransaction();
}


/**
 * Whether statements may bypass knex: not inside a MikroORM transaction (they must run on its
 * connection, through knex's transactor) and not while SQL tracing listens to knex's query events.
 */
export function driverSqlUsable(em: Em): boolean {
  if (em.getTransactionContext()) return false;
  // (as read-rows.ts: observability/tracing.spans.ts listens to all three of knex's query events)
  return (em.getKnex() as unknown as { listenerCount(event: string): number }).listenerCount('query-response') === 0;
}



/** As knex's better-sqlite3 client binds: Dates as epoch milliseconds, booleans as 0/1. */
function sqliteBindings(params: readonly unknown[]): unknown[] {
  return params.map((v) => {
    if (v === undefined) throw new Error('Undefined binding detected in a plain statement');
    return v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : v;
  });
}

/** PostgreSQL texts (`?` → `$n`) and names of prepared statements by `?` SQL text; bounded. */
const pgStatements = new Map<string, { name: string | undefined; text: string }>();
const MAX_NAMED = 256;

function pgStatement(sql: string): { name: string | undefined; text: string } {
  let st = pgStatements.get(sql);
  if (!st) {
    let n = 0;
    // our plain SQL has no `?` inside literals or identifiers (sql.ts)
    st = { name: pgStatements.size < MAX_NAMED ? `sg_tx_${pgStatements.size}` : undefined, text: sql.replace(/\?/g, () => `$${++n}`) };
    pgStatements.set(sql, st);
  }
  return st;
}

async function execute<T>(tx: DriverTx, sql: string, params: readonly unknown[], method: 'all' | 'run'): Promise<T> {
  if (tx.postgres) {
    for (const v of params) if (v === undefined) throw new Error('Undefined binding detected in a plain statement');
    const res = await (tx.conn as PgConn).query({ ...pgStatement(sql), values: params as unknown[] });
    return (method === 'all' ? res.rows : { affectedRows: res.rowCount ?? 0 }) as T;
  }
  const st = preparedOn(tx.conn as SqliteDb, sql);
  const b = sqliteBindings(params);
  if (st.reader) {
    const rows = st.all(b);
    return (method === 'all' ? rows : { affectedRows: rows.length }) as T;
  }
  const r = st.run(b);
  return (method === 'all' ? [] : { affectedRows: r.changes }) as T;
}

/** One statement on `tx`'s connection, through MikroORM's query log when it logs. */
export async function executeOn<T>(em: Em, tx: DriverTx, sql: string, params: readonly unknown[], method: 'all' | 'run'): Promise<T> {
  if (!em.config.get('debug')) return execute<T>(tx, sql, params, method);
  const shown = (em.getPlatform() as unknown as TxPlatform).formatQuery(sql, params);
  return (em.getConnection() as unknown as LoggingConnection).executeQuery(shown, () => execute<T>(tx, sql, params, method), { query: sql, params });
}

/** One statement outside any transaction, on a connection of the pool (acquired and given back). */
export async function executeAlone<T>(em: Em, sql: string, params: readonly unknown[], method: 'all' | 'run'): Promise<T> {
  const client = em.getKnex().client as unknown as KnexClient;
  const conn = await client.acquireConnection();
  try {
    return await executeOn<T>(em, { postgres: isPostgres(em), conn }, sql, params, method);
  } finally {
    await client.releaseConnection(conn);
  }
}

async function control(em: Em, tx: DriverTx, sql: string): Promise<void> {
  if (tx.postgres) await (tx.conn as PgConn).query({ text: sql, values: [] });
  else preparedOn(tx.conn as SqliteDb, sql).run([]);
  if (em.config.get('debug')) (em.getConnection() as unknown as LoggingConnection).logQuery(sql);
}

/**
 * Runs `fn` in a transaction on a pooled connection of the driver; `fn`'s EntityManager (a view of
 * `em`) runs sql.ts's plain statements in it. Retried from the start after a deadlock, serialization
 * failure or lock timeout (PostgreSQL), as `inTransaction`: `fn` may run more than once.
 */
export async function inDriverTransaction<T>(em: Em, fn: (tem: Em) => Promise<T>, retries = 5): Promise<T> {
  const client = em.getKnex().client as unknown as KnexClient;
  const platform = em.getPlatform() as unknown as TxPlatform;
  const postgres = isPostgres(em);
  for (let attempt = 0; ; attempt++) {
    const conn = await client.acquireConnection();
    const tx: DriverTx = { postgres, conn };
    // a view of `em` (its config, connection and platform) that only this transaction's statements use
    const tem = Object.create(em) as Em;
    open.set(tem, tx);
    let began = false;
    try {
      for (const sql of platform.getBeginTransactionSQL()) await control(em, tx, sql);
      began = true;
      const result = await fn(tem);
      await control(em, tx, platform.getCommitTransactionSQL());
      began = false;
      return result;
    } catch (e) {
      if (began || (!postgres && (conn as SqliteDb).inTransaction)) await control(em, tx, platform.getRollbackTransactionSQL()).catch(() => undefined);
      if (!isRetryableConflict(e) || attempt >= retries) throw e;
      publish(transactionRetries, () => ({ source: em.config, code: (e as { code?: string })?.code ?? (e as Error).name }));
    } finally {
      open.delete(tem);
      await client.releaseConnection(conn);
    }
    await retryPause(attempt);
  }
}
