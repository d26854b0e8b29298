/**
 * The races of admission's one-statement claim (src/deployments/deployment.claim.ts, PostgreSQL; on
 * SQLite the same storms go through the statement-at-a-time path): concurrent admissions spread over
 * the clusters that fit and race for their last GPUs, and two projects race for the limit of the
 * tenant they share. Whatever wins, nothing passes a capacity or a limit, every admitted deployment
 * names the cluster whose GPUs it holds, and the project's event sequence has no hole.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createInfraBundle } from '../helpers/compute.js';
import { createAppBundle } from '../helpers/deploy.js';
import { isGapless } from '../helpers/events.js';
import { deployStorm, deployWorld, ledger, sharedPool, sqlOf } from '../helpers/deployments.js';
import { createProject, uniq } from '../helpers/seed.js';

const H100 = 'NVIDIA-H100';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});


const deployInputs = (n: number, projectId: string, bundleId: string, poolId: string, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ projectId, name: `${tag}${i}-${uniq('x').slice(2)}`, bundleIds: [bundleId], poolId }));

async function projectSeqs(projectName: string): Promise<number[]> {
  const rows = await sqlOf(app)<{ project_seq: number }>(
    'select project_seq from deployment_event where project_id = (select id from project where name = ?) order by project_seq',
    [projectName],
  );
  return rows.map((r) => Number(r.project_seq));
}

/** Per cluster of the pool: GPUs allocated, capacity, and the GPUs of the deployments that name it. */
async function clusterBooks(poolName: string, projectName: string): Promise<{ name: string; allocated: number; capacity: number; heldByNamed: number }[]> {
  const sql = sqlOf(app);
  const [{ id: poolId }] = await sql<{ id: string }>('select id from compute_pool where name = ? and project_id = (select id from project where name = ?)', [poolName, projectName]);
  const clusters = await sql<{ name: string; allocated: number; capacity: number }>(
    'select c.name, g.allocated, g.capacity from pool_cluster c join cluster_gpu g on g.cluster_id = c.id where c.pool_id = ? and g.gpu_family = ? order by c.name',
    [poolId, H100],
  );
  const deployments = await sql<{ cluster: string; gpu_requests: unknown }>('select cluster, gpu_requests from app_deployment where pool_id = ? and holds_allocation', [poolId]);
  const gpus = (v: unknown) => ((typeof v === 'string' ? JSON.parse(v) : v) as { gpuFamily: string; count: number }[]).filter((r) => r.gpuFamily === H100).reduce((n, r) => n + r.count, 0);
  return clusters.map((c) => ({
    name: c.name,
    allocated: Number(c.allocated),
    capacity: Number(c.capacity),
    heldByNamed: deployments.filter((d) => d.cluster === c.name).reduce((n, d) => n + gpus(d.gpu_requests), 0),
  }));
}

