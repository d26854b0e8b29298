/**
 * GPU pools install the NVIDIA device plugin in install-addons (HelmRepository + HelmRelease in a
 * ManifestWork, once Flux is on the spoke) and only run once it is Ready: before that the simulated
 * spoke advertises no `nvidia.com/gpu`, so the pool says it waits for the device plugin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createPool, poolPhase, waitForPoolPhase } from '../helpers/compute.js';
import { gpuWorker, poolWorld, sleep } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const clusterOf = (hub: NonNullable<TestApp['hub']['sim']>, pool: string) => hub.objects({ kind: 'ManagedCluster' }).find((m) => m.metadata.labels?.['spokegraph.io/pool'] === pool)!.metadata.name!;

describe('NVIDIA device plugin on GPU pools', () => {
  it('should install the device plugin chart from NVIDIA\'s repository and advertise the GPUs before RUNNING', async () => {
    const w = await poolWorld(app, { quota: 16 });
    const name = uniq('gpu');
    const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name, workers: gpuWorker() });
    const running = await waitForPoolPhase(app, d.createComputePool.computePool.id, ['RUNNING', 'FAILED'], 60_000);
    expect(running.phase).toBe('RUNNING');
    const hub = app.hub.sim!;
    const cluster = clusterOf(hub, name);
    const work = hub.objects({ kind: 'ManifestWork', namespace: cluster }).find((m) => m.metadata.name === 'spokegraph-gpu-device-plugin')!;
    const manifests = (work.spec as any).workload.manifests;
    expect(manifests.find((m: any) => m.kind === 'HelmRepository').spec.url).toBe('https://nvidia.github.io/k8s-device-plugin');
    expect(manifests.find((m: any) => m.kind === 'HelmRelease').spec.chart.spec).toMatchObject({ chart: 'nvidia-device-plugin', version: '0.17.1' });
    expect(work.metadata.labels?.['spokegraph.io/pool']).toBe(name);
    const mc = hub.objects({ kind: 'ManagedCluster' }).find((m) => m.metadata.name === cluster)!;
    expect((mc.status as any).capacity['nvidia.com/gpu']).toBe('8');
  }, 90_000);

  it('should wait in install-addons, naming the device plugin, while it is not Ready, and the spoke advertises no GPUs', async () => {
    app.hub.sim!.faults.set({ failReleases: ['nvidia-device-plugin'] });
    try {
      const w = await poolWorld(app, { quota: 16 });
      const name = uniq('nogpu');
      const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name, workers: gpuWorker() });
      const id = d.createComputePool.computePool.id;
      const end = Date.now() + 60_000;
      let p: any;
      for (;;) {
        p = await poolPhase(app, id);
        if (/GPU device plugin \(nvidia-device-plugin\) on /.test(p.status.waitingOn?.message ?? '')) break;
        if (Date.now() > end || p.phase === 'RUNNING' || p.phase === 'FAILED') throw new Error(`pool did not wait for the device plugin: ${JSON.stringify(p)}`);
        await sleep(50);
      }
      expect(p).toMatchObject({ phase: 'INSTALLING', status: { currentStep: 'install-addons', waitingOn: { reason: 'WAITING_FOR_ADDONS' } } });
      const hub = app.hub.sim!;
      const cluster = clusterOf(hub, name);
      expect(p.status.waitingOn.message).toBe(`Waiting for add-ons: GPU device plugin (nvidia-device-plugin) on ${cluster}`);
      const mc = hub.objects({ kind: 'ManagedCluster' }).find((m) => m.metadata.name === cluster)!;
      expect((mc.status as any).capacity).not.toHaveProperty(['nvidia.com/gpu']);
      expect((await poolPhase(app, id)).phase).toBe('INSTALLING');
    } finally {
      app.hub.sim!.faults.set({ failReleases: [] });
    }
  }, 90_000);
});
