/**
 * Proof (2): admission is one transaction. 200 concurrent deployApp calls against a shared pool
 * whose capacity exceeds a project quota that fits exactly 50 of them: exactly 50 admitted, the
 * rest QUOTA_EXCEEDED, and the ledger sums exact. Also: concurrent new dedicated pools never take a
 * machine twice. Runs once per database (SQLite and PostgreSQL projects).
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DEPLOY_APP } from '../helpers/deploy.js';
import { testDialect } from '../helpers/db.js';
import { isGapless } from '../helpers/events.js';
import { gqlRequest } from '../helpers/graphql.js';
import { deployWorld, getDeployment, gatewayOf, ledger, newDedicatedPool, sharedPool, sqlOf, type DeployWorld } from '../helpers/deployments.js';
import { machineStates, quotaUsed } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

type Answer = { status: number; data: any; errors?: unknown[] };

async function storm(inputs: Record<string, unknown>[]): Promise<{ answers: Answer[]; ms: number }> {
  const started = Date.now();
  const answers = await Promise.all(inputs.map((input) => gqlRequest(app.url, DEPLOY_APP, { input }, app.adminToken)));
  return { answers, ms: Date.now() - started };
}

async function projectSeqs(projectName: string): Promise<number[]> {
  const sql = sqlOf(app);
  const [p] = await sql<{ id: string }>('select id from project where name = ?', [projectName]);
  return (await sql<{ project_seq: number }>('select project_seq from deployment_event where project_id = ? order by project_seq', [p.id])).map((r) => Number(r.project_seq));
}

describe('deployApp under concurrency', () => {
  it('should admit exactly the 50 of 200 concurrent deployments the project quota fits, refuse the rest with QUOTA_EXCEEDED, and keep the ledger exact', async () => {
    const CALLS = 200;
    const GPUS = 2;
    const QUOTA = 100; // fits exactly 50 deployments of 2 GPUs
    const w: DeployWorld = await deployWorld(app, { quota: QUOTA, tenantQuota: 400, gpus: GPUS, machines: { controlPlanes: 2, gpuHosts: [{ family: 'NVIDIA-H100', count: 16, gpusEach: 8 }] } });
    const pool = await sharedPool(app, w, { clusters: 2, gpuNodes: 8 });
    const capacity = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { gpus { capacity allocated } } } }`, { id: pool.id })).node.gpus;
    // the pool could take 64 deployments: the quota, not the capacity, binds
    expect(capacity).toEqual([{ capacity: 128, allocated: 0 }]);
    const seqsBefore = await projectSeqs(w.project.name);

    const inputs = Array.from({ length: CALLS }, (_, i) => ({ projectId: w.project.id, name: `c${i}-${uniq('x').slice(2)}`, bundleIds: [w.appBundle], poolId: pool.id }));
    const { answers, ms } = await storm(inputs);
    console.log(`[deployments.concurrency] ${testDialect()}: ${CALLS} concurrent deployApp calls answered in ${ms} ms`);

    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
    }
    const admitted = answers.filter((a) => a.data.deployApp.appDeployment);
    const refused = answers.filter((a) => a.data.deployApp.userErrors.length);
    expect(admitted.length).toBe(QUOTA / GPUS);
    expect(refused.length).toBe(CALLS - QUOTA / GPUS);
    for (const a of admitted) expect(a.data.deployApp.userErrors).toEqual([]);
    for (const a of refused) {
      expect(a.data.deployApp.appDeployment).toBeNull();
      expect(a.data.deployApp.userErrors).toEqual([
        { code: 'QUOTA_EXCEEDED', field: ['input', 'bundleIds'], message: `Project ${w.project.name} GPU quota exceeded for NVIDIA-H100: requested ${GPUS}, used ${QUOTA}, limit ${QUOTA}` },
      ]);
    }

    const expectLedgerExact = async () => {
      const l = await ledger(sqlOf(app), w.project.name);
      expect(l).toEqual({
        projectUsed: QUOTA,
        tenantUsed: QUOTA,
        heldByDeployments: QUOTA,
        heldByPools: 0,
        tenantHeld: QUOTA,
        allocated: QUOTA,
        allocationHeld: QUOTA,
        overAllocated: 0,
      });
    };
    await expectLedgerExact();
    const sql = sqlOf(app);
    const [{ n: rows }] = await sql<{ n: number }>('select count(*) as n from gpu_reservation where project_id = (select id from project where name = ?)', [w.project.name]);
    expect(Number(rows)).toBe(QUOTA / GPUS);
    const [{ n: deployments }] = await sql<{ n: number }>('select count(*) as n from app_deployment where project_id = (select id from project where name = ?)', [w.project.name]);
    expect(Number(deployments)).toBe(QUOTA / GPUS);
    const perCluster = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { clusters { gpus { capacity allocated } } } } }`, { id: pool.id })).node.clusters;
    expect(perCluster.reduce((n: number, c: any) => n + c.gpus[0].allocated, 0)).toBe(QUOTA);
    for (const c of perCluster) expect(c.gpus[0].allocated).toBeLessThanOrEqual(c.gpus[0].capacity);
    // one CREATED event per admitted deployment, and the project's event sequence has no hole
    const seqs = await projectSeqs(w.project.name);
    expect(isGapless(seqs)).toBe(true);
    expect(seqs.length).toBeGreaterThanOrEqual(seqsBefore.length + QUOTA / GPUS);

    // the admitted ones all roll out, and nothing in the ledger moves while they do
    const ids = admitted.map((a) => a.data.deployApp.appDeployment.id);
    const gw = gatewayOf(app);
    const deadline = Date.now() + 180_000;
    for (;;) {
      const phases = await Promise.all(ids.map(async (id) => (await getDeployment(gw, id)).phase));
      expect(phases.filter((p) => p === 'FAILED')).toEqual([]);
      if (phases.every((p) => p === 'RUNNING')) break;
      if (Date.now() > deadline) throw new Error(`not all RUNNING: ${JSON.stringify(phases)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await expectLedgerExact();
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': QUOTA, 'tenant:NVIDIA-H100': QUOTA });
  }, 300_000);

  it('should never reserve a machine twice when new dedicated pools are admitted concurrently', async () => {
    const CALLS = 12;
    const FITS = 4;
    const w = await deployWorld(app, { quota: 64, tenantQuota: 64, gpus: 1, machines: { controlPlanes: FITS, gpuHosts: [{ family: 'NVIDIA-H100', count: FITS, gpusEach: 8 }] } });
    const inputs = Array.from({ length: CALLS }, (_, i) => ({ projectId: w.project.id, name: `d${i}-${uniq('x').slice(2)}`, bundleIds: [w.appBundle], newDedicatedPool: newDedicatedPool(w.bundle) }));
    const { answers, ms } = await storm(inputs);
    console.log(`[deployments.concurrency] ${testDialect()}: ${CALLS} concurrent dedicated deployApp calls answered in ${ms} ms`);
    for (const a of answers) expect(a.errors).toBeUndefined();
    const admitted = answers.filter((a) => a.data.deployApp.appDeployment);
    expect(admitted.length).toBe(FITS);
    for (const a of answers.filter((x) => !x.data.deployApp.appDeployment)) {
      expect(a.data.deployApp.userErrors.map((e: any) => [e.code, e.field])).toEqual([['INSUFFICIENT_CAPACITY', ['input', 'newDedicatedPool', 'nodeRequirements']]]);
    }
    // every machine went to exactly one pool, each pool got one control plane and one GPU host
    const states = await machineStates(app, w.tenant.name);
    expect(Object.values(states).every((m) => m.state === 'RESERVED' || m.state === 'IN_USE')).toBe(true);
    const byPool = new Map<string, string[]>();
    for (const [host, m] of Object.entries(states)) byPool.set(m.pool!, [...(byPool.get(m.pool!) ?? []), host]);
    expect(byPool.size).toBe(FITS);
    for (const hosts of byPool.values()) expect(hosts.map((h) => (h.includes('-cp-') ? 'cp' : 'gpu')).sort()).toEqual(['cp', 'gpu']);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: FITS * 8, tenantUsed: FITS * 8, heldByPools: FITS * 8, heldByDeployments: 0, tenantHeld: FITS * 8, overAllocated: 0 });
  }, 120_000);
});
