/**
 * The whole chain once, on the suite's database and (SQLite project) once more on a SQLite FILE, the
 * database `npm start` uses: the rest of the suite runs SQLite in memory, where reads have no second,
 * read-only connection (src/db/sqlite.reader.ts) and prepared statements are kept on the pool's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { createInfraBundle, createPool, registerMachines, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, deployApp, waitForDeploymentPhase } from '../helpers/deploy.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';

describe('on the suite database', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });
  it('should deploy onto a shared pool and onto a new dedicated pool, then delete both', () => deployAndDelete(app));
});

(testDialect() === 'sqlite' ? describe : describe.skip)('on a SQLite file (what npm start uses)', () => {
  let app: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sg-smoke-'));
    app = await startTestApp({ configure: (c) => ({ ...c, db: { kind: 'sqlite', file: path.join(dir, 'spokegraph.db') } }) });
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  it('should deploy onto a shared pool and onto a new dedicated pool, then delete both', () => deployAndDelete(app));
});

async function deployAndDelete(app: TestApp): Promise<void> {
  const t = await createTenant(app, uniq('t'), [{ gpuFamily: 'NVIDIA-H100', limit: 32 }]);
  const p = await createProject(app, t.id, uniq('p'), [{ gpuFamily: 'NVIDIA-H100', limit: 32 }]);
  await registerMachines(app, t.id, { controlPlanes: 2, gpuHosts: [{ family: 'NVIDIA-H100', count: 2, gpusEach: 8 }] });
  const infra = await createInfraBundle(app, p.id);
  const appBundle = await createAppBundle(app, p.id, { gpus: 2 });
  const pool = await createPool(app, { projectId: p.id, infrastructureBundleId: infra, mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] });
  expect(pool.createComputePool.userErrors).toEqual([]);
  const poolId = pool.createComputePool.computePool.id;
  await waitForPoolPhase(app, poolId, ['RUNNING']);

  const dry = await deployApp(app, { projectId: p.id, name: 'dry-run-app', bundleIds: [appBundle], poolId, dryRun: true, variables: [{ name: 'model', value: 'mistral-7b' }] });
  expect(dry.userErrors).toEqual([]);
  expect(dry.appDeployment).toBeNull();
  expect(dry.plan.allowed).toBe(true);
  expect(dry.plan.hubObjects.map((o: any) => o.kind)).toEqual(['Placement', 'ManifestWork']);

  const shared = await deployApp(app, { projectId: p.id, name: uniq('inf'), bundleIds: [appBundle], poolId, variables: [{ name: 'model', value: 'mistral-7b' }] });
  expect(shared.userErrors).toEqual([]);
  const running = await waitForDeploymentPhase(app, shared.appDeployment.id, ['RUNNING', 'FAILED']);
  expect(running.phase).toBe('RUNNING');
  expect(running.accessUrls[0].url).toMatch(/^http:\/\/[\d.]+:8080\/api$/);

  const dedicated = await deployApp(app, {
    projectId: p.id,
    name: uniq('ded'),
    bundleIds: [appBundle],
    newDedicatedPool: { infrastructureBundleId: infra, nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] } },
  });
  expect(dedicated.userErrors).toEqual([]);
  const dRunning = await waitForDeploymentPhase(app, dedicated.appDeployment.id, ['RUNNING', 'FAILED']);
  expect(dRunning.phase).toBe('RUNNING');

  for (const id of [shared.appDeployment.id, dedicated.appDeployment.id]) {
    const del = await app.q(`mutation($id: ID!) { deleteAppDeployment(input: { id: $id }) { appDeployment { phase } userErrors { message } } }`, { id });
    expect(del.deleteAppDeployment.userErrors).toEqual([]);
  }
  await waitForDeploymentPhase(app, shared.appDeployment.id, ['DELETED']);
  await waitForDeploymentPhase(app, dedicated.appDeployment.id, ['DELETED']);
  const q = await app.q(`{ project(name: "${p.name}") { gpuQuota { gpuFamily used } } }`);
  expect(q.project.gpuQuota).toEqual([{ gpuFamily: 'NVIDIA-H100', used: 0 }]);
}
