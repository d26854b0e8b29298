/**
 * Proof (2): crash recovery. The gateway runs as a child process (`tsx src/main.ts`) against a
 * simulated hub living in this test process and a database that outlives it (a SQLite file in a temp
 * dir, or a fresh PostgreSQL database). It is SIGKILLed in the middle of provisioning at several
 * different steps and started again each time: every pool still reaches RUNNING, no hub object is
 * duplicated, and each pool's events are numbered 1..n without a hole. The same holds for deletion.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSetName, spokeClusterName } from '../../src/kube/index.js';
import { createLogger } from '../../src/logger.js';
import { startSimulatedHub, type SimulatedHub } from '../../src/sim/index.js';
import type { TestApp } from '../helpers/app.js';
import { createPool } from '../helpers/compute.js';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/db.js';
import { isGapless, poolEventLog, type Ev } from '../helpers/events.js';
import { startGateway, type GatewayProcess } from '../helpers/gateway.process.js';
import { gpuWorker, H100, machineStates, poolWorld, quotaUsed, sleep } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

const PROVISION_STEPS = ['request-clusters', 'wait-clusters', 'register-spokes', 'wait-registration', 'install-addons', 'environment'];
const DELETE_STEPS = ['remove-environment', 'detach-spokes', 'delete-clusters'];
const TOKEN = 'sg_crash_' + randomBytes(24).toString('base64url');

let dir: string;
let hub: SimulatedHub;
let database: TestDatabase | null = null;
let env: Record<string, string>;
let kubeconfigFile: string;
let gw: GatewayProcess | null = null;
const transcript: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sg-crash-'));
  // the hub outlives every gateway process; demo pace (plus a little), so steps last long enough to be killed in
  hub = await startSimulatedHub({ speed: 1, faults: { statusDelayMs: 100 }, logger: createLogger({ level: 'silent' }) });
  const kubeconfig = path.join(dir, 'hub.kubeconfig');
  writeFileSync(kubeconfig, hub.kubeconfigYaml());
  let url = `sqlite:${path.join(dir, 'gateway.sqlite')}`;
  if (testDialect() === 'postgresql') {
    database = await createTestDatabase('postgresql');
    if (database.db.kind === 'postgresql') url = database.db.url;
  }
  env = {
    // (a SQLite file in the test's directory, unless PostgreSQL)
    DATABASE_URL: url,
    WORKFLOW_LEASE_MS: '1500',
    WORKFLOW_POLL_MS: '100',
  };
  kubeconfigFile = kubeconfig;
});

afterAll(async () => {
  console.log(`crash test transcript:\n${transcript.join('\n')}`);
  await gw?.kill();
  await hub?.stop();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<GatewayProcess> {
  gw = await startGateway({ databaseUrl: env.DATABASE_URL, kubeconfig: kubeconfigFile, adminToken: TOKEN, dataDir: dir, env });
  transcript.push(`${new Date().toISOString().slice(11, 23)} gateway ${gw.pid} ready`);
  return gw;
}

/** The seeding and polling helpers take a TestApp; they only use `q`, so this one talks to whichever child runs now. */
const api = {
  adminToken: TOKEN,
  q: (query: string, variables?: Record<string, unknown>) => gw!.q(query, variables),
  gql: (query: string, variables?: Record<string, unknown>) => gw!.gql(query, variables),
} as unknown as TestApp;

interface PoolState {
  name: string;
  phase: string;
  step: string | null;
}

async function states(project: string): Promise<PoolState[]> {
  const d = await api.q(`query($n: String!) { project(name: $n) { computePools(first: 20) { nodes { name phase status { currentStep } } } } }`, { n: project });
  return d.project.computePools.nodes.map((p: any) => ({ name: p.name, phase: p.phase, step: p.status.currentStep }));
}

/** Polls the child; SIGKILLs it the moment `pred` holds (or after `maxMs`), and says where each pool was. */
async function killWhen(project: string, label: string, pred: (s: PoolState[]) => boolean, maxMs = 30_000): Promise<PoolState[]> {
  const deadline = Date.now() + maxMs;
  let s: PoolState[] = [];
  for (;;) {
    s = await states(project);
    if (pred(s) || Date.now() > deadline) break;
    await sleep(15);
  }
  await gw!.kill();
  transcript.push(`${new Date().toISOString().slice(11, 23)} ${label}: killed at ${s.map((p) => `${p.name}=${p.phase}/${p.step ?? '-'}`).join(', ')}`);
  return s;
}

