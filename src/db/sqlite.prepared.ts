/**
 * Prepared statements of a better-sqlite3 connection, kept by SQL text, for the plain reads
 * (read-rows.ts) and the runner's plain statements (driver.sql.ts): preparing (parsing) a statement
 * costs more than running it, and these are a few dozen texts. One map per connection (a closed
 * connection takes its statements with it); bounded, least recently used out first. A statement is
 * only ever run synchronously to completion, so two callers never use one at the same time.
 */
const byConnection = new WeakMap<object, Map<string, unknown>>();
const MAX_PREPARED = 256;

export function preparedOn<S>(db: { prepare(sql: string): S }, sql: string): S {
  let kept = byConnection.get(db);
  if (!kept) byConnection.set(db, (kept = new Map()));
  let st = kept.get(sql) as S | undefined;
  if (st !== undefined) kept.delete(sql);
  else {
    st = db.prepare(sql);
    if (kept.size >= MAX_PREPARED) kept.delete(kept.keys().next().value!);
  }
  kept.set(sql, st);
  return st;
}
