/**
 * Column values of plain rows read for the graph (read models), in the JavaScript types the
 * entities would hold — without making an entity: no identity map, no change-tracking snapshot,
 * no relation references. SQLite keeps booleans as 0/1, timestamps as epoch milliseconds and JSON
 * as text; PostgreSQL answers booleans, timestamps as text (ISO 8601 from readRows, which reads
 * JSON; MikroORM's text form elsewhere), counts as numbers (readRows) or text, and parsed jsonb.
 */
import { isPostgres } from './dialect.js';
import { driverTxOf, executeOn } from './driver.sql.js';
import type { Em } from './orm.js';
import { preparedOn } from './sqlite.prepared.js';
import { pgRead, pgReadRows, pgReadShared, type PgClientLike } from './pg.read.js';

export function boolOf(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

export function dateOf(em: Em, v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) return new Date(Number(v));
  return em.getPlatform().parseDate(v as string) as Date;
}

/** A JSON column (object or array): SQLite answers its text. */
export function jsonOf<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** What readRows needs of a better-sqlite3 database handle. */
interface SqliteHandle {
  prepare(sql: string): { all(params: unknown[]): Record<string, unknown>[] };
}

interface KnexClientLike {
  acquireConnection(): Promise<SqliteHandle>;
  releaseConnection(c: SqliteHandle): Promise<unknown>;
}

interface LoggingConnection {
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: Record<string, unknown>): Promise<T>;
}

export interface ReadOptions {
  /**
   * The answer does not depend on who asks (rows by id or key, nothing per viewer in the SQL): on
   * PostgreSQL, the same read of any requests in the same turn is one (pg.read.ts pgReadShared).
   */
  shared?: boolean;
}

/**
 * A read in plain SQL (`?` placeholders, double-quoted identifiers), returning plain rows.
 *
 * On SQLite outside a transaction, the statement runs as a prepared statement kept per SQL text,
 * with its parameters bound: MikroORM's `execute` writes every parameter into the SQL text, so each
 * page's statement was new to SQLite and parsed again (better-sqlite3 `prepare` was a tenth of the
 * gateway's page CPU), and goes through knex's query runner as well. It runs on the same single
 * connection knex hands out, or the read-only one of a file database (sqlite.reader.ts). On
 * PostgreSQL it is a named prepared statement answering JSON, sent with the request's other reads
 * of the same turn (pg.read.ts). Either way each read goes through MikroORM's query logging (the
 * debug log, the tests' statement counts) whenever that logs anything. Inside a transaction, or
 * with SQL tracing on, it is `sql.ts` `all`.
 */
export async function readRows<T = Record<string, unknown>>(em: Em, sql: string, params: unknown[] = [], opts: ReadOptions = {}): Promise<T[]> {
  // in a driver transaction (driver.sql.ts): on its connection, which sees the transaction's writes
  const tx = driverTxOf(em);
  if (tx) return executeOn<T[]>(em, tx, sql, params, 'all');
  const conn = em.getConnection();
  const ctx = em.getTransactionContext();
  const knex = em.getKnex() as unknown as { client: KnexClientLike; listenerCount(event: string): number };
  // in a transaction: its connection; with SQL tracing on (observability/tracing.spans.ts listens
  // to knex's query events): through knex, so every statement still gets its span
  if (ctx || knex.listenerCount('query-response') > 0) return (await conn.execute(sql, params, 'all', ctx)) as T[];
  const client = knex.client;
  const read = !isPostgres(em) ? sqliteRead<T>(conn, client, sql, params) : pgReadOf<T>(em, client as unknown as PgClientLike, sql, params, opts.shared === true);
  // MikroORM's query logging logs nothing unless its `debug` is on (LOG_LEVEL=debug, the tests'
  // statement hook): without it, its wrapper would only time the read and build the log context
  if (!em.config.get('debug')) return read();
  // what the debug log and the statement hook show: the SQL with its parameters, as MikroORM logs it
  const shown = em.getPlatform().formatQuery(sql, params);
  return (conn as unknown as LoggingConnection).executeQuery(shown, read, { query: shown, params });
}

/** The read on PostgreSQL (pg.read.ts): `select *` as the driver's rows, the others as JSON, sent with the request's other reads of the turn. */
function pgReadOf<T>(em: Em, client: PgClientLike, sql: string, params: unknown[], shared: boolean): () => Promise<T[]> {
  if (sql.includes('select *')) return () => pgReadRows<T>(client, sql, params);
  if (shared) return () => pgReadShared<T>(client, sql, params);
  return () => pgRead<T>(em, client, sql, params);
}

/** The read on SQLite, as a prepared statement of the connection it runs on. */
function sqliteRead<T>(conn: unknown, client: KnexClientLike, sql: string, params: unknown[]): () => Promise<T[]> {
  // a file database has a second, read-only connection (sqlite.reader.ts): the read does not queue
  // behind the pool's one connection and its open transactions
  const reader = (conn as { readerDb?(): SqliteHandle | null }).readerDb?.() ?? null;
  if (reader) return async () => preparedOn(reader, sql).all(params) as T[];
  return async () => {
    const db = await client.acquireConnection();
    try {
      return preparedOn(db, sql).all(params) as T[];
    } finally {
      await client.releaseConnection(db);
    }
  };
}