async function waitAll(project: string, phase: string, timeoutMs = 90_000): Promise<PoolState[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await states(project);
    if (s.every((p) => p.phase === phase)) return s;
    if (s.some((p) => p.phase === 'FAILED')) throw new Error(`a pool FAILED: ${JSON.stringify(s)}\n${transcript.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`not all ${phase} after ${timeoutMs} ms: ${JSON.stringify(s)}\n${transcript.join('\n')}\n${gw!.output().slice(-3000)}`);
    await sleep(100);
  }
}

/** Objects we own on the hub, per kind, for one project. */
function hubInventory(project: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const o of hub.objects()) {
    if (o.metadata.labels?.['spokegraph.io/project'] !== project) continue;
    (out[o.kind] ??= []).push(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  }
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

function expectOnce(log: Ev[], type: string, steps: string[]): void {
  expect(log.filter((e) => e.type === type).map((e) => e.step)).toEqual(steps);
}

describe('gateway crash recovery', () => {
  it('should bring every pool to RUNNING and then DELETED across SIGKILLs at different steps, with no duplicate hub object and gapless events', async () => {
    await start();
    const w = await poolWorld(api, { quota: 64, machines: { controlPlanes: 4, gpuHosts: [{ family: H100, count: 4, gpusEach: 8 }] } });
    const project = w.project.name;
    const free = await machineStates(api, w.tenant.name);
    const names = { a: uniq('ded'), b: uniq('shr'), c: uniq('late') };
    for (const [name, mode, clusterCount] of [
      [names.a, 'DEDICATED', 1],
      [names.b, 'SHARED', 2],
    ] as const) {
      const d = await createPool(api, { projectId: w.project.id, infrastructureBundleId: w.bundle, name, mode, clusterCount, workers: gpuWorker() });
      expect(d.createComputePool.userErrors).toEqual([]);
    }
    const killedAt: PoolState[] = [];
    const hit = new Set<string>();
    const fresh = (s: PoolState[]) => s.some((p) => p.step !== null && PROVISION_STEPS.includes(p.step) && !hit.has(p.step));
    // Each run is killed the moment some pool is at a step no earlier kill hit; a third pool starts
    // late, so the pools are at different steps. The last kill comes at a random moment instead,
    // likely between a step's hub writes and its checkpoint.
    for (let run = 1; run <= 4; run++) {
      if (run === 2) {
        const c = await createPool(api, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: names.c, mode: 'DEDICATED', workers: gpuWorker() });
        expect(c.createComputePool.userErrors).toEqual([]);
      }
      if (run === 4) await sleep(200 + Math.random() * 600);
      const s = await killWhen(project, `run ${run}`, run === 4 ? () => true : fresh, 20_000);
      killedAt.push(...s);
      for (const p of s) if (p.step) hit.add(p.step);
      await start();
      const now = await states(project);
      transcript.push(`  restarted at ${now.map((p) => `${p.name}=${p.phase}/${p.step ?? '-'}`).join(', ')}`);
      if (run > 1 && now.every((p) => p.phase === 'RUNNING')) break;
    }
    await waitAll(project, 'RUNNING');
    transcript.push('all RUNNING');

    // the kills hit several different steps
    const stepsHit = new Set(killedAt.filter((p) => p.step).map((p) => p.step));
    expect(stepsHit.size, transcript.join('\n')).toBeGreaterThanOrEqual(3);

    const pools = (await api.q(`query($n: String!) { project(name: $n) { computePools(first: 20) { nodes { id name mode clusterCount clusters { name } machines(first: 100) { nodes { state } } } } } }`, { n: project })).project.computePools.nodes;
    expect(pools).toHaveLength(3);
    const spokes: string[] = [];
    for (const p of pools) {
      const log = await poolEventLog(api, p.id);
      expect(isGapless(log.map((e) => e.seq)), `${p.name}: ${log.map((e) => e.seq).join(',')}`).toBe(true);
      expect(log[0]).toMatchObject({ seq: 1, type: 'CREATED' });
      expect(log.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase)).toEqual(['PROVISIONING', 'REGISTERING', 'INSTALLING', 'RUNNING']);
      expectOnce(log, 'STEP_STARTED', PROVISION_STEPS);
      expectOnce(log, 'STEP_SUCCEEDED', PROVISION_STEPS);
      expect(log.filter((e) => e.type === 'STEP_FAILED')).toEqual([]);
      expect(p.machines.nodes.every((m: any) => m.state === 'IN_USE')).toBe(true);
      const expected = p.clusterCount > 1 ? Array.from({ length: p.clusterCount }, (_, i) => spokeClusterName(project, p.name, i)) : [spokeClusterName(project, p.name)];
      expect(p.clusters.map((x: any) => x.name)).toEqual(expected);
      spokes.push(...expected);
    }
    spokes.sort();
    const sets = [names.a, names.b, names.c].map((n) => clusterSetName(project, n)).sort();

    // exactly one hub object per thing, whatever was re-applied after each crash
    const inv = hubInventory(project);
    expect(inv.Namespace).toEqual([`/${project}`]);
    expect(inv.Cluster).toEqual(spokes.map((s) => `${project}/${s}`));
    expect(inv.MachineDeployment).toEqual(spokes.map((s) => `${project}/${s}-workers`));
    expect(inv.ManagedCluster).toEqual(spokes.map((s) => `/${s}`));
    expect(inv.ManagedClusterAddOn).toEqual(spokes.map((s) => `${s}/flux`).sort());
    expect(inv.Secret).toEqual(spokes.map((s) => `${s}/auto-import-secret`));
    expect(inv.ManagedClusterSet).toEqual(sets.map((s) => `/${s}`));
    expect(inv.ManagedClusterSetBinding).toEqual(sets.map((s) => `${project}/${s}`));
    // every spoke is a GPU spoke: one NVIDIA device plugin ManifestWork each
    expect(inv.ManifestWork).toEqual(spokes.map((s) => `${s}/spokegraph-gpu-device-plugin`).sort());
    expect(Object.keys(inv).sort()).toEqual(['Cluster', 'MachineDeployment', 'ManagedCluster', 'ManagedClusterAddOn', 'ManagedClusterSet', 'ManagedClusterSetBinding', 'ManifestWork', 'Namespace', 'Secret']);
    // and the hub holds no Cluster API cluster or spoke that is not one of the pools'
    expect(hub.objects({ kind: 'ManagedCluster' }).map((o) => o.metadata.name).sort()).toEqual(spokes);
    expect(await quotaUsed(api, project)).toEqual({ [`project:${H100}`]: 16, [`tenant:${H100}`]: 16 });

    // deletion survives a crash too
    for (const p of pools) {
      const del = await api.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { phase } userErrors { code message } } }`, { id: p.id });
      expect(del.deleteComputePool.userErrors).toEqual([]);
    }
    await killWhen(project, 'delete run', (s) => s.some((p) => p.step === 'detach-spokes' || p.step === 'delete-clusters'));
    await start();
    await waitAll(project, 'DELETED');
    for (const p of pools) {
      const log = await poolEventLog(api, p.id);
      expect(isGapless(log.map((e) => e.seq))).toBe(true);
      const tail = log.slice(log.findIndex((e) => e.type === 'DELETE_REQUESTED'));
      expect(tail.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase)).toEqual(['DELETING', 'DELETED']);
      expectOnce(tail, 'STEP_STARTED', DELETE_STEPS);
      expectOnce(tail, 'STEP_SUCCEEDED', DELETE_STEPS);
    }
    expect(Object.keys(hubInventory(project))).toEqual(['Namespace']);
    expect(hub.objects({ kind: 'ManagedCluster' })).toEqual([]);
    expect(await machineStates(api, w.tenant.name)).toEqual(free);
    expect(await quotaUsed(api, project)).toEqual({ [`project:${H100}`]: 0, [`tenant:${H100}`]: 0 });
    await gw!.stop();
    gw = null;
  }, 240_000);
});
