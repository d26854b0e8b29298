/**
 * Proof (1): the full life of a DEDICATED and a SHARED (2 clusters) pool over GraphQL and graphql-ws
 * against the simulated hub: every event arrives in order through computePoolEvents and projectEvents,
 * both pools reach RUNNING with their clusters, GPUs, Environment and hub objects, and deleting them
 * reaches DELETED and gives the machines and the quota back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spokeClusterName, clusterSetName } from '../../src/kube/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { brief, isGapless, poolEventLog, poolEvents, projectEvents, type Ev, type Subscription } from '../helpers/events.js';
import { gpuWorker, H100, hubObjectsOf, machineStates, poolWorld, quotaUsed } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

const PROVISION_STEPS = ['request-clusters', 'wait-clusters', 'register-spokes', 'wait-registration', 'install-addons', 'environment'];
const DELETE_STEPS = ['remove-environment', 'detach-spokes', 'delete-clusters'];

let app: TestApp;
const subs: Subscription[] = [];
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await Promise.all(subs.map((s) => s.close()));
  await app?.close();
});
const track = (s: Subscription) => (subs.push(s), s);

const POOL_DETAIL = `query($id: ID!) { node(id: $id) { ... on ComputePool {
  id name mode phase clusterCount deletedAt
  status { phase percent currentStep stepIndex stepCount waitingOn { reason } failure { reason } }
  clusters { name index nodeCount gpus { gpuFamily capacity allocated free } }
  gpus { gpuFamily capacity allocated free }
  environment { id topology clusterSets namespace numberOfClusters computePool { id } }
  machines(first: 100) { nodes { hostId state assignedPool { id } } }
} } }`;

const isLast = (phase: string) => (events: Ev[]) => events.some((e) => e.type === 'PHASE_CHANGED' && e.phase === phase);

/** What every provisioning log must look like, whatever the timing of the hub. */
function expectProvisionLog(events: Ev[]): void {
  expect(isGapless(events.map((e) => e.seq))).toBe(true);
  expect(events[0]).toMatchObject({ seq: 1, type: 'CREATED', phase: 'PENDING' });
  expect(events.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase)).toEqual(['PROVISIONING', 'REGISTERING', 'INSTALLING', 'RUNNING']);
  expect(events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step)).toEqual(PROVISION_STEPS);
  expect(events.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step)).toEqual(PROVISION_STEPS);
  expect(events.filter((e) => e.type === 'STEP_FAILED')).toEqual([]);
  // each step: started, (waiting/progress), succeeded — never interleaved with another step
  let current: string | null = null;
  for (const e of events.slice(1, -1)) {
    if (e.type === 'STEP_STARTED') {
      expect(current).toBeNull();
      current = e.step;
    } else if (e.type === 'STEP_SUCCEEDED') {
      expect(e.step).toBe(current);
      current = null;
    } else if (e.type !== 'PHASE_CHANGED') {
      expect(e.step).toBe(current);
    }
    if (e.step) expect(e.stepCount).toBe(PROVISION_STEPS.length);
    if (e.step) expect(e.stepIndex).toBe(PROVISION_STEPS.indexOf(e.step));
  }
  for (let i = 1; i < events.length; i++) expect(events[i].percent).toBeGreaterThanOrEqual(events[i - 1].percent);
  expect(events.at(-1)).toMatchObject({ type: 'PHASE_CHANGED', phase: 'RUNNING', percent: 100, step: null });
}

function expectDeleteLog(events: Ev[]): void {
  expect(events[0]).toMatchObject({ type: 'DELETE_REQUESTED', phase: 'DELETING' });
  expect(events.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase)).toEqual(['DELETING', 'DELETED']);
  expect(events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step)).toEqual(DELETE_STEPS);
  expect(events.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step)).toEqual(DELETE_STEPS);
  expect(events.at(-1)).toMatchObject({ type: 'PHASE_CHANGED', phase: 'DELETED' });
}

