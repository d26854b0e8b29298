/**
 * No N+1: the number of SQL statements for a nested page must not depend on how many parents it
 * lists. Counted with the app's query hook, for exactly the statements of one request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MachineRole } from '../../src/compute/machine.entity.js';
import { systemCtx } from '../../src/demo.seed.js';
import { NodeKind, toGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { appBundleInput, createBundle } from '../helpers/catalog.js';
import { createToken } from '../helpers/seed.js';

let app: TestApp;
let recording: string[] | null = null;

const N_MAX = 50;
const H100 = 'NVIDIA-H100';
const A100 = 'NVIDIA-A100';

interface Seeded {
  name: string;
  projects: { id: string; name: string }[];
  machines: number;
}
const seeded: Seeded[] = [];

beforeAll(async () => {
  // no workflow runner (its polling would be counted). The page below for 50 tenants estimates ~8 000 cost units (over the default 5 000): this file is
  // about statement counts, not the cost limit (limits.test.ts), so it raises the budget
  app = await startTestApp({ onQuery: (s) => recording?.push(s), env: { MAX_QUERY_COST: '20000' }, noRunner: true });
  // seeded through the services (the same rules as the API), one context per step
  const ctx = () => systemCtx(app.orm, app.services, app.log);
  for (let i = 0; i < N_MAX + 5; i++) {
    const t = await app.services.tenants.create(ctx(), {
      name: `np1-t${String(i).padStart(3, '0')}`,
      gpuQuota: [
        { gpuFamily: H100, limit: 64 },
        { gpuFamily: A100, limit: 32 },
      ],
    });
    // 0..12 projects: pages of 10 both full (with a next page) and partial
    const projects: Seeded['projects'] = [];
    for (let j = 0; j < i % 13; j++) {
      const p = await app.services.projects.create(ctx(), { tenantId: t.id, name: `np1-t${i}-p${j}`, gpuQuota: [{ gpuFamily: H100, limit: 1 + (j % 8) }] });
      projects.push({ id: toGlobalId(NodeKind.Project, p.id), name: p.name });
    }
    // 0..2 profile bundles per project (bundles of the listed tenants only)
    if (i < N_MAX) for (const [j, p] of projects.entries()) for (let k = 0; k < j % 3; k++) await createBundle(app, appBundleInput(p.id, `bundle-${k}`));
    const machines = i % 4;
    if (machines) {
      await app.services.machines.register(
        ctx(),
        t.id,
        Array.from({ length: machines }, (_, k) => ({ hostId: `np1-h${i}-${k}`, cpuCount: 8, memoryMiB: 8192, roles: [MachineRole.WORKER], gpu: { family: H100, count: 8 } })),
      );
    }
    seeded.push({ name: t.name, projects, machines });
  }
});
afterAll(async () => {
  await app?.close();
});

const PAGE = `query Page($n: Int!) {
  tenants(first: $n) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      name
      gpuQuota { gpuFamily limit used available }
      projects(first: 10) {
        totalCount
        pageInfo { hasNextPage }
        edges { node { name gpuQuota { gpuFamily limit used } tenant { name } profileBundles(first: 1) { totalCount nodes { name version project { name } } } } }
      }
      machines(first: 5) { totalCount nodes { hostId } }
    } }
  }
}`;

/** Runs one request and returns its data and every SQL statement it issued. */
async function measure(query: string, variables: Record<string, unknown>, token = app.adminToken): Promise<{ data: any; statements: string[] }> {
  recording = [];
  try {
    const data = await app.q(query, variables, token);
    return { data, statements: recording };
  } finally {
    recording = null;
  }
}

