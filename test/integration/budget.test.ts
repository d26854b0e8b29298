/**
 * Monthly GPU-hour budgets: set by tenant admins through updateProject; admission refuses a request
 * whose projected use (used this month + every held reservation and the request to the end of the
 * month) would pass it, with BUDGET_EXCEEDED naming budget, used and projected hours; dry runs,
 * quotaWhatIf and Project.gpuBudget report it; a new dedicated pool counts all of its GPUs; and
 * under concurrency a budget that admits exactly k admits exactly k, across GPU families too.
 * The app's clock is set (not slept): every projection here is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { HOUR, ManualClock } from '../helpers/clock.js';
import { createInfraBundle, createPool, registerMachines, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, DEPLOY_APP, deployApp } from '../helpers/deploy.js';
import { gqlRequest } from '../helpers/graphql.js';
import { machineStates } from '../helpers/pools.js';
import { createProject, createTenant, createToken, uniq } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';

const H100 = 'NVIDIA-H100';
const A100 = 'NVIDIA-A100';
// ten hours before the end of the current UTC month: each 2-GPU deployment projects 20 GPU-hours
const real = new Date();
const monthEnd = Date.UTC(real.getUTCFullYear(), real.getUTCMonth() + 1, 1);
const clock = new ManualClock(monthEnd - 10 * HOUR);

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(async () => app?.close());

interface World {
  tenant: { id: string; name: string };
  project: { id: string; name: string };
  infra: string;
  pool: string;
  bundles: Record<string, string>;
}

/** A project with H100 and A100 quota, a RUNNING shared pool with one 8-GPU node of each, and a 2-GPU app bundle per family. */
async function world(): Promise<World> {
  const quota = [
    { gpuFamily: A100, limit: 64 },
    { gpuFamily: H100, limit: 64 },
  ];
  const tenant = await createTenant(app, uniq('bt'), quota);
  const project = await createProject(app, tenant.id, uniq('bp'), quota);
  await registerMachines(app, tenant.id, { controlPlanes: 3, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }, { family: A100, count: 1, gpusEach: 8 }] });
  const infra = await createInfraBundle(app, project.id);
  const r = await createPool(app, {
    projectId: project.id,
    infrastructureBundleId: infra,
    mode: 'SHARED',
    workers: [
      { name: 'h100', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } },
      { name: 'a100', nodeCount: 1, gpu: { family: A100, countPerNode: 8 } },
    ],
  });
  expect(r.createComputePool.userErrors).toEqual([]);
  await waitForPoolPhase(app, r.createComputePool.computePool.id, ['RUNNING'], 60_000);
  const bundles = { [H100]: await createAppBundle(app, project.id, { gpus: 2, gpuFamily: H100 }), [A100]: await createAppBundle(app, project.id, { gpus: 2, gpuFamily: A100 }) };
  return { tenant, project, infra, pool: r.createComputePool.computePool.id, bundles };
}

