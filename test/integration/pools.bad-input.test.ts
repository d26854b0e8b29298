/**
 * Proof (5): createComputePool refuses bad input with user errors, and a refusal reserves nothing —
 * machine states and quota unchanged, no pool row, no hub object. idempotencyKey: a replay returns
 * the first pool (also concurrently), another input under the same key is IDEMPOTENCY_KEY_REUSED.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeKind, toGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createAppBundle } from '../helpers/deploy.js';
import { POOL_FIELDS, waitForPoolPhase } from '../helpers/compute.js';
import { gpuWorker, H100, hubObjectsOf, machineStates, poolCount, poolWorld, quotaUsed, type PoolWorld } from '../helpers/pools.js';
import { createProject, createTenant, createToken, uniq } from '../helpers/seed.js';

const CREATE = `mutation($input: CreateComputePoolInput!) { createComputePool(input: $input) { computePool { ${POOL_FIELDS} } userErrors { field message code } } }`;

let app: TestApp;
let w: PoolWorld;
let appBundle: string;
beforeAll(async () => {
  app = await startTestApp();
  // 3 control-plane hosts, 3 H100 hosts of 8 GPUs; the project may hold 8 H100 GPUs
  w = await poolWorld(app, { quota: 8, tenantQuota: 64 });
  appBundle = await createAppBundle(app, w.project.id);
});
afterAll(async () => {
  await app?.close();
});

const input = (over: Record<string, unknown> = {}) => ({
  projectId: w.project.id,
  name: uniq('pool'),
  mode: 'DEDICATED',
  infrastructureBundleId: w.bundle,
  nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: gpuWorker() },
  ...over,
});

interface Snapshot {
  machines: Awaited<ReturnType<typeof machineStates>>;
  quota: Record<string, number>;
  pools: number;
  hub: string[];
}
async function snapshot(world: PoolWorld = w): Promise<Snapshot> {
  return {
    machines: await machineStates(app, world.tenant.name),
    quota: await quotaUsed(app, world.project.name),
    pools: await poolCount(app, world.project.name),
    hub: hubObjectsOf(app.hub.sim!, world.project.name),
  };
}

/** Runs a refused createComputePool and proves it left nothing behind. */
async function refused(inp: Record<string, unknown>, token = app.adminToken, world = w) {
  const before = await snapshot(world);
  const r = await app.gql(CREATE, { input: inp }, token);
  expect(r.errors).toBeUndefined();
  expect(r.data.createComputePool.computePool).toBeNull();
  const errors = r.data.createComputePool.userErrors;
  expect(errors.length).toBeGreaterThan(0);
  // give a runner that was (wrongly) woken a moment to show itself on the hub
  await new Promise((res) => setTimeout(res, 100));
  expect(await snapshot(world)).toEqual(before);
  for (const e of errors) {
    expect(e.message).not.toMatch(/sql|select|insert|constraint|knex|violat/i);
  }
  return errors as { field: string[] | null; message: string; code: string }[];
}

const codes = (errors: { field: string[] | null; code: string }[]) => errors.map((e) => `${e.code}@${(e.field ?? []).join('.')}`);

