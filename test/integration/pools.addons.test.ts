/**
 * Flux reaches the spokes as stock OCM installs a template add-on. On a hub where the operator has
 * not applied deploy/addons/flux-addon.yaml the pool waits in install-addons, saying it waits for
 * `flux` (and never for a `work-agent` add-on, which stock OCM does not have); once the file is
 * applied, the add-on manager installs Flux and the pool runs.
 */
import 'reflect-metadata';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFluxAddOn } from '../../src/sim/addon.seed.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createPool, poolPhase, waitForPoolPhase } from '../helpers/compute.js';
import { gpuWorker, poolWorld } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('compute pool add-ons on stock OCM', () => {
  it('should wait for the flux add-on (not a work-agent add-on) until the operator applies the Flux add-on, then run', async () => {
    const hub = app.hub.sim!;
    const objs = KubernetesObjectApi.makeApiClient(hub.kubeConfig());
    const shipped = loadFluxAddOn();
    // a hub where the operator has not applied the add-on yet
    for (const o of shipped) await objs.delete({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name } });

    const w = await poolWorld(app, { quota: 16 });
    const created = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: uniq('addons'), mode: 'DEDICATED', workers: gpuWorker() });
    expect(created.createComputePool.userErrors).toEqual([]);
    const id = created.createComputePool.computePool.id;
    const end = Date.now() + 60_000;
    let p: any;
    for (;;) {
      p = await poolPhase(app, id);
      if (p.status.waitingOn?.reason === 'WAITING_FOR_ADDONS' && /flux on /.test(p.status.waitingOn.message)) break;
      if (Date.now() > end || p.phase === 'FAILED' || p.phase === 'RUNNING') throw new Error(`pool did not wait for the flux add-on: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const addOns = hub.objects({ kind: 'ManagedClusterAddOn' });
    expect(addOns.map((a) => a.metadata.name)).toEqual(['flux']);
    const cluster = addOns[0].metadata.namespace!;
    expect(hub.objects({ kind: 'ManagedCluster' }).find((m) => m.metadata.name === cluster)?.metadata.labels?.['spokegraph.io/pool']).toBe(created.createComputePool.computePool.name);
    expect(p).toMatchObject({ phase: 'INSTALLING', status: { currentStep: 'install-addons' } });
    // the work agent is the klusterlet's: ready with the joined, Available cluster, never named as waited for
    expect(p.status.waitingOn.message).toBe(`Waiting for add-ons: flux on ${cluster}`);

    // the operator applies deploy/addons/flux-addon.yaml
    for (const o of shipped) await objs.create(o as never);
    const running = await waitForPoolPhase(app, id, ['RUNNING', 'FAILED'], 60_000);
    expect(running.phase).toBe('RUNNING');
    expect(hub.objects({ kind: 'ManifestWork', namespace: cluster }).find((m) => m.metadata.name === 'addon-flux-deploy-0')).toBeTruthy();
    expect(hub.spoke(cluster).get('apps/v1', 'Deployment', 'flux-system', 'helm-controller')).toBeTruthy();
  }, 150_000);
});
