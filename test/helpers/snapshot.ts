/**
 * A full dump of every table of the test database, to prove that a refused mutation changed nothing
 * (not one row inserted, updated or deleted).
 */
import type { TestApp } from './app.js';

export type DbSnapshot = Record<string, Record<string, unknown>[]>;

/**
 * Tables a refused mutation does write, by design: the audit trail records every call, refused or
 * not (exactly one record each: test/integration/audit.*.test.ts), and the retention purge renews its
 * lease on a timer. The snapshot is of the state mutations change.
 */
export const APPEND_ONLY_TABLES = ['audit_record', 'audit_sequence', 'audit_purge_gate', 'periodic_lease'];

export async function snapshotDb(app: TestApp): Promise<DbSnapshot> {
  const em = app.orm.em.fork();
  const conn = em.getConnection();
  const out: DbSnapshot = {};
  for (const meta of Object.values(app.orm.getMetadata().getAll())) {
    if (meta.abstract || !meta.tableName || meta.embeddable || meta.virtual) continue;
    if (out[meta.tableName] || APPEND_ONLY_TABLES.includes(meta.tableName)) continue;
    const rows = (await conn.execute(`select * from ${meta.tableName}`)) as Record<string, unknown>[];
    out[meta.tableName] = rows.map((r) => JSON.stringify(r)).sort().map((r) => JSON.parse(r));
  }
  return out;
}

/** Row counts per table (for messages). */
export function counts(s: DbSnapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length]));
}

/** Plain SQL through the app's ORM, for assertions on state the API does not expose. */
export async function sql<T = Record<string, unknown>>(app: TestApp, query: string, params: unknown[] = []): Promise<T[]> {
  return (await app.orm.em.fork().getConnection().execute(query, params)) as T[];
}
