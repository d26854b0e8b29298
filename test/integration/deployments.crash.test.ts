/**
 * Proof (3): crash recovery mid-rollout. The gateway runs as a child process (src/main.ts) against a
 * database that outlives it and a simulated hub in this process (slowed down), reached through a
 * proxy that can hold one hub request. The gateway is SIGKILLed at each deploy step — provision-pool
 * (the new pool's ManagedCluster written, its answer lost), place (Placement write never sent),
 * apply-work (ManifestWork written on the hub, its answer lost) and rollout — and restarted on the
 * same database and hub. Every deployment then reaches RUNNING exactly once, every step ran to
 * success exactly once, events are gapless, and the hub and spokes hold no duplicates.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../src/sim/index.js';
import { appHubName, spokeClusterName } from '../../src/kube/index.js';
import { startCrashHarness, type CrashHarness } from '../helpers/crash.harness.js';
import { testDialect } from '../helpers/db.js';
import { deployApp } from '../helpers/deploy.js';
import { brief, isGapless, type Ev, type Subscription } from '../helpers/events.js';
import { deploymentEventLog, deploymentEvents, deploymentHubObjects, deployWorld, getDeployment, ledger, newDedicatedPool, sharedPool, waitForPhase, type DeployWorld } from '../helpers/deployments.js';
import type { GatewayDb, GatewayProcess } from '../helpers/gateway.process.js';
import type { HoldSpec, HubProxy } from '../helpers/hub-proxy.js';
import { uniq } from '../helpers/seed.js';

const SIM_SPEED = 0.5;
const STEPS = ['provision-pool', 'place', 'apply-work', 'rollout'];

let hub: SimulatedHub;
let proxy: HubProxy;
let db: GatewayDb;
let harness: CrashHarness;
let gw: GatewayProcess;
let restarts = 0;

/** SIGKILL the gateway while `spec` is held at the hub, then start it again on the same database and hub. */
async function crashAt(spec: HoldSpec, held: Promise<unknown>, expectStep: { name: string; step: string }): Promise<void> {
  await held;
  const [row] = await db.sql<{ current_step: string | null; phase: string }>('select current_step, phase from app_deployment where name = ?', [expectStep.name]);
  expect(row.current_step, `${expectStep.name} at ${spec.method} ${spec.path}`).toBe(expectStep.step);
  gw = await harness.restart();
  restarts++;
  await follower?.resume();
}

/**
 * A subscriber that lives through the crashes: when its gateway dies it subscribes to the new one
 * with `after` = the cursor of the last event it received.
 */
