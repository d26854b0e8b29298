/**
 * Proof (1): a deployment onto a shared pool and one onto a new dedicated pool, over GraphQL and
 * graphql-ws against the simulated hub — every event in order (gapless seq through
 * appDeploymentEvents, and in projectEvents), RUNNING with access URLs, then deleted with quota,
 * machines and hub objects released.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHubName } from '../../src/kube/index.js';
import type { SimulatedHub } from '../../src/sim/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { deployApp } from '../helpers/deploy.js';
import { brief, isGapless, type Ev } from '../helpers/events.js';
import {
  DELETE_DEPLOYMENT,
  DEPLOYMENT_EVENTS,
  deploymentEventLog,
  deploymentEvents,
  deploymentHubObjects,
  deployWorld,
  gatewayOf,
  getDeployment,
  ledger,
  newDedicatedPool,
  phasesOf,
  projectEventStream,
  sharedPool,
  spokeReleases,
  sqlOf,
  subscribeEvents,
  type Gateway,
} from '../helpers/deployments.js';
import { machineStates, quotaUsed } from '../helpers/pools.js';
import { createTenant, createToken, uniq } from '../helpers/seed.js';

let app: TestApp;
let gw: Gateway;
let hub: SimulatedHub;
beforeAll(async () => {
  app = await startTestApp();
  gw = gatewayOf(app);
  hub = app.hub.sim!;
});
afterAll(async () => {
  await app?.close();
});

const DEPLOY_STEPS = ['provision-pool', 'place', 'apply-work', 'rollout'];
const UNDEPLOY_STEPS = ['remove-work', 'remove-placement', 'release-pool'];

/** Every step started once and succeeded once, in order, and nothing else in between steps. */
function expectSteps(events: Ev[], steps: string[]): void {
  const started = events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step);
  const succeeded = events.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step);
  expect(started).toEqual(steps);
  expect(succeeded).toEqual(steps);
  for (const s of steps) {
    const i = events.findIndex((e) => e.type === 'STEP_STARTED' && e.step === s);
    const j = events.findIndex((e) => e.type === 'STEP_SUCCEEDED' && e.step === s);
    expect(j).toBeGreaterThan(i);
    // between its start and its success, only waits and progress of that step
    for (const e of events.slice(i + 1, j)) expect([e.type, e.step]).toEqual([expect.stringMatching(/^STEP_(WAITING|PROGRESS)$/), s]);
  }
  expect(events.some((e) => e.type === 'STEP_FAILED')).toBe(false);
}

function expectMonotonePercent(events: Ev[]): void {
  for (let i = 1; i < events.length; i++) expect(events[i].percent, `event ${events[i].seq} ${events[i].type}`).toBeGreaterThanOrEqual(events[i - 1].percent);
}

async function deleteAndWait(id: string, sub: ReturnType<typeof deploymentEvents>): Promise<Ev[]> {
  const del = await app.q(DELETE_DEPLOYMENT, { id });
  expect(del.deleteAppDeployment.userErrors).toEqual([]);
  expect(del.deleteAppDeployment.appDeployment.phase).toBe('DELETING');
  return sub.until((evs) => evs.some((e) => e.type === 'PHASE_CHANGED' && e.phase === 'DELETED'), 60_000);
}

