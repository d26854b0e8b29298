/**
 * Column values of plain rows read for the graph (read models), in the JavaScript types the
 * entities would hold — without making an entity: no identity map, no change-tracking snapshot,
 * no relation references. SQLite keeps booleans as 0/1, timestamps as epoch milliseconds and JSON
 * as text; PostgreSQL answers booleans, timestamps as text (MikroORM's setting) and parsed jsonb.
 */
import type { Em } from './orm.js';

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
type Prepared = ReturnType<SqliteHandle['prepare']>;

/** Prepared statements per SQLite connection, by SQL text (bounded: the read statements are few shapes). */
const prepared = new WeakMap<object, Map<string, Prepared>>();
const MAX_PREPARED = 256;

interface KnexClientLike {
  acquireConnection(): Promise<SqliteHandle>;
  releaseConnection(c: SqliteHandle): Promise<unknown>;
}

interface LoggingConnection {
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: Record<string, unknown>): Promise<T>;
}

interface PgClientLike {
  acquireConnection(): Promise<{ query(q: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }> }>;
  releaseConnection(c: unknown): Promise<unknown>;
}

/** PostgreSQL texts (`$n` placeholders) and prepared-statement names of the read statements, by their `?` SQL. */
const pgStatements = new Map<string, { name: string | undefined; text: string }>();
const MAX_PG_NAMES = 256;

/**
 * The same read on PostgreSQL as a named prepared statement (parsed and planned once per pooled
 * connection) with bound parameters, instead of MikroORM writing the parameters into the SQL text.
 */
async function pgRead<T>(client: PgClientLike, sql: string, params: unknown[]): Promise<T[]> {
  let st = pgStatements.get(sql);
  if (!st) {
    let n = 0;
    // our read SQL has no `?` inside literals or identifiers
    const text = sql.replace(/\?/g, () => `$${++n}`);
    // past the cap, new shapes run unnamed (parsed each time), so the names per connection stay bounded
    // `select *` stays unnamed: a prepared plan refuses to run once a migration changed the columns
    const named = pgStatements.size < MAX_PG_NAMES && !sql.includes('select *');
    st = { name: named ? `sg_read_${pgStatements.size}` : undefined, text };
    pgStatements.set(sql, st);
  }
  const c = await client.acquireConnection();
  try {
    return (await c.query({ ...(st.name ? { name: st.name } : {}), text: st.text, values: params })).rows as T[];
  } finally {
    await client.releaseConnection(c);
  }
}

function isSqlite(em: Em): boolean {
  return em.getPlatform().constructor.name.toLowerCase().includes('sqlite');
}

/**
 * A read in plain SQL (`?` placeholders, double-quoted identifiers), returning plain rows.
 *
 * On SQLite outside a transaction, the statement runs as a prepared statement kept per SQL text,
 * with its parameters bound: MikroORM's `execute` writes every parameter into the SQL text, so each
 * page's statement was new to SQLite and parsed again (better-sqlite3 `prepare` was a tenth of the
 * gateway's page CPU), and goes through knex's query runner as well. The statement still goes
 * through MikroORM's query logging (the debug log, the tests' statement counts) and the same single
 * connection knex hands out, or the read-only one of a file database (sqlite.reader.ts). On PostgreSQL it is a named prepared statement (pgRead). Inside a
 * transaction, or with SQL tracing on, it is `sql.ts` `all`.
 */
export async function readRows<T = Record<string, unknown>>(em: Em, sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = em.getConnection();
  const ctx = em.getTransactionContext();
  const client = (em.getKnex() as unknown as { client: KnexClientLike }).client;
  // in a transaction: its connection; with SQL tracing on (observability/tracing.spans.ts listens
  // to knex's query events): through knex, so every statement still gets its span
  const knex = em.getKnex() as unknown as { listenerCount(event: string): number };
  if (ctx || knex.listenerCount('query-response') > 0) return (await conn.execute(sql, params, 'all', ctx)) as T[];
  const logged = conn as unknown as LoggingConnection;
  // what the debug log and the statement hook show: the SQL with its parameters, as MikroORM logs it
  const shown = em.config.get('debug') ? em.getPlatform().formatQuery(sql, params) : sql;
  if (!isSqlite(em)) return logged.executeQuery(shown, () => pgRead<T>(client as unknown as PgClientLike, sql, params), { query: shown, params });
  // a file database has a second, read-only connection (sqlite.reader.ts): the read does not queue
  // behind the pool's one connection and its open transactions
  const reader = (conn as unknown as { readerDb?(): SqliteHandle | null }).readerDb?.() ?? null;
  if (reader) return logged.executeQuery(shown, async () => preparedOn(reader, sql).all(params) as T[], { query: shown, params });
  return logged.executeQuery(shown, async () => {
    const db = await client.acquireConnection();
    try {
      return preparedOn(db, sql).all(params) as T[];
    } finally {
      await client.releaseConnection(db);
    }
  }, { query: shown, params });
}

function preparedOn(db: SqliteHandle, sql: string): Prepared {
  let byText = prepared.get(db);
  if (!byText) prepared.set(db, (byText = new Map()));
  let stmt = byText.get(sql);
  if (!stmt) {
    if (byText.size >= MAX_PREPARED) byText.clear();
    stmt = db.prepare(sql);
    byText.set(sql, stmt);
  }
  return stmt;
}
