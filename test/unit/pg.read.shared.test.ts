/**
 * pg.read.ts pgReadShared: the same read (SQL and parameters) started by several requests in one
 * turn is one read, the distinct shared reads of a turn go as one statement, each reader gets its own
 * rows (a copy no other reader shares), reads of different clients (databases) and of later turns
 * stay apart, and a failing statement answers each read on its own.
 */
import { describe, expect, it } from 'vitest';
import { pgReadShared, type PgClientLike } from '../../src/db/pg.read.js';

interface Sent {
  name?: string;
  text: string;
  values: unknown[];
}

function fakeClient(answer: (read: string, values: unknown[]) => unknown[] | Error): { client: PgClientLike; sent: Sent[] } {
  const sent: Sent[] = [];
  const client: PgClientLike = {
    acquireConnection: async () => ({
      query: async (q: Sent) => {
        sent.push(q);
        const reads = [...q.text.matchAll(/from \((.*?)\) as "sg_row"\)::text as "r(\d+)"/g)];
        const row: Record<string, string> = {};
        for (const [, read, i] of reads) {
          const a = answer(read, q.values);
          if (a instanceof Error) throw a;
          row[`r${i}`] = JSON.stringify(a);
        }
        return { rows: [row] };
      },
    }),
    releaseConnection: async () => undefined,
  };
  return { client, sent };
}

const TOKEN = 'select "id" from "token" where "hash" = ?';
const POOL = 'select "id", "phase" from "pool" where "id" = ?';
const rowsOf = (read: string) => (read.includes('"token"') ? [{ id: 't1' }] : read.includes('"pool"') ? [{ id: 'p1', phase: 'RUNNING' }] : []);

describe('pgReadShared', () => {
  it('answers the same read of many requests in one turn with one read, and different reads of the turn in one statement', async () => {
    const f = fakeClient(rowsOf);
    const results = await Promise.all([
      pgReadShared(f.client, TOKEN, ['h']),
      pgReadShared(f.client, TOKEN, ['h']),
      pgReadShared(f.client, POOL, ['p1']),
      pgReadShared(f.client, TOKEN, ['h']),
    ]);
    expect(results).toEqual([[{ id: 't1' }], [{ id: 't1' }], [{ id: 'p1', phase: 'RUNNING' }], [{ id: 't1' }]]);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0].values).toEqual(['h', 'p1']);
    // each reader its own copy: changing one answer changes no other
    expect(results[0]).not.toBe(results[1]);
    (results[0][0] as { id: string }).id = 'changed';
    expect(results[1]).toEqual([{ id: 't1' }]);
  });

  it('keeps reads with other parameters, of other clients, and of later turns apart', async () => {
    const f = fakeClient(rowsOf);
    const g = fakeClient(rowsOf);
    await Promise.all([pgReadShared(f.client, TOKEN, ['h']), pgReadShared(f.client, TOKEN, ['other']), pgReadShared(g.client, TOKEN, ['h'])]);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0].values).toEqual(['h', 'other']);
    expect(g.sent).toHaveLength(1);
    await pgReadShared(f.client, TOKEN, ['h']);
    expect(f.sent).toHaveLength(2);
  });

  it('gives every reader of a failing read its error, and the other reads of the turn their rows', async () => {
    const f = fakeClient((read, values) => (read.includes('"pool"') && values.includes('bad') ? new Error('invalid input syntax for type uuid') : rowsOf(read)));
    const results = await Promise.allSettled([pgReadShared(f.client, POOL, ['bad']), pgReadShared(f.client, TOKEN, ['h']), pgReadShared(f.client, POOL, ['bad'])]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { message: 'invalid input syntax for type uuid' } });
    expect(results[1]).toEqual({ status: 'fulfilled', value: [{ id: 't1' }] });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: { message: 'invalid input syntax for type uuid' } });
  });
});