class Follower {
  readonly received: Ev[] = [];
  private sub: Subscription;
  constructor(private readonly id: string) {
    this.sub = deploymentEvents(gw, id);
  }
  async resume(): Promise<void> {
    // the dead gateway's socket is gone; keep what it delivered
    const end = Date.now() + 5_000;
    while (!this.sub.socketError && !this.sub.ended && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(this.sub.socketError ?? this.sub.ended, 'the subscription noticed the crash').toBeTruthy();
    this.received.push(...this.sub.events);
    await this.sub.close();
    this.sub = deploymentEvents(gw, this.id, this.received.at(-1)?.cursor ?? null);
  }
  async all(count: number): Promise<Ev[]> {
    await this.sub.until((evs) => this.received.length + evs.length >= count, 30_000);
    return [...this.received, ...this.sub.events];
  }
  close(): Promise<void> {
    return this.sub.close();
  }
}
let follower: Follower | null = null;

beforeAll(async () => {
  harness = await startCrashHarness({ speed: SIM_SPEED, tmpPrefix: 'sg-crash-' });
  ({ hub, proxy, db, gw } = harness);
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

function expectEachStepOnce(events: Ev[], what: string): void {
  expect(isGapless(events.map((e) => e.seq)), `${what}: gapless seq`).toBe(true);
  expect(events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step), `${what}: steps started`).toEqual(STEPS);
  expect(events.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step), `${what}: steps succeeded`).toEqual(STEPS);
  expect(events.filter((e) => e.type === 'PHASE_CHANGED' && e.phase === 'RUNNING'), `${what}: RUNNING once`).toHaveLength(1);
  expect(events.filter((e) => e.type === 'STEP_FAILED' || e.phase === 'FAILED'), `${what}: never failed`).toEqual([]);
  expect(events.at(-1)).toMatchObject({ type: 'PHASE_CHANGED', phase: 'RUNNING' });
}

describe('App Deployments survive gateway crashes', () => {
  it('should reach RUNNING exactly once per deployment after SIGKILLs at provision-pool, place, apply-work and rollout, and tear down through one more', async () => {
    const started = Date.now();
    const w: DeployWorld = await deployWorld(gw.client, { quota: 32, gpus: 2, machines: { controlPlanes: 2, gpuHosts: [{ family: 'NVIDIA-H100', count: 2, gpusEach: 8 }] } });
    const pool = await sharedPool(gw.client, w);
    const sharedCluster = (await gw.client.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { clusters { name } } } }`, { id: pool.id })).node.clusters[0].name;
    const project = w.project.name;
    const names = { ded: uniq('ded'), place: uniq('plc'), work: uniq('wrk'), roll: uniq('rol') };
    const ids: Record<string, string> = {};

    // 1. provision-pool: the new pool's ManagedCluster is written on the hub, the gateway dies before hearing so
    const poolName = uniq('pool');
    const dedCluster = spokeClusterName(project, poolName);
    const mcSpec: HoldSpec = { method: 'PATCH', path: new RegExp(`/managedclusters/${dedCluster}(\\?|$)`), when: 'after-hub' };
    const mcHeld = proxy.hold(mcSpec);
    const d1 = await deployApp(gw.client, { projectId: w.project.id, name: names.ded, bundleIds: [w.appBundle], newDedicatedPool: newDedicatedPool(w.bundle, 1, poolName) });
    expect(d1.userErrors).toEqual([]);
    ids.ded = d1.appDeployment.id;
    follower = new Follower(ids.ded);
    await crashAt(mcSpec, mcHeld, { name: names.ded, step: 'provision-pool' });

    // 2. place: the Placement write never reaches the hub
    const placeSpec: HoldSpec = { method: 'PATCH', path: new RegExp(`/namespaces/${project}/placements/${names.place}(\\?|$)`), when: 'before-hub' };
    const placeHeld = proxy.hold(placeSpec);
    const d2 = await deployApp(gw.client, { projectId: w.project.id, name: names.place, bundleIds: [w.appBundle], poolId: pool.id });
    expect(d2.userErrors).toEqual([]);
    ids.place = d2.appDeployment.id;
    await crashAt(placeSpec, placeHeld, { name: names.place, step: 'place' });

    // 3. apply-work: the ManifestWork is on the hub, the gateway dies before it records the step
    const workName = appHubName(project, names.work);
    const workSpec: HoldSpec = { method: 'PATCH', path: new RegExp(`/namespaces/${sharedCluster}/manifestworks/${workName}(\\?|$)`), when: 'after-hub' };
    const workHeld = proxy.hold(workSpec);
    const d3 = await deployApp(gw.client, { projectId: w.project.id, name: names.work, bundleIds: [w.appBundle], poolId: pool.id });
    expect(d3.userErrors).toEqual([]);
    ids.work = d3.appDeployment.id;
    const held = await workHeld;
    expect([200, 201]).toContain(held.hubStatus);
    expect(hub.objects({ kind: 'ManifestWork', namespace: sharedCluster }).map((o) => o.metadata.name)).toContain(workName);
    await crashAt(workSpec, Promise.resolve(), { name: names.work, step: 'apply-work' });

    // 4. rollout: the gateway dies while it reads the rollout status (apply-work's ownership read goes first)
    const rollSpec: HoldSpec = { method: 'GET', path: new RegExp(`/manifestworks/${appHubName(project, names.roll)}(\\?|$)`), when: 'before-hub', skip: 1 };
    const rollHeld = proxy.hold(rollSpec);
    const d4 = await deployApp(gw.client, { projectId: w.project.id, name: names.roll, bundleIds: [w.appBundle], poolId: pool.id });
    expect(d4.userErrors).toEqual([]);
    ids.roll = d4.appDeployment.id;
    await crashAt(rollSpec, rollHeld, { name: names.roll, step: 'rollout' });
    expect(restarts).toBe(4);

    // every deployment gets there, once
    for (const key of Object.keys(ids)) {
      const d = await waitForPhase(gw, ids[key], ['RUNNING', 'FAILED'], 120_000);
      expect(d.phase, `${key}: ${JSON.stringify(d.status)}\n${gw.output().slice(-3000)}`).toBe('RUNNING');
      expect(d.accessUrls).toEqual([{ component: 'server', url: expect.stringMatching(/^http:\/\/[\d.]+:8080\/api$/), port: 8080 }]);
    }
    console.log(`[deployments.crash] ${testDialect()}: 4 deployments RUNNING through 4 SIGKILLs in ${Date.now() - started} ms (SIM_SPEED ${SIM_SPEED})`);
    for (const [key, name] of Object.entries(names)) {
      const events = await deploymentEventLog(gw, ids[key]);
      expectEachStepOnce(events, key);
      // the hub: one Placement (+ its decision) and one ManifestWork; the spoke: one release
      const objects = deploymentHubObjects(hub, name);
      expect(objects.filter((o) => o.startsWith('ManifestWork/')), key).toHaveLength(1);
      expect(objects.filter((o) => o.startsWith('Placement/')), key).toEqual([`Placement/${project}/${name}`]);
      const d = await getDeployment(gw, ids[key]);
      const ns = appHubName(project, name);
      const releases = hub.spokes().flatMap((c) => hub.spoke(c).list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', ns).map((r) => `${c}/${r.metadata.name}`));
      expect(releases, key).toEqual([`${d.cluster}/server`]);
      const namespaces = hub.spokes().filter((c) => hub.spoke(c).get('v1', 'Namespace', undefined, ns));
      expect(namespaces, key).toEqual([d.cluster]);
    }

    // the subscriber that lived through the four crashes saw every event exactly once, in order
    const log = await deploymentEventLog(gw, ids.ded);
    expect(brief(await follower.all(log.length))).toEqual(brief(log));
    await follower.close();
    follower = null;

    // the new dedicated pool: one cluster, provisioned once
    const dedPool = (await getDeployment(gw, ids.ded)).computePool;
    const poolEvents = (await gw.client.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { phase events(first: 100) { nodes { seq type phase step } } } } }`, { id: dedPool.id })).node;
    expect(poolEvents.phase).toBe('RUNNING');
    expect(isGapless(poolEvents.events.nodes.map((e: Ev) => e.seq))).toBe(true);
    expect(poolEvents.events.nodes.filter((e: Ev) => e.type === 'PHASE_CHANGED' && e.phase === 'RUNNING')).toHaveLength(1);
    const started2 = poolEvents.events.nodes.filter((e: Ev) => e.type === 'STEP_STARTED').map((e: Ev) => e.step);
    expect(new Set(started2).size).toBe(started2.length);
    expect(hub.objects({ kind: 'ManagedCluster' }).filter((o) => o.metadata.labels?.['spokegraph.io/pool'] === poolName).map((o) => o.metadata.name)).toEqual([dedCluster]);
    expect(hub.objects({ kind: 'Cluster' }).filter((o) => o.metadata.labels?.['spokegraph.io/pool'] === poolName).map((o) => o.metadata.name)).toEqual([dedCluster]);

    // and the ledger is exact: the dedicated pool holds its 8 GPUs, the three shared deployments 2 each
    expect(await ledger(db.sql, project)).toEqual({
      projectUsed: 8 + 3 * 2,
      tenantUsed: 8 + 3 * 2,
      heldByDeployments: 3 * 2,
      heldByPools: 8,
      tenantHeld: 8 + 3 * 2,
      allocated: 4 * 2,
      allocationHeld: 4 * 2,
      overAllocated: 0,
    });
    const [{ n: jobs }] = await db.sql<{ n: number }>("select count(*) as n from workflow_job where state = 'ACTIVE'");
    expect(Number(jobs)).toBe(0);

    // 5. teardown: the gateway dies while the dedicated pool's Cluster is being deleted (the hub
    // accepted the delete, the gateway never heard); the shared deployment is torn down meanwhile
    const machinesBefore = await db.sql<{ host_id: string; state: string }>('select host_id, state from machine order by host_id');
    const delSpec: HoldSpec = { method: 'DELETE', path: new RegExp(`/namespaces/${project}/clusters/${dedCluster}(\\?|$)`), when: 'after-hub' };
    const delHeld = proxy.hold(delSpec);
    for (const key of ['ded', 'work']) {
      const r = await gw.client.q(`mutation($id: ID!) { deleteAppDeployment(input: { id: $id }) { userErrors { code } } }`, { id: ids[key] });
      expect(r.deleteAppDeployment.userErrors).toEqual([]);
    }
    await crashAt(delSpec, delHeld, { name: names.ded, step: 'release-pool' });
    for (const key of ['ded', 'work']) {
      const d = await waitForPhase(gw, ids[key], ['DELETED', 'FAILED'], 120_000);
      expect(d.phase, key).toBe('DELETED');
      const events = await deploymentEventLog(gw, ids[key]);
      expect(isGapless(events.map((e) => e.seq)), key).toBe(true);
      expect(events.filter((e) => e.type === 'PHASE_CHANGED' && e.phase === 'DELETED'), key).toHaveLength(1);
      expect(events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step).slice(STEPS.length), key).toEqual(['remove-work', 'remove-placement', 'release-pool']);
      expect(deploymentHubObjects(hub, names[key as keyof typeof names]), key).toEqual([]);
    }
    const deadPool = (await gw.client.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { phase } } }`, { id: dedPool.id })).node;
    expect(deadPool.phase).toBe('DELETED');
    expect(hub.objects().filter((o) => o.metadata.name === dedCluster || o.metadata.labels?.['spokegraph.io/pool'] === poolName).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    const machinesAfter = await db.sql<{ host_id: string; state: string }>('select host_id, state from machine order by host_id');
    // the dedicated pool's two hosts are AVAILABLE again, the shared pool's stay IN_USE
    expect(machinesAfter.filter((m) => m.state === 'AVAILABLE')).toHaveLength(machinesBefore.filter((m) => m.state === 'AVAILABLE').length + 2);
    expect(await ledger(db.sql, project)).toEqual({
      projectUsed: 2 * 2,
      tenantUsed: 2 * 2,
      heldByDeployments: 2 * 2,
      heldByPools: 0,
      tenantHeld: 2 * 2,
      allocated: 2 * 2,
      allocationHeld: 2 * 2,
      overAllocated: 0,
    });
  }, 400_000);
});
