/**
 * deployApp onto an existing pool racing deleteComputePool of that pool (issue 8): either the
 * deployment is admitted and the delete refused (the pool is IN_USE), or the pool is deleted and the
 * deployment refused (ILLEGAL_STATE) — never a live deployment on a DELETING pool. On PostgreSQL both
 * orders of overlap are forced with a row lock held by the test; on both databases deploys and a
 * delete then race freely for a few rounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { deployApp } from '../helpers/deploy.js';
import { deployWorld, sharedPool, type DeployWorld } from '../helpers/deployments.js';
import { lockSessions, settled, waitForLockWaiters } from '../helpers/pg-locks.js';
import { uniq } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';

let app: TestApp;
let w: DeployWorld;
beforeAll(async () => {
  app = await startTestApp();
  w = await deployWorld(app, { quota: 64, tenantQuota: 64, gpus: 1, machines: { controlPlanes: 8, gpuHosts: [{ family: 'NVIDIA-H100', count: 8, gpusEach: 8 }] } });
});
afterAll(async () => {
  await app?.close();
});

const DELETE_POOL = `mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { phase } userErrors { field message code } } }`;
const deletePool = async (id: string) => (await app.q(DELETE_POOL, { id })).deleteComputePool.userErrors as { code: string }[];
const deploy = async (poolId: string) => ((await deployApp(app, { projectId: w.project.id, name: uniq('race'), bundleIds: [w.appBundle], poolId })).userErrors ?? []) as { code: string; field: string[] }[];

/** Live deployments on pools that are being (or were) deleted: must always be none. */
async function orphans(): Promise<{ deployment: string; pool: string; phase: string }[]> {
  return sql(
    app,
    `select d.name as deployment, c.name as pool, c.phase as phase from app_deployment d join compute_pool c on c.id = d.pool_id
     where d.phase <> 'DELETED' and c.phase in ('DELETING', 'DELETED')`,
  );
}

describe.runIf(testDialect() === 'postgresql')('deployApp and deleteComputePool forced to overlap (PostgreSQL row locks)', () => {
  const locks = lockSessions(() => app);
  const projectUuid = async () => (await sql<{ id: string }>(app, 'select id from project where name = ?', [w.project.name]))[0].id;

  it('should refuse the delete when a deployment onto the pool is being admitted', async () => {
    const pool = await sharedPool(app, w);
    // the admission stalls on the project's quota row, which it writes last
    await locks.holder.query('begin');
    await locks.holder.query(`select id from gpu_quota where scope_id = $1 for update`, [await projectUuid()]);
    const admission = settled(deploy(pool.id));
    await waitForLockWaiters(locks.probe, 1);
    const del = settled(deletePool(pool.id));
    await waitForLockWaiters(locks.probe, 2, { until: del.done });
    await locks.holder.query('rollback');
    const [admitted, deleted] = [await admission.promise, await del.promise];
    expect(await orphans()).toEqual([]);
    expect(admitted).toEqual([]);
    expect(deleted).toEqual([expect.objectContaining({ code: 'IN_USE', field: ['input', 'id'] })]);
  });

  it('should refuse the deployment when the pool is being deleted', async () => {
    const pool = await sharedPool(app, w);
    // the delete stalls on the project's event counter, which it writes last (after the phase)
    await locks.holder.query('begin');
    await locks.holder.query(`select scope_id from event_sequence where scope_id = $1 for update`, [await projectUuid()]);
    const del = settled(deletePool(pool.id));
    await waitForLockWaiters(locks.probe, 1);
    const admission = settled(deploy(pool.id));
    await waitForLockWaiters(locks.probe, 2, { until: admission.done });
    await locks.holder.query('rollback');
    const [deleted, admitted] = [await del.promise, await admission.promise];
    expect(await orphans()).toEqual([]);
    expect(deleted).toEqual([]);
    expect(admitted).toEqual([expect.objectContaining({ code: 'ILLEGAL_STATE', field: ['input', 'poolId'] })]);
  });
});

describe('deployApp racing deleteComputePool', () => {
  it('should never leave a live deployment on a deleted pool', async () => {
    for (let round = 0; round < 4; round++) {
      const pool = await sharedPool(app, w);
      const answers = await Promise.all([deploy(pool.id), deploy(pool.id), deletePool(pool.id), deploy(pool.id)]);
      for (const a of answers) for (const e of a) expect(['IN_USE', 'ILLEGAL_STATE']).toContain(e.code);
      expect(await orphans(), `round ${round}`).toEqual([]);
    }
  }, 120_000);
});