describe('createComputePool refuses bad input and reserves nothing', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['an unknown bundle', { infrastructureBundleId: toGlobalId(NodeKind.ProfileBundle, randomUUID()) }, ['NOT_FOUND@input.infrastructureBundleId']],
    ['an ID of another kind as bundle', { infrastructureBundleId: toGlobalId(NodeKind.Machine, randomUUID()) }, ['INVALID_ID@input.infrastructureBundleId']],
    ['a malformed bundle ID', { infrastructureBundleId: 'not-an-id' }, ['INVALID_ID@input.infrastructureBundleId']],
    ['a control plane of 2 nodes', { nodeRequirements: { controlPlane: { nodeCount: 2 }, workerPools: gpuWorker() } }, ['INVALID_INPUT@input.nodeRequirements.controlPlane.nodeCount']],
    [
      'no workers without a worker-eligible control plane',
      { nodeRequirements: { controlPlane: { nodeCount: 1, workerNodeEligible: false }, workerPools: [] } },
      ['INVALID_INPUT@input.nodeRequirements.controlPlane.workerNodeEligible'],
    ],
    ['a DEDICATED pool of 2 clusters', { clusterCount: 2 }, ['INVALID_INPUT@input.clusterCount']],
    ['a SHARED pool of 0 clusters', { mode: 'SHARED', clusterCount: 0 }, ['INVALID_INPUT@input.clusterCount']],
    ['a SHARED pool of 21 clusters', { mode: 'SHARED', clusterCount: 21 }, ['INVALID_INPUT@input.clusterCount']],
    ['a worker pool of 0 nodes', { nodeRequirements: { workerPools: [{ name: 'gpu', nodeCount: 0 }] } }, ['INVALID_INPUT@input.nodeRequirements.workerPools.0.nodeCount']],
    [
      'a bad GPU family',
      { nodeRequirements: { workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'nvidia h100', countPerNode: 1 } }] } },
      ['INVALID_INPUT@input.nodeRequirements.workerPools.0.gpu.family'],
    ],
    [
      'two worker pools with one name',
      { nodeRequirements: { workerPools: [...gpuWorker(), ...gpuWorker()] } },
      ['INVALID_INPUT@input.nodeRequirements.workerPools.1.name'],
    ],
    ['more H100 hosts than the tenant has', { mode: 'SHARED', nodeRequirements: { workerPools: gpuWorker(4) } }, ['INSUFFICIENT_CAPACITY@input.nodeRequirements']],
    ['a family the tenant has no machines of', { nodeRequirements: { workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-A100', countPerNode: 1 } }] } }, ['INSUFFICIENT_CAPACITY@input.nodeRequirements']],
    ['hosts with too few GPUs', { mode: 'SHARED', nodeRequirements: { workerPools: gpuWorker(1, 16) } }, ['INSUFFICIENT_CAPACITY@input.nodeRequirements']],
    ['more control planes than there are', { mode: 'SHARED', clusterCount: 2, nodeRequirements: { controlPlane: { nodeCount: 3 }, workerPools: gpuWorker() } }, ['INSUFFICIENT_CAPACITY@input.nodeRequirements']],
    // the machines exist, but a DEDICATED pool of 2 × 8 H100 passes the project's quota of 8: the
    // machine reservation in the same transaction must roll back
    ['a DEDICATED pool over the GPU quota', { nodeRequirements: { workerPools: gpuWorker(2) } }, ['QUOTA_EXCEEDED@input.nodeRequirements']],
    ['a 1-character idempotency key with a space', { idempotencyKey: ' ' }, ['INVALID_INPUT@input.idempotencyKey']],
    ['a description of 2049 characters', { description: 'x'.repeat(2049) }, ['INVALID_INPUT@input.description']],
  ])('should refuse %s', async (_what, over, expected) => {
    const errors = await refused(input(over));
    expect(codes(errors)).toEqual(expected);
  });

  it.each([['ab'], ['a'.repeat(34)], ['1pool'], ['pool-'], ['Pool'], ['po_ol'], ['po ol'], ['']])('should refuse the pool name %j', async (name) => {
    const errors = await refused(input({ name }));
    expect(codes(errors)).toEqual(['INVALID_NAME@input.name']);
  });

  it('should report every problem of an input at once', async () => {
    const errors = await refused(input({ name: 'X', clusterCount: 2, nodeRequirements: { controlPlane: { nodeCount: 4 }, workerPools: [{ name: 'gpu', nodeCount: 0 }] } }));
    expect(codes(errors).sort()).toEqual(
      ['INVALID_NAME@input.name', 'INVALID_INPUT@input.clusterCount', 'INVALID_INPUT@input.nodeRequirements.controlPlane.nodeCount', 'INVALID_INPUT@input.nodeRequirements.workerPools.0.nodeCount'].sort(),
    );
  });

  it('should refuse an APPLICATION bundle and a bundle of another project', async () => {
    expect(codes(await refused(input({ infrastructureBundleId: appBundle })))).toEqual(['INVALID_INPUT@input.infrastructureBundleId']);
    const other = await createProject(app, w.tenant.id, uniq('p'), [{ gpuFamily: H100, limit: 8 }]);
    const { createInfraBundle } = await import('../helpers/compute.js');
    const foreign = await createInfraBundle(app, other.id);
    expect(codes(await refused(input({ infrastructureBundleId: foreign })))).toEqual(['NOT_FOUND@input.infrastructureBundleId']);
  });

  it("should answer NOT_FOUND for someone else's project, and FORBIDDEN for a viewer", async () => {
    const t2 = await createTenant(app, uniq('t'), [{ gpuFamily: H100, limit: 8 }]);
    const p2 = await createProject(app, t2.id, uniq('p'), [{ gpuFamily: H100, limit: 8 }]);
    const outsider = await createToken(app, [{ role: 'PROJECT_EDITOR', projectId: p2.id }]);
    expect(codes(await refused(input(), outsider))).toEqual(['NOT_FOUND@input.projectId']);
    expect(codes(await refused(input({ projectId: toGlobalId(NodeKind.Project, randomUUID()) })))).toEqual(['NOT_FOUND@input.projectId']);

    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: w.project.id }]);
    const before = await snapshot();
    const r = await app.gql(CREATE, { input: input() }, viewer);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await snapshot()).toEqual(before);

    // nor can an outsider see, subscribe to or delete the project's pools
    const editor = await createToken(app, [{ role: 'PROJECT_EDITOR', projectId: w.project.id }]);
    const ok = await app.q(CREATE, { input: input({ mode: 'SHARED' }) }, editor);
    expect(ok.createComputePool.userErrors).toEqual([]);
    const id = ok.createComputePool.computePool.id;
    expect((await app.q(`query($id: ID!) { node(id: $id) { id } }`, { id }, outsider)).node).toBeNull();
    const del = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { id } userErrors { field code } } }`, { id }, outsider);
    expect(del.deleteComputePool).toEqual({ computePool: null, userErrors: [{ field: ['input', 'id'], code: 'NOT_FOUND' }] });
    const delViewer = await app.gql(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { id } userErrors { field code } } }`, { id }, viewer);
    expect(delViewer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    await waitForPoolPhase(app, id, ['RUNNING']);
    const gone = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { phase } userErrors { code } } }`, { id }, editor);
    expect(gone.deleteComputePool.userErrors).toEqual([]);
    await waitForPoolPhase(app, id, ['DELETED']);
  });

  it('should refuse a second live pool of the same name', async () => {
    const name = uniq('dup');
    const first = await app.q(CREATE, { input: input({ name, mode: 'SHARED' }) });
    expect(first.createComputePool.userErrors).toEqual([]);
    const id = first.createComputePool.computePool.id;
    await waitForPoolPhase(app, id, ['RUNNING']);
    const errors = await refused(input({ name, mode: 'SHARED' }));
    expect(codes(errors)).toEqual(['ALREADY_EXISTS@input.name']);
    await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code } } }`, { id });
    await waitForPoolPhase(app, id, ['DELETED']);
  });
});

