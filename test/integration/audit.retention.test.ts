/**
 * Retention (AUDIT_RETENTION_DAYS): a periodic purge deletes records older than the retention, in
 * batches, through the database's purge gate; of several replicas' purgers only the one holding the
 * lease works; 0 keeps everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPurger } from '../../src/audit/audit.purge.js';
import { silentLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DAY, ManualClock } from '../helpers/clock.js';
import { until } from '../helpers/ws.js';
import { createProject, createTenant } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';

const now = Date.now();
let app: TestApp;
const statements: string[] = [];
const clock = new ManualClock(now);

const times = async () => (await sql<{ created_at: unknown }>(app, 'select created_at from audit_record order by seq')).map((r) => new Date(r.created_at as string | number).getTime());

beforeAll(async () => {
  // no runner: the purges here are run by hand
  app = await startTestApp({ clock, noRunner: true, env: { AUDIT_RETENTION_DAYS: '30' }, onQuery: (q) => statements.push(q) });
});
afterAll(async () => app?.close());

describe('the retention purge', () => {
  it('deletes exactly the records older than the retention, and one replica at a time does it', async () => {
    clock.set(now - 100 * DAY);
    const t = await createTenant(app);
    for (let i = 0; i < 3; i++) await createProject(app, t.id);
    clock.set(now - 29 * DAY);
    await createProject(app, t.id);
    clock.set(now);
    await createProject(app, t.id);
    const before = await times();
    const old = before.filter((ms) => ms < now - 30 * DAY).length;
    expect(old).toBe(4);
    const other = new AuditPurger(app.orm, clock, 30, 3_600_000, silentLogger);
    // this replica takes the lease and purges; the other finds it taken
    expect(await app.auditPurger.runOnce()).toBe(old);
    expect(await other.runOnce()).toBe(0);
    expect(await times()).toEqual(before.filter((ms) => ms >= now - 30 * DAY));
    // again: nothing left to purge; the records since are untouched and still immutable
    expect(await app.auditPurger.runOnce()).toBe(0);
    await expect(sql(app, 'delete from audit_record')).rejects.toThrow(/immutable/);
    expect(await sql(app, 'select * from audit_purge_gate')).toEqual([]);
  });

  it('purges in batches', async () => {
    clock.set(now - 60 * DAY);
    const t = await createTenant(app);
    const n = 34;
    // refused calls (an invalid name) are records too
    await Promise.all(Array.from({ length: n }, () => app.gql(`mutation($t: ID!) { createProject(input: { tenantId: $t, name: "Bad_Name" }) { userErrors { code } } }`, { t: t.id })));
    clock.set(now);
    const batched = new AuditPurger(app.orm, clock, 30, 3_600_000, silentLogger, 10);
    // the lease of app.auditPurger is held for three hours: free it as if that replica had died
    await sql(app, `delete from periodic_lease where name = 'audit-purge'`);
    statements.length = 0;
    expect(await batched.runOnce()).toBe(n + 1);
    // 35 records in batches of 10: four deleting transactions
    expect(statements.filter((q) => /delete from .audit_record./i.test(q))).toHaveLength(4);
    expect((await times()).every((ms) => ms >= now - 30 * DAY)).toBe(true);
  });

  it('runs periodically when started, and not at all with a retention of 0', async () => {
    clock.set(now - 45 * DAY);
    await createTenant(app);
    clock.set(now);
    const periodic = new AuditPurger(app.orm, clock, 30, 50, silentLogger);
    const never = new AuditPurger(app.orm, clock, 0, 50, silentLogger);
    expect(await never.runOnce()).toBe(0);
    await sql(app, `delete from periodic_lease where name = 'audit-purge'`);
    periodic.start();
    try {
      await until(async () => (await times()).every((ms) => ms >= now - 30 * DAY), 10_000);
    } finally {
      await periodic.stop();
    }
  });
});
