/**
 * "A project's limit may not exceed its tenant's" under concurrent limit changes (issue 8): a tenant
 * limit being lowered and a project limit being raised at the same time must not both pass. On
 * PostgreSQL the two orders in which they can overlap are forced with a row lock held by the test
 * (so the race happens every run, not by luck); on both databases a storm of opposing updates runs
 * with real concurrency and the rule holds after every round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { lockSessions, settled, waitForLockWaiters } from '../helpers/pg-locks.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';

const H100 = 'NVIDIA-H100';
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const UPDATE_TENANT = `mutation($input: UpdateTenantInput!) { updateTenant(input: $input) { tenant { id } userErrors { field message code } } }`;
const UPDATE_PROJECT = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } userErrors { field message code } } }`;
const setTenant = (id: string, limit: number) => app.q(UPDATE_TENANT, { input: { id, gpuQuota: [{ gpuFamily: H100, limit }] } }).then((d) => d.updateTenant.userErrors);
const setProject = (id: string, limit: number) => app.q(UPDATE_PROJECT, { input: { id, gpuQuota: [{ gpuFamily: H100, limit }] } }).then((d) => d.updateProject.userErrors);

async function limitOf(level: 'TENANT' | 'PROJECT', name: string): Promise<number> {
  const rows = await sql<{ hard_limit: number }>(
    app,
    level === 'TENANT'
      ? `select q.hard_limit from gpu_quota q join tenant t on t.id = q.scope_id where t.name = ? and q.gpu_family = ?`
      : `select q.hard_limit from gpu_quota q join project p on p.id = q.scope_id where p.name = ? and q.gpu_family = ?`,
    [name, H100],
  );
  return Number(rows[0]?.hard_limit ?? 0);
}

async function world() {
  const t = await createTenant(app, uniq('lim'), [{ gpuFamily: H100, limit: 8 }]);
  const p = await createProject(app, t.id, uniq('limp'), [{ gpuFamily: H100, limit: 4 }]);
  return { t, p };
}

describe.runIf(testDialect() === 'postgresql')('limit updates forced to overlap (PostgreSQL row locks)', () => {
  const locks = lockSessions(() => app);

  /**
   * `first` is made to stall on its quota row write (the test holds that row), `second` runs
   * meanwhile; then the row is let go and both finish. Returns both answers (userErrors).
   */
  async function overlap(heldScope: string, first: () => Promise<unknown[]>, second: () => Promise<unknown[]>) {
    await locks.holder.query('begin');
    await locks.holder.query(`select id from gpu_quota where scope_id = $1 and gpu_family = $2 for update`, [heldScope, H100]);
    const a = settled(first());
    await waitForLockWaiters(locks.probe, 1);
    const b = settled(second());
    // the second either finishes (nothing serialises it: the bug) or waits for the first (the fix)
    await waitForLockWaiters(locks.probe, 2, { until: b.done });
    await locks.holder.query('rollback');
    return [await a.promise, await b.promise] as const;
  }

  const scopeId = async (table: 'tenant' | 'project', name: string) => (await sql<{ id: string }>(app, `select id from ${table} where name = ?`, [name]))[0].id;

  it('should refuse to lower the tenant limit below a project limit being raised at the same time', async () => {
    const { t, p } = await world();
    const [project, tenant] = await overlap(await scopeId('project', p.name), () => setProject(p.id, 8), () => setTenant(t.id, 4));
    expect(await limitOf('PROJECT', p.name)).toBeLessThanOrEqual(await limitOf('TENANT', t.name));
    // the project's raise came first (it held the tenant's lock), so the tenant's lowering is refused
    expect(project).toEqual([]);
    expect(tenant).toEqual([expect.objectContaining({ field: ['input', 'gpuQuota', '0', 'limit'] })]);
    expect([await limitOf('PROJECT', p.name), await limitOf('TENANT', t.name)]).toEqual([8, 8]);
  });

  it('should refuse to raise a project limit above a tenant limit being lowered at the same time', async () => {
    const { t, p } = await world();
    const [tenant, project] = await overlap(await scopeId('tenant', t.name), () => setTenant(t.id, 4), () => setProject(p.id, 8));
    expect(await limitOf('PROJECT', p.name)).toBeLessThanOrEqual(await limitOf('TENANT', t.name));
    expect(tenant).toEqual([]);
    expect(project).toEqual([expect.objectContaining({ field: ['input', 'gpuQuota', '0', 'limit'] })]);
    expect([await limitOf('PROJECT', p.name), await limitOf('TENANT', t.name)]).toEqual([4, 4]);
  });
});

describe('limit updates racing each other', () => {
  it('should keep every project limit within its tenant limit through rounds of opposing concurrent updates', async () => {
    const { t, p } = await world();
    const p2 = await createProject(app, t.id, uniq('limq'), [{ gpuFamily: H100, limit: 4 }]);
    for (let round = 0; round < 12; round++) {
      await setTenant(t.id, 8);
      await Promise.all([setProject(p.id, 4), setProject(p2.id, 4)]);
      // raise both projects and lower the tenant, all at once
      const answers = await Promise.all([setProject(p.id, 8), setTenant(t.id, 4), setProject(p2.id, 6)]);
      for (const a of answers) for (const e of a as { code: string }[]) expect(['INVALID_INPUT', 'CONFLICT']).toContain(e.code);
      const tenant = await limitOf('TENANT', t.name);
      expect(await limitOf('PROJECT', p.name), `round ${round}`).toBeLessThanOrEqual(tenant);
      expect(await limitOf('PROJECT', p2.name), `round ${round}`).toBeLessThanOrEqual(tenant);
    }
  }, 60_000);
});
