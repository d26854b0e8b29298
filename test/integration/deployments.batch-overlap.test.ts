/**
 * Two group-commit batches of one project overlap (deployment.batch.ts, drain): the second starts as
 * soon as the first holds its rows, and its lock statement waits in PostgreSQL for the first's
 * COMMIT. What that statement read before the wait is stale, and two guards keep the admissions
 * exact: a name the first batch may still insert goes the single way, and the GPU-hour budget is read
 * again once the rows are held. The test puts the batches at that point with real row locks of its
 * own sessions, nothing of the app replaced:
 *   1. the holder locks the project's quota row: batch 1 (one call) waits in its lock statement;
 *   2. the next calls queue behind it (seen on /metrics: spokegraph_admissions_queued);
 *   3. a second holder locks the project's event counter and the first lets go: batch 1 takes its
 *      rows and waits at its event append, still uncommitted; batch 2 starts and waits for batch 1;
 *   4. what must happen meanwhile happens; the second holder lets go and both batches finish.
 * The batch counters on /metrics tell whether batch 2 committed or fell back to the single way.
 * PostgreSQL only: SQLite admits under one write lock, and there is no group commit there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { deployApp } from '../helpers/deploy.js';
import { deployWorld, ledger, sharedPool, sqlOf, type DeployWorld } from '../helpers/deployments.js';
import { sample, scrape, total } from '../helpers/metrics.js';
import { lockSessions, pgSession, settled, waitForLockWaiters, type PgSession } from '../helpers/pg-locks.js';
import { uniq } from '../helpers/seed.js';

const H100 = 'NVIDIA-H100';

describe.runIf(testDialect() === 'postgresql')('two admission batches of one project overlap (PostgreSQL row locks)', () => {
  let app: TestApp;
  let second: PgSession;
  beforeAll(async () => {
    app = await startTestApp();
    second = await pgSession(app);
  });
  afterAll(async () => {
    await second?.query('rollback').catch(() => undefined);
    await second?.end();
    await app?.close();
  });
  const locks = lockSessions(() => app);

  const metrics = () => scrape(app.url.replace(/\/graphql$/, ''));
  const batches = async () => {
    const text = await metrics();
    return { committed: total(text, 'spokegraph_admission_batches_total', { outcome: 'committed' }), rolledBack: total(text, 'spokegraph_admission_batches_total', { outcome: 'rolled_back' }) };
  };
  async function waitForQueued(n: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const queued = sample(await metrics(), 'spokegraph_admissions_queued');
      if (queued === n) return;
      if (Date.now() > deadline) throw new Error(`expected ${n} queued admissions, saw ${queued}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function world(): Promise<{ w: DeployWorld; poolId: string; projectId: string }> {
    const w = await deployWorld(app, { quota: 64, tenantQuota: 64, gpus: 2, machines: { controlPlanes: 1, gpuHosts: [{ family: H100, count: 1, gpusEach: 8 }] } });
    const pool = await sharedPool(app, w, { clusters: 1, gpuNodes: 1 });
    const [p] = await sqlOf(app)<{ id: string }>('select id from project where name = ?', [w.project.name]);
    return { w, poolId: pool.id, projectId: p.id };
  }

  /**
   * Batch 1 admits `first`, batch 2 holds `rest`; `meanwhile` runs while batch 1 holds its rows
   * uncommitted and batch 2 waits for them. Answers in call order.
   */
  async function overlap(o: { w: DeployWorld; poolId: string; projectId: string }, first: string, rest: string[], meanwhile: () => Promise<void> = async () => undefined) {
    const call = (name: string) => settled(deployApp(app, { projectId: o.w.project.id, name, bundleIds: [o.w.appBundle], poolId: o.poolId }));
    await locks.holder.query('begin');
    await locks.holder.query('select 1 from gpu_quota where scope_id = $1 for update', [o.projectId]);
    const one = call(first);
    await waitForLockWaiters(locks.probe, 1, { until: one.done });
    expect(one.done()).toBe(false);
    const others = rest.map(call);
    await waitForQueued(rest.length);

    await second.query('begin');
    await second.query(`insert into event_sequence (scope_id, "last") values ($1, 0) on conflict (scope_id) do update set "last" = event_sequence."last"`, [o.projectId]);
    await locks.holder.query('commit');
    // batch 1 at its event append (waiting for `second`), batch 2 at its lock statement (waiting for batch 1)
    await waitForLockWaiters(locks.probe, 2, { until: () => [one, ...others].some((c) => c.done()) });
    expect([one, ...others].some((c) => c.done())).toBe(false);
    await meanwhile();
    await second.query('commit');
    return [await one.promise, ...(await Promise.all(others.map((c) => c.promise)))];
  }

  it('should admit batch 2 in its own commit, refusing only the name batch 1 inserted', async () => {
    const o = await world();
    const taken = uniq('dup');
    const [b, c] = [uniq('b'), uniq('c')];
    const before = await batches();
    const [one, dup, ...admitted] = await overlap(o, taken, [taken, b, c]);

    expect(one.userErrors ?? []).toEqual([]);
    expect(one.appDeployment.name).toBe(taken);
    expect(dup.appDeployment).toBeNull();
    expect(dup.userErrors).toEqual([expect.objectContaining({ code: 'ALREADY_EXISTS', field: ['input', 'name'] })]);
    expect(admitted.map((a) => [a.userErrors ?? [], a.appDeployment?.name])).toEqual([
      [[], b],
      [[], c],
    ]);
    // batch 2 committed: the repeated name went the single way instead of sinking the batch at the unique index
    const after = await batches();
    expect(after.rolledBack - before.rolledBack).toBe(0);
    expect(after.committed - before.committed).toBe(2);
    const books = await ledger(sqlOf(app), o.w.project.name);
    expect(books).toMatchObject({ overAllocated: 0, projectUsed: 6, heldByDeployments: 6, allocated: 6 });
  });

  it('should refuse batch 2 under a GPU-hour budget set while it waited for batch 1', async () => {
    const o = await world();
    const names = [uniq('a'), uniq('b'), uniq('c')];
    const before = await batches();
    const [one, ...late] = await overlap(o, names[0], names.slice(1), async () => {
      // the budget commits after batch 2's lock statement started: its snapshot cannot see it
      await locks.probe.query('insert into project_budget (project_id, monthly_gpu_hours, updated_at) values ($1, 1, now())', [o.projectId]);
    });

    expect(one.userErrors ?? []).toEqual([]);
    for (const a of late) {
      expect(a.appDeployment).toBeNull();
      expect(a.userErrors).toEqual([expect.objectContaining({ code: 'BUDGET_EXCEEDED' })]);
    }
    // batch 2 read the budget again under its locks, rolled back, and its members were decided the single way
    const after = await batches();
    expect(after.rolledBack - before.rolledBack).toBe(1);
    expect(after.committed - before.committed).toBe(1);
    const books = await ledger(sqlOf(app), o.w.project.name);
    expect(books).toMatchObject({ overAllocated: 0, projectUsed: 2, heldByDeployments: 2, allocated: 2 });
  });
});
