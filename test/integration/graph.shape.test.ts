/**
 * What frontend clients rely on beyond single queries: backward pagination (`last`/`before`) on every
 * kind of connection, the root `projects` connection under access control, pool children as
 * connections, and refusals worded for people.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createBundle, appBundleInput, CREATE_VERSION } from '../helpers/catalog.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { gpuWorker, poolWorld, type PoolWorld } from '../helpers/pools.js';
import { createProject, createTenant, createToken, uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

interface Conn {
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: Record<string, unknown> }[];
}

/** Walks a connection from the end to the start with `last`/`before`; returns the keys in order. */
async function walkBackward(fetch: (before: string | null) => Promise<Conn>, key: (n: Record<string, unknown>) => string): Promise<string[]> {
  const out: string[] = [];
  let before: string | null = null;
  for (let i = 0; i < 50; i++) {
    const c = await fetch(before);
    out.unshift(...c.edges.map((e) => key(e.node)));
    if (!c.pageInfo.hasPreviousPage) return out;
    expect(c.pageInfo.startCursor).toBe(c.edges[0].cursor);
    before = c.pageInfo.startCursor;
  }
  throw new Error('did not reach the start');
}

async function walkForward(fetch: (after: string | null) => Promise<Conn>, key: (n: Record<string, unknown>) => string): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const c = await fetch(after);
    out.push(...c.edges.map((e) => key(e.node)));
    if (!c.pageInfo.hasNextPage) return out;
    after = c.pageInfo.endCursor;
  }
  throw new Error('did not reach the end');
}

const PAGE = 'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } }';

