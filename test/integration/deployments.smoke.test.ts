import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createInfraBundle, createPool, registerMachines, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, deployApp, waitForDeploymentPhase } from '../helpers/deploy.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

it('should deploy onto a shared pool and onto a new dedicated pool, then delete both', async () => {
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
});
