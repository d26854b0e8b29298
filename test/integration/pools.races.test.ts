/**
 * A pool's provisioning write still in flight when the pool is deleted must not outlive the
 * teardown: an orphaned Cluster would keep claiming hosts that were given back to the inventory.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spokeClusterName } from '../../src/kube/index.js';
import type { SimulatedHub } from '../../src/sim/index.js';
import type { TestApp } from '../helpers/app.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import type { HubProxy } from '../helpers/hub-proxy.js';
import { startProxiedApp, type ProxiedApp } from '../helpers/proxied-app.js';
import { gpuWorker, hubObjectsOf, machineStates, poolWorld, quotaUsed, sleep } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

let hub: SimulatedHub;
let proxy: HubProxy;
let setup: ProxiedApp;
let app: TestApp;

beforeAll(async () => {
  setup = await startProxiedApp();
  ({ hub, proxy, app } = setup);
}, 120_000);
afterAll(async () => {
  await setup?.close();
});

it('should leave no Cluster on the hub when its apply lands after the pool was deleted', async () => {
  const w = await poolWorld(app, { quota: 16 });
  const name = uniq('race');
  const cluster = spokeClusterName(w.project.name, name);
  const held = proxy.hold({ method: 'PATCH', path: new RegExp(`/namespaces/${w.project.name}/clusters/${cluster}(\\?|$)`), when: 'before-hub' });
  const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name, workers: gpuWorker() });
  expect(d.createComputePool.userErrors).toEqual([]);
  const write = await held;

  const del = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { phase } userErrors { message } } }`, { id: d.createComputePool.computePool.id });
  expect(del.deleteComputePool.userErrors).toEqual([]);
  await waitForPoolPhase(app, d.createComputePool.computePool.id, ['DELETED']);
  // the write reaches the hub only after the teardown is over
  await write.release();
  await sleep(1500);
  expect(hubObjectsOf(hub, w.project.name).filter((o) => !o.startsWith('Namespace/'))).toEqual([]);
  expect(Object.values(await machineStates(app, w.tenant.name)).every((m) => m.state === 'AVAILABLE' && m.pool === null)).toBe(true);
  expect(await quotaUsed(app, w.project.name)).toMatchObject({ 'project:NVIDIA-H100': 0 });
}, 60_000);
