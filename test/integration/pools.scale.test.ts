/**
 * scaleComputePool against the simulated hub (SQLite by default, PostgreSQL with TEST_DATABASE_URL):
 * a DEDICATED pool grows and shrinks (MachineDeployment replicas, machines reserved then released,
 * GPU quota exact, events); refusals change nothing; concurrent scales and a scale racing a delete
 * end consistent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineDeploymentName, spokeClusterName } from '../../src/kube/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, deployApp, waitForDeploymentPhase } from '../helpers/deploy.js';
import { sharedPool } from '../helpers/deployments.js';
import { poolEventLog } from '../helpers/events.js';
import { gpuWorker, H100, machineStates, poolWorld, quotaUsed, sleep, type PoolWorld } from '../helpers/pools.js';
import { snapshotDb, sql } from '../helpers/snapshot.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const SCALE = `mutation($input: ScaleComputePoolInput!) { scaleComputePool(input: $input) { computePool { id phase } userErrors { field message code } } }`;
const scale = async (id: string, nodeCount: number, name = 'gpu') => (await app.q(SCALE, { input: { id, workerPools: [{ name, nodeCount }] } })).scaleComputePool;

const POOL = `query($id: ID!) { node(id: $id) { ... on ComputePool { phase clusters { name nodeCount } gpus { gpuFamily capacity allocated } } } }`;

/** Polls until the pool has no ACTIVE job (its scale flow finished). */
async function waitScaled(poolId: string, timeoutMs = 60_000): Promise<void> {
  const uuid = Buffer.from(poolId, 'base64').toString().split(':').pop()!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const active = await sql(app, `select id from workflow_job where subject_id = ? and state = 'ACTIVE'`, [uuid]);
    if (!active.length) return;
    if (Date.now() > deadline) throw new Error('scale did not finish');
    await sleep(50);
  }
}

const inPool = (m: Record<string, { state: string; pool: string | null }>, pool: string) => Object.values(m).filter((x) => x.pool === pool);

async function dedicatedPool(w: PoolWorld): Promise<{ id: string; name: string }> {
  const r = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'DEDICATED', workers: gpuWorker(1) });
  expect(r.createComputePool.userErrors).toEqual([]);
  const pool = r.createComputePool.computePool;
  await waitForPoolPhase(app, pool.id, ['RUNNING'], 60_000);
  return pool;
}

