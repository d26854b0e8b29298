/**
 * pg.read.ts: the reads a request starts in one turn go to PostgreSQL as one statement, each read's
 * rows coming back as its own JSON column; a failure of that statement is answered read by read.
 * The pg connection is a stand-in that records what is sent (the SQL itself runs against
 * PostgreSQL in the integration tests: graph.shape, nplus1, catalog, tenancy).
 */
import { describe, expect, it } from 'vitest';
import { pgRead, type PgClientLike } from '../../src/db/pg.read.js';

interface Sent {
  name?: string;
  text: string;
  values: unknown[];
}

/** Answers each JSON column with the rows `answer` gives for its read (matched by its table), or fails. */
function fakeClient(answer: (read: string) => unknown[] | Error): { client: PgClientLike; sent: Sent[]; released: number } {
  const state = { sent: [] as Sent[], released: 0 };
  const client: PgClientLike = {
    acquireConnection: async () => ({
      query: async (q: Sent) => {
        state.sent.push(q);
        const reads = [...q.text.matchAll(/from \((.*?)\) as "sg_row"\)::text as "r(\d+)"/g)];
        const row: Record<string, string> = {};
        for (const [, read, i] of reads) {
          const a = answer(read);
          if (a instanceof Error) throw a;
          row[`r${i}`] = JSON.stringify(a);
        }
        return { rows: [row] };
      },
    }),
    releaseConnection: async () => void state.released++,
  };
  return {
    client,
    get sent() {
      return state.sent;
    },
    get released() {
      return state.released;
    },
  };
}

const rowsOf = (read: string) => (read.includes('"a"') ? [{ id: 'a1' }, { id: 'a2' }] : read.includes('"b"') ? [{ n: 3 }] : []);

describe('pgRead', () => {
  it('sends the reads of one turn as one statement, numbering the parameters in order, and answers each its own rows', async () => {
    const f = fakeClient(rowsOf);
    const owner = {};
    const [a, b, c] = await Promise.all([
      pgRead(owner, f.client, 'select "id" from "a" where "x" = ? and "y" > ? order by "id"', [1, 'k']),
      pgRead(owner, f.client, 'select count(*) as "n" from "b" where "z" in (?, ?)', ['p', 'q']),
      pgRead(owner, f.client, 'select "id" from "c"', []),
    ]);
    expect(a).toEqual([{ id: 'a1' }, { id: 'a2' }]);
    expect(b).toEqual([{ n: 3 }]);
    expect(c).toEqual([]);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0].values).toEqual([1, 'k', 'p', 'q']);
    expect(f.sent[0].text).toContain('"x" = $1 and "y" > $2 order by "id"');
    expect(f.sent[0].text).toContain('"z" in ($3, $4)');
    expect(f.released).toBe(1);
  });

  it('keeps the reads of different requests, and of later turns, apart; the same reads reuse their prepared statement', async () => {
    const f = fakeClient(rowsOf);
    const [one, two] = [{}, {}];
    await Promise.all([pgRead(one, f.client, 'select "id" from "a"', []), pgRead(two, f.client, 'select "id" from "a"', [])]);
    await pgRead(one, f.client, 'select "id" from "a"', []);
    expect(f.sent).toHaveLength(3);
    expect(new Set(f.sent.map((s) => s.name)).size).toBe(1);
    expect(f.sent[0].name).toMatch(/^sg_read_\d+$/);
  });

  it('answers read by read when the statement of several fails: each read gets its rows or its own error', async () => {
    const f = fakeClient((read) => (read.includes('"bad"') ? new Error('invalid input syntax for type uuid') : rowsOf(read)));
    const owner = {};
    const results = await Promise.allSettled([
      pgRead(owner, f.client, 'select "id" from "a"', []),
      pgRead(owner, f.client, 'select "id" from "bad" where "id" = ?', ['nope']),
      pgRead(owner, f.client, 'select count(*) as "n" from "b"', []),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: [{ id: 'a1' }, { id: 'a2' }] });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: 'invalid input syntax for type uuid' } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: [{ n: 3 }] });
    // the statement of three, then each read on its own; every connection went back to the pool
    expect(f.sent).toHaveLength(4);
    expect(f.released).toBe(4);
  });
});
