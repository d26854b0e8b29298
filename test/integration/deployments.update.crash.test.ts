/**
 * Crash recovery mid-upgrade: the gateway (a child process on a database that outlives it) is
 * SIGKILLed while the upgrade flow re-applies the ManifestWork (the hub took it, the gateway never
 * heard) and, in a second upgrade, while it reads the rollout. Restarted on the same database and
 * hub, each revision ends SUCCEEDED exactly once, its steps ran to success once, its events (all
 * tagged with its revision) are gapless, the hub holds one ManifestWork and one release, and the GPU
 * ledger holds exactly what the revision asks for (an increase admitted, a decrease released).
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHubName } from '../../src/kube/index.js';
import type { SimulatedHub } from '../../src/sim/index.js';
import { startCrashHarness, type CrashHarness } from '../helpers/crash.harness.js';
import { createAppBundle, deployApp } from '../helpers/deploy.js';
import { isGapless, type Ev } from '../helpers/events.js';
import { deploymentEventLog, deploymentHubObjects, deployWorld, getDeployment, ledger, sharedPool, waitForPhase } from '../helpers/deployments.js';
import type { GatewayDb, GatewayProcess } from '../helpers/gateway.process.js';
import type { HoldSpec, HubProxy } from '../helpers/hub-proxy.js';
import { uniq } from '../helpers/seed.js';

let hub: SimulatedHub;
let proxy: HubProxy;
let db: GatewayDb;
let harness: CrashHarness;
let gw: GatewayProcess;

beforeAll(async () => {
  harness = await startCrashHarness({ speed: 0.5, tmpPrefix: 'sg-upcrash-' });
  ({ hub, proxy, db, gw } = harness);
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const UPDATE = `mutation($input: UpdateAppDeploymentInput!) { updateAppDeployment(input: $input) { revision { number } userErrors { field message code } } }`;
const REVISIONS = `query($id: ID!) { node(id: $id) { ... on AppDeployment { revision revisions { nodes { number outcome } } } } }`;

async function crashWhileHeld(held: Promise<unknown>, step: string, name: string): Promise<void> {
  await held;
  const [row] = await db.sql<{ current_step: string | null }>('select current_step from app_deployment where name = ?', [name]);
  expect(row.current_step).toBe(step);
  gw = await harness.restart();
}

async function settled(id: string, n: number) {
  const end = Date.now() + 120_000;
  for (;;) {
    const r = (await gw.client.q(REVISIONS, { id })).node;
    const d = await getDeployment(gw, id);
    if (d.phase === 'RUNNING' && r.revisions.nodes.some((x: any) => x.number === n && x.outcome !== 'ROLLING_OUT')) return { d, r };
    if (Date.now() > end) throw new Error(`revision ${n} did not settle: ${JSON.stringify(r)}\n${gw.output().slice(-3000)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

function expectOneRollout(log: Ev[], from: number, revision: number): void {
  expect(isGapless(log.map((e) => e.seq))).toBe(true);
  const events = log.slice(from);
  expect(events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step)).toEqual(['apply-work', 'rollout']);
  expect(events.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step)).toEqual(['apply-work', 'rollout']);
  expect(events.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase)).toEqual(['DEPLOYING', 'RUNNING']);
  expect(events.filter((e) => e.type === 'STEP_FAILED')).toEqual([]);
  expect(events.every((e) => (e.details as any)?.revision === revision)).toBe(true);
}

describe('upgrades survive gateway crashes', () => {
  it('should finish each revision exactly once after SIGKILLs at apply-work and rollout, with an exact GPU ledger', async () => {
    const w = await deployWorld(gw.client, { quota: 16, gpus: 2 });
    const pool = await sharedPool(gw.client, w);
    const bigger = await createAppBundle(gw.client, w.project.id, { gpus: 3 });
    const name = uniq('upc');
    const d = await deployApp(gw.client, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id });
    expect(d.userErrors).toEqual([]);
    const id = d.appDeployment.id;
    const running = await waitForPhase(gw, id, ['RUNNING', 'FAILED'], 120_000);
    expect(running.phase).toBe('RUNNING');
    const workName = appHubName(w.project.name, name);

    // 1. apply-work: the new ManifestWork is on the hub, the gateway dies before it records the step
    let mark = (await deploymentEventLog(gw, id)).length;
    const applySpec: HoldSpec = { method: 'PATCH', path: new RegExp(`/manifestworks/${workName}(\\?|$)`), when: 'after-hub' };
    const applyHeld = proxy.hold(applySpec);
    const up = (await gw.client.q(UPDATE, { input: { id, bundleIds: [bigger] } })).updateAppDeployment;
    expect(up.userErrors).toEqual([]);
    await crashWhileHeld(applyHeld, 'apply-work', name);
    const first = await settled(id, 2);
    expect(first.r.revisions.nodes).toEqual([{ number: 1, outcome: 'SUCCEEDED' }, { number: 2, outcome: 'SUCCEEDED' }]);
    expect(first.d.gpuRequests).toEqual([{ gpuFamily: 'NVIDIA-H100', count: 3 }]);
    expect(first.d.accessUrls).toEqual(running.accessUrls);
    expectOneRollout(await deploymentEventLog(gw, id), mark + 1, 2);
    expect(await ledger(db.sql, w.project.name)).toMatchObject({ projectUsed: 3, tenantUsed: 3, heldByDeployments: 3, allocated: 3, allocationHeld: 3, overAllocated: 0 });

    // 2. rollout: the gateway dies while it reads the rollout of revision 3 (back to 2 GPUs)
    mark = (await deploymentEventLog(gw, id)).length;
    const rollSpec: HoldSpec = { method: 'GET', path: new RegExp(`/manifestworks/${workName}(\\?|$)`), when: 'before-hub', skip: 1 };
    const rollHeld = proxy.hold(rollSpec);
    const down = (await gw.client.q(UPDATE, { input: { id, bundleIds: [w.appBundle] } })).updateAppDeployment;
    expect(down.userErrors).toEqual([]);
    // an increase is held from admission, a decrease until the new revision runs
    expect(await ledger(db.sql, w.project.name)).toMatchObject({ projectUsed: 3, allocated: 3 });
    await crashWhileHeld(rollHeld, 'rollout', name);
    const second = await settled(id, 3);
    expect(second.r.revisions.nodes.map((x: any) => x.outcome)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expectOneRollout(await deploymentEventLog(gw, id), mark + 1, 3);
    expect(await ledger(db.sql, w.project.name)).toMatchObject({ projectUsed: 2, tenantUsed: 2, heldByDeployments: 2, allocated: 2, allocationHeld: 2, overAllocated: 0 });

    // the hub: one ManifestWork, one release on the spoke
    expect(deploymentHubObjects(hub, name).filter((o) => o.startsWith('ManifestWork/'))).toEqual([`ManifestWork/${second.d.cluster}/${workName}`]);
    expect(hub.spoke(second.d.cluster).list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', workName).map((r) => r.metadata.name)).toEqual(['server']);
    const [{ n: jobs }] = await db.sql<{ n: number }>("select count(*) as n from workflow_job where state = 'ACTIVE'");
    expect(Number(jobs)).toBe(0);
  }, 300_000);
});
