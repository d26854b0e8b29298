/**
 * Issue 8 §1: one tenant must never touch another tenant's hub objects. Replays the three reproduced
 * attacks on the real app (port 0, simulated hub that starts with a real hub's namespaces):
 *  (a) alpha's project `vision` + SHARED pool `team` next to beta's project `vision-team`;
 *  (b) a project and pool that join to the hub's own namespaces (`kube` + `system`, `flux` + `system`),
 *      and a project named like a namespace the hub has that no rule knows;
 *  (c) a project named like another owner's cluster namespace.
 * The victim stays untouched, RUNNING, deployable and deletable; the attacker is refused up front
 * (typed user error) or its step waits with HUB_NAME_CONFLICT, naming the object. Last, objects of
 * our names that are not ours (an operator's, a deleted pool's leftover) are never written over nor
 * deleted, and an object of the previous release with our names is adopted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManagedClusterSet, buildNamespace, buildPlacement, Label, spokeClusterName } from '../../src/kube/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createInfraBundle, createPool, poolPhase, registerMachines, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, deployApp } from '../helpers/deploy.js';
import { DELETE_DEPLOYMENT, gatewayOf, getDeployment, sharedPool, sqlOf, waitForPhase, type Gateway } from '../helpers/deployments.js';
import { H100, type PoolWorld } from '../helpers/pools.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';

let app: TestApp;
let gw: Gateway;
beforeAll(async () => {
  app = await startTestApp();
  gw = gatewayOf(app);
});
afterAll(() => app?.close());

const hub = () => app.hub.sim!;
const hubObject = (kind: string, name: string, namespace?: string) =>
  hub()
    .objects({ kind, ...(namespace ? { namespace } : {}) })
    .find((o) => o.metadata.name === name);
const rawId = async (table: string, name: string) => (await sqlOf(app)<{ id: string }>(`select id from ${table} where name = ?`, [name]))[0].id;

interface World extends PoolWorld {
  appBundle: string;
}

/** A tenant with machines, and its project `name` with GPU quota, an infrastructure and an app bundle. */
async function world(projectName: string): Promise<World> {
  const tenant = await createTenant(app, uniq('t'), [{ gpuFamily: H100, limit: 64 }]);
  const project = await createProject(app, tenant.id, projectName, [{ gpuFamily: H100, limit: 64 }]);
  await registerMachines(app, tenant.id, { controlPlanes: 3, gpuHosts: [{ family: H100, count: 3, gpusEach: 8 }] });
  const bundle = await createInfraBundle(app, project.id);
  return { tenant, project, bundle, hosts: [], appBundle: await createAppBundle(app, project.id, { gpus: 1 }) };
}

const CREATE_PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } userErrors { field code message } } }`;
const DELETE_POOL = `mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code message } } }`;
const errorsOf = (r: { userErrors: { field: string[]; code: string }[] }) => r.userErrors.map((e) => `${e.code}@${e.field.join('.')}`);

async function refusedProject(tenantId: string, name: string, code: string): Promise<void> {
  const r = (await app.q(CREATE_PROJECT, { input: { tenantId, name } })).createProject;
  expect(errorsOf(r), name).toEqual([`${code}@input.name`]);
  expect(r.project).toBeNull();
}

async function refusedPool(w: World, name: string, code: string): Promise<void> {
  const r = (await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name, mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] })).createComputePool;
  expect(errorsOf(r), name).toEqual([`${code}@input.name`]);
}

/** Polls a pool until its status waits for `reason`. */
async function poolWaitingOn(id: string, reason: string, timeoutMs = 30_000): Promise<{ reason: string; message: string }> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = await poolPhase(app, id);
    if (last.status.waitingOn?.reason === reason) return last.status.waitingOn;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pool never waited for ${reason}; last: ${JSON.stringify(last)}`);
}

async function deleteDeployment(id: string): Promise<void> {
  const r = (await app.q(DELETE_DEPLOYMENT, { id })).deleteAppDeployment;
  expect(r.userErrors).toEqual([]);
  expect((await waitForPhase(gw, id, ['DELETED'])).phase).toBe('DELETED');
}