describe('last/before', () => {
  it('pages a nested connection (tenant.projects) backward in the same order as forward', async () => {
    const t = await createTenant(app);
    const names: string[] = [];
    for (let i = 0; i < 5; i++) names.push((await createProject(app, t.id, `${uniq('p')}-${i}`)).name);
    const Q = `query($t: String!, $first: Int, $after: String, $last: Int, $before: String) { tenant(name: $t) { projects(first: $first, after: $after, last: $last, before: $before) { ${PAGE} } } }`;
    const back = await walkBackward(async (before) => (await app.q(Q, { t: t.name, last: 2, before })).tenant.projects, (n) => n.name as string);
    const fwd = await walkForward(async (after) => (await app.q(Q, { t: t.name, first: 2, after })).tenant.projects, (n) => n.name as string);
    expect(back).toEqual(names);
    expect(fwd).toEqual(names);

    const last = (await app.q(Q, { t: t.name, last: 2 })).tenant.projects;
    expect(last.edges.map((e: any) => e.node.name)).toEqual(names.slice(3));
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(last.totalCount).toBe(5);
    // a page before a cursor knows there is something after it; one after a cursor, before it
    const mid = (await app.q(Q, { t: t.name, last: 1, before: last.edges[0].cursor })).tenant.projects;
    expect(mid.edges.map((e: any) => e.node.name)).toEqual([names[2]]);
    expect(mid.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const between = (await app.q(Q, { t: t.name, first: 5, after: (await app.q(Q, { t: t.name, first: 1 })).tenant.projects.edges[0].cursor })).tenant.projects;
    expect(between.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });

  it('pages the root tenants connection and a filtered child connection (profile bundle versions) backward', async () => {
    const t = await createTenant(app);
    const p = await createProject(app, t.id);
    const a = await createBundle(app, appBundleInput(p.id, uniq('alpha')));
    for (let i = 0; i < 3; i++) await app.q(CREATE_VERSION, { input: { profileBundleId: a.id } });
    const Q = `query($p: String!, $n: String, $last: Int, $before: String) { project(name: $p) { profileBundles(name: $n, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { version } } } } }`;
    const versions = await walkBackward(async (before) => (await app.q(Q, { p: p.name, n: a.name, last: 3, before })).project.profileBundles, (n) => String(n.version));
    expect(versions).toEqual(['1', '2', '3', '4']);

    const all = await walkForward(async (after) => (await app.q(`query($a: String) { tenants(first: 3, after: $a) { ${PAGE} } }`, { a: after })).tenants, (n) => n.name as string);
    const allBack = await walkBackward(async (before) => (await app.q(`query($b: String) { tenants(last: 3, before: $b) { ${PAGE} } }`, { b: before })).tenants, (n) => n.name as string);
    expect(allBack).toEqual(all);
    expect(all).toContain(t.name);
  });

  it('pages a progress log (event cursors) backward', async () => {
    const w: PoolWorld = await poolWorld(app);
    const pool = (await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, workers: gpuWorker() })).createComputePool.computePool;
    await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED']);
    const Q = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { node(id: $id) { ... on ComputePool {
      events(first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { seq } } } } } }`;
    const fwd = await walkForward(async (after) => (await app.q(Q, { id: pool.id, first: 7, after })).node.events, (n) => String(n.seq));
    const back = await walkBackward(async (before) => (await app.q(Q, { id: pool.id, last: 7, before })).node.events, (n) => String(n.seq));
    expect(fwd.length).toBeGreaterThan(7);
    expect(back).toEqual(fwd);
    expect(fwd.map(Number)).toEqual(fwd.map((_, i) => i + 1));
  });

  it('refuses first with last, and bad before cursors, as typed errors', async () => {
    const both = await app.gql(`{ tenants(first: 2, last: 2) { totalCount } }`);
    expect(both.errors?.[0]).toMatchObject({ message: 'Give first or last, not both', extensions: { code: 'INVALID_INPUT', field: ['last'] } });
    const bad = await app.gql(`{ tenants(last: 2, before: "nope") { totalCount } }`);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_INPUT', field: ['before'] } });
    const tooMany = await app.gql(`{ tenants(last: 101) { totalCount } }`);
    expect(tooMany.errors?.[0]).toMatchObject({ message: 'last: 101 exceeds the page limit of 100', extensions: { code: 'LIMIT_EXCEEDED' } });
  });
});

describe('pool children are connections', () => {
  it('lists the machines and deployments of a pool as connections', async () => {
    const w = await poolWorld(app);
    const pool = (await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, workers: gpuWorker(2) })).createComputePool.computePool;
    const d = await app.q(
      `query($id: ID!) { node(id: $id) { ... on ComputePool {
        machines(first: 2) { totalCount nodes { hostId state assignedPool { id } } }
        last: machines(last: 1) { nodes { hostId } }
        appDeployments(first: 5) { totalCount nodes { id } }
      } } }`,
      { id: pool.id },
    );
    expect(d.node.machines.totalCount).toBe(3);
    expect(d.node.machines.nodes).toHaveLength(2);
    expect(d.node.machines.nodes.every((m: any) => m.assignedPool.id === pool.id)).toBe(true);
    expect(d.node.last.nodes).toHaveLength(1);
    expect(d.node.machines.nodes.map((m: any) => m.hostId)).not.toContain(d.node.last.nodes[0].hostId);
    expect(d.node.appDeployments).toEqual({ totalCount: 0, nodes: [] });
  });
});

describe('root projects connection', () => {
  it('lists every visible project across tenants, and only those', async () => {
    const t1 = await createTenant(app);
    const t2 = await createTenant(app);
    const a1 = await createProject(app, t1.id);
    const a2 = await createProject(app, t1.id);
    const b1 = await createProject(app, t2.id);
    const Q = `query($a: String) { projects(first: 100, after: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { name tenant { name } } } }`;
    const names = async (token: string) => {
      const all: string[] = [];
      let after: string | null = null;
      for (;;) {
        const c: any = (await app.q(Q, { a: after }, token)).projects;
        all.push(...c.nodes.map((n: any) => n.name));
        if (!c.pageInfo.hasNextPage) return all;
        after = c.pageInfo.endCursor;
      }
    };

    const admin = await names(app.adminToken);
    expect(admin).toEqual(expect.arrayContaining([a1.name, a2.name, b1.name]));

    const tenantAdmin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: t1.id }]);
    expect(await names(tenantAdmin)).toEqual([a1.name, a2.name]);

    const member = await createToken(app, [
      { role: 'PROJECT_VIEWER', tenantId: t1.id, projectId: a2.id },
      { role: 'PROJECT_EDITOR', tenantId: t2.id, projectId: b1.id },
    ]);
    expect(await names(member)).toEqual([a2.name, b1.name]);
    expect((await app.q(`{ projects(last: 1) { totalCount nodes { name } } }`, {}, member)).projects).toEqual({ totalCount: 2, nodes: [{ name: b1.name }] });
  });
});

describe('refusals', () => {
  it('words a refused mutation for people and keeps the FORBIDDEN code', async () => {
    const w = await poolWorld(app);
    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', tenantId: w.tenant.id, projectId: w.project.id }]);
    const r = await app.gql(
      `mutation($input: CreateComputePoolInput!) { createComputePool(input: $input) { computePool { id } } }`,
      { input: { projectId: w.project.id, name: uniq('pool'), mode: 'DEDICATED', infrastructureBundleId: w.bundle, nodeRequirements: { workerPools: gpuWorker() } } },
      viewer,
    );
    expect(r.errors?.[0]).toMatchObject({
      message: `You cannot create or delete compute pools in project ${w.project.name}: that takes the project editor role or higher, and you are a project viewer there`,
      extensions: { code: 'FORBIDDEN' },
    });
  });
});
