/**
 * Raw statements for the few places the ORM's unit of work cannot express a guarded write
 * (conditional UPDATE … WHERE used + n <= limit). They run through MikroORM's connection so they
 * join the EntityManager's transaction and are logged like every other query.
 *
 * A statement is a knex query builder, or plain SQL with `?` placeholders and its parameters. Plain
 * SQL is for the hot paths: it skips building and compiling a query builder, about a third of a
 * simple statement's CPU. Write it in the SQL both dialects share (double-quoted identifiers).
 */
import type { Knex } from '@mikro-orm/knex';
import { driverSqlUsable, driverTxOf, executeAlone, executeOn } from './driver.sql.js';
import type { Em } from './orm.js';

export function knexOf(em: Em): Knex {
  return em.getKnex();
}

type Statement = Knex.QueryBuilder | Knex.Raw | string;

/** Runs an INSERT/UPDATE/DELETE; returns the number of affected rows. */
export async function run(em: Em, sql: Statement, params: unknown[] = []): Promise<number> {
  notInDriverTransaction(em);
  const res = (await em.getConnection().execute(sql as never, params, 'run', em.getTransactionContext())) as { affectedRows: number };
  return res.affectedRows;
}

/** Runs a SELECT (or a write with RETURNING); returns plain rows (DB column names). */
export async function all<T = Record<string, unknown>>(em: Em, sql: Statement, params: unknown[] = []): Promise<T[]> {
  notInDriverTransaction(em);
  return (await em.getConnection().execute(sql as never, params, 'all', em.getTransactionContext())) as T[];
}

/** `run` and `all` go through MikroORM's connection, which knows nothing of a driver transaction (driver.sql.ts): they would run outside it. */
function notInDriverTransaction(em: Em): void {
  if (driverTxOf(em)) throw new Error('inside a plain (driver) transaction only runBound/allBound/readRows may run');
}

interface BindingConnection {
  ensureConnection(): Promise<void>;
  getKnex(): Knex;
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: Record<string, unknown>): Promise<T>;
  transformRawResult<T>(res: unknown, method: 'all' | 'run'): T;
}

/**
 * Plain SQL (`?` placeholders) whose parameters the driver binds, inside `em`'s transaction if it
 * has one. `run` and `all` write the values into the SQL text (MikroORM's `execute`): every
 * statement is then new to the database, parsed and planned again (better-sqlite3 `prepare` was
 * 5-7 % of the gateway's CPU under the workflow load), and formatting the values costs as much
 * again. For the workflow's per-step writes, whose texts repeat.
 *
 * SQLite binds every number as REAL: it is stored as an INTEGER in an integer, datetime or json
 * column (their affinity converts it), but as '1.0' in a text column, so numbers go only to numeric
 * columns here. Dates are bound as epoch milliseconds (SQLite, as MikroORM stores them) or as
 * timestamps (PostgreSQL). Logged (the debug log, the tests' statement hook) like every statement.
 */
async function bound<T>(em: Em, sql: string, params: unknown[], method: 'all' | 'run'): Promise<T> {
  // in a driver transaction: on its connection; outside any transaction: on a pooled connection
  // directly, without knex's query runner (driver.sql.ts), unless SQL tracing listens to knex
  const tx = driverTxOf(em);
  if (tx) return executeOn<T>(em, tx, sql, params, method);
  if (driverSqlUsable(em)) return executeAlone<T>(em, sql, params, method);
  const conn = em.getConnection() as unknown as BindingConnection;
  const ctx = em.getTransactionContext<Knex.Transaction>();
  await conn.ensureConnection();
  // what the debug log and the statement hook show: the SQL with its values, as MikroORM logs it
  const shown = em.config.get('debug') ? em.getPlatform().formatQuery(sql, params) : sql;
  return conn.executeQuery(
    shown,
    async () => {
      const q = conn.getKnex().raw(sql, params as Knex.RawBinding[]);
      if (ctx) q.transacting(ctx);
      return conn.transformRawResult<T>(await q, method);
    },
    { query: sql, params },
  );
}

/** `run` with bound parameters (see `bound`): the number of affected rows. */
export async function runBound(em: Em, sql: string, params: unknown[]): Promise<number> {
  return (await bound<{ affectedRows: number }>(em, sql, params, 'run')).affectedRows;
}

/** `all` with bound parameters (see `bound`): plain rows (DB column names). */
export async function allBound<T = Record<string, unknown>>(em: Em, sql: string, params: unknown[]): Promise<T[]> {
  return bound<T[]>(em, sql, params, 'all');
}

export { isPostgres } from './dialect.js';

/**
 * A timestamp column read by raw SQL, in epoch milliseconds: SQLite stores epoch milliseconds,
 * PostgreSQL answers a Date or (as MikroORM configures the driver) its text.
 */
export function epochMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  const s = String(v);
  return /^\d+$/.test(s) ? Number(s) : new Date(s).getTime();
}

/** Prepared statements kept per SQLite connection (a few hundred distinct texts in this app). */
const KEPT_STATEMENTS = 512;
const keeping = new WeakSet<object>();

/**
 * SQLite only: knex prepares every statement again on each run (better-sqlite3 `prepare`, ~7 % of
 * the gateway's CPU under workflow load). This keeps prepared statements per connection by SQL text
 * and hands the same one out again; knex only ever runs them synchronously to completion (`all` or
 * `run`), so one statement is never used by two queries at once. PostgreSQL: nothing to do.
 */
export function reusePreparedStatements(em: Em): void {
  type Conn = { prepare(sql: string): unknown };
  const client = knexOf(em).client as { driverName?: string; _query(conn: Conn, obj: unknown): Promise<unknown> };
  if (client.driverName !== 'better-sqlite3' || keeping.has(client)) return;
  keeping.add(client);
  const query = client._query.bind(client);
  client._query = (conn, obj) => {
    if (conn && !keeping.has(conn)) {
      keeping.add(conn);
      const prepare = conn.prepare.bind(conn);
      const kept = new Map<string, unknown>();
      conn.prepare = (sql) => {
        let st = kept.get(sql);
        // least recently used first out: texts with inlined values (most of MikroORM's) come once
        // and must not push out the ones that repeat
        if (st !== undefined) kept.delete(sql);
        else {
          st = prepare(sql);
          if (kept.size >= KEPT_STATEMENTS) kept.delete(kept.keys().next().value!);
        }
        kept.set(sql, st);
        return st;
      };
    }
    return query(conn, obj);
  };
}
