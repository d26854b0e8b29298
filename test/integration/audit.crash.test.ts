/**
 * A crash in the middle of mutations (SIGKILL of the gateway process while dozens are in flight):
 * after a restart on the same database, every effect that committed has its one OK record, every OK
 * record has its effect, and the trail is numbered without a gap. Nothing commits an effect without
 * its record, or a record without its effect.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startSimulatedHub, type SimulatedHub } from '../../src/sim/index.js';
import { createInfraBundle, createPool, registerMachines, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle } from '../helpers/deploy.js';
import { testDialect } from '../helpers/db.js';
import { gatewayDatabase, newAdminToken, startGateway, type GatewayDb, type GatewayProcess } from '../helpers/gateway.process.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';

let hub: SimulatedHub;
let db: GatewayDb;
let dir: string;
let kubeconfig: string;
let gw: GatewayProcess | null = null;
const token = newAdminToken();

beforeAll(async () => {
  hub = await startSimulatedHub({ speed: 0, logger: createLogger({ level: 'silent' }) });
  dir = mkdtempSync(join(tmpdir(), 'sg-audit-crash-'));
  kubeconfig = join(dir, 'hub.kubeconfig');
  writeFileSync(kubeconfig, hub.kubeconfigYaml(), { mode: 0o600 });
  db = await gatewayDatabase(testDialect());
}, 120_000);

afterAll(async () => {
  await gw?.kill();
  await hub?.stop();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const start = async () => (gw = await startGateway({ databaseUrl: db.url, kubeconfig, adminToken: token, dataDir: dir }));

describe('SIGKILL in the middle of mutations', () => {
  it('leaves every committed effect with its one OK record and every OK record with its effect', async () => {
    await start();
    const api = gw!.client;
    const t = await createTenant(api, uniq('t'), [{ gpuFamily: 'NVIDIA-H100', limit: 64 }]);
    const p = await createProject(api, t.id);
    await registerMachines(api, t.id, { controlPlanes: 14, gpuHosts: [{ family: 'NVIDIA-H100', count: 1, gpusEach: 8 }] });
    const infra = await createInfraBundle(api, p.id);
    // deployments on a shared pool, in a project whose budget admits 4 of them (each projects its 2 GPUs to the end of the month)
    const gpuProject = await createProject(api, t.id, uniq('crg'), [{ gpuFamily: 'NVIDIA-H100', limit: 64 }]);
    const gpuInfra = await createInfraBundle(api, gpuProject.id);
    const shared = await createPool(api, { projectId: gpuProject.id, infrastructureBundleId: gpuInfra, mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] });
    expect(shared.createComputePool.userErrors).toEqual([]);
    const sharedId = shared.createComputePool.computePool.id;
    await waitForPoolPhase(api, sharedId, ['RUNNING'], 60_000);
    const appBundle = await createAppBundle(api, gpuProject.id, { gpus: 2 });
    const real = new Date();
    const monthEnd = Date.UTC(real.getUTCFullYear(), real.getUTCMonth() + 1, 1);
    const budget = 4.5 * 2 * ((monthEnd - Date.now()) / 3_600_000);
    expect((await api.q(`mutation($id: ID!, $b: Float) { updateProject(input: { id: $id, monthlyGpuHourBudget: $b }) { userErrors { code } } }`, { id: gpuProject.id, b: budget })).updateProject.userErrors).toEqual([]);
    const projects = Array.from({ length: 40 }, () => uniq('cr'));
    const pools = Array.from({ length: 10 }, () => uniq('crp'));
    const deployments = Array.from({ length: 8 }, () => uniq('crd'));
    const calls = [
      ...deployments.map((name) => api.gql(`mutation($i: DeployAppInput!) { deployApp(input: $i) { appDeployment { id } userErrors { code } } }`, { i: { projectId: gpuProject.id, name, bundleIds: [appBundle], poolId: sharedId } })),
      ...projects.map((name) => api.gql(`mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } userErrors { code } } }`, { i: { tenantId: t.id, name } })),
      ...pools.map((name) =>
        api.gql(`mutation($i: CreateComputePoolInput!) { createComputePool(input: $i) { computePool { id } userErrors { code } } }`, {
          i: { projectId: p.id, name, mode: 'SHARED', infrastructureBundleId: infra, nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [] } },
        }),
      ),
    ].map((c) => c.then(() => 'answered', () => 'lost'));
    // kill once some have been answered: the rest are in flight, queued or not sent yet (the deploys first)
    let answered = 0;
    calls.forEach((c) => void c.then((r) => r === 'answered' && answered++));
    const deadline = Date.now() + 20_000;
    while (answered < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    await gw!.kill('SIGKILL');
    const outcomes = await Promise.all(calls);
    expect(outcomes).toContain('lost');

    await start();
    const names = (table: string, list: string[]) => db.sql<{ id: string; name: string }>(`select id, name from ${table} where name in (${list.map(() => '?').join(', ')})`, list);
    const records = await db.sql<{ seq: number | string; operation: string; outcome: string; subject_id: string | null; input_summary: string | { name?: string } }>(
      'select seq, operation, outcome, subject_id, input_summary from audit_record order by seq',
    );
    const nameOf = (r: (typeof records)[number]) => (typeof r.input_summary === 'string' ? JSON.parse(r.input_summary) : r.input_summary).name as string;
    // the trail has no gap
    expect(records.map((r) => Number(r.seq))).toEqual(records.map((_, i) => i + 1));
    for (const [table, operation, list] of [
      ['project', 'createProject', projects],
      ['compute_pool', 'createComputePool', pools],
      ['app_deployment', 'deployApp', deployments],
    ] as const) {
      const made = await names(table, [...list]);
      const ok = records.filter((r) => r.operation === operation && r.outcome === 'OK' && list.includes(nameOf(r)));
      // each effect has exactly its one record, naming it; no record without its effect
      expect(ok.map((r) => `${nameOf(r)}:${r.subject_id}`).sort(), operation).toEqual(made.map((m) => `${m.name}:${m.id}`).sort());
    }
    // the budget held through the crash: at most 4 deployments, their reservations and nothing else
    const admitted = await names('app_deployment', deployments);
    expect(admitted.length).toBeLessThanOrEqual(4);
    const reserved = await db.sql<{ n: number | string | null }>(`select sum(count) as n from gpu_reservation where project_id = (select id from project where name = ?)`, [gpuProject.name]);
    expect(Number(reserved[0].n ?? 0)).toBe(2 * admitted.length);
    const committed = (await names('project', projects)).length + (await names('compute_pool', pools)).length + admitted.length;
    expect(committed).toBeGreaterThan(0);
    console.log(`[audit.crash] ${testDialect()}: ${committed} of ${calls.length} mutations committed before SIGKILL, ${outcomes.filter((o) => o === 'lost').length} lost`);
  }, 240_000);
});