describe('createComputePool idempotency', () => {
  it('should return the first pool for a replayed key and refuse the key with another input', async () => {
    const key = `k-${randomUUID()}`;
    const inp = input({ idempotencyKey: key, mode: 'SHARED' });
    const before = await snapshot();
    const a = await app.q(CREATE, { input: inp });
    expect(a.createComputePool.userErrors).toEqual([]);
    const afterFirst = await snapshot();
    const b = await app.q(CREATE, { input: inp });
    expect(b.createComputePool.userErrors).toEqual([]);
    expect(b.createComputePool.computePool.id).toBe(a.createComputePool.computePool.id);
    expect(afterFirst.pools).toBe(before.pools + 1);
    expect(Object.values(afterFirst.machines).filter((m) => m.pool === inp.name)).toHaveLength(2);
    const replayed = await snapshot();
    expect(replayed.pools).toBe(afterFirst.pools);
    expect(replayed.machines).toEqual(afterFirst.machines);

    // same key, another input: refused, nothing more reserved
    await waitForPoolPhase(app, a.createComputePool.computePool.id, ['RUNNING']);
    for (const other of [input({ idempotencyKey: key, mode: 'SHARED' }), { ...inp, description: 'changed' }, { ...inp, mode: 'DEDICATED' }]) {
      const errors = await refused(other);
      expect(codes(errors)).toEqual(['IDEMPOTENCY_KEY_REUSED@input.idempotencyKey']);
    }
    // keys are per caller: another token may use the same key for a pool of its own
    const editor = await createToken(app, [{ role: 'PROJECT_EDITOR', projectId: w.project.id }]);
    const c = await app.q(CREATE, { input: { ...inp, name: uniq('pool') } }, editor);
    expect(c.createComputePool.userErrors).toEqual([]);
    expect(c.createComputePool.computePool.id).not.toBe(a.createComputePool.computePool.id);

    for (const id of [a.createComputePool.computePool.id, c.createComputePool.computePool.id]) {
      await waitForPoolPhase(app, id, ['RUNNING']);
      await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code } } }`, { id });
      await waitForPoolPhase(app, id, ['DELETED']);
    }
  });

  it('should create one pool when the same request is sent several times at once', async () => {
    const key = `k-${randomUUID()}`;
    const inp = input({ idempotencyKey: key });
    const before = await snapshot();
    const results = await Promise.all(Array.from({ length: 5 }, () => app.q(CREATE, { input: inp })));
    for (const r of results) expect(r.createComputePool.userErrors).toEqual([]);
    const ids = new Set(results.map((r) => r.createComputePool.computePool.id));
    expect(ids.size).toBe(1);
    const after = await snapshot();
    expect(after.pools).toBe(before.pools + 1);
    expect(Object.values(after.machines).filter((m) => m.pool === inp.name)).toHaveLength(2);
    const [id] = ids;
    await waitForPoolPhase(app, id, ['RUNNING']);
    await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code } } }`, { id });
    await waitForPoolPhase(app, id, ['DELETED']);
  });
});

