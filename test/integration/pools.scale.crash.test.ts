/**
 * A gateway SIGKILLed in the middle of a scale (a child process on a database that outlives it, the
 * simulated hub in this process) resumes it when started again: the MachineDeployment ends at the new
 * replicas, once, the machines and the quota are exact, and the pool's events stay gapless with each
 * scale step succeeding once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineDeploymentName, spokeClusterName } from '../../src/kube/index.js';
import { createLogger } from '../../src/logger.js';
import { startSimulatedHub, type SimulatedHub } from '../../src/sim/index.js';
import { createPool } from '../helpers/compute.js';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/db.js';
import { isGapless, poolEventLog, type Ev } from '../helpers/events.js';
import { newAdminToken, startGateway, type GatewayProcess } from '../helpers/gateway.process.js';
import { gpuWorker, H100, machineStates, poolWorld, quotaUsed, sleep } from '../helpers/pools.js';

const TOKEN = newAdminToken();
let dir: string;
let hub: SimulatedHub;
let database: TestDatabase | null = null;
let databaseUrl: string;
let kubeconfig: string;
let gw: GatewayProcess | null = null;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sg-scale-crash-'));
  // demo pace, so the MachineDeployment takes long enough to scale for the kill to land mid-flow
  hub = await startSimulatedHub({ speed: 1, faults: { statusDelayMs: 100 }, logger: createLogger({ level: 'silent' }) });
  kubeconfig = path.join(dir, 'hub.kubeconfig');
  writeFileSync(kubeconfig, hub.kubeconfigYaml());
  databaseUrl = `sqlite:${path.join(dir, 'gateway.sqlite')}`;
  if (testDialect() === 'postgresql') {
    database = await createTestDatabase('postgresql');
    if (database.db.kind === 'postgresql') databaseUrl = database.db.url;
  }
});

afterAll(async () => {
  await gw?.kill();
  await hub?.stop();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const start = async () => {
  gw = await startGateway({ databaseUrl, kubeconfig, adminToken: TOKEN, dataDir: dir, env: { WORKFLOW_LEASE_MS: '1500', WORKFLOW_POLL_MS: '100' } });
};

async function waitFor(what: string, pred: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${timeoutMs} ms\n${gw?.output().slice(-3000)}`);
    await sleep(50);
  }
}

const scaled = (log: Ev[]) => log.some((e) => e.message.includes(' scaled: '));

describe('scale crash recovery', () => {
  it('should finish a scale interrupted by a SIGKILL while the MachineDeployment scales, exactly once', async () => {
    await start();
    const api = gw!.client;
    const w = await poolWorld(api, { quota: 64 });
    const r = await createPool(api, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'DEDICATED', workers: gpuWorker(1) });
    expect(r.createComputePool.userErrors).toEqual([]);
    const pool = r.createComputePool.computePool;
    await waitFor('RUNNING', async () => (await gw!.client.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { phase } } }`, { id: pool.id })).node.phase === 'RUNNING');

    const s = await api.q(`mutation($input: ScaleComputePoolInput!) { scaleComputePool(input: $input) { userErrors { code message } } }`, { input: { id: pool.id, workerPools: [{ name: 'gpu', nodeCount: 3 }] } });
    expect(s.scaleComputePool.userErrors).toEqual([]);
    // killed once the hub was asked for the new replicas, before they are ready
    await waitFor('wait-replicas', async () => (await poolEventLog(gw!.client, pool.id)).some((e) => e.type === 'STEP_STARTED' && e.step === 'wait-replicas'));
    const killedBeforeDone = !scaled(await poolEventLog(gw!.client, pool.id));
    await gw!.kill();
    await start();
    await waitFor('the scale to finish', async () => scaled(await poolEventLog(gw!.client, pool.id)));

    const mds = hub.objects({ kind: 'MachineDeployment' }).filter((o) => o.metadata.labels?.['spokegraph.io/project'] === w.project.name);
    expect(mds.map((o) => o.metadata.name)).toEqual([machineDeploymentName(spokeClusterName(w.project.name, pool.name))]);
    expect((mds[0].spec as any).replicas).toBe(3);
    expect((mds[0].status as any).readyReplicas).toBe(3);
    expect(await quotaUsed(gw!.client, w.project.name)).toEqual({ [`project:${H100}`]: 24, [`tenant:${H100}`]: 24 });
    const states = Object.values(await machineStates(gw!.client, w.tenant.name)).filter((m) => m.pool === pool.name);
    expect(states.map((m) => m.state)).toEqual(['IN_USE', 'IN_USE', 'IN_USE', 'IN_USE']);
    const log = await poolEventLog(gw!.client, pool.id);
    expect(isGapless(log.map((e) => e.seq))).toBe(true);
    for (const step of ['apply-replicas', 'wait-replicas']) expect(log.filter((e) => e.type === 'STEP_SUCCEEDED' && e.step === step)).toHaveLength(1);
    expect(log.filter((e) => e.message.includes(' scaled: '))).toHaveLength(1);
    expect(log.filter((e) => e.type === 'STEP_FAILED')).toEqual([]);
    // the kill landed mid-flow (the hub needs seconds to scale at demo pace)
    expect(killedBeforeDone).toBe(true);
  }, 240_000);
});