const SET_BUDGET = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id gpuBudget { monthlyGpuHours usedGpuHours projectedGpuHours remainingGpuHours periodStart periodEnd } } userErrors { field message code } } }`;
const setBudget = (w: World, hours: number | null, token = app.adminToken) => app.gql(SET_BUDGET, { input: { id: w.project.id, monthlyGpuHourBudget: hours } }, token);
const deploy = (w: World, family = H100, extra: Record<string, unknown> = {}) => deployApp(app, { projectId: w.project.id, name: uniq('b'), bundleIds: [w.bundles[family]], poolId: w.pool, ...extra });
const held = async (w: World) => Number((await sql<{ n: number | null }>(app, 'select sum(count) as n from gpu_reservation g join project p on p.id = g.project_id where p.name = ? and g.released_at is null', [w.project.name]))[0].n ?? 0);

describe('a monthly GPU-hour budget', () => {
  let w: World;
  beforeAll(async () => {
    clock.set(monthEnd - 10 * HOUR);
    w = await world();
  });

  it('is set by tenant admins (not project admins), validated, and removed with null', async () => {
    const projectAdmin = await createToken(app, [{ role: 'PROJECT_ADMIN', projectId: w.project.id }]);
    const tenantAdmin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: w.tenant.id }]);
    const denied = await setBudget(w, 1000, projectAdmin);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await setBudget(w, -5, tenantAdmin);
    expect(bad.data.updateProject.userErrors).toEqual([{ field: ['input', 'monthlyGpuHourBudget'], message: expect.stringMatching(/between 0 and/), code: 'INVALID_INPUT' }]);
    const ok = await setBudget(w, 50, tenantAdmin);
    expect(ok.data.updateProject.userErrors).toEqual([]);
    expect(ok.data.updateProject.project.gpuBudget).toEqual({
      monthlyGpuHours: 50,
      usedGpuHours: 0,
      projectedGpuHours: 0,
      remainingGpuHours: 50,
      periodStart: new Date(Date.UTC(real.getUTCFullYear(), real.getUTCMonth(), 1)).toISOString(),
      periodEnd: new Date(monthEnd).toISOString(),
    });
    // a project admin may still change the rest of the project
    const rest = await app.gql(SET_BUDGET, { input: { id: w.project.id, description: 'still mine' } }, projectAdmin);
    expect(rest.data.updateProject.userErrors).toEqual([]);
    expect(rest.data.updateProject.project.gpuBudget.monthlyGpuHours).toBe(50);
  });

  it('admits while the projection fits, then refuses with BUDGET_EXCEEDED naming budget, used and projected hours, writing nothing', async () => {
    expect((await deploy(w)).userErrors).toEqual([]); // projected 20
    expect((await deploy(w, A100)).userErrors).toEqual([]); // 40, across families
    const before = await held(w);
    const refused = await deploy(w); // 60 > 50
    expect(refused.appDeployment).toBeNull();
    expect(refused.userErrors).toEqual([
      { field: ['input', 'bundleIds'], code: 'BUDGET_EXCEEDED', message: `Project ${w.project.name} monthly GPU-hour budget exceeded: budget 50 h, used 0 h this month, projected 60 h with this request (20 h to the end of the month)` },
    ]);
    expect(await held(w)).toBe(before);
  });

  it('counts used hours as the clock moves, and the dry run, quotaWhatIf and Project.gpuBudget say the same', async () => {
    clock.advance(HOUR); // 9 h left; 2 deployments × 2 GPUs × 1 h used
    const p = (await app.q(`query($n: String!) { project(name: $n) { gpuBudget { usedGpuHours projectedGpuHours remainingGpuHours } } }`, { n: w.project.name })).project;
    expect(p.gpuBudget).toEqual({ usedGpuHours: 4, projectedGpuHours: 40, remainingGpuHours: 10 });
    const dry = await deployApp(app, { projectId: w.project.id, name: uniq('dry'), bundleIds: [w.bundles[H100]], poolId: w.pool, dryRun: true });
    const planQ = (await app.q(DEPLOY_APP.replace('plan { allowed', 'plan { budget { budgetGpuHours usedGpuHours projectedGpuHours requestedGpuHours allowed } allowed'), { input: { projectId: w.project.id, name: uniq('dry'), bundleIds: [w.bundles[H100]], poolId: w.pool, dryRun: true } })).deployApp.plan;
    expect(dry.plan.allowed).toBe(false);
    expect(dry.plan.refusals.map((r: any) => r.code)).toEqual(['BUDGET_EXCEEDED']);
    expect(planQ.budget).toEqual({ budgetGpuHours: 50, usedGpuHours: 4, projectedGpuHours: 58, requestedGpuHours: 18, allowed: false });
    const Q = `query($p: ID!, $n: Int!) { quotaWhatIf(projectId: $p, gpuFamily: "${H100}", count: $n) { allowed bindingLevel budget { projectedGpuHours requestedGpuHours allowed } } }`;
    expect((await app.q(Q, { p: w.project.id, n: 1 })).quotaWhatIf).toEqual({ allowed: true, bindingLevel: null, budget: { projectedGpuHours: 49, requestedGpuHours: 9, allowed: true } });
    expect((await app.q(Q, { p: w.project.id, n: 2 })).quotaWhatIf).toEqual({ allowed: false, bindingLevel: null, budget: { projectedGpuHours: 58, requestedGpuHours: 18, allowed: false } });
    // a 1-GPU request fits exactly: 49 <= 50... and so the real admission agrees
    const one = await createAppBundle(app, w.project.id, { gpus: 1, gpuFamily: H100 });
    expect((await deployApp(app, { projectId: w.project.id, name: uniq('one'), bundleIds: [one], poolId: w.pool })).userErrors).toEqual([]);
  });

  it('counts every GPU of a new dedicated pool, also through createComputePool', async () => {
    const machinesBefore = await machineStates(app, w.tenant.name);
    await setBudget(w, 60); // projected 49 now; a new 8-GPU pool adds 8 × 9 h = 72
    const ded = await deployApp(app, {
      projectId: w.project.id,
      name: uniq('ded'),
      bundleIds: [w.bundles[H100]],
      newDedicatedPool: { infrastructureBundleId: w.infra, nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] } },
    });
    expect(ded.userErrors).toEqual([expect.objectContaining({ code: 'BUDGET_EXCEEDED', field: ['input', 'newDedicatedPool', 'nodeRequirements'], message: expect.stringContaining('projected 121 h') })]);
    const pool = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.infra, mode: 'DEDICATED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] });
    expect(pool.createComputePool.userErrors).toEqual([expect.objectContaining({ code: 'BUDGET_EXCEEDED', field: ['input', 'nodeRequirements'] })]);
    expect(await machineStates(app, w.tenant.name)).toEqual(machinesBefore);
    // a SHARED pool holds no GPUs itself: the budget does not stop it
    const shared = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.infra, mode: 'SHARED', workers: [] });
    expect(shared.createComputePool.userErrors).toEqual([]);
    // without a budget the same deployment is admitted
    await setBudget(w, null);
    const again = await deployApp(app, {
      projectId: w.project.id,
      name: uniq('ded'),
      bundleIds: [w.bundles[H100]],
      newDedicatedPool: { infrastructureBundleId: w.infra, nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] } },
    });
    expect(again.userErrors).toEqual([]);
  });
});

describe('under concurrency', () => {
  it('a budget that admits exactly k of N concurrent deployments (two GPU families) admits exactly k', async () => {
    clock.set(monthEnd - 10 * HOUR);
    const w = await world();
    const K = 3;
    const N = 10;
    expect((await setBudget(w, K * 20)).data.updateProject.userErrors).toEqual([]);
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        gqlRequest(app.url, DEPLOY_APP, { input: { projectId: w.project.id, name: `c${i}-${uniq('x').slice(2)}`, bundleIds: [w.bundles[i % 2 ? A100 : H100]], poolId: w.pool } }, app.adminToken),
      ),
    );
    for (const a of answers) expect(a.errors).toBeUndefined();
    const admitted = answers.filter((a) => a.data.deployApp.appDeployment);
    const refused = answers.filter((a) => !a.data.deployApp.appDeployment);
    expect(admitted).toHaveLength(K);
    expect(refused.map((a) => a.data.deployApp.userErrors[0].code)).toEqual(Array(N - K).fill('BUDGET_EXCEEDED'));
    expect(await held(w)).toBe(K * 2);
    const b = (await app.q(`query($n: String!) { project(name: $n) { gpuBudget { projectedGpuHours remainingGpuHours } } }`, { n: w.project.name })).project.gpuBudget;
    expect(b).toEqual({ projectedGpuHours: K * 20, remainingGpuHours: 0 });
    // the same through a list of projects (batched: a page costs two statements, whatever its size)
    const other = await createProject(app, w.tenant.id, uniq('nob'));
    const list = (await app.q(`query($t: String!) { tenant(name: $t) { projects(first: 10) { nodes { id gpuBudget { projectedGpuHours remainingGpuHours } } } } }`, { t: w.tenant.name })).tenant.projects.nodes;
    expect(new Map(list.map((n: any) => [n.id, n.gpuBudget]))).toEqual(new Map([[w.project.id, b], [other.id, null]]));
  });
});

describe('concurrently with the other mutations of the project', () => {
  it('deploys, budget changes and quota changes never deadlock, and every deploy is judged by a budget that was set', async () => {
    clock.set(monthEnd - 10 * HOUR);
    const w = await world();
    expect((await setBudget(w, 60)).data.updateProject.userErrors).toEqual([]);
    const UPDATE = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } userErrors { code } } }`;
    const calls = Array.from({ length: 24 }, (_, i) => {
      if (i % 4 === 1) return gqlRequest(app.url, UPDATE, { input: { id: w.project.id, monthlyGpuHourBudget: i % 8 === 1 ? 100 : 60 } }, app.adminToken);
      if (i % 4 === 3)
        return gqlRequest(app.url, UPDATE, { input: { id: w.project.id, gpuQuota: [{ gpuFamily: A100, limit: 64 }, { gpuFamily: H100, limit: i % 8 === 3 ? 64 : 32 }] } }, app.adminToken);
      return gqlRequest(app.url, DEPLOY_APP, { input: { projectId: w.project.id, name: `m${i}-${uniq('x').slice(2)}`, bundleIds: [w.bundles[i % 8 === 0 ? A100 : H100]], poolId: w.pool } }, app.adminToken);
    });
    const answers = await Promise.all(calls);
    // no top-level error (a deadlock or lock timeout would be one): only results and user errors
    for (const a of answers) expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
    const codes = answers.flatMap((a) => (Object.values(a.data)[0] as { userErrors: { code: string }[] }).userErrors.map((u) => u.code));
    expect(codes.every((c) => c === 'BUDGET_EXCEEDED' || c === 'CONFLICT'), codes.join(',')).toBe(true);
    // whatever the order, the held GPUs never project past the larger budget, and each admitted deploy holds 2
    const admitted = answers.filter((a) => a.data.deployApp?.appDeployment).length;
    expect(await held(w)).toBe(admitted * 2);
    expect(admitted * 20).toBeLessThanOrEqual(100);
    expect(admitted).toBeGreaterThanOrEqual(3);
  });
});