describe('compute pool lifecycle', () => {
  it('should provision a dedicated and a shared pool to RUNNING, stream every event in order, then delete both and release everything', async () => {
    const w = await poolWorld(app, { quota: 16 });
    const before = await machineStates(app, w.tenant.name);
    expect(Object.values(before).every((m) => m.state === 'AVAILABLE' && m.pool === null)).toBe(true);
    const project = track(projectEvents(app, w.project.id));

    const dedicatedName = uniq('ded');
    const sharedName = uniq('shr');
    const d1 = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: dedicatedName, mode: 'DEDICATED', workers: gpuWorker() });
    expect(d1.createComputePool.userErrors).toEqual([]);
    const d2 = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: sharedName, mode: 'SHARED', clusterCount: 2, workers: gpuWorker() });
    expect(d2.createComputePool.userErrors).toEqual([]);
    const dedicated = d1.createComputePool.computePool;
    const shared = d2.createComputePool.computePool;
    expect(dedicated).toMatchObject({ name: dedicatedName, mode: 'DEDICATED', phase: 'PENDING', clusterCount: 1 });
    expect(shared).toMatchObject({ name: sharedName, mode: 'SHARED', phase: 'PENDING', clusterCount: 2 });

    // reserved at admission: the dedicated pool's GPUs count against the quota, the shared pool's don't
    const reserved = await machineStates(app, w.tenant.name);
    expect(Object.values(reserved).filter((m) => m.pool === dedicatedName)).toHaveLength(2);
    expect(Object.values(reserved).filter((m) => m.pool === sharedName)).toHaveLength(4);
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 8, [`tenant:${H100}`]: 8 });

    const dedSub = track(poolEvents(app, dedicated.id));
    const sharedSub = track(poolEvents(app, shared.id));
    await dedSub.until(isLast('RUNNING'));
    await sharedSub.until(isLast('RUNNING'));

    for (const [sub, pool] of [
      [dedSub, dedicated],
      [sharedSub, shared],
    ] as const) {
      expectProvisionLog(sub.events);
      const log = await poolEventLog(app, pool.id);
      expect(brief(sub.events)).toEqual(brief(log));
      expect(sub.events.every((e) => e.subjectId === pool.id && e.subjectKind === 'COMPUTE_POOL' && e.subjectName === pool.name)).toBe(true);
    }

    // the project stream: the same events, interleaved, numbered 1..n without a hole
    const total = dedSub.events.length + sharedSub.events.length;
    await project.until((es) => es.length >= total);
    expect(isGapless(project.events.map((e) => e.projectSeq))).toBe(true);
    expect(brief(project.events.filter((e) => e.subjectId === dedicated.id))).toEqual(brief(dedSub.events));
    expect(brief(project.events.filter((e) => e.subjectId === shared.id))).toEqual(brief(sharedSub.events));

    // what a RUNNING pool looks like
    const ded = (await app.q(POOL_DETAIL, { id: dedicated.id })).node;
    expect(ded.status).toEqual({ phase: 'RUNNING', percent: 100, currentStep: null, stepIndex: 5, stepCount: 6, waitingOn: null, failure: null });
    expect(ded.clusters).toEqual([{ name: spokeClusterName(w.project.name, dedicatedName), index: 0, nodeCount: 2, gpus: [{ gpuFamily: H100, capacity: 8, allocated: 0, free: 8 }] }]);
    expect(ded.environment).toMatchObject({ topology: 'TOPOLOGY_OCM', clusterSets: [clusterSetName(w.project.name, dedicatedName)], namespace: w.project.name, numberOfClusters: 1, computePool: { id: dedicated.id } });
    expect(ded.machines.nodes.map((m: any) => m.state)).toEqual(['IN_USE', 'IN_USE']);
    expect(ded.machines.nodes.every((m: any) => m.assignedPool.id === dedicated.id)).toBe(true);

    const shr = (await app.q(POOL_DETAIL, { id: shared.id })).node;
    expect(shr.phase).toBe('RUNNING');
    expect(shr.clusters.map((c: any) => [c.name, c.index, c.nodeCount])).toEqual([
      [spokeClusterName(w.project.name, sharedName, 0), 0, 2],
      [spokeClusterName(w.project.name, sharedName, 1), 1, 2],
    ]);
    expect(shr.gpus).toEqual([{ gpuFamily: H100, capacity: 16, allocated: 0, free: 16 }]);
    expect(shr.machines.nodes).toHaveLength(4);
    expect(new Set(shr.machines.nodes.map((m: any) => m.hostId)).size).toBe(4);
    expect(shr.machines.nodes.some((m: any) => ded.machines.nodes.some((d: any) => d.hostId === m.hostId))).toBe(false);

    // the environment is a node of its own
    const env = await app.q(`query($id: ID!) { node(id: $id) { ... on Environment { clusterSets computePool { name } } } }`, { id: shr.environment.id });
    expect(env.node).toEqual({ clusterSets: [clusterSetName(w.project.name, sharedName)], computePool: { name: sharedName } });

    // on the hub: one Cluster API cluster, spoke and add-ons per cluster, one set and binding per pool
    const hub = app.hub.sim!;
    const spokes = [spokeClusterName(w.project.name, dedicatedName), spokeClusterName(w.project.name, sharedName, 0), spokeClusterName(w.project.name, sharedName, 1)].sort();
    const named = (kind: string) => hub.objects({ kind }).filter((o) => o.metadata.labels?.['spokegraph.io/project'] === w.project.name).map((o) => o.metadata.name).sort();
    expect(named('Cluster')).toEqual(spokes);
    expect(named('MachineDeployment')).toEqual(spokes.map((s) => `${s}-workers`).sort());
    expect(named('ManagedCluster')).toEqual(spokes);
    expect(named('ManagedClusterAddOn')).toEqual(spokes.map(() => 'flux'));
    expect(named('ManagedClusterSet')).toEqual([clusterSetName(w.project.name, dedicatedName), clusterSetName(w.project.name, sharedName)].sort());
    expect(named('ManagedClusterSetBinding')).toEqual([clusterSetName(w.project.name, dedicatedName), clusterSetName(w.project.name, sharedName)].sort());
    const mc = hub.objects({ kind: 'ManagedCluster' }).find((o) => o.metadata.name === spokeClusterName(w.project.name, sharedName, 1))!;
    expect(mc.metadata.labels).toMatchObject({
      'cluster.open-cluster-management.io/clusterset': clusterSetName(w.project.name, sharedName),
      [`gpu.spokegraph.io/${H100}`]: '8',
      'spokegraph.io/pool': sharedName,
    });
    expect((mc as any).spec.hubAcceptsClient).toBe(true);

    // delete both; the subscriptions keep streaming
    const dedBefore = dedSub.events.length;
    const sharedBefore = sharedSub.events.length;
    for (const id of [dedicated.id, shared.id]) {
      const del = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { id phase } userErrors { field message code } } }`, { id });
      expect(del.deleteComputePool).toEqual({ computePool: { id, phase: 'DELETING' }, userErrors: [] });
    }
    await dedSub.until(isLast('DELETED'));
    await sharedSub.until(isLast('DELETED'));
    for (const [sub, pool, from] of [
      [dedSub, dedicated, dedBefore],
      [sharedSub, shared, sharedBefore],
    ] as const) {
      expect(isGapless(sub.events.map((e) => e.seq))).toBe(true);
      expectDeleteLog(sub.events.slice(from));
      expect(brief(sub.events)).toEqual(brief(await poolEventLog(app, pool.id)));
    }
    const all = dedSub.events.length + sharedSub.events.length;
    await project.until((es) => es.length >= all);
    expect(project.events).toHaveLength(all);
    expect(isGapless(project.events.map((e) => e.projectSeq))).toBe(true);

    // everything is given back
    const after = await machineStates(app, w.tenant.name);
    expect(after).toEqual(before);
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 0, [`tenant:${H100}`]: 0 });
    const gone = (await app.q(POOL_DETAIL, { id: dedicated.id })).node;
    expect(gone.phase).toBe('DELETED');
    expect(gone.deletedAt).not.toBeNull();
    expect(gone.machines.nodes).toEqual([]);
    expect(hubObjectsOf(hub, w.project.name).filter((o) => !o.startsWith('Namespace/'))).toEqual([]);

    // a deleted pool is not deleted twice, and its name is free again
    const again = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { id } userErrors { field code } } }`, { id: dedicated.id });
    expect(again.deleteComputePool.userErrors).toEqual([{ field: ['input', 'id'], code: 'ILLEGAL_STATE' }]);
    const reuse = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: dedicatedName, workers: gpuWorker() });
    expect(reuse.createComputePool.userErrors).toEqual([]);
    expect(reuse.createComputePool.computePool.id).not.toBe(dedicated.id);
    await waitForPoolPhase(app, reuse.createComputePool.computePool.id, ['RUNNING']);
  });

  it('should delete a pool while it is still provisioning and give its machines back', async () => {
    const w = await poolWorld(app, { quota: 16, machines: { controlPlanes: 1, gpuHosts: [{ family: H100, count: 1, gpusEach: 8 }] } });
    const before = await machineStates(app, w.tenant.name);
    const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, workers: gpuWorker() });
    const id = d.createComputePool.computePool.id;
    const del = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { phase } userErrors { code } } }`, { id });
    expect(del.deleteComputePool).toEqual({ computePool: { phase: 'DELETING' }, userErrors: [] });
    await waitForPoolPhase(app, id, ['DELETED']);
    const log = await poolEventLog(app, id);
    expect(isGapless(log.map((e) => e.seq))).toBe(true);
    expect(log.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase).slice(-2)).toEqual(['DELETING', 'DELETED']);
    expect(await machineStates(app, w.tenant.name)).toEqual(before);
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 0, [`tenant:${H100}`]: 0 });
    // a provisioning step that was running when the delete came in must not leave objects behind
    await new Promise((r) => setTimeout(r, 300));
    expect(hubObjectsOf(app.hub.sim!, w.project.name).filter((o) => !o.startsWith('Namespace/'))).toEqual([]);
  });
});