describe('admission races for the last GPUs and for a shared tenant limit', () => {
  it('should admit exactly what two clusters hold when concurrent admissions race for their last GPUs, each deployment naming the cluster it holds GPUs on', async () => {
    const GPUS = 2;
    const CALLS = 20;
    // two clusters of one 8-GPU worker: 16 GPUs, 8 deployments; the quota (64) does not bind
    const w = await deployWorld(app, { quota: 64, tenantQuota: 64, gpus: GPUS, machines: { controlPlanes: 2, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] } });
    const pool = await sharedPool(app, w, { clusters: 2, gpuNodes: 1 });
    const seqsBefore = await projectSeqs(w.project.name);

    const answers = await deployStorm(app, deployInputs(CALLS, w.project.id, w.appBundle, pool.id, 'r'));
    for (const a of answers) expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
    const admitted = answers.filter((a) => a.data.deployApp.appDeployment);
    const refused = answers.filter((a) => !a.data.deployApp.appDeployment);
    expect(admitted.length).toBe(16 / GPUS);
    for (const a of refused) expect(a.data.deployApp.userErrors.map((e: any) => [e.code, e.field])).toEqual([['INSUFFICIENT_CAPACITY', ['input', 'poolId']]]);

    // both clusters full, never over; each cluster's GPUs are exactly those of the deployments naming it
    const books = await clusterBooks(pool.name, w.project.name);
    expect(books.map((b) => [b.allocated, b.capacity, b.heldByNamed])).toEqual([
      [8, 8, 8],
      [8, 8, 8],
    ]);
    // the answer names the cluster the row names
    const named = await sqlOf(app)<{ name: string; cluster: string }>('select name, cluster from app_deployment where project_id = (select id from project where name = ?)', [w.project.name]);
    const byName = new Map(named.map((r) => [r.name, r.cluster]));
    for (const a of admitted) expect(a.data.deployApp.appDeployment.cluster).toBe(byName.get(a.data.deployApp.appDeployment.name));
    // refusals roll back their quota raise: used = held = allocated
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 16, tenantUsed: 16, heldByDeployments: 16, allocated: 16, allocationHeld: 16, overAllocated: 0 });
    const seqs = await projectSeqs(w.project.name);
    expect(isGapless(seqs)).toBe(true);
    expect(seqs.length).toBeGreaterThanOrEqual(seqsBefore.length + admitted.length);
  }, 180_000);

  it('should never pass the limit of a tenant whose two projects admit concurrently', async () => {
    const GPUS = 2;
    const TENANT_LIMIT = 20; // 10 deployments over both projects; each project alone could take all 20
    const PER_PROJECT = 14;
    const a = await deployWorld(app, { quota: TENANT_LIMIT, tenantQuota: TENANT_LIMIT, gpus: GPUS, machines: { controlPlanes: 2, gpuHosts: [{ family: H100, count: 6, gpusEach: 8 }] } });
    const poolA = await sharedPool(app, a, { clusters: 1, gpuNodes: 3 });
    const projectB = await createProject(app, a.tenant.id, uniq('p'), [{ gpuFamily: H100, limit: TENANT_LIMIT }]);
    const bundleB = await createInfraBundle(app, projectB.id);
    const appB = await createAppBundle(app, projectB.id, { gpus: GPUS });
    const poolB = await sharedPool(app, { ...a, project: projectB, bundle: bundleB }, { clusters: 1, gpuNodes: 3 });

    const answers = await deployStorm(app, [...deployInputs(PER_PROJECT, a.project.id, a.appBundle, poolA.id, 'a'), ...deployInputs(PER_PROJECT, projectB.id, appB, poolB.id, 'b')]);
    for (const x of answers) expect(x.errors, JSON.stringify(x.errors)).toBeUndefined();
    const admitted = answers.filter((x) => x.data.deployApp.appDeployment);
    expect(admitted.length).toBe(TENANT_LIMIT / GPUS);
    for (const x of answers.filter((y) => !y.data.deployApp.appDeployment)) {
      expect(x.data.deployApp.userErrors.map((e: any) => [e.code, e.field])).toEqual([['QUOTA_EXCEEDED', ['input', 'bundleIds']]]);
    }
    const la = await ledger(sqlOf(app), a.project.name);
    const lb = await ledger(sqlOf(app), projectB.name);
    expect(la.tenantUsed).toBe(TENANT_LIMIT);
    expect(la.tenantHeld).toBe(TENANT_LIMIT);
    expect(la.projectUsed + lb.projectUsed).toBe(TENANT_LIMIT);
    for (const l of [la, lb]) {
      expect(l.projectUsed).toBe(l.heldByDeployments);
      expect(l.allocated).toBe(l.projectUsed);
      expect(l.allocationHeld).toBe(l.projectUsed);
      expect(l.overAllocated).toBe(0);
    }
    for (const name of [a.project.name, projectB.name]) expect(isGapless(await projectSeqs(name))).toBe(true);
  }, 180_000);
});