describe('App Deployments end to end', () => {
  it('should deploy onto a shared pool, stream every event in order, publish the access URL, then release everything on delete', async () => {
    const w = await deployWorld(app, { quota: 16, gpus: 2 });
    const pool = await sharedPool(app, w);
    const projectSub = projectEventStream(gw, w.project.id);
    const name = uniq('chat');

    const started = Date.now();
    const r = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id, variables: [{ name: 'model', value: 'mistral-7b' }, { name: 'replicas', value: 2 }] });
    expect(r.userErrors).toEqual([]);
    const id = r.appDeployment.id;
    expect(r.appDeployment).toMatchObject({ name, phase: 'QUEUED', gpuRequests: [{ gpuFamily: 'NVIDIA-H100', count: 2 }], accessUrls: [] });
    expect(r.appDeployment.variableValues).toEqual({ model: 'mistral-7b', replicas: 2, temperature: 0.7, debug: false });
    // admission holds the GPUs at once: quota and the pool cluster
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 2, 'tenant:NVIDIA-H100': 2 });

    const sub = deploymentEvents(gw, id);
    await sub.until((evs) => evs.some((e) => e.type === 'PHASE_CHANGED' && (e.phase === 'RUNNING' || e.phase === 'FAILED')), 60_000);
    console.log(`[deployments.e2e] shared deploy to RUNNING: ${Date.now() - started} ms (SIM_SPEED 0)`);
    const running = await getDeployment(gw, id);
    expect(running.phase).toBe('RUNNING');
    expect(running.status).toEqual({ phase: 'RUNNING', percent: 100, currentStep: null, stepIndex: 3, stepCount: 4, waitingOn: null, failure: null });
    // (the simulated load balancer's address is a loopback responder's, so the URL opens)
    expect(running.accessUrls).toEqual([{ component: 'server', url: expect.stringMatching(/^http:\/\/127\.\d+\.\d+\.\d+:8080\/api$/), port: 8080 }]);

    // the stream: gapless from 1, the same as the log, phases and steps in order
    const events = sub.events.slice();
    expect(isGapless(events.map((e) => e.seq))).toBe(true);
    expect(brief(events)).toEqual(brief((await deploymentEventLog(gw, id)).slice(0, events.length)));
    expect(events[0]).toMatchObject({ seq: 1, type: 'CREATED', phase: 'QUEUED', subjectKind: 'APP_DEPLOYMENT', subjectId: id, subjectName: name });
    // onto an existing pool there is nothing to provision: QUEUED until placed
    expect(phasesOf(events)).toEqual(['PLACING', 'DEPLOYING', 'RUNNING']);
    expect(events.find((e) => e.type === 'STEP_STARTED' && e.step === 'provision-pool')?.phase).toBe('QUEUED');
    expectSteps(events, DEPLOY_STEPS);
    expectMonotonePercent(events);
    expect(events.at(-1)).toMatchObject({ type: 'PHASE_CHANGED', phase: 'RUNNING', percent: 100 });
    // every wait names its typed reason (whether the sim was fast enough to skip a wait is timing)
    const reasons: Record<string, string[]> = { 'provision-pool': ['WAITING_FOR_POOL'], place: ['WAITING_FOR_PLACEMENT'], 'apply-work': [], rollout: ['WAITING_FOR_ROLLOUT', 'WAITING_FOR_ADDRESS'] };
    for (const e of events.filter((x) => x.type === 'STEP_WAITING')) expect(reasons[e.step!]).toContain((e.details as any)?.reason);

    // the hub: Placement over the pool's cluster set, one ManifestWork in the cluster namespace, the release on the spoke
    const cluster = running.cluster;
    const poolClusters = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { clusters { name gpus { capacity allocated } } } } }`, { id: pool.id })).node.clusters;
    expect(poolClusters).toEqual([{ name: cluster, gpus: [{ capacity: 8, allocated: 2 }] }]);
    const workName = appHubName(w.project.name, name);
    expect(deploymentHubObjects(hub, name)).toEqual([`ManifestWork/${cluster}/${workName}`, `Placement/${w.project.name}/${name}`, expect.stringMatching(new RegExp(`^PlacementDecision/${w.project.name}/`))].sort());
    const work = hub.objects({ kind: 'ManifestWork', namespace: cluster }).find((o) => o.metadata.name === workName)!;
    expect((work.status as any).conditions.filter((c: any) => c.status === 'True').map((c: any) => c.type)).toEqual(expect.arrayContaining(['Applied', 'Available']));
    expect(spokeReleases(hub, cluster)).toEqual([`${workName}/server`]);
    const hr = hub.spoke(cluster).get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', workName, 'server')!;
    // the GPU request reaches the spoke in the chart's values (default path resources.limits), and the pod asks for it
    expect((hr.spec as any).values).toEqual({ banner: 'model=mistral-7b', debug: false, model: 'mistral-7b', replicaCount: 2, resources: { limits: { 'nvidia.com/gpu': 2 } } });
    expect(hr.metadata.annotations?.['spokegraph.io/gpu-count']).toBeUndefined();
    expect(hub.spoke(cluster).list('v1', 'Pod', workName).map((p) => (p.spec as any).containers[0].resources.limits)).toEqual([{ 'nvidia.com/gpu': '2' }]);
    expect(hub.spoke(cluster).get('v1', 'ResourceQuota', workName, 'gpu-quota')?.spec).toEqual({ hard: { 'requests.nvidia.com/gpu': '2' } });

    // projectEvents carries the same deployment events, gapless per project
    await projectSub.until((evs) => evs.filter((e) => e.subjectId === id).length >= events.length);
    expect(isGapless(projectSub.events.map((e) => e.projectSeq))).toBe(true);
    expect(brief(projectSub.events.filter((e) => e.subjectId === id).slice(0, events.length))).toEqual(brief(events));

    // delete: teardown in reverse, everything released
    const all = await deleteAndWait(id, sub);
    const teardown = all.slice(events.length);
    expect(isGapless(all.map((e) => e.seq))).toBe(true);
    expect(teardown.slice(0, 2).map((e) => [e.type, e.phase])).toEqual([['DELETE_REQUESTED', 'DELETING'], ['PHASE_CHANGED', 'DELETING']]);
    expect(phasesOf(teardown)).toEqual(['DELETING', 'DELETED']);
    expectSteps(teardown, UNDEPLOY_STEPS);
    expect(brief(all)).toEqual(brief(await deploymentEventLog(gw, id)));
    const deleted = await getDeployment(gw, id);
    expect(deleted).toMatchObject({ phase: 'DELETED', accessUrls: [] });

    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 0, 'tenant:NVIDIA-H100': 0 });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ heldByDeployments: 0, allocated: 0, allocationHeld: 0, overAllocated: 0 });
    expect(deploymentHubObjects(hub, name)).toEqual([]);
    expect(spokeReleases(hub, cluster)).toEqual([]);
    expect(hub.spoke(cluster).list('v1', 'Namespace').map((n) => n.metadata.name)).not.toContain(workName);
    // the shared pool stays, RUNNING, with its GPUs free again
    expect((await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { phase clusters { gpus { allocated } } } } }`, { id: pool.id })).node).toEqual({ phase: 'RUNNING', clusters: [{ gpus: [{ allocated: 0 }] }] });
    await projectSub.until((evs) => evs.some((e) => e.subjectId === id && e.phase === 'DELETED'));
    expect(isGapless(projectSub.events.map((e) => e.projectSeq))).toBe(true);
    await sub.close();
    await projectSub.close();
  }, 120_000);

  it('should check access when a deployment subscription starts: invisible to other tenants, readable by project viewers', async () => {
    const w = await deployWorld(app, { quota: 16, gpus: 2 });
    const pool = await sharedPool(app, w);
    const r = await deployApp(app, { projectId: w.project.id, name: uniq('priv'), bundleIds: [w.appBundle], poolId: pool.id });
    expect(r.userErrors).toEqual([]);
    const other = await createTenant(app, uniq('t'));
    const outsider = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: other.id }]);
    const denied = subscribeEvents(gw, DEPLOYMENT_EVENTS, { id: r.appDeployment.id, after: null }, outsider);
    await denied.done(10_000);
    expect(denied.events).toEqual([]);
    expect(denied.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: w.project.id }]);
    const allowed = subscribeEvents(gw, DEPLOYMENT_EVENTS, { id: r.appDeployment.id, after: null }, viewer);
    const evs = await allowed.until((e) => e.some((x) => x.phase === 'RUNNING'));
    expect(isGapless(evs.map((e) => e.seq))).toBe(true);
    await allowed.close();
  }, 60_000);

  it('should deploy onto a new dedicated pool provisioned in the same flow, then delete the pool, its machines and its spoke with it', async () => {
    const w = await deployWorld(app, { quota: 16, gpus: 4, machines: { controlPlanes: 1, gpuHosts: [{ family: 'NVIDIA-H100', count: 1, gpusEach: 8 }] } });
    const name = uniq('ded');
    const poolName = uniq('pool');
    const before = await machineStates(app, w.tenant.name);
    expect(Object.values(before).every((m) => m.state === 'AVAILABLE')).toBe(true);

    const started = Date.now();
    const r = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], newDedicatedPool: newDedicatedPool(w.bundle, 1, poolName) });
    expect(r.userErrors).toEqual([]);
    const id = r.appDeployment.id;
    // the new pool holds every GPU of its machines; its machines are reserved
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 8, 'tenant:NVIDIA-H100': 8 });
    expect(Object.values(await machineStates(app, w.tenant.name))).toEqual(Object.values(before).map(() => ({ state: 'RESERVED', pool: poolName })));

    const sub = deploymentEvents(gw, id);
    await sub.until((evs) => evs.some((e) => e.type === 'PHASE_CHANGED' && (e.phase === 'RUNNING' || e.phase === 'FAILED')), 90_000);
    console.log(`[deployments.e2e] dedicated deploy (pool provisioned in the flow) to RUNNING: ${Date.now() - started} ms (SIM_SPEED 0)`);
    const running = await getDeployment(gw, id);
    expect(running).toMatchObject({ phase: 'RUNNING', computePool: { name: poolName, mode: 'DEDICATED', phase: 'RUNNING' } });
    expect(running.accessUrls).toEqual([{ component: 'server', url: expect.stringMatching(/^http:\/\/[\d.]+:8080\/api$/), port: 8080 }]);
    const events = sub.events.slice();
    expect(isGapless(events.map((e) => e.seq))).toBe(true);
    expect(phasesOf(events)).toEqual(['PROVISIONING', 'PLACING', 'DEPLOYING', 'RUNNING']);
    expectSteps(events, DEPLOY_STEPS);
    expectMonotonePercent(events);
    // "why is it not running yet?": the pool's progress, as a typed wait reason
    expect(events.some((e) => e.type === 'STEP_WAITING' && e.step === 'provision-pool' && (e.details as any)?.reason === 'WAITING_FOR_POOL')).toBe(true);
    expect(new Set(Object.values(await machineStates(app, w.tenant.name)).map((m) => m.state))).toEqual(new Set(['IN_USE']));
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 8, 'tenant:NVIDIA-H100': 8 });
    const cluster = running.cluster;
    expect(hub.objects({ kind: 'ManagedCluster' }).map((o) => o.metadata.name)).toContain(cluster);
    expect(spokeReleases(hub, cluster)).toEqual([`${appHubName(w.project.name, name)}/server`]);

    // the dedicated pool serves this deployment: it cannot be deleted on its own
    const poolDelete = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { field code } } }`, { id: running.computePool.id });
    expect(poolDelete.deleteComputePool.userErrors).toEqual([{ field: ['input', 'id'], code: 'IN_USE' }]);

    const all = await deleteAndWait(id, sub);
    expect(isGapless(all.map((e) => e.seq))).toBe(true);
    const teardown = all.slice(events.length);
    expectSteps(teardown, UNDEPLOY_STEPS);
    expect(teardown.some((e) => e.step === 'release-pool' && (e.details as any)?.reason === 'WAITING_FOR_POOL')).toBe(true);
    expect(brief(all)).toEqual(brief(await deploymentEventLog(gw, id)));

    const pool = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { phase } } }`, { id: running.computePool.id })).node;
    expect(pool.phase).toBe('DELETED');
    expect(await machineStates(app, w.tenant.name)).toEqual(before);
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 0, 'tenant:NVIDIA-H100': 0 });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 0, tenantUsed: 0, heldByDeployments: 0, heldByPools: 0, tenantHeld: 0, allocationHeld: 0, overAllocated: 0 });
    expect(deploymentHubObjects(hub, name)).toEqual([]);
    const left = hub.objects().filter((o) => o.metadata.name === cluster || o.metadata.labels?.['spokegraph.io/pool'] === poolName || o.metadata.labels?.['spokegraph.io/cluster'] === cluster);
    expect(left.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([]);
    await sub.close();
  }, 150_000);
});
