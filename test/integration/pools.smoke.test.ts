import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createInfraBundle, createPool, registerMachines, waitForPoolPhase } from '../helpers/compute.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

it('should provision a dedicated pool to RUNNING and delete it', async () => {
  const t = await createTenant(app, uniq('t'), [{ gpuFamily: 'NVIDIA-H100', limit: 16 }]);
  const p = await createProject(app, t.id, uniq('p'), [{ gpuFamily: 'NVIDIA-H100', limit: 16 }]);
  await registerMachines(app, t.id, { controlPlanes: 1, gpuHosts: [{ family: 'NVIDIA-H100', count: 1, gpusEach: 8 }] });
  const bundle = await createInfraBundle(app, p.id);
  const d = await createPool(app, { projectId: p.id, infrastructureBundleId: bundle, workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] });
  expect(d.createComputePool.userErrors).toEqual([]);
  const id = d.createComputePool.computePool.id;
  const running = await waitForPoolPhase(app, id, ['RUNNING', 'FAILED']);
  expect(running.phase).toBe('RUNNING');
  const q = await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { events(first: 100) { totalCount nodes { seq type phase message } } } } project(name: "${p.name}") { gpuQuota { gpuFamily used } } }`, { id });
  const seqs = q.node.events.nodes.map((e: any) => e.seq);
  expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
  expect(q.project.gpuQuota).toEqual([{ gpuFamily: 'NVIDIA-H100', used: 8 }]);
  const del = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { phase } userErrors { message } } }`, { id });
  expect(del.deleteComputePool.computePool.phase).toBe('DELETING');
  await waitForPoolPhase(app, id, ['DELETED']);
  const after = await app.q(`{ project(name: "${p.name}") { gpuQuota { gpuFamily used } } }`);
  expect(after.project.gpuQuota).toEqual([{ gpuFamily: 'NVIDIA-H100', used: 0 }]);
  // the project can go once nothing lives in it; its pool history goes with it
  const dp = await app.q(`mutation($id: ID!) { deleteProject(input: { id: $id }) { deletedId userErrors { code message } } }`, { id: p.id });
  expect(dp.deleteProject).toEqual({ deletedId: p.id, userErrors: [] });
  expect((await app.q(`query($id: ID!) { node(id: $id) { id } }`, { id })).node).toBeNull();
});

it('should refuse to delete a project while it has a live pool', async () => {
  const t = await createTenant(app, uniq('t'), [{ gpuFamily: 'NVIDIA-H100', limit: 16 }]);
  const p = await createProject(app, t.id, uniq('p'), [{ gpuFamily: 'NVIDIA-H100', limit: 16 }]);
  await registerMachines(app, t.id, { controlPlanes: 1 });
  const bundle = await createInfraBundle(app, p.id);
  const d = await createPool(app, { projectId: p.id, infrastructureBundleId: bundle, controlPlane: { nodeCount: 1, workerNodeEligible: true } });
  expect(d.createComputePool.userErrors).toEqual([]);
  const dp = await app.q(`mutation($id: ID!) { deleteProject(input: { id: $id }) { deletedId userErrors { code message } } }`, { id: p.id });
  expect(dp.deleteProject.deletedId).toBeNull();
  expect(dp.deleteProject.userErrors[0].code).toBe('IN_USE');
});
