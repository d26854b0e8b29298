/**
 * The newest sequence number the database holds for streamed topics: what a bus that can lose
 * messages compares with what it delivered, so a subscriber left behind is told to read the database
 * (event.bus.redis.ts). One query per 500 topics, read from the counter rows the writers bump
 * (event_sequence, audit_sequence), never from the event tables themselves.
 */
import type { Em, Orm } from '../db/orm.js';
import { all } from '../db/sql.js';

const CHUNK = 500;

export type HighWaterReader = (topics: readonly string[]) => Promise<Map<string, number>>;

export function databaseHighWater(orm: Orm): HighWaterReader {
  return async (topics) => {
    const em = orm.em.fork() as Em;
    const out = new Map<string, number>();
    // subject and project topics share the counter table: a scope id is one or the other
    const byScope = new Map<string, string>();
    for (const t of topics) {
      if (t === 'audit') {
        const [r] = await all<{ last: number | string }>(em, 'select "last" from audit_sequence where id = 1');
        out.set(t, Number(r?.last ?? 0));
      } else if (t.startsWith('subject:') || t.startsWith('project:')) {
        byScope.set(t.slice(t.indexOf(':') + 1), t);
      }
    }
    const scopes = [...byScope.keys()];
    for (let i = 0; i < scopes.length; i += CHUNK) {
      const chunk = scopes.slice(i, i + CHUNK);
      const rows = await all<{ scope_id: string; last: number | string }>(
        em,
        `select scope_id, "last" from event_sequence where scope_id in (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) out.set(byScope.get(r.scope_id)!, Number(r.last));
    }
    return out;
  };
}