function checkPage(data: any, n: number, visible: (s: Seeded) => { name: string }[] = (s) => s.projects): void {
  expect(data.tenants.edges).toHaveLength(n);
  for (const e of data.tenants.edges) {
    const s = seeded.find((x) => x.name === e.node.name)!;
    expect(s, e.node.name).toBeDefined();
    expect(e.node.gpuQuota).toEqual([
      { gpuFamily: A100, limit: 32, used: 0, available: 32 },
      { gpuFamily: H100, limit: 64, used: 0, available: 64 },
    ]);
    const projects = visible(s);
    expect(e.node.projects.totalCount).toBe(projects.length);
    expect(e.node.projects.pageInfo.hasNextPage).toBe(projects.length > 10);
    expect(e.node.projects.edges.map((p: any) => p.node.name)).toEqual(projects.slice(0, 10).map((p) => p.name));
    for (const p of e.node.projects.edges) {
      expect(p.node.tenant).toEqual({ name: s.name });
      const j = Number(/-p(\d+)$/.exec(p.node.name)![1]);
      expect(p.node.gpuQuota).toEqual([{ gpuFamily: H100, limit: 1 + (j % 8), used: 0 }]);
      expect(p.node.profileBundles).toEqual({ totalCount: j % 3, nodes: j % 3 ? [{ name: 'bundle-0', version: 1, project: { name: p.node.name } }] : [] });
    }
    if (e.node.machines) {
      expect(e.node.machines.totalCount).toBe(s.machines);
      expect(e.node.machines.nodes).toHaveLength(Math.min(5, s.machines));
    }
  }
}

describe('nested tenants → projects → quotas/tenant/bundles, machines', () => {
  it('issues the same number of statements for 10 and for 50 tenants (platform admin)', async () => {
    const ten = await measure(PAGE, { n: 10 });
    const fifty = await measure(PAGE, { n: N_MAX });
    checkPage(ten.data, 10);
    checkPage(fifty.data, N_MAX);
    console.info(`[nplus1] platform admin: ${ten.statements.length} statements for N=10, ${fifty.statements.length} for N=${N_MAX}`);
    expect(fifty.statements.length, fifty.statements.join('\n')).toBe(ten.statements.length);
    // auth (2) + tenants, tenant count, tenant quotas, project pages, project counts, project quotas,
    // project→tenant, bundle pages, bundle counts, bundle→project, machine pages, machine counts
    expect(ten.statements.length).toBeLessThanOrEqual(15);
  });

  it('the second page (after a cursor) costs the same', async () => {
    const first = await measure(PAGE, { n: 10 });
    const q = PAGE.replace('tenants(first: $n)', 'tenants(first: $n, after: $after)').replace('query Page($n: Int!)', 'query Page($n: Int!, $after: String)');
    const second = await measure(q, { n: 10, after: first.data.tenants.pageInfo.endCursor });
    checkPage(second.data, 10);
    const names = new Set(first.data.tenants.edges.map((e: any) => e.node.name));
    expect(second.data.tenants.edges.some((e: any) => names.has(e.node.name))).toBe(false);
    expect(second.statements.length).toBe(first.statements.length);
  });

  it('issues the same number of statements for 10 and for 50 tenants seen through project roles', async () => {
    // a token holding PROJECT_VIEWER on the first project of each of 50 tenants: the restricted path
    const withProjects = seeded.filter((s) => s.projects.length > 0).slice(0, N_MAX);
    expect(withProjects).toHaveLength(N_MAX);
    const token = await createToken(
      app,
      withProjects.map((s) => ({ role: 'PROJECT_VIEWER', projectId: s.projects[0].id })),
    );
    const visible = (s: Seeded) => s.projects.slice(0, 1);
    const ten = await measure(PAGE, { n: 10 }, token);
    const fifty = await measure(PAGE, { n: N_MAX }, token);
    checkPage(ten.data, 10, visible);
    checkPage(fifty.data, N_MAX, visible);
    console.info(`[nplus1] project viewer: ${ten.statements.length} statements for N=10, ${fifty.statements.length} for N=${N_MAX}`);
    expect(fifty.statements.length, fifty.statements.join('\n')).toBe(ten.statements.length);
  });

  it('node(id:) / nodes(ids:) over many tenants batch too', async () => {
    const ids10 = (await app.q(`{ tenants(first: 10) { nodes { id } } }`)).tenants.nodes.map((n: any) => n.id);
    const ids50 = (await app.q(`{ tenants(first: 50) { nodes { id } } }`)).tenants.nodes.map((n: any) => n.id);
    const q = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Tenant { name gpuQuota { limit } projects(first: 3) { totalCount nodes { name tenant { name } } } } } }`;
    const ten = await measure(q, { ids: ids10 });
    const fifty = await measure(q, { ids: ids50 });
    expect(fifty.data.nodes).toHaveLength(50);
    expect(fifty.statements.length, fifty.statements.join('\n')).toBe(ten.statements.length);
  });
});