describe('hub names of pools in different projects', () => {
  it('should never let two live pools share a cluster set or a spoke, even when project and pool names join to the same text', async () => {
    const base = uniq('q').replace('-', '');
    const t1 = await createTenant(app, uniq('t'), [{ gpuFamily: H100, limit: 64 }]);
    const t2 = await createTenant(app, uniq('t'), [{ gpuFamily: H100, limit: 64 }]);
    // "<base>-ab" + "cd1" and "<base>" + "ab-cd1" are both "<base>-ab-cd1"
    const p1 = await createProject(app, t1.id, `${base}-ab`, [{ gpuFamily: H100, limit: 64 }]);
    const p2 = await createProject(app, t2.id, base, [{ gpuFamily: H100, limit: 64 }]);
    const { createInfraBundle, registerMachines } = await import('../helpers/compute.js');
    await registerMachines(app, t1.id, { controlPlanes: 2, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] });
    await registerMachines(app, t2.id, { controlPlanes: 2, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] });
    const w1: PoolWorld = { tenant: t1, project: p1, bundle: await createInfraBundle(app, p1.id), hosts: [] };
    const w2: PoolWorld = { tenant: t2, project: p2, bundle: await createInfraBundle(app, p2.id), hosts: [] };
    const POOL = `query($id: ID!) { node(id: $id) { ... on ComputePool { phase environment { clusterSets } clusters { name } } } }`;

    const first = await app.q(CREATE, { input: { ...input(), projectId: p1.id, infrastructureBundleId: w1.bundle, name: 'cd1', mode: 'SHARED', clusterCount: 2 } });
    expect(first.createComputePool.userErrors).toEqual([]);
    const firstId = first.createComputePool.computePool.id;
    await waitForPoolPhase(app, firstId, ['RUNNING']);
    const a = (await app.q(POOL, { id: firstId })).node;

    for (const [name, mode] of [
      ['ab-cd1', 'DEDICATED'],
      ['ab-cd1-0', 'DEDICATED'],
    ]) {
      const before = await snapshot(w2);
      const r = await app.gql(CREATE, { input: { ...input(), projectId: p2.id, infrastructureBundleId: w2.bundle, name, mode } });
      const errors = r.data.createComputePool.userErrors;
      if (errors.length) {
        // refused: said so on the name, and nothing was reserved
        expect(codes(errors)).toEqual(['ALREADY_EXISTS@input.name']);
        expect(await snapshot(w2)).toEqual(before);
      } else {
        const id = r.data.createComputePool.computePool.id;
        await waitForPoolPhase(app, id, ['RUNNING', 'FAILED']);
        const b = (await app.q(POOL, { id })).node;
        expect(b.environment.clusterSets).not.toEqual(a.environment.clusterSets);
        for (const c of b.clusters) expect(a.clusters.map((x: any) => x.name)).not.toContain(c.name);
      }
    }
    // the first pool's cluster set holds only its own spokes
    const set = a.environment.clusterSets[0];
    const members = app.hub.sim!.objects({ kind: 'ManagedCluster' }).filter((o) => o.metadata.labels?.['cluster.open-cluster-management.io/clusterset'] === set);
    expect(members.map((o) => o.metadata.name).sort()).toEqual(a.clusters.map((c: any) => c.name).sort());
  });
});