async function deletePool(id: string): Promise<void> {
  expect((await app.q(DELETE_POOL, { id })).deleteComputePool.userErrors).toEqual([]);
  expect((await waitForPoolPhase(app, id, ['DELETED'], 60_000)).phase).toBe('DELETED');
}

/** The victim can still deploy onto its pool, and delete what it deployed. */
async function stillDeployable(w: World, poolId: string): Promise<void> {
  const d = await deployApp(app, { projectId: w.project.id, name: uniq('again'), bundleIds: [w.appBundle], poolId });
  expect(d.userErrors).toEqual([]);
  expect((await waitForPhase(gw, d.appDeployment.id, ['RUNNING', 'FAILED'])).phase).toBe('RUNNING');
  await deleteDeployment(d.appDeployment.id);
}

/** Everything of a RUNNING pool and deployment of the victim's project, as it is on the hub. */
type HubObj = { kind: string; metadata: { name?: string; uid?: string } };

function victimObjects(project: string, pool: string): HubObj[] {
  const cluster = spokeClusterName(project, pool);
  const found = [
    hubObject('Namespace', project),
    hubObject('Cluster', cluster, project),
    hubObject('MachineDeployment', `${cluster}-workers`, project),
    hubObject('Secret', `${cluster}-kubeconfig`, project),
    hubObject('ManagedClusterSetBinding', cluster, project),
    hubObject('ManagedCluster', cluster),
    hubObject('Namespace', cluster),
  ];
  for (const o of found) expect(o).toBeDefined();
  return found as HubObj[];
}

