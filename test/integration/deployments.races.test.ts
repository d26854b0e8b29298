/**
 * Races between a deployment's rollout and its deletion: a hub write the deploy flow had in flight
 * when the user deleted the deployment must not outlive the teardown (an orphaned ManifestWork would
 * keep the app and its GPUs on the spoke after the quota was given back).
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHubName } from '../../src/kube/index.js';
import type { SimulatedHub } from '../../src/sim/index.js';
import type { TestApp } from '../helpers/app.js';
import { deployApp } from '../helpers/deploy.js';
import { DELETE_DEPLOYMENT, deploymentHubObjects, deployWorld, gatewayOf, ledger, sharedPool, sleep, sqlOf, waitForPhase, type DeployWorld } from '../helpers/deployments.js';
import type { HubProxy } from '../helpers/hub-proxy.js';
import { startProxiedApp, type ProxiedApp } from '../helpers/proxied-app.js';
import { uniq } from '../helpers/seed.js';

let hub: SimulatedHub;
let proxy: HubProxy;
let setup: ProxiedApp;
let app: TestApp;
let w: DeployWorld;
let pool: { id: string; name: string };
let cluster: string;

beforeAll(async () => {
  setup = await startProxiedApp();
  ({ hub, proxy, app } = setup);
  w = await deployWorld(app, { quota: 16, gpus: 2 });
  pool = await sharedPool(app, w);
  cluster = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { clusters { name } } } }`, { id: pool.id })).node.clusters[0].name;
}, 120_000);
afterAll(async () => {
  await setup?.close();
});

describe('deleting a deployment while its rollout writes to the hub', () => {
  it.each([
    ['the ManifestWork (apply-work)', 'manifestworks', (name: string) => `/namespaces/${cluster}/manifestworks/${appHubName(w.project.name, name)}`],
    ['the Placement (place)', 'placements', (name: string) => `/namespaces/${w.project.name}/placements/${name}`],
  ])('should leave nothing on the hub when %s lands after the teardown', async (_what, _kind, pathOf) => {
    const name = uniq('race');
    const held = proxy.hold({ method: 'PATCH', path: new RegExp(`${pathOf(name)}(\\?|$)`), when: 'before-hub' });
    const d = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id });
    expect(d.userErrors).toEqual([]);
    const write = await held;

    const del = await app.q(DELETE_DEPLOYMENT, { id: d.appDeployment.id });
    expect(del.deleteAppDeployment.userErrors).toEqual([]);
    // the write reaches the hub only after the teardown has had its look
    await sleep(1500);
    await write.release();
    const gone = await waitForPhase(gatewayOf(app), d.appDeployment.id, ['DELETED', 'FAILED'], 30_000);
    expect(gone.phase).toBe('DELETED');
    await sleep(1500);
    expect(deploymentHubObjects(hub, name)).toEqual([]);
    expect(hub.spoke(cluster).list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', appHubName(w.project.name, name))).toEqual([]);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 0, heldByDeployments: 0, allocated: 0 });
  }, 60_000);
});

describe('deleting deployments at any moment of their rollout', () => {
  it('should accept every delete, whatever the flow is doing, and end with nothing held', async () => {
    const N = 16;
    const ids: string[] = [];
    const names: string[] = [];
    for (let i = 0; i < N; i++) {
      const name = uniq('churn');
      const d = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id });
      expect(d.userErrors).toEqual([]);
      ids.push(d.appDeployment.id);
      names.push(name);
      // delete after 0-150 ms: during admission's aftermath, placement, apply or rollout
      await sleep((i * 10) % 160);
      const del = await app.q(DELETE_DEPLOYMENT, { id: d.appDeployment.id });
      expect(del.deleteAppDeployment.userErrors, `delete ${i}`).toEqual([]);
      expect(del.deleteAppDeployment.appDeployment.phase).toBe('DELETING');
      // the pool has room for 4: let the teardowns catch up
      if (i >= 2) expect((await waitForPhase(gatewayOf(app), ids[i - 2], ['DELETED', 'FAILED'], 60_000)).phase).toBe('DELETED');
    }
    for (const id of ids) expect((await waitForPhase(gatewayOf(app), id, ['DELETED', 'FAILED'], 60_000)).phase).toBe('DELETED');
    await sleep(1000);
    for (const name of names) expect(deploymentHubObjects(hub, name), name).toEqual([]);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 0, tenantUsed: 0, heldByDeployments: 0, allocated: 0, allocationHeld: 0 });
  }, 120_000);
});
