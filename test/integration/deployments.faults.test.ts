/**
 * Proof (4): faults. A HelmRelease that fails to install puts the deployment in FAILED with the
 * reason and the step, and releases its quota; retryAppDeployment after the fault is cleared
 * resumes at the failed step and ends RUNNING. A new dedicated pool that fails to provision fails
 * the deployment at provision-pool and gives its machines and quota back; its retry starts over on a
 * new pool.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../src/sim/index.js';
import { appHubName, spokeClusterName } from '../../src/kube/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { deployApp } from '../helpers/deploy.js';
import { isGapless } from '../helpers/events.js';
import {
  DELETE_DEPLOYMENT,
  deploymentEventLog,
  deploymentHubObjects,
  deployWorld,
  gatewayOf,
  getDeployment,
  ledger,
  newDedicatedPool,
  phasesOf,
  RETRY_DEPLOYMENT,
  sharedPool,
  spokeReleases,
  sqlOf,
  waitForPhase,
  type Gateway,
} from '../helpers/deployments.js';
import { machineStates, quotaUsed } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;

async function waitFor<T>(read: () => Promise<T>, done: (x: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const x = await read();
    if (done(x)) return x;
    if (Date.now() > end) throw new Error(`condition not reached in ${ms} ms: ${JSON.stringify(x)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
let gw: Gateway;
let hub: SimulatedHub;
beforeAll(async () => {
  app = await startTestApp();
  gw = gatewayOf(app);
  hub = app.hub.sim!;
});
afterEach(() => hub.faults.clear());
afterAll(async () => {
  await app?.close();
});

describe('App Deployment faults', () => {
  it('should fail at rollout with RELEASE_FAILED when the HelmRelease fails, release the quota, and run after a retry once the fault is cleared', async () => {
    // the project quota fits exactly one deployment: what a failed one gives back is visible
    const w = await deployWorld(app, { quota: 2, tenantQuota: 8, gpus: 2 });
    const pool = await sharedPool(app, w);
    hub.faults.set({ failReleases: ['server'] });

    const name = uniq('flaky');
    const r = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id });
    expect(r.userErrors).toEqual([]);
    const id = r.appDeployment.id;
    const failed = await waitForPhase(gw, id, ['FAILED', 'RUNNING'], 60_000);
    expect(failed.phase).toBe('FAILED');
    expect(failed.status).toMatchObject({ phase: 'FAILED', currentStep: 'rollout', waitingOn: null, failure: { reason: 'RELEASE_FAILED', step: 'rollout', message: expect.stringMatching(/Component server failed to install/) } });
    expect(failed.accessUrls).toEqual([]);
    const failedEvents = await deploymentEventLog(gw, id);
    expect(isGapless(failedEvents.map((e) => e.seq))).toBe(true);
    expect(failedEvents.slice(-2).map((e) => [e.type, e.phase, e.step, (e.details as any)?.reason ?? null])).toEqual([
      ['STEP_FAILED', 'FAILED', 'rollout', 'RELEASE_FAILED'],
      ['PHASE_CHANGED', 'FAILED', 'rollout', null],
    ]);
    // Flux gave up after its remediation retries (1 install + 3 retries): the release is Stalled,
    // and only the documented reset (resetAt equal to a new requestedAt) makes it try again
    const stalledCluster = failed.cluster;
    const stalled = hub.spoke(stalledCluster).get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', appHubName(w.project.name, name), 'server')!;
    expect(stalled.status).toMatchObject({ installFailures: 4 });
    expect((stalled.status as any).conditions.find((c: any) => c.type === 'Stalled')).toMatchObject({ status: 'True', reason: 'RetriesExceeded' });
    // a failed deployment holds nothing
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 0, 'tenant:NVIDIA-H100': 0 });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 0, tenantUsed: 0, heldByDeployments: 0, allocated: 0, allocationHeld: 0 });

    // ... so another deployment may take the GPUs, and the retry is then refused by the quota
    hub.faults.clear();
    const other = await deployApp(app, { projectId: w.project.id, name: uniq('other'), bundleIds: [w.appBundle], poolId: pool.id });
    expect(other.userErrors).toEqual([]);
    const refused = (await app.q(RETRY_DEPLOYMENT, { id })).retryAppDeployment;
    expect(refused.userErrors).toEqual([{ code: 'QUOTA_EXCEEDED', field: ['input', 'id'], message: `Project ${w.project.name} GPU quota exceeded for NVIDIA-H100: requested 2, used 2, limit 2` }]);
    expect((await waitForPhase(gw, id, ['FAILED'])).retries).toBe(0);
    expect(await deploymentEventLog(gw, id)).toHaveLength(failedEvents.length);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 2, heldByDeployments: 2, allocated: 2, allocationHeld: 2 });
    expect((await app.q(DELETE_DEPLOYMENT, { id: other.appDeployment.id })).deleteAppDeployment.userErrors).toEqual([]);
    await waitForPhase(gw, other.appDeployment.id, ['DELETED']);

    // the retry resumes at rollout (the failed step), asks Flux to reconcile again, and runs
    const retried = (await app.q(RETRY_DEPLOYMENT, { id })).retryAppDeployment;
    expect(retried.userErrors).toEqual([]);
    expect(retried.appDeployment).toMatchObject({ retries: 1, status: { failure: null } });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 2, tenantUsed: 2, heldByDeployments: 2, allocated: 2, allocationHeld: 2 });
    // (it left FAILED at once, into the phase of the step it resumes at)
    const running = await waitFor(() => getDeployment(gw, id), (x) => x.phase === 'RUNNING' || (x.phase === 'FAILED' && x.status.failure !== null), 60_000);
    expect(running.phase, JSON.stringify(running.status)).toBe('RUNNING');
    expect(running.status).toMatchObject({ percent: 100, waitingOn: null, failure: null });
    expect(running.accessUrls).toEqual([{ component: 'server', url: expect.stringMatching(/^http:\/\/[\d.]+:8080\/api$/), port: 8080 }]);

    const events = await deploymentEventLog(gw, id);
    expect(isGapless(events.map((e) => e.seq))).toBe(true);
    const after = events.slice(failedEvents.length);
    // the retry moves the phase straight to that of the step it resumes at (so a second retry of the
    // same failure is refused): RETRIED and PHASE_CHANGED say DEPLOYING, and the runner adds no change
    expect(after.slice(0, 2)).toMatchObject([
      { type: 'RETRIED', phase: 'DEPLOYING', step: 'rollout' },
      { type: 'PHASE_CHANGED', phase: 'DEPLOYING' },
    ]);
    expect(phasesOf(after)).toEqual(['DEPLOYING', 'RUNNING']);
    expect(after.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step)).toEqual(['rollout']);

    // still one ManifestWork and one release, now carrying the reconcile request, and Ready
    const cluster = running.cluster;
    const workName = appHubName(w.project.name, name);
    expect(deploymentHubObjects(hub, name).filter((o) => o.startsWith('ManifestWork/'))).toEqual([`ManifestWork/${cluster}/${workName}`]);
    expect(spokeReleases(hub, cluster)).toEqual([`${workName}/server`]);
    const hr = hub.spoke(cluster).get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', workName, 'server')!;
    expect(hr.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBe('retry-1');
    expect(hr.metadata.annotations?.['reconcile.fluxcd.io/resetAt']).toBe('retry-1');
    expect(hr.status).toMatchObject({ lastHandledResetAt: 'retry-1', installFailures: 0 });
    expect((hr.status as any).conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 2, 'tenant:NVIDIA-H100': 2 });

    // only FAILED deployments can be retried
    const again = (await app.q(RETRY_DEPLOYMENT, { id })).retryAppDeployment;
    expect(again.userErrors).toEqual([{ code: 'ILLEGAL_STATE', field: ['input', 'id'], message: expect.stringMatching(/is RUNNING; only FAILED deployments can be retried/) }]);
  }, 150_000);

  it('should leave nothing behind on the old cluster when a retry has to move to another cluster', async () => {
    // two clusters of 8 GPUs; the app takes a whole cluster
    const w = await deployWorld(app, { quota: 32, gpus: 8, machines: { controlPlanes: 2, gpuHosts: [{ family: 'NVIDIA-H100', count: 2, gpusEach: 8 }] } });
    const pool = await sharedPool(app, w, { clusters: 2 });
    hub.faults.set({ failReleases: ['server'] });
    const name = uniq('mover');
    const r = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id });
    expect(r.userErrors).toEqual([]);
    const failed = await waitForPhase(gw, r.appDeployment.id, ['FAILED', 'RUNNING'], 60_000);
    expect(failed.status.failure?.reason).toBe('RELEASE_FAILED');
    const oldCluster = failed.cluster;
    hub.faults.clear();
    // another deployment takes the freed cluster
    const other = await deployApp(app, { projectId: w.project.id, name: uniq('taker'), bundleIds: [w.appBundle], poolId: pool.id });
    expect(other.userErrors).toEqual([]);
    expect(other.appDeployment.cluster).toBe(oldCluster);
    expect((await waitForPhase(gw, other.appDeployment.id, ['RUNNING', 'FAILED'], 60_000)).phase).toBe('RUNNING');

    const retried = (await app.q(RETRY_DEPLOYMENT, { id: r.appDeployment.id })).retryAppDeployment;
    expect(retried.userErrors).toEqual([]);
    const newCluster = retried.appDeployment.cluster;
    expect(newCluster).not.toBe(oldCluster);
    const running = await waitFor(() => getDeployment(gw, r.appDeployment.id), (x) => x.phase === 'RUNNING' || (x.phase === 'FAILED' && x.status.failure !== null), 60_000);
    expect(running.phase, JSON.stringify(running.status)).toBe('RUNNING');
    const ns = appHubName(w.project.name, name);
    // one ManifestWork, on the new cluster; the old cluster's copy (and its release and GPU quota) is gone
    await new Promise((res) => setTimeout(res, 500));
    expect(deploymentHubObjects(hub, name).filter((o) => o.startsWith('ManifestWork/'))).toEqual([`ManifestWork/${newCluster}/${ns}`]);
    expect(hub.spoke(oldCluster).list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', ns)).toEqual([]);
    expect(hub.spoke(oldCluster).get('v1', 'ResourceQuota', ns, 'gpu-quota')).toBeUndefined();
    expect(spokeReleases(hub, newCluster)).toEqual([`${ns}/server`]);
    // and the teardown finds everything
    expect((await app.q(DELETE_DEPLOYMENT, { id: r.appDeployment.id })).deleteAppDeployment.userErrors).toEqual([]);
    await waitForPhase(gw, r.appDeployment.id, ['DELETED']);
    expect(deploymentHubObjects(hub, name)).toEqual([]);
  }, 120_000);

  it('should ride out transient hub errors and dropped watches without failing, and say why it waits', async () => {
    const w = await deployWorld(app, { quota: 16, gpus: 2 });
    const pool = await sharedPool(app, w);
    // a third of all hub requests fail with 5xx, watches drop every 300 ms, controllers are slow
    hub.faults.set({ errorRate: 0.3, dropWatchesEveryMs: 300, statusDelayMs: 300 });
    const r = await deployApp(app, { projectId: w.project.id, name: uniq('bumpy'), bundleIds: [w.appBundle], poolId: pool.id });
    expect(r.userErrors).toEqual([]);
    const id = r.appDeployment.id;
    const reasons = new Set<string>();
    const deadline = Date.now() + 90_000;
    let d: any;
    for (;;) {
      d = await getDeployment(gw, id);
      if (d.status.waitingOn) {
        reasons.add(d.status.waitingOn.reason);
        expect(d.status.waitingOn.message.length).toBeGreaterThan(0);
        expect(Date.parse(d.status.waitingOn.since)).not.toBeNaN();
        expect(d.status.currentStep).not.toBeNull();
      }
      if (['RUNNING', 'FAILED'].includes(d.phase) || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    expect(d.phase, JSON.stringify(d.status)).toBe('RUNNING');
    expect([...reasons].every((x) => ['WAITING_FOR_PLACEMENT', 'WAITING_FOR_ROLLOUT', 'WAITING_FOR_ADDRESS', 'HUB_UNREACHABLE', 'RETRYING_AFTER_ERROR'].includes(x)), [...reasons].join()).toBe(true);
    expect(reasons.size).toBeGreaterThan(0);
    const events = await deploymentEventLog(gw, id);
    expect(isGapless(events.map((e) => e.seq))).toBe(true);
    expect(events.filter((e) => e.type === 'STEP_FAILED')).toEqual([]);
    expect(events.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step)).toEqual(['provision-pool', 'place', 'apply-work', 'rollout']);
    expect(deploymentHubObjects(hub, d.name).filter((o) => o.startsWith('ManifestWork/'))).toHaveLength(1);
  }, 120_000);

  it('should fail at provision-pool when the new dedicated pool fails, give back its machines and quota, and start over on a new pool when retried', async () => {
    const w = await deployWorld(app, { quota: 16, gpus: 2, machines: { controlPlanes: 1, gpuHosts: [{ family: 'NVIDIA-H100', count: 1, gpusEach: 8 }] } });
    const poolName = uniq('pool');
    hub.faults.set({ failClusters: [spokeClusterName(w.project.name, poolName)] });
    const before = await machineStates(app, w.tenant.name);

    const name = uniq('ded');
    const r = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], newDedicatedPool: newDedicatedPool(w.bundle, 1, poolName) });
    expect(r.userErrors).toEqual([]);
    const id = r.appDeployment.id;
    const failed = await waitForPhase(gw, id, ['FAILED', 'RUNNING'], 60_000);
    expect(failed.status).toMatchObject({ phase: 'FAILED', failure: { reason: 'POOL_FAILED', step: 'provision-pool', message: expect.stringMatching(new RegExp(`Compute pool ${poolName} failed`)) } });
    expect(failed.computePool).toMatchObject({ name: poolName, phase: 'FAILED' });
    expect(await machineStates(app, w.tenant.name)).toEqual(before);
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 0, 'tenant:NVIDIA-H100': 0 });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 0, tenantUsed: 0, heldByPools: 0, heldByDeployments: 0, tenantHeld: 0, overAllocated: 0 });
    expect(deploymentHubObjects(hub, name)).toEqual([]);
    const failedEvents = await deploymentEventLog(gw, id);

    // a retry whose new pool cannot be admitted (its only GPU host is unhealthy) is refused and changes nothing
    hub.faults.clear();
    const machines = await app.q(`query($n: String!) { tenant(name: $n) { machines(first: 100) { nodes { id gpu { count } } } } }`, { n: w.tenant.name });
    const gpuHost = machines.tenant.machines.nodes.find((m: any) => m.gpu?.count > 0).id;
    const setState = async (state: string) =>
      expect((await app.q(`mutation($input: UpdateMachineInput!) { updateMachine(input: $input) { userErrors { code } } }`, { input: { id: gpuHost, state } })).updateMachine.userErrors).toEqual([]);
    await setState('UNHEALTHY');
    const refused = (await app.q(RETRY_DEPLOYMENT, { id })).retryAppDeployment;
    expect(refused.userErrors).toEqual([{ field: ['input', 'id'], code: 'INSUFFICIENT_CAPACITY', message: expect.stringMatching(/^a new dedicated pool for the retry was refused: /) }]);
    expect(await getDeployment(gw, id)).toMatchObject({ phase: 'FAILED', retries: 0, computePool: { name: poolName, phase: 'FAILED' } });
    expect(await deploymentEventLog(gw, id)).toHaveLength(failedEvents.length);
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 0, 'tenant:NVIDIA-H100': 0 });
    await setState('AVAILABLE');

    // the retry tears the failed pool down and starts over on a new one, which runs
    const retried = (await app.q(RETRY_DEPLOYMENT, { id })).retryAppDeployment;
    expect(retried.userErrors).toEqual([]);
    const newPool = `${poolName}-r1`;
    expect(retried.appDeployment).toMatchObject({ retries: 1, status: { failure: null } });
    expect((await getDeployment(gw, id)).computePool).toMatchObject({ name: newPool });
    // the new pool serves this deployment (and only it), as one made by deployApp does
    const [{ id: rowId }] = await sqlOf(app)<{ id: string }>('select id from app_deployment where name = ?', [name]);
    expect(await sqlOf(app)('select serving_deployment_id, owner_deployment_id from compute_pool where name = ?', [newPool])).toEqual([{ serving_deployment_id: rowId, owner_deployment_id: rowId }]);
    // (it left FAILED at once, into the phase of the step it resumes at)
    const running = await waitFor(() => getDeployment(gw, id), (x) => x.phase === 'RUNNING' || (x.phase === 'FAILED' && x.status.failure !== null), 60_000);
    expect(running.phase, JSON.stringify(running.status)).toBe('RUNNING');
    expect(running.computePool).toMatchObject({ name: newPool, phase: 'RUNNING' });
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 8, 'tenant:NVIDIA-H100': 8 });
    const old = spokeClusterName(w.project.name, poolName);
    await waitFor(
      async () => hub.objects().filter((o) => o.metadata.name === old || o.metadata.labels?.['spokegraph.io/pool'] === poolName).map((o) => `${o.kind}/${o.metadata.name}`),
      (left) => left.length === 0,
      60_000,
    );

    expect((await app.q(DELETE_DEPLOYMENT, { id })).deleteAppDeployment.userErrors).toEqual([]);
    const deleted = await waitForPhase(gw, id, ['DELETED'], 60_000);
    expect(deleted.computePool).toMatchObject({ name: newPool, phase: 'DELETED' });
    const events = await deploymentEventLog(gw, id);
    expect(isGapless(events.map((e) => e.seq))).toBe(true);
    expect(phasesOf(events)).toEqual(['PROVISIONING', 'FAILED', 'PROVISIONING', 'PLACING', 'DEPLOYING', 'RUNNING', 'DELETING', 'DELETED']);
    expect(events.filter((e) => e.type === 'RETRIED').map((e) => e.message)).toEqual([expect.stringContaining(`provisioning a new dedicated pool ${newPool}`)]);
    for (const p of [poolName, newPool]) {
      const cluster = spokeClusterName(w.project.name, p);
      expect(hub.objects().filter((o) => o.metadata.name === cluster || o.metadata.labels?.['spokegraph.io/pool'] === p).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    }
    expect(await machineStates(app, w.tenant.name)).toEqual(before);
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 0, 'tenant:NVIDIA-H100': 0 });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 0, tenantUsed: 0, heldByPools: 0, heldByDeployments: 0, tenantHeld: 0, overAllocated: 0 });
  }, 120_000);
});