const uids = (objs: HubObj[]) => objs.map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.uid}`);

describe('(a) a project and a shared pool whose names join to another tenant\'s project', () => {
  it('should leave beta\'s namespace and objects untouched while alpha provisions and deletes vision + team, and refuse "--" names', async () => {
    const beta = await world('vision-team');
    const betaPool = await sharedPool(app, beta, { name: 'gpu' });
    const betaApp = await deployApp(app, { projectId: beta.project.id, name: 'chat', bundleIds: [beta.appBundle], poolId: betaPool.id });
    expect(betaApp.userErrors).toEqual([]);
    expect((await waitForPhase(gw, betaApp.appDeployment.id, ['RUNNING', 'FAILED'])).phase).toBe('RUNNING');
    const betaNs = hubObject('Namespace', 'vision-team')!;
    const before = uids([...victimObjects('vision-team', 'gpu'), hubObject('Placement', 'chat', 'vision-team')!]);

    // the attack as reproduced: alpha's project vision, SHARED pool team, provisioned and deleted
    const alpha = await world('vision');
    const alphaPool = await sharedPool(app, alpha, { name: 'team' });
    await deletePool(alphaPool.id);

    // beta: every object still there (same uids), its namespace Active and still beta's, its app RUNNING
    expect(uids([...victimObjects('vision-team', 'gpu'), hubObject('Placement', 'chat', 'vision-team')!])).toEqual(before);
    expect(hubObject('Namespace', 'vision-team')!.status).toMatchObject({ phase: 'Active' });
    expect(hubObject('Namespace', 'vision-team')!.metadata.labels).toEqual(betaNs.metadata.labels);
    expect(betaNs.metadata.labels).toMatchObject({ 'spokegraph.io/project-id': await rawId('project', 'vision-team') });
    expect((await getDeployment(gw, betaApp.appDeployment.id)).phase).toBe('RUNNING');
    // alpha's spoke had a name of its own
    expect((await sqlOf(app)<{ name: string }>(`select c.name from pool_cluster c join compute_pool p on p.id = c.pool_id where p.name = 'team'`)).map((r) => r.name)).toEqual(['vision--team']);
    // and names that could join into another owner's are refused up front, with a typed error
    await refusedProject(alpha.tenant.id, 'vision--team', 'INVALID_NAME');
    await refusedPool(alpha, 'team--gpu', 'INVALID_NAME');

    await stillDeployable(beta, betaPool.id);
    await deleteDeployment(betaApp.appDeployment.id);
    await deletePool(betaPool.id);
  }, 180_000);
  it('should wait with HUB_NAME_CONFLICT rather than delete a cluster the previous release named like beta\'s namespace', async () => {
    const beta = await world('vision2-team');
    const betaPool = await sharedPool(app, beta, { name: 'gpu' });
    const betaApp = await deployApp(app, { projectId: beta.project.id, name: 'chat', bundleIds: [beta.appBundle], poolId: betaPool.id });
    expect((await waitForPhase(gw, betaApp.appDeployment.id, ['RUNNING', 'FAILED'])).phase).toBe('RUNNING');
    const before = uids([...victimObjects('vision2-team', 'gpu'), hubObject('Placement', 'chat', 'vision2-team')!]);

    // what the previous release left: alpha's pool "team" of project "vision2" had the spoke "vision2-team"
    const alpha = await world('vision2');
    const alphaPool = await sharedPool(app, alpha, { name: 'team' });
    await sqlOf(app)(`update pool_cluster set name = 'vision2-team', active_name = 'vision2-team' where active_name = 'vision2--team'`);
    await app.hub.adapter.apply({
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: { name: 'vision2-team', labels: { [Label.ManagedBy]: 'spokegraph', [Label.Project]: 'vision2', [Label.Pool]: 'team', [Label.Cluster]: 'vision2-team' } },
      spec: { hubAcceptsClient: true },
    });
    expect((await app.q(DELETE_POOL, { id: alphaPool.id })).deleteComputePool.userErrors).toEqual([]);
    const waiting = await poolWaitingOn(alphaPool.id, 'HUB_NAME_CONFLICT');
    expect(waiting.message).toMatch(/^ManagedCluster vision2-team exists on the hub and cannot be deleted safely \(deleting ManagedCluster vision2-team would delete Namespace vision2-team, which the hub did not create for it\)/);

    expect(uids([...victimObjects('vision2-team', 'gpu'), hubObject('Placement', 'chat', 'vision2-team')!])).toEqual(before);
    expect(hubObject('Namespace', 'vision2-team')!.status).toMatchObject({ phase: 'Active' });
    expect((await getDeployment(gw, betaApp.appDeployment.id)).phase).toBe('RUNNING');
    await stillDeployable(beta, betaPool.id);
  }, 180_000);
});

describe('(b) names that join to the hub\'s own namespaces', () => {
  it('should refuse kube, flux + system and the like up front, and never touch kube-system or flux-system', async () => {
    const tenant = await createTenant(app, uniq('t'), [{ gpuFamily: H100, limit: 64 }]);
    for (const name of ['kube', 'kube-system', 'flux-system', 'capi', 'cert-manager', 'open-cluster-management-hub', 'default']) await refusedProject(tenant.id, name, 'INVALID_NAME');
    const flux = await world('flux');
    await refusedPool(flux, 'system', 'INVALID_NAME');
    const d = await deployApp(app, { projectId: flux.project.id, name: 'system', bundleIds: [flux.appBundle], newDedicatedPool: { infrastructureBundleId: flux.bundle, name: 'gpu', nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [] } } });
    expect(errorsOf(d)).toEqual(['INVALID_NAME@input.name']);
    for (const ns of ['kube-system', 'flux-system']) expect(hubObject('Namespace', ns)!.metadata.labels?.[Label.ManagedBy]).toBeUndefined();
  });

  it('should wait with HUB_NAME_CONFLICT on a namespace of the hub that no rule knows, and leave it as it was', async () => {
    // e.g. a monitoring stack the hub operator installed
    await app.hub.adapter.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring', labels: { team: 'platform' } } });
    const before = hubObject('Namespace', 'monitoring')!;
    const w = await world('monitoring');
    const r = (await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: 'gpu', mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] })).createComputePool;
    expect(r.userErrors).toEqual([]);
    const waiting = await poolWaitingOn(r.computePool.id, 'HUB_NAME_CONFLICT');
    expect(waiting.message).toMatch(/^Namespace monitoring exists on the hub and it was not created by spokegraph: spokegraph leaves it untouched/);
    expect((await poolPhase(app, r.computePool.id)).status.currentStep).toBe('request-clusters');
    // nothing of the pool was written into it
    expect(hub().objects({ kind: 'Cluster', namespace: 'monitoring' })).toEqual([]);
    await deletePool(r.computePool.id);
    const after = hubObject('Namespace', 'monitoring')!;
    expect(after.metadata).toMatchObject({ uid: before.metadata.uid, labels: before.metadata.labels });
    expect(after.status).toMatchObject({ phase: 'Active' });
  }, 120_000);
});

describe("(c) a project named like another owner's cluster namespace", () => {
  it('should refuse a name of today\'s scheme ("--") and a live cluster of the previous release (ALREADY_EXISTS)', async () => {
    const beta = await world(uniq('beta'));
    const pool = await sharedPool(app, beta, { name: 'shared', clusters: 2 });
    const clusters: string[] = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { clusters { name } } } }`, { id: pool.id })).node.clusters.map((c: { name: string }) => c.name);
    const alpha = await createTenant(app, uniq('t'), [{ gpuFamily: H100, limit: 8 }]);
    for (const c of clusters) await refusedProject(alpha.id, c, 'INVALID_NAME');
    // a spoke named by the previous release (no "--"): its namespace cannot become a project
    const legacy = `${beta.project.name}-shared-ed502721`;
    await sqlOf(app)(`update pool_cluster set name = ?, active_name = ? where active_name = ?`, [legacy, legacy, clusters[1]]);
    await refusedProject(alpha.id, legacy, 'ALREADY_EXISTS');
  }, 120_000);

  it('should wait with HUB_NAME_CONFLICT beside a cluster namespace it does not own, and rewrite nothing in it', async () => {
    // a spoke someone else registered on the hub: OCM made its namespace; it holds that cluster's work
    await app.hub.adapter.apply({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name: 'edge-site-1' }, spec: { hubAcceptsClient: true } });
    await waitUntil(() => hubObject('Namespace', 'edge-site-1'));
    await app.hub.adapter.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'auto-import-secret', namespace: 'edge-site-1' }, type: 'Opaque', data: { kubeconfig: Buffer.from('apiVersion: v1\nkind: Config\n').toString('base64') } });
    const before = hub().objects({ namespace: 'edge-site-1' }).map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.uid}`).sort();
    const nsBefore = hubObject('Namespace', 'edge-site-1')!;

    const w = await world('edge-site-1');
    const r = (await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: 'gpu', mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] })).createComputePool;
    expect(r.userErrors).toEqual([]);
    const waiting = await poolWaitingOn(r.computePool.id, 'HUB_NAME_CONFLICT');
    expect(waiting.message).toContain('Namespace edge-site-1 exists on the hub');
    await deletePool(r.computePool.id);
    expect(hub().objects({ namespace: 'edge-site-1' }).map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.uid}`).sort()).toEqual(before);
    expect(hubObject('Namespace', 'edge-site-1')!.metadata.labels).toEqual(nsBefore.metadata.labels);
    expect(hubObject('ManagedCluster', 'edge-site-1')).toBeDefined();
  }, 120_000);
});

