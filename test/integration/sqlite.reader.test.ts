/**
 * SQLite file databases read outside a transaction on a second, read-only connection
 * (src/db/sqlite.reader.ts): such a read no longer waits in knex's one-connection pool behind an
 * open transaction, sees only what is committed, and is logged like every statement; reads inside a
 * transaction still see its own writes; writes still go through the pool; after close nothing runs.
 * (The rest of the suite runs SQLite in memory, where there is no second connection.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm, type Em, type Orm } from '../../src/db/orm.js';
import { all, run } from '../../src/db/sql.js';
import { testDialect } from '../helpers/db.js';

const sqliteOnly = testDialect() === 'sqlite' ? describe : describe.skip;

sqliteOnly('SQLite reads outside a transaction (file database)', () => {
  let dir: string;
  let orm: Orm;
  const queries: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sg-reader-'));
    orm = await initOrm({ db: { kind: 'sqlite', file: path.join(dir, 'db.sqlite') }, onQuery: (q) => queries.push(q), migrator: 'lazy' });
    const em = orm.em.fork() as Em;
    await run(em, 'create table "counter" ("id" integer primary key, "n" integer not null)');
    await run(em, 'insert into "counter" ("id", "n") values (1, 0)');
  });

  afterAll(async () => {
    await orm?.close(true);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const read = async (em: Em) => (await all<{ n: number }>(em, 'select "n" from "counter" where "id" = ?', [1]))[0].n;

  it('answers while a transaction holds the pool, with the committed value; the transaction reads its own write', async () => {
    const em = orm.em.fork() as Em;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside = -1;
    const trx = em.transactional(async (tem) => {
      await run(tem as Em, 'update "counter" set "n" = "n" + 1 where "id" = ?', [1]);
      inside = await read(tem as Em);
      await held;
    });
    // the transaction has written and holds knex's only connection until released
    while (inside < 0) await new Promise((r) => setTimeout(r, 5));
    const outside = await Promise.race([read(orm.em.fork() as Em), new Promise<'waited'>((r) => setTimeout(() => r('waited'), 2000))]);
    expect(inside).toBe(1);
    expect(outside).toBe(0);
    release();
    await trx;
    expect(await read(orm.em.fork() as Em)).toBe(1);
  });

  it('logs the reads it serves like any statement, and ORM reads (em.execute, query builders) take the same path', async () => {
    queries.length = 0;
    const em = orm.em.fork() as Em;
    expect(await read(em)).toBe(1);
    const rows = await em.getConnection().execute(em.getKnex()('counter').select('n').where('id', 1));
    expect(rows).toEqual([{ n: 1 }]);
    expect(queries.filter((q) => /select ["`]n["`] from ["`]counter["`]/.test(q))).toHaveLength(2);
  });

  it('sends statements that write through the pool, even as `all` (RETURNING)', async () => {
    const em = orm.em.fork() as Em;
    const rows = await all<{ n: number }>(em, 'update "counter" set "n" = "n" + 1 where "id" = ? returning "n"', [1]);
    expect(rows).toEqual([{ n: 2 }]);
    expect(await read(em)).toBe(2);
  });

  it('reports a bad statement as the pool does', async () => {
    await expect(all(orm.em.fork() as Em, 'select "nope" from "counter"')).rejects.toThrow(/no such column/);
  });

  it('runs nothing once closed', async () => {
    const other = await initOrm({ db: { kind: 'sqlite', file: path.join(dir, 'db.sqlite') }, migrator: 'lazy' });
    expect(await read(other.em.fork() as Em)).toBe(2);
    await other.close(true);
    await expect(read(other.em.fork() as Em)).rejects.toThrow();
  });
});
