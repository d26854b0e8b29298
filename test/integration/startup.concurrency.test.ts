/**
 * N replicas of a rollout start at the same moment on one empty PostgreSQL database (and a migrate
 * initContainer or Job may run beside them): the start-up lock lets exactly one of them migrate,
 * mint the bootstrap token and seed; the others wait and find it done. SQLite is one process by
 * design, so this file runs on PostgreSQL only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { acquireStartupLock, initOrm, migrateLocked } from '../../src/db/orm.js';
import { migrations } from '../../migrations/postgresql/index.js';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/db.js';
import { gqlRequest, ok } from '../helpers/graphql.js';

const onPostgres = testDialect() === 'postgresql';
if (!onPostgres) console.warn('[startup.concurrency] PostgreSQL only (SQLite runs one process per database): skipped on SQLite');

async function sql<T>(url: string, query: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(query)).rows as T[];
  } finally {
    await c.end();
  }
}

describe.runIf(onPostgres)('concurrent start on one empty PostgreSQL database', () => {
  let database: TestDatabase | null = null;
  let apps: App[] = [];

  afterEach(async () => {
    await Promise.allSettled(apps.map((a) => a.stop()));
    apps = [];
    await database?.drop();
    database = null;
  });

  /** Three replicas started at once on `url`; every assertion about what the start-up made once. */
  async function startThreeAndCheck(url: string): Promise<void> {
    const config = loadConfig({ PORT: '0', SEED_DEMO: 'true', LOG_LEVEL: process.env.SG_TEST_LOG_LEVEL ?? 'silent', SIM_SPEED: '0', DATABASE_URL: url });
    const started = await Promise.allSettled([0, 1, 2].map(() => startApp(config)));
    apps = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);

    const tokens = apps.map((a) => a.bootstrapToken).filter((t): t is string => t !== null);
    expect(tokens).toHaveLength(1);
    expect(await sql(url, 'select count(*)::int as n from api_token')).toEqual([{ n: 1 }]);
    const applied = await sql<{ name: string }>(url, 'select name from mikro_orm_migrations order by name');
    expect(applied.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    expect(await sql(url, `select count(*)::int as n from tenant where name = 'demo'`)).toEqual([{ n: 1 }]);
    expect(await sql(url, 'select count(*)::int as n from machine')).toEqual([{ n: 12 }]);

    // every replica serves the one token and the one seed
    for (const app of apps) {
      const data = ok(await gqlRequest<any>(app.url, '{ viewer { isPlatformAdmin } tenant(name: "demo") { name } }', undefined, tokens[0]));
      expect(data).toEqual({ viewer: { isPlatformAdmin: true }, tenant: { name: 'demo' } });
    }
  }

  it('three replicas on an empty database all come up; migrations run once, one bootstrap token, one demo seed', async () => {
    database = await createTestDatabase('postgresql');
    await startThreeAndCheck((database.db as { url: string }).url);
  });

  it('three replicas on a migrated, empty database (the migrate initContainer ran): one bootstrap token, one demo seed', async () => {
    database = await createTestDatabase('postgresql');
    const orm = await initOrm({ db: database.db, poolMax: 2 });
    try {
      await migrateLocked(orm);
    } finally {
      await orm.close(true);
    }
    await startThreeAndCheck((database.db as { url: string }).url);
  });

  it('three `migrate` commands at once apply each migration exactly once', async () => {
    database = await createTestDatabase('postgresql');
    const orms = await Promise.all([0, 1, 2].map(() => initOrm({ db: database!.db, poolMax: 2 })));
    try {
      const results = await Promise.all(orms.map((o) => migrateLocked(o)));
      expect(results.flat().sort()).toEqual(migrations.map((m) => m.name));
    } finally {
      await Promise.all(orms.map((o) => o.close(true)));
    }
  });

  it('the start-up lock admits one process at a time, and a dead holder frees it', async () => {
    database = await createTestDatabase('postgresql');
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => initOrm({ db: database!.db, poolMax: 2 })));
    try {
      const first = await acquireStartupLock(a);
      let secondHeld = false;
      const second = acquireStartupLock(b).then((l) => ((secondHeld = true), l));
      await new Promise((r) => setTimeout(r, 300));
      expect(secondHeld).toBe(false);
      await first.release();
      const lock = await second;
      expect(secondHeld).toBe(true);
      // the holder's process dies (its session ends without a release): the next one gets in
      const url = (database!.db as { url: string }).url;
      const killed = await sql<{ pid: number }>(
        url,
        `select pid from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`,
      );
      expect(killed).toHaveLength(1);
      await sql(url, `select pg_terminate_backend(${killed[0].pid})`);
      await (await acquireStartupLock(c)).release();
      await lock.release().catch(() => undefined);
    } finally {
      await Promise.all([a, b, c].map((o) => o.close(true)));
    }
  });
});
