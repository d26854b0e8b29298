/**
 * A stuck or failing Cluster API provider fails the pool instead of holding its machines for ever:
 * a provider that never finishes runs into the provisioning deadline (PROVISION_DEADLINE_EXCEEDED,
 * naming what it still waited for), and one that reports failure only the v1beta2 way — a False
 * condition with a failure reason, phase still Provisioning — fails the pool at once with that reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spokeClusterName } from '../../src/kube/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { gpuWorker, H100, machineStates, poolWorld, quotaUsed } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { POOL_PROVISION_DEADLINE_SECONDS: '3' } });
});
afterAll(async () => {
  await app?.close();
});

describe('provisioning deadline and v1beta2 failures', () => {
  it('should fail a pool whose provider is stuck once the deadline passes, and give back machines and quota', async () => {
    const w = await poolWorld(app, { quota: 16, machines: { controlPlanes: 1, gpuHosts: [{ family: H100, count: 1, gpusEach: 8 }] } });
    const before = await machineStates(app, w.tenant.name);
    const name = uniq('stuck');
    const cluster = spokeClusterName(w.project.name, name);
    app.hub.sim!.faults.set({ stuckClusters: [cluster] });
    const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name, workers: gpuWorker() });
    const id = d.createComputePool.computePool.id;
    const waiting = await waitForPoolPhase(app, id, ['PROVISIONING'], 10_000);
    expect(waiting.status.waitingOn?.reason ?? 'QUEUED').toMatch(/WAITING_FOR_CLUSTER|QUEUED/);
    const final = await waitForPoolPhase(app, id, ['FAILED', 'RUNNING'], 30_000);
    expect(final.phase).toBe('FAILED');
    expect(final.status.failure).toEqual({
      reason: 'PROVISION_DEADLINE_EXCEEDED',
      step: 'wait-clusters',
      message: expect.stringMatching(new RegExp(`deadline of 3 s; still WAITING_FOR_CLUSTER: .*${cluster}`)),
    });
    expect(await machineStates(app, w.tenant.name)).toEqual(before);
    expect(await quotaUsed(app, w.project.name)).toEqual({ [`project:${H100}`]: 0, [`tenant:${H100}`]: 0 });
  }, 60_000);

  it('should fail a pool promptly with the reason when the provider reports failure only through v1beta2 conditions', async () => {
    const w = await poolWorld(app, { quota: 16, machines: { controlPlanes: 1, gpuHosts: [{ family: H100, count: 1, gpusEach: 8 }] } });
    const name = uniq('cond');
    const cluster = spokeClusterName(w.project.name, name);
    app.hub.sim!.faults.set({ failClustersByConditions: [cluster] });
    const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name, workers: gpuWorker() });
    const final = await waitForPoolPhase(app, d.createComputePool.computePool.id, ['FAILED', 'RUNNING'], 30_000);
    expect(final.phase).toBe('FAILED');
    expect(final.status.failure).toEqual({ reason: 'CLUSTER_FAILED', step: 'wait-clusters', message: `Cluster ${cluster} failed to provision (ProvisioningFailed)` });
    // CLUSTER_FAILED, not PROVISION_DEADLINE_EXCEEDED: the condition failed it, not the clock
    const capi = app.hub.sim!.objects({ kind: 'Cluster' }).find((c) => c.metadata.name === cluster)!;
    expect((capi.status as any).phase).toBe('Provisioning');
  }, 60_000);
});
