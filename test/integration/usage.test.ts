/**
 * GPU usage from real deployments: the reservations admission writes (their start from the app's
 * clock), released by the real flows, summed exactly per deployment, pool, project and tenant, by
 * range (clipped), GPU family and group; a dedicated pool counts every GPU of its machines; a deleted
 * project's hours stay in its tenant's. The clock is set, never slept on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGlobalId, toGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { HOUR, ManualClock } from '../helpers/clock.js';
import { createInfraBundle, createPool, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, deployApp } from '../helpers/deploy.js';
import { DELETE_DEPLOYMENT, deployWorld, gatewayOf, newDedicatedPool, sharedPool, waitForPhase, type DeployWorld } from '../helpers/deployments.js';
import { createProject, createTenant, createToken, uniq } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';

const clock = new ManualClock();
let app: TestApp;
let w: DeployWorld;
let shared: { id: string };
let a: { id: string; start: number };
let b: { id: string; start: number; poolId: string };

const USAGE = `query($scope: ID!, $from: DateTime!, $to: DateTime!, $family: String, $groupBy: [GpuUsageGroupBy!]) {
  gpuUsage(scope: $scope, from: $from, to: $to, gpuFamily: $family, groupBy: $groupBy) {
    scope from to asOf gpuFamily gpuSeconds gpuHours
    groups { gpuFamily projectId computePoolId appDeploymentId day gpuSeconds gpuHours }
  }
}`;
const iso = (ms: number) => new Date(ms).toISOString();
const usage = async (scope: string, from: number, to: number, extra: Record<string, unknown> = {}, token = app.adminToken) =>
  (await app.q(USAGE, { scope, from: iso(from), to: iso(to), ...extra }, token)).gpuUsage;
const ms = (v: unknown) => new Date(v as string | number).getTime();

beforeAll(async () => {
  app = await startTestApp({ clock });
  w = await deployWorld(app, { gpus: 2 });
  shared = await sharedPool(app, w);
  // each admission reads the clock: set it to the wall clock, so the flows' own (real) release times come after
  clock.set(Date.now());
  const da = await deployApp(app, { projectId: w.project.id, name: uniq('ua'), bundleIds: [w.appBundle], poolId: shared.id });
  expect(da.userErrors).toEqual([]);
  clock.set(Date.now());
  const db = await deployApp(app, { projectId: w.project.id, name: uniq('ub'), bundleIds: [w.appBundle], newDedicatedPool: newDedicatedPool(w.bundle) });
  expect(db.userErrors).toEqual([]);
  const rows = await sql<{ holder_kind: string; holder_id: string; pool_id: string; deployment_id: string; count: number; created_at: unknown }>(
    app,
    'select holder_kind, holder_id, pool_id, deployment_id, count, created_at from gpu_reservation where project_id = (select id from project where name = ?) order by created_at',
    [w.project.name],
  );
  const uuid = (gid: string) => parseGlobalId(gid)!.id;
  // a shared-pool deployment holds its 2 GPUs; the dedicated pool every GPU of its machines (8), for its deployment
  expect(rows.map((r) => [r.holder_kind, Number(r.count), r.pool_id === uuid(shared.id), r.deployment_id])).toEqual([
    ['APP_DEPLOYMENT', 2, true, uuid(da.appDeployment.id)],
    ['COMPUTE_POOL', 8, false, uuid(db.appDeployment.id)],
  ]);
  a = { id: da.appDeployment.id, start: ms(rows[0].created_at) };
  b = { id: db.appDeployment.id, start: ms(rows[1].created_at), poolId: toGlobalId('ComputePool', rows[1].holder_id) };
  await waitForPhase(gatewayOf(app), a.id, ['RUNNING']);
  await waitForPhase(gatewayOf(app), b.id, ['RUNNING']);
});
afterAll(async () => app?.close());

describe('gpuUsage', () => {
  it('counts open reservations up to now, per deployment, pool, project and tenant, exactly', async () => {
    const now = Math.max(a.start, b.start) + 2 * HOUR + 123;
    clock.set(now);
    const from = a.start - HOUR;
    const to = now + 5 * HOUR;
    const aMs = 2 * (now - a.start);
    const bMs = 8 * (now - b.start);
    const seconds = async (scope: string) => (await usage(scope, from, to)).gpuSeconds;
    expect(await seconds(a.id)).toBe(aMs / 1000);
    expect(await seconds(b.id)).toBe(bMs / 1000);
    expect(await seconds(shared.id)).toBe(aMs / 1000);
    expect(await seconds(b.poolId)).toBe(bMs / 1000);
    expect(await seconds(w.project.id)).toBe((aMs + bMs) / 1000);
    const tenantAdmin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: w.tenant.id }]);
    const t = await usage(w.tenant.id, from, to, {}, tenantAdmin);
    expect(t).toMatchObject({ scope: w.tenant.id, asOf: iso(now), gpuSeconds: (aMs + bMs) / 1000, gpuHours: (aMs + bMs) / 3_600_000, groups: [] });
  });

  it('clips intervals that straddle the range', async () => {
    clock.set(a.start + 10 * HOUR);
    const u = await usage(a.id, a.start + 10 * 60_000, a.start + 40 * 60_000);
    expect(u).toMatchObject({ gpuSeconds: 3600, gpuHours: 1 });
    expect((await usage(w.project.id, a.start - 2 * HOUR, a.start - HOUR)).gpuSeconds).toBe(0);
  });

  it('groups by deployment, pool, family and day, and filters by family', async () => {
    const now = Math.max(a.start, b.start) + 30 * HOUR;
    clock.set(now);
    const from = a.start - HOUR;
    const to = now;
    const aMs = 2 * (now - a.start);
    const bMs = 8 * (now - b.start);
    const byDeployment = await usage(w.project.id, from, to, { groupBy: ['APP_DEPLOYMENT'] });
    expect(new Map(byDeployment.groups.map((g: any) => [g.appDeploymentId, g.gpuSeconds]))).toEqual(new Map([[a.id, aMs / 1000], [b.id, bMs / 1000]]));
    const byPool = await usage(w.project.id, from, to, { groupBy: ['COMPUTE_POOL'] });
    expect(new Map(byPool.groups.map((g: any) => [g.computePoolId, g.gpuSeconds]))).toEqual(new Map([[shared.id, aMs / 1000], [b.poolId, bMs / 1000]]));
    const byFamily = await usage(w.project.id, from, to, { groupBy: ['GPU_FAMILY', 'PROJECT'] });
    expect(byFamily.groups).toEqual([{ gpuFamily: 'NVIDIA-H100', projectId: w.project.id, computePoolId: null, appDeploymentId: null, day: null, gpuSeconds: (aMs + bMs) / 1000, gpuHours: (aMs + bMs) / 3_600_000 }]);
    // 30 hours cross at least one UTC midnight: days start at midnight and add up to the total
    const byDay = await usage(w.project.id, from, to, { groupBy: ['DAY'] });
    expect(byDay.groups.length).toBeGreaterThanOrEqual(2);
    for (const g of byDay.groups) expect(g.day).toMatch(/T00:00:00.000Z$/);
    expect(byDay.groups.reduce((n: number, g: any) => n + g.gpuSeconds * 1000, 0)).toBeCloseTo(aMs + bMs, 3);
    expect((await usage(w.project.id, from, to, { family: 'NVIDIA-A100' })).gpuSeconds).toBe(0);
  });

  it('stops counting at the release, and keeps a deleted project in its tenant', async () => {
    const del = await app.q(DELETE_DEPLOYMENT, { id: a.id });
    expect(del.deleteAppDeployment.userErrors).toEqual([]);
    await waitForPhase(gatewayOf(app), a.id, ['DELETED']);
    const [row] = await sql<{ released_at: unknown }>(app, `select released_at from gpu_reservation where holder_kind = 'APP_DEPLOYMENT' and project_id = (select id from project where name = ?)`, [w.project.name]);
    const released = ms(row.released_at);
    expect(released).toBeGreaterThan(a.start);
    clock.set(released + 7 * HOUR);
    expect((await usage(a.id, a.start - HOUR, released + 10 * HOUR)).gpuSeconds).toBe((2 * (released - a.start)) / 1000);

    // a project of its own, its deployment's hours, then the project deleted: the tenant keeps them
    const other = await createProject(app, w.tenant.id, uniq('gone'), [{ gpuFamily: 'NVIDIA-H100', limit: 8 }]);
    const infra = await createInfraBundle(app, other.id);
    const bundle = await createAppBundle(app, other.id, { gpus: 1 });
    const pool = await createPool(app, { projectId: other.id, infrastructureBundleId: infra, mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] });
    await waitForPoolPhase(app, pool.createComputePool.computePool.id, ['RUNNING'], 60_000);
    clock.set(Date.now());
    const d = await deployApp(app, { projectId: other.id, name: uniq('g'), bundleIds: [bundle], poolId: pool.createComputePool.computePool.id });
    await waitForPhase(gatewayOf(app), d.appDeployment.id, ['RUNNING']);
    await app.q(DELETE_DEPLOYMENT, { id: d.appDeployment.id });
    await waitForPhase(gatewayOf(app), d.appDeployment.id, ['DELETED']);
    const tenantFrom = a.start - HOUR;
    const tenantTo = Date.now() + 100 * HOUR;
    clock.set(tenantTo);
    const before = await usage(w.tenant.id, tenantFrom, tenantTo, { groupBy: ['PROJECT'] });
    const gone = before.groups.find((g: any) => g.projectId === other.id);
    expect(gone.gpuSeconds).toBeGreaterThan(0);
    await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code } } }`, { id: pool.createComputePool.computePool.id });
    await waitForPoolPhase(app, pool.createComputePool.computePool.id, ['DELETED'], 60_000);
    const r = await app.q(`mutation($id: ID!) { deleteProject(input: { id: $id }) { deletedId userErrors { code message } } }`, { id: other.id });
    expect(r.deleteProject.userErrors).toEqual([]);
    const after = await usage(w.tenant.id, tenantFrom, tenantTo, { groupBy: ['PROJECT'] });
    expect(after).toEqual(before);
    // the project itself is gone: asking for it answers null
    expect(await usage(other.id, tenantFrom, tenantTo)).toBeNull();
  });
});

describe('who may ask, and what is refused', () => {
  it('readers of a project ask for it; only tenant admins for a tenant; another tenant sees nothing', async () => {
    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: w.project.id }]);
    clock.set(Date.now());
    expect(await usage(w.project.id, a.start, Date.now(), {}, viewer)).not.toBeNull();
    expect(await usage(b.id, a.start, Date.now(), {}, viewer)).not.toBeNull();
    const t = await app.gql(USAGE, { scope: w.tenant.id, from: iso(a.start), to: iso(Date.now()) }, viewer);
    expect(t.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const stranger = await createTenant(app);
    const strangerAdmin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: stranger.id }]);
    for (const scope of [w.project.id, w.tenant.id, a.id, b.poolId]) expect(await usage(scope, a.start, Date.now(), {}, strangerAdmin)).toBeNull();
  });

  it('refuses a bad scope, an empty or huge range, and too many days', async () => {
    const bad = async (vars: Record<string, unknown>) => (await app.gql(USAGE, { scope: w.project.id, from: iso(a.start), to: iso(a.start + HOUR), ...vars })).errors?.[0].extensions?.code;
    expect(await bad({ scope: 'nope' })).toBe('INVALID_ID');
    expect(await bad({ scope: w.bundle })).toBe('INVALID_ID');
    expect(await bad({ to: iso(a.start) })).toBe('INVALID_INPUT');
    expect(await bad({ to: iso(a.start + 4000 * 24 * HOUR) })).toBe('INVALID_INPUT');
    expect(await bad({ to: iso(a.start + 500 * 24 * HOUR), groupBy: ['DAY'] })).toBe('INVALID_INPUT');
  });
});