describe('scaleComputePool', () => {
  it('should scale a dedicated pool up then down on the hub, reserving and releasing machines and exact GPU quota', async () => {
    const w = await poolWorld(app, { quota: 32 });
    const pool = await dedicatedPool(w);
    const hub = app.hub.sim!;
    const md = () => hub.objects().find((o) => o.kind === 'MachineDeployment' && o.metadata.name === machineDeploymentName(spokeClusterName(w.project.name, pool.name)))!;
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 8, [`tenant:${H100}`]: 8 });

    const up = await scale(pool.id, 3);
    expect(up.userErrors).toEqual([]);
    expect(up.computePool.phase).toBe('RUNNING');
    // admitted: the two new hosts and their 16 GPUs are reserved at once
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 24, [`tenant:${H100}`]: 24 });
    expect(inPool(await machineStates(app, w.tenant.name), pool.name)).toHaveLength(4);
    await waitScaled(pool.id);
    expect((md().spec as any).replicas).toBe(3);
    expect((md().status as any).readyReplicas).toBe(3);
    let view = (await app.q(POOL, { id: pool.id })).node;
    expect(view.phase).toBe('RUNNING');
    expect(view.clusters.map((c: any) => c.nodeCount)).toEqual([4]);
    expect(view.gpus).toEqual([{ gpuFamily: H100, capacity: 24, allocated: 0 }]);
    expect(inPool(await machineStates(app, w.tenant.name), pool.name).map((m) => m.state)).toEqual(['IN_USE', 'IN_USE', 'IN_USE', 'IN_USE']);

    const down = await scale(pool.id, 1);
    expect(down.userErrors).toEqual([]);
    await waitScaled(pool.id);
    expect((md().spec as any).replicas).toBe(1);
    expect((md().status as any).readyReplicas).toBe(1);
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 8, [`tenant:${H100}`]: 8 });
    const states = await machineStates(app, w.tenant.name);
    expect(inPool(states, pool.name)).toHaveLength(2);
    expect(Object.values(states).filter((m) => m.state === 'AVAILABLE')).toHaveLength(w.hosts.length - 2);
    view = (await app.q(POOL, { id: pool.id })).node;
    expect(view.clusters.map((c: any) => c.nodeCount)).toEqual([2]);
    expect(view.gpus).toEqual([{ gpuFamily: H100, capacity: 8, allocated: 0 }]);

    const events = await poolEventLog(app, pool.id);
    const scaleEvents = events.filter((e) => e.message.includes('Scale of compute pool') || e.message.includes('scaled:'));
    expect(scaleEvents.map((e) => e.message)).toEqual([
      expect.stringContaining('gpu=3'),
      expect.stringContaining('2 machine(s) joined, 0 released'),
      expect.stringContaining('gpu=1'),
      expect.stringContaining('0 machine(s) joined, 2 released'),
    ]);
    const steps = events.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step);
    expect(steps.filter((s) => s === 'apply-replicas' || s === 'wait-replicas')).toEqual(['apply-replicas', 'wait-replicas', 'apply-replicas', 'wait-replicas']);
    expect(events.filter((e) => e.type === 'STEP_FAILED')).toEqual([]);

    // a no-op is refused
    const same = await scale(pool.id, 1);
    expect(same.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'workerPools'] })]);
  }, 180_000);

  it('should refuse an unknown worker pool, an increase over quota, a pool that is not RUNNING and a removal stranding held GPUs, writing nothing; a SHARED pool scales around what deployments hold', async () => {
    const w = await poolWorld(app, { quota: 16 });
    const pool = await dedicatedPool(w);
    await waitScaled(pool.id);
    let before = await snapshotDb(app);
    const unknown = await scale(pool.id, 2, 'nope');
    expect(unknown.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'workerPools', '0', 'name'] })]);
    const over = await scale(pool.id, 3);
    expect(over.userErrors).toEqual([expect.objectContaining({ code: 'QUOTA_EXCEEDED' })]);
    const bad = await scale(pool.id, 0);
    expect(bad.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'workerPools', '0', 'nodeCount'] })]);
    expect(await snapshotDb(app)).toEqual(before);

    // a SHARED pool with 16 GPUs, a deployment holding 12 of them: shrinking to 8 would strand 4
    const w2 = await poolWorld(app, { quota: 64 });
    const shared = await sharedPool(app, w2, { gpuNodes: 2 });
    const bundle = await createAppBundle(app, w2.project.id, { gpus: 12 });
    const d = await deployApp(app, { projectId: w2.project.id, name: 'holder', bundleIds: [bundle], poolId: shared.id });
    expect(d.userErrors).toEqual([]);
    await waitForDeploymentPhase(app, d.appDeployment.id, ['RUNNING'], 60_000);
    await waitScaled(shared.id);
    before = await snapshotDb(app);
    const strand = await scale(shared.id, 1);
    expect(strand.userErrors).toEqual([expect.objectContaining({ code: 'IN_USE', field: ['input', 'workerPools'] })]);
    expect(strand.userErrors[0].message).toContain('strand');
    expect(await snapshotDb(app)).toEqual(before);

    // a SHARED pool holds no quota itself: growing it adds capacity beside the deployment's 12, and a
    // removal that leaves room for them is admitted
    const usedBefore = await quotaUsed(app, w2.project.name);
    expect((await scale(shared.id, 3)).userErrors).toEqual([]);
    await waitScaled(shared.id);
    expect((await app.q(POOL, { id: shared.id })).node.gpus).toEqual([{ gpuFamily: H100, capacity: 24, allocated: 12 }]);
    expect((await scale(shared.id, 2)).userErrors).toEqual([]);
    await waitScaled(shared.id);
    expect((await app.q(POOL, { id: shared.id })).node.gpus).toEqual([{ gpuFamily: H100, capacity: 16, allocated: 12 }]);
    expect(await quotaUsed(app, w2.project.name)).toEqual(usedBefore);
    expect(inPool(await machineStates(app, w2.tenant.name), shared.name).map((m) => m.state)).toEqual(['IN_USE', 'IN_USE', 'IN_USE']);

    // not RUNNING: a deleted pool
    const del = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code } } }`, { id: pool.id });
    expect(del.deleteComputePool.userErrors).toEqual([]);
    await waitForPoolPhase(app, pool.id, ['DELETED'], 60_000);
    before = await snapshotDb(app);
    const gone = await scale(pool.id, 2);
    expect(gone.userErrors).toEqual([expect.objectContaining({ code: 'ILLEGAL_STATE', field: ['input', 'id'] })]);
    expect(await snapshotDb(app)).toEqual(before);
  }, 240_000);

  it('should admit one of two concurrent scales, and end consistent when a scale races a delete', async () => {
    // enough GPU hosts for whichever scale wins, and one more
    const w = await poolWorld(app, { quota: 64, machines: { controlPlanes: 3, gpuHosts: [{ family: H100, count: 5, gpusEach: 8 }] } });
    const pool = await dedicatedPool(w);
    const [a, b] = await Promise.all([scale(pool.id, 2), scale(pool.id, 3)]);
    const admitted = [a, b].filter((r) => r.userErrors.length === 0);
    expect(admitted).toHaveLength(1);
    expect([a, b].find((r) => r.userErrors.length)!.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    await waitScaled(pool.id);
    const expected = a === admitted[0] ? 2 : 3;
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 8 * expected, [`tenant:${H100}`]: 8 * expected });
    expect(inPool(await machineStates(app, w.tenant.name), pool.name)).toHaveLength(1 + expected);

    // the same idempotency key and input replay the first answer without a second scale
    const keyed = { id: pool.id, workerPools: [{ name: 'gpu', nodeCount: expected + 1 }], idempotencyKey: `k-${pool.id}` };
    const first = (await app.q(SCALE, { input: keyed })).scaleComputePool;
    const again = (await app.q(SCALE, { input: keyed })).scaleComputePool;
    expect(first.userErrors).toEqual([]);
    expect(again.userErrors).toEqual([]);
    await waitScaled(pool.id);
    const uuid = Buffer.from(pool.id, 'base64').toString().split(':').pop()!;
    expect(await sql(app, `select id from workflow_job where subject_id = ? and flow = 'compute-pool.scale'`, [uuid])).toHaveLength(2);
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 8 * (expected + 1), [`tenant:${H100}`]: 8 * (expected + 1) });

    // a scale and a delete at once: whichever order they commit in, the delete wins (it cancels a
    // running scale) and every machine and GPU comes back
    const [s, del] = await Promise.all([
      scale(pool.id, 1),
      app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code } } }`, { id: pool.id }),
    ]);
    expect(del.deleteComputePool.userErrors).toEqual([]);
    if (s.userErrors.length) expect(s.userErrors).toEqual([expect.objectContaining({ code: 'ILLEGAL_STATE' })]);
    await waitForPoolPhase(app, pool.id, ['DELETED'], 60_000);
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 0, [`tenant:${H100}`]: 0 });
    const states = await machineStates(app, w.tenant.name);
    expect(Object.values(states).every((m) => m.state === 'AVAILABLE' && m.pool === null)).toBe(true);
  }, 240_000);
});