describe('objects of our names that are not ours', () => {
  it("should neither overwrite nor delete an operator's ManagedClusterSet of the pool's name, and go on once it is removed", async () => {
    const w = await world(uniq('own'));
    const set = `${w.project.name}--edge`;
    const foreign = await app.hub.adapter.apply(buildManagedClusterSet({ name: set, owner: { project: 'someone-else' } }));
    const r = (await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: 'edge', mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] })).createComputePool;
    const id = r.computePool.id;
    const waiting = await poolWaitingOn(id, 'HUB_NAME_CONFLICT', 60_000);
    expect(waiting.message).toBe(`ManagedClusterSet ${set} exists on the hub and it was created for another owner: spokegraph leaves it untouched; remove or rename it on the hub to go on`);
    expect((await poolPhase(app, id)).status.currentStep).toBe('environment');
    expect(hubObject('ManagedClusterSet', set)!.metadata).toMatchObject({ uid: foreign.metadata.uid, labels: foreign.metadata.labels });

    // deleting the pool takes its own objects and leaves the set
    await deletePool(id);
    expect(hubObject('ManagedClusterSet', set)!.metadata).toMatchObject({ uid: foreign.metadata.uid, labels: foreign.metadata.labels });
    expect(hubObject('ManagedCluster', spokeClusterName(w.project.name, 'edge'))).toBeUndefined();
  }, 120_000);

  it("should wait on a deleted pool's leftover of the same name, and provision once an operator removes it", async () => {
    const w = await world(uniq('left'));
    const set = `${w.project.name}--again`;
    // what a pool of the same name, deleted earlier, could leave behind: our marks, another pool's id
    const tenantId = await rawId('tenant', w.tenant.name);
    const projectId = await rawId('project', w.project.name);
    await app.hub.adapter.apply(buildManagedClusterSet({ name: set, owner: { project: w.project.name, pool: 'again', ids: { tenantId, projectId, poolId: '00000000-0000-7000-8000-000000000000' } } }));
    const r = (await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: 'again', mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] })).createComputePool;
    const waiting = await poolWaitingOn(r.computePool.id, 'HUB_NAME_CONFLICT', 60_000);
    expect(waiting.message).toContain(`ManagedClusterSet ${set} exists on the hub and it belongs to another owner`);
    await app.hub.adapter.delete({ kind: 'ManagedClusterSet', name: set });
    expect((await waitForPoolPhase(app, r.computePool.id, ['RUNNING', 'FAILED'], 60_000)).phase).toBe('RUNNING');
    expect(hubObject('ManagedClusterSet', set)!.metadata.labels).toMatchObject({ [Label.PoolId]: await rawId('compute_pool', 'again') });
    await deletePool(r.computePool.id);
  }, 120_000);

  it("should wait to deploy beside an operator's Placement of the deployment's name, and delete the deployment without it", async () => {
    const w = await world(uniq('plc'));
    const pool = await sharedPool(app, w, { name: 'gpu' });
    const foreign = await app.hub.adapter.apply(buildPlacement({ project: w.project.name, deployment: 'chat', clusterSets: ['elsewhere'] }));
    delete foreign.metadata.labels![Label.ManagedBy];
    await app.hub.adapter.apply({ ...foreign, metadata: { name: 'chat', namespace: w.project.name, labels: { team: 'platform' } } });
    const d = await deployApp(app, { projectId: w.project.id, name: 'chat', bundleIds: [w.appBundle], poolId: pool.id });
    expect(d.userErrors).toEqual([]);
    const id = d.appDeployment.id;
    const deadline = Date.now() + 30_000;
    let status: any;
    while (Date.now() < deadline && (status = (await getDeployment(gw, id)).status).waitingOn?.reason !== 'HUB_NAME_CONFLICT') await new Promise((res) => setTimeout(res, 50));
    expect(status.waitingOn.message).toMatch(new RegExp(`^Placement ${w.project.name}/chat exists on the hub`));
    await deleteDeployment(id);
    expect(hubObject('Placement', 'chat', w.project.name)!.metadata.labels).toEqual({ team: 'platform' });
    await stillDeployable(w, pool.id);
  }, 120_000);

  it('should adopt the project namespace the previous release made (our names, no ids) and mark it', async () => {
    const w = await world(uniq('adopt'));
    await app.hub.adapter.apply(buildNamespace({ name: w.project.name, owner: { project: w.project.name } }));
    const before = hubObject('Namespace', w.project.name)!;
    const pool = await sharedPool(app, w, { name: 'gpu' });
    const after = hubObject('Namespace', w.project.name)!;
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.metadata.labels).toEqual({
      ...before.metadata.labels,
      'spokegraph.io/tenant-id': await rawId('tenant', w.tenant.name),
      'spokegraph.io/project-id': await rawId('project', w.project.name),
    });
    await deletePool(pool.id);
  }, 120_000);
});

async function waitUntil<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
