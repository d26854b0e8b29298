/**
 * Access control (design §5), table-driven: every operation × every role × own / sibling / other
 * scope. Expected cell values:
 *   ok         the operation succeeds (and its effect is checked)
 *   FORBIDDEN  top-level error, extensions.code FORBIDDEN, data null
 *   NOT_FOUND  the object is invisible: null from a query, a NOT_FOUND user error from a mutation,
 *              answered exactly like an object that does not exist
 * Refused mutations must leave the database byte-for-byte unchanged.
 *
 * Roles: PLATFORM_ADMIN; TENANT_ADMIN of tenant A; PROJECT_ADMIN / EDITOR / VIEWER of project A1;
 * NO_ROLE = a token whose only role is in a third tenant C.
 * Scopes: own = tenant A / project A1 / a machine of A; sibling = project A2 (same tenant, no project
 * role there); other = tenant B / project B1 / a machine of B.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { appBundleInput, createBundle } from '../helpers/catalog.js';
import type { GqlResponse } from '../helpers/graphql.js';
import { createProject, createTenant, createToken, createTokenWithId, registerMachines, uniq } from '../helpers/seed.js';
import { snapshotDb, sql } from '../helpers/snapshot.js';

const ROLES = ['PLATFORM_ADMIN', 'TENANT_ADMIN', 'PROJECT_ADMIN', 'PROJECT_EDITOR', 'PROJECT_VIEWER', 'NO_ROLE'] as const;
type RoleName = (typeof ROLES)[number];
type Scope = 'own' | 'sibling' | 'other';
type Outcome = string; // 'ok' | 'FORBIDDEN' | 'NOT_FOUND' | anything else describes a surprise

const ABBR: Record<string, Outcome> = { ok: 'ok', F: 'FORBIDDEN', NF: 'NOT_FOUND' };
/** 'ok ok F F F NF' → one expectation per role, in ROLES order. */
function row(s: string): Outcome[] {
  const parts = s.trim().split(/\s+/).map((p) => ABBR[p]);
  if (parts.length !== ROLES.length || parts.some((p) => !p)) throw new Error(`bad matrix row: ${s}`);
  return parts;
}

interface World {
  A: { id: string; name: string };
  B: { id: string; name: string };
  C: { id: string; name: string };
  A1: { id: string; name: string };
  A2: { id: string; name: string };
  B1: { id: string; name: string };
  C1: { id: string; name: string };
  machineA: { id: string; hostId: string };
  machineB: { id: string; hostId: string };
  /** a profile bundle (v1) in A1 / A2 / B1 */
  bundleA1: { id: string };
  bundleA2: { id: string };
  bundleB1: { id: string };
  /** a token minted by the platform admin holding PROJECT_VIEWER on A1 / B1 */
  tokenA: string;
  tokenB: string;
  tokens: Record<RoleName, string>;
}

let app: TestApp;
let w: World;

const H100 = 'NVIDIA-H100';

beforeAll(async () => {
  app = await startTestApp();
  const A = await createTenant(app, uniq('ta'), [{ gpuFamily: H100, limit: 16 }]);
  const B = await createTenant(app, uniq('tb'), [{ gpuFamily: H100, limit: 16 }]);
  const C = await createTenant(app, uniq('tc'));
  const A1 = await createProject(app, A.id, uniq('pa1'), [{ gpuFamily: H100, limit: 8 }]);
  const A2 = await createProject(app, A.id, uniq('pa2'), [{ gpuFamily: H100, limit: 4 }]);
  const B1 = await createProject(app, B.id, uniq('pb1'), [{ gpuFamily: H100, limit: 8 }]);
  const C1 = await createProject(app, C.id, uniq('pc1'));
  const [machineA] = await registerMachines(app, A.id, [{ hostId: uniq('host-a'), gpu: { family: H100, count: 8 } }]);
  const [machineB] = await registerMachines(app, B.id, [{ hostId: uniq('host-b'), gpu: { family: H100, count: 8 } }]);
  const tokens: Record<RoleName, string> = {
    PLATFORM_ADMIN: app.adminToken,
    TENANT_ADMIN: await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: A.id }]),
    PROJECT_ADMIN: await createToken(app, [{ role: 'PROJECT_ADMIN', projectId: A1.id }]),
    PROJECT_EDITOR: await createToken(app, [{ role: 'PROJECT_EDITOR', projectId: A1.id }]),
    PROJECT_VIEWER: await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: A1.id }]),
    NO_ROLE: await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: C1.id }]),
  };
  const tokenA = (await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: A1.id }])).id;
  const tokenB = (await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: B1.id }])).id;
  const bundleA1 = await createBundle(app, appBundleInput(A1.id));
  const bundleA2 = await createBundle(app, appBundleInput(A2.id));
  const bundleB1 = await createBundle(app, appBundleInput(B1.id));
  w = { A, B, C, A1, A2, B1, C1, machineA, machineB, bundleA1, bundleA2, bundleB1, tokenA, tokenB, tokens };
});
afterAll(async () => {
  await app?.close();
});

const tenantOf = (s: Scope) => (s === 'other' ? w.B : w.A);
const projectOf = (s: Scope) => (s === 'own' ? w.A1 : s === 'sibling' ? w.A2 : w.B1);
const machineOf = (s: Scope) => (s === 'other' ? w.machineB : w.machineA);
const bundleOf = (s: Scope) => (s === 'own' ? w.bundleA1 : s === 'sibling' ? w.bundleA2 : w.bundleB1);

/** Outcome of a mutation answer: top-level FORBIDDEN, a NOT_FOUND user error, ok, or a description of anything else. */
function mutationOutcome(r: GqlResponse, field: string): Outcome {
  if (r.errors?.length) {
    const code = r.errors[0].extensions?.code;
    if (code === 'FORBIDDEN' && r.data === null && r.status === 200) return 'FORBIDDEN';
    return `top-level ${code}: ${r.errors[0].message}`;
  }
  const payload = r.data?.[field];
  if (!payload) return 'no payload';
  if (payload.userErrors.length) {
    const u = payload.userErrors[0];
    return u.code === 'NOT_FOUND' ? 'NOT_FOUND' : `userError ${u.code}: ${u.message}`;
  }
  return 'ok';
}

/** Outcome of a read: the object (ok), null (NOT_FOUND), or a description of an error. */
function readOutcome(r: GqlResponse, pick: (data: any) => unknown, expectId?: string): Outcome {
  if (r.errors?.length) {
    const code = r.errors[0].extensions?.code;
    return code === 'NOT_FOUND' ? 'NOT_FOUND' : `top-level ${code}: ${r.errors[0].message}`;
  }
  const v = pick(r.data) as { id?: string } | null | undefined;
  if (v == null) return 'NOT_FOUND';
  if (expectId && v.id !== expectId) return `wrong object ${v.id}`;
  return 'ok';
}

interface Cell {
  role: RoleName;
  token: string;
  scope: Scope;
}

interface Op {
  name: string;
  scopes: Partial<Record<Scope, string>>;
  /** runs the operation; returns its outcome (and asserts its effect when ok) */
  run(c: Cell): Promise<Outcome>;
  /** reads only: no database comparison */
  read?: boolean;
}

const reads: Op[] = [
  {
    name: 'tenant(name:)',
    read: true,
    scopes: { own: 'ok ok ok ok ok NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const t = tenantOf(scope);
      return readOutcome(await app.gql(`query($n: String!) { tenant(name: $n) { id name } }`, { n: t.name }, token), (d) => d.tenant, t.id);
    },
  },
  {
    name: 'tenants (listed)',
    read: true,
    scopes: { own: 'ok ok ok ok ok NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const t = tenantOf(scope);
      const r = await app.gql(`{ tenants(first: 100) { totalCount edges { node { id } } } }`, {}, token);
      if (r.errors) return readOutcome(r, () => null);
      const ids: string[] = r.data.tenants.edges.map((e: any) => e.node.id);
      expect(r.data.tenants.totalCount).toBe(ids.length);
      return ids.includes(t.id) ? 'ok' : 'NOT_FOUND';
    },
  },
  {
    name: 'project(name:)',
    read: true,
    scopes: { own: 'ok ok ok ok ok NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const p = projectOf(scope);
      return readOutcome(await app.gql(`query($n: String!) { project(name: $n) { id tenant { name } } }`, { n: p.name }, token), (d) => d.project, p.id);
    },
  },
  {
    name: 'Tenant.projects (listed)',
    read: true,
    scopes: { own: 'ok ok ok ok ok NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const p = projectOf(scope);
      const t = tenantOf(scope);
      const r = await app.gql(`query($id: ID!) { node(id: $id) { ... on Tenant { projects(first: 100) { totalCount nodes { id } } } } }`, { id: t.id }, token);
      if (r.errors) return readOutcome(r, () => null);
      if (!r.data.node) return 'NOT_FOUND';
      const ids: string[] = r.data.node.projects.nodes.map((n: any) => n.id);
      expect(r.data.node.projects.totalCount).toBe(ids.length);
      return ids.includes(p.id) ? 'ok' : 'NOT_FOUND';
    },
  },
  ...(['Tenant', 'Project', 'Machine', 'ProfileBundle'] as const).flatMap((kind): Op[] => {
    const target = (s: Scope) => (kind === 'Tenant' ? tenantOf(s) : kind === 'Project' ? projectOf(s) : kind === 'Machine' ? machineOf(s) : bundleOf(s));
    const scopes: Partial<Record<Scope, string>> =
      kind === 'Project' || kind === 'ProfileBundle'
        ? { own: 'ok ok ok ok ok NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' }
        : { own: 'ok ok ok ok ok NF', other: 'ok NF NF NF NF NF' };
    return [
      {
        name: `node(id:) on ${kind}`,
        read: true,
        scopes,
        run: async ({ token, scope }) => {
          const id = target(scope).id;
          return readOutcome(await app.gql(`query($id: ID!) { node(id: $id) { id __typename } }`, { id }, token), (d) => d.node, id);
        },
      },
      {
        name: `nodes(ids:) on ${kind}`,
        read: true,
        scopes,
        run: async ({ token, scope }) => {
          const id = target(scope).id;
          // the visible own tenant rides along, so a wrong answer cannot hide behind an all-null list
          const r = await app.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [id, w.C1.id] }, token);
          if (r.errors) return readOutcome(r, () => null);
          expect(r.data.nodes).toHaveLength(2);
          return readOutcome(r, (d) => d.nodes[0], id);
        },
      },
    ];
  }),
  {
    name: 'node(id:) on ApiToken (minted by the platform admin)',
    read: true,
    scopes: { own: 'ok NF NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const id = scope === 'own' ? w.tokenA : w.tokenB;
      return readOutcome(await app.gql(`query($id: ID!) { node(id: $id) { id } }`, { id }, token), (d) => d.node, id);
    },
  },
  {
    name: 'quotaWhatIf',
    read: true,
    scopes: { own: 'ok ok ok ok ok NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const p = projectOf(scope);
      const r = await app.gql(
        `query($p: ID!) { quotaWhatIf(projectId: $p, gpuFamily: "NVIDIA-H100", count: 2) { allowed bindingLevel levels { level limit used } } }`,
        { p: p.id },
        token,
      );
      const out = readOutcome(r, (d) => d?.quotaWhatIf);
      if (out === 'ok') expect(r.data.quotaWhatIf).toMatchObject({ allowed: true, bindingLevel: null });
      if (out === 'NOT_FOUND') expect(r.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      return out;
    },
  },
  {
    name: 'Tenant.machines',
    read: true,
    scopes: { own: 'ok ok ok ok ok NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const t = tenantOf(scope);
      const m = machineOf(scope);
      const r = await app.gql(`query($id: ID!) { node(id: $id) { ... on Tenant { machines(first: 100) { totalCount nodes { id hostId } } } } }`, { id: t.id }, token);
      if (r.errors) return readOutcome(r, () => null);
      if (!r.data.node) return 'NOT_FOUND';
      return r.data.node.machines.nodes.some((n: any) => n.id === m.id) ? 'ok' : 'NOT_FOUND';
    },
  },
  {
    name: 'Project.profileBundles (listed)',
    read: true,
    scopes: { own: 'ok ok ok ok ok NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const p = projectOf(scope);
      const b = bundleOf(scope);
      const r = await app.gql(`query($id: ID!) { node(id: $id) { ... on Project { profileBundles(first: 100) { totalCount nodes { id project { id } } } } } }`, { id: p.id }, token);
      if (r.errors) return readOutcome(r, () => null);
      if (!r.data.node) return 'NOT_FOUND';
      expect(r.data.node.profileBundles.nodes.every((n: any) => n.project.id === p.id)).toBe(true);
      return r.data.node.profileBundles.nodes.some((n: any) => n.id === b.id) ? 'ok' : 'NOT_FOUND';
    },
  },
];

let seq = 0;
const next = () => ++seq;

const MUT = {
  updateTenant: `mutation($input: UpdateTenantInput!) { updateTenant(input: $input) { tenant { id displayName gpuQuota { gpuFamily limit } } userErrors { field message code } } }`,
  deleteTenant: `mutation($input: DeleteTenantInput!) { deleteTenant(input: $input) { deletedId userErrors { field message code } } }`,
  createTenant: `mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id name } userErrors { field message code } } }`,
  createProject: `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id name tenant { id } } userErrors { field message code } } }`,
  updateProject: `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id displayName gpuQuota { gpuFamily limit } } userErrors { field message code } } }`,
  deleteProject: `mutation($input: DeleteProjectInput!) { deleteProject(input: $input) { deletedId userErrors { field message code } } }`,
  registerMachines: `mutation($input: RegisterMachinesInput!) { registerMachines(input: $input) { machines { id hostId tenant { id } } userErrors { field message code } } }`,
  updateMachine: `mutation($input: UpdateMachineInput!) { updateMachine(input: $input) { machine { id resourceGroups { key value } } userErrors { field message code } } }`,
  createApiToken: `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret apiToken { id } userErrors { field message code } } }`,
  createProfileBundle: `mutation($input: CreateProfileBundleInput!) { createProfileBundle(input: $input) { profileBundle { id name version project { id } } userErrors { field message code } } }`,
  createProfileBundleVersion: `mutation($input: CreateProfileBundleVersionInput!) { createProfileBundleVersion(input: $input) { profileBundle { id name version description } userErrors { field message code } } }`,
  deleteProfileBundle: `mutation($input: DeleteProfileBundleInput!) { deleteProfileBundle(input: $input) { deletedId userErrors { field message code } } }`,
  revokeApiToken: `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id revokedAt } userErrors { field message code } } }`,
};

/** A token for `role` bound to a given project/tenant (for cells that need a fresh scope). */
async function tokenFor(role: RoleName, tenantId: string, projectId: string | null): Promise<string> {
  if (role === 'PLATFORM_ADMIN') return app.adminToken;
  if (role === 'NO_ROLE') return w.tokens.NO_ROLE;
  if (role === 'TENANT_ADMIN') return createToken(app, [{ role, tenantId }]);
  if (!projectId) throw new Error('project role needs a project');
  return createToken(app, [{ role, projectId }]);
}

async function viewerOf(secret: string): Promise<{ role: string; project: { id: string } | null; tenant: { id: string } | null }[]> {
  const d = await app.q(`{ viewer { roleBindings { role tenant { id } project { id } } } }`, {}, secret);
  return d.viewer.roleBindings;
}

/** createApiToken grants, per column: what each role tries to hand out. */
type Grant = { role: string; tenantId?: string; projectId?: string };
const grantFor: Record<string, (role: RoleName) => Grant> = {
  // the lowest role on the caller's own project
  'viewer on own project': () => ({ role: 'PROJECT_VIEWER', projectId: w.A1.id }),
  // the caller's own role in its own scope
  'own role': (role) =>
    role === 'PLATFORM_ADMIN'
      ? { role }
      : role === 'TENANT_ADMIN'
        ? { role, tenantId: w.A.id }
        : role === 'NO_ROLE'
          ? { role: 'PROJECT_VIEWER', projectId: w.C1.id }
          : { role, projectId: w.A1.id },
  // one step above the caller's own role
  'above own role': (role) =>
    role === 'PLATFORM_ADMIN'
      ? { role: 'PLATFORM_ADMIN' }
      : role === 'TENANT_ADMIN'
        ? { role: 'PLATFORM_ADMIN' }
        : role === 'PROJECT_ADMIN'
          ? { role: 'TENANT_ADMIN', tenantId: w.A.id }
          : role === 'PROJECT_EDITOR'
            ? { role: 'PROJECT_ADMIN', projectId: w.A1.id }
            : role === 'PROJECT_VIEWER'
              ? { role: 'PROJECT_EDITOR', projectId: w.A1.id }
              : { role: 'PROJECT_EDITOR', projectId: w.C1.id },
  'viewer on sibling project': () => ({ role: 'PROJECT_VIEWER', projectId: w.A2.id }),
  'viewer on other tenant': () => ({ role: 'PROJECT_VIEWER', projectId: w.B1.id }),
  'admin of other tenant': () => ({ role: 'TENANT_ADMIN', tenantId: w.B.id }),
};

const mutations: Op[] = [
  {
    name: 'createTenant',
    scopes: { own: 'ok F F F F F' },
    run: async ({ token }) => {
      const name = uniq('new');
      const r = await app.gql(MUT.createTenant, { input: { name } }, token);
      const out = mutationOutcome(r, 'createTenant');
      if (out === 'ok') expect(r.data.createTenant.tenant.name).toBe(name);
      return out;
    },
  },
  {
    name: 'updateTenant (displayName)',
    scopes: { own: 'ok ok F F F NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const displayName = `Tenant ${next()}`;
      const r = await app.gql(MUT.updateTenant, { input: { id: tenantOf(scope).id, displayName } }, token);
      const out = mutationOutcome(r, 'updateTenant');
      if (out === 'ok') expect(r.data.updateTenant.tenant.displayName).toBe(displayName);
      return out;
    },
  },
  {
    name: 'updateTenant (gpuQuota)',
    scopes: { own: 'ok F F F F NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const a100 = next();
      const gpuQuota = [
        { gpuFamily: H100, limit: 16 },
        { gpuFamily: 'NVIDIA-A100', limit: a100 },
      ];
      const r = await app.gql(MUT.updateTenant, { input: { id: tenantOf(scope).id, gpuQuota } }, token);
      const out = mutationOutcome(r, 'updateTenant');
      if (out === 'ok') expect(r.data.updateTenant.tenant.gpuQuota).toEqual([{ gpuFamily: 'NVIDIA-A100', limit: a100 }, { gpuFamily: H100, limit: 16 }]);
      return out;
    },
  },
  {
    name: 'deleteTenant',
    scopes: { own: 'ok F F F F NF', other: 'ok NF NF NF NF NF' },
    run: async ({ role, token, scope }) => {
      // a fresh tenant per cell; project roles get a project in it (so it is not empty: a broken
      // check would answer IN_USE, never ok)
      const t = await createTenant(app);
      let caller = token;
      if (scope === 'own') {
        const p = role.startsWith('PROJECT_') ? await createProject(app, t.id) : null;
        caller = await tokenFor(role, t.id, p?.id ?? null);
      }
      const r = await app.gql(MUT.deleteTenant, { input: { id: t.id } }, caller);
      const out = mutationOutcome(r, 'deleteTenant');
      if (out === 'ok') expect((await app.q(`query($id: ID!) { node(id: $id) { id } }`, { id: t.id })).node).toBeNull();
      return out;
    },
  },
  {
    name: 'createProject',
    scopes: { own: 'ok ok F F F NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const t = tenantOf(scope);
      const name = uniq('np');
      const r = await app.gql(MUT.createProject, { input: { tenantId: t.id, name } }, token);
      const out = mutationOutcome(r, 'createProject');
      if (out === 'ok') expect(r.data.createProject.project).toMatchObject({ name, tenant: { id: t.id } });
      return out;
    },
  },
  {
    name: 'updateProject (fields)',
    scopes: { own: 'ok ok ok F F NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const displayName = `Project ${next()}`;
      const r = await app.gql(MUT.updateProject, { input: { id: projectOf(scope).id, displayName, tags: [{ key: 'team', value: 'ml' }] } }, token);
      const out = mutationOutcome(r, 'updateProject');
      if (out === 'ok') expect(r.data.updateProject.project.displayName).toBe(displayName);
      return out;
    },
  },
  {
    name: 'updateProject (gpuQuota)',
    scopes: { own: 'ok ok F F F NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const limit = 1 + (next() % 4);
      const r = await app.gql(MUT.updateProject, { input: { id: projectOf(scope).id, gpuQuota: [{ gpuFamily: H100, limit }] } }, token);
      const out = mutationOutcome(r, 'updateProject');
      if (out === 'ok') expect(r.data.updateProject.project.gpuQuota).toEqual([{ gpuFamily: H100, limit }]);
      return out;
    },
  },
  {
    name: 'deleteProject',
    scopes: { own: 'ok ok F F F NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ role, token, scope }) => {
      // a fresh project per cell: in A (own: the project roles are granted on it; sibling: they are not) or in B
      const p = await createProject(app, scope === 'other' ? w.B.id : w.A.id);
      const caller = scope === 'own' && role.startsWith('PROJECT_') ? await tokenFor(role, w.A.id, p.id) : token;
      const r = await app.gql(MUT.deleteProject, { input: { id: p.id } }, caller);
      const out = mutationOutcome(r, 'deleteProject');
      if (out === 'ok') {
        expect(r.data.deleteProject.deletedId).toBe(p.id);
        expect((await app.q(`query($n: String!) { project(name: $n) { id } }`, { n: p.name })).project).toBeNull();
      }
      return out;
    },
  },
  {
    name: 'registerMachines',
    scopes: { own: 'ok ok F F F NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const t = tenantOf(scope);
      const hostId = uniq('host');
      const r = await app.gql(MUT.registerMachines, { input: { tenantId: t.id, machines: [{ hostId, cpuCount: 4, memoryMiB: 8192, roles: ['WORKER'] }] } }, token);
      const out = mutationOutcome(r, 'registerMachines');
      if (out === 'ok') expect(r.data.registerMachines.machines).toEqual([expect.objectContaining({ hostId, tenant: { id: t.id } })]);
      return out;
    },
  },
  {
    name: 'updateMachine',
    scopes: { own: 'ok ok F F F NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const value = `v${next()}`;
      const r = await app.gql(MUT.updateMachine, { input: { id: machineOf(scope).id, resourceGroups: [{ key: 'rack', value }] } }, token);
      const out = mutationOutcome(r, 'updateMachine');
      if (out === 'ok') expect(r.data.updateMachine.machine.resourceGroups).toEqual([{ key: 'rack', value }]);
      return out;
    },
  },
  ...Object.entries({
    'viewer on own project': 'ok ok ok F F NF',
    'own role': 'ok ok ok F F F',
    'above own role': 'ok F F F F F',
    'viewer on sibling project': 'ok ok NF NF NF NF',
    'viewer on other tenant': 'ok NF NF NF NF NF',
    'admin of other tenant': 'ok NF NF NF NF NF',
  }).map(
    ([grant, expected]): Op => ({
      name: `createApiToken granting ${grant}`,
      scopes: { own: expected },
      run: async ({ role, token }) => {
        const b = grantFor[grant](role);
        const r = await app.gql(MUT.createApiToken, { input: { name: uniq('grant'), roleBindings: [b] } }, token);
        const out = mutationOutcome(r, 'createApiToken');
        if (out === 'ok') {
          // the minted token works and holds exactly the granted role
          const bindings = await viewerOf(r.data.createApiToken.secret);
          expect(bindings).toEqual([{ role: b.role, tenant: b.tenantId ? { id: b.tenantId } : b.projectId ? expect.anything() : null, project: b.projectId ? { id: b.projectId } : null }]);
        }
        return out;
      },
    }),
  ),
  {
    name: 'createProfileBundle',
    scopes: { own: 'ok ok ok ok F NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const p = projectOf(scope);
      const input = appBundleInput(p.id, uniq('bundle'));
      const r = await app.gql(MUT.createProfileBundle, { input }, token);
      const out = mutationOutcome(r, 'createProfileBundle');
      if (out === 'ok') expect(r.data.createProfileBundle.profileBundle).toMatchObject({ name: input.name, version: 1, project: { id: p.id } });
      return out;
    },
  },
  {
    name: 'createProfileBundleVersion',
    scopes: { own: 'ok ok ok ok F NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const description = `version ${next()}`;
      const r = await app.gql(MUT.createProfileBundleVersion, { input: { profileBundleId: bundleOf(scope).id, description } }, token);
      const out = mutationOutcome(r, 'createProfileBundleVersion');
      if (out === 'ok') expect(r.data.createProfileBundleVersion.profileBundle).toMatchObject({ description, version: expect.any(Number) });
      return out;
    },
  },
  {
    name: 'deleteProfileBundle',
    scopes: { own: 'ok ok ok ok F NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      // a fresh bundle per cell, made by the platform admin
      const b = await createBundle(app, appBundleInput(projectOf(scope).id, uniq('doomed')));
      const r = await app.gql(MUT.deleteProfileBundle, { input: { id: b.id } }, token);
      const out = mutationOutcome(r, 'deleteProfileBundle');
      if (out === 'ok') {
        expect(r.data.deleteProfileBundle.deletedId).toBe(b.id);
        expect((await app.q(`query($id: ID!) { node(id: $id) { id } }`, { id: b.id })).node).toBeNull();
      }
      return out;
    },
  },
  {
    name: 'revokeApiToken (a PROJECT_VIEWER token minted by the platform admin)',
    scopes: { own: 'ok ok ok F F NF', sibling: 'ok ok NF NF NF NF', other: 'ok NF NF NF NF NF' },
    run: async ({ token, scope }) => {
      const target = await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: projectOf(scope).id }]);
      const r = await app.gql(MUT.revokeApiToken, { input: { id: target.id } }, token);
      const out = mutationOutcome(r, 'revokeApiToken');
      if (out === 'ok') {
        expect(r.data.revokeApiToken.apiToken.revokedAt).toBeTruthy();
        expect((await app.gql(`{ viewer { isPlatformAdmin } }`, {}, target.secret)).status).toBe(401);
      } else {
        expect((await app.gql(`{ viewer { isPlatformAdmin } }`, {}, target.secret)).status).toBe(200);
      }
      return out;
    },
  },
];

function cells(op: Op): [string, Scope, RoleName, Outcome][] {
  return (Object.entries(op.scopes) as [Scope, string][]).flatMap(([scope, r]) => row(r).map((exp, i): [string, Scope, RoleName, Outcome] => [op.name, scope, ROLES[i], exp]));
}

describe.each(reads)('read $name', (op) => {
  it.each(cells(op))('%s: %s scope as %s → %s', async (_name, scope, role, expected) => {
    expect(await op.run({ role, scope, token: w.tokens[role] })).toBe(expected);
  });
});

describe.each(mutations)('mutation $name', (op) => {
  it.each(cells(op))('%s: %s scope as %s → %s', async (_name, scope, role, expected) => {
    if (expected === 'ok') {
      expect(await op.run({ role, scope, token: w.tokens[role] })).toBe('ok');
      return;
    }
    // refusals change nothing: compare the whole database around the call (fixtures a cell creates
    // first are made before the "before" snapshot by running the op with a snapshotting wrapper)
    let before: Awaited<ReturnType<typeof snapshotDb>> | undefined;
    const gql = app.gql.bind(app);
    app.gql = async (query, variables, token) => {
      if (query.startsWith('mutation') && token !== app.adminToken && before === undefined) before = await snapshotDb(app);
      return gql(query, variables, token);
    };
    try {
      expect(await op.run({ role, scope, token: w.tokens[role] })).toBe(expected);
    } finally {
      app.gql = gql;
    }
    expect(before, 'the refused mutation was not observed').toBeDefined();
    expect(await snapshotDb(app)).toEqual(before);
  });
});

describe('invisible answers exactly like absent', () => {
  const absent = (kind: 'Tenant' | 'Project' | 'Machine' | 'ProfileBundle') => toGlobalId(kind, randomUUID());

  it.each([
    ['updateTenant', (id: string) => ({ id, displayName: 'x' }), 'Tenant', 'id'],
    ['deleteTenant', (id: string) => ({ id }), 'Tenant', 'id'],
    ['updateProject', (id: string) => ({ id, displayName: 'x' }), 'Project', 'id'],
    ['deleteProject', (id: string) => ({ id }), 'Project', 'id'],
    ['updateMachine', (id: string) => ({ id, state: 'UNHEALTHY' }), 'Machine', 'id'],
    ['createProfileBundleVersion', (id: string) => ({ profileBundleId: id, description: 'x' }), 'ProfileBundle', 'profileBundleId'],
    ['deleteProfileBundle', (id: string) => ({ id }), 'ProfileBundle', 'id'],
    ['createProfileBundle', (id: string) => ({ ...appBundleInput(id), name: 'same-name' }), 'Project', 'projectId'],
  ] as const)('%s on another tenant’s object and on a random id give the same user error', async (mutation, input, kind, field) => {
    const token = w.tokens.TENANT_ADMIN;
    const target = kind === 'Tenant' ? w.B.id : kind === 'Project' ? w.B1.id : kind === 'Machine' ? w.machineB.id : w.bundleB1.id;
    const invisible = await app.q((MUT as Record<string, string>)[mutation], { input: input(target) }, token);
    const missing = await app.q((MUT as Record<string, string>)[mutation], { input: input(absent(kind)) }, token);
    expect(invisible[mutation].userErrors).toEqual(missing[mutation].userErrors);
    expect(invisible[mutation].userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', field] });
  });

  it('createProject / registerMachines in another tenant answer like a missing tenant', async () => {
    const token = w.tokens.TENANT_ADMIN;
    for (const [m, input] of [
      ['createProject', (tenantId: string) => ({ tenantId, name: uniq('x') })],
      ['registerMachines', (tenantId: string) => ({ tenantId, machines: [{ hostId: uniq('h'), cpuCount: 1, memoryMiB: 1024, roles: ['WORKER'] }] })],
    ] as const) {
      const invisible = await app.q((MUT as Record<string, string>)[m], { input: input(w.B.id) }, token);
      const missing = await app.q((MUT as Record<string, string>)[m], { input: input(absent('Tenant')) }, token);
      expect(invisible[m].userErrors).toEqual(missing[m].userErrors);
      expect(invisible[m].userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'tenantId'] });
    }
  });

  it('createApiToken naming an invisible project answers like a missing project', async () => {
    const token = w.tokens.PROJECT_ADMIN;
    const grant = (projectId: string) => ({ name: uniq('g'), roleBindings: [{ role: 'PROJECT_VIEWER', projectId }] });
    const sibling = await app.q(MUT.createApiToken, { input: grant(w.A2.id) }, token);
    const other = await app.q(MUT.createApiToken, { input: grant(w.B1.id) }, token);
    const missing = await app.q(MUT.createApiToken, { input: grant(absent('Project')) }, token);
    expect(missing.createApiToken.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'roleBindings', '0', 'projectId'] })]);
    expect(sibling.createApiToken.userErrors).toEqual(missing.createApiToken.userErrors);
    expect(other.createApiToken.userErrors).toEqual(missing.createApiToken.userErrors);
  });

  it('quotaWhatIf on an invisible project answers like a missing one', async () => {
    const q = `query($p: ID!) { quotaWhatIf(projectId: $p, gpuFamily: "NVIDIA-H100", count: 1) { allowed } }`;
    const invisible = await app.gql(q, { p: w.B1.id }, w.tokens.TENANT_ADMIN);
    const missing = await app.gql(q, { p: absent('Project') }, w.tokens.TENANT_ADMIN);
    expect(invisible.errors?.map((e) => [e.message, e.extensions?.code])).toEqual(missing.errors?.map((e) => [e.message, e.extensions?.code]));
    expect(invisible.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('viewer', () => {
  it.each(ROLES)('%s sees its own token and role bindings', async (role) => {
    const d = await app.q(`{ viewer { isPlatformAdmin token { id name } roleBindings { role tenant { id } project { id } } } }`, {}, w.tokens[role]);
    expect(d.viewer.isPlatformAdmin).toBe(role === 'PLATFORM_ADMIN');
    const expected =
      role === 'PLATFORM_ADMIN'
        ? { role, tenant: null, project: null }
        : role === 'TENANT_ADMIN'
          ? { role, tenant: { id: w.A.id }, project: null }
          : role === 'NO_ROLE'
            ? { role: 'PROJECT_VIEWER', tenant: { id: w.C.id }, project: { id: w.C1.id } }
            : { role, tenant: { id: w.A.id }, project: { id: w.A1.id } };
    expect(d.viewer.roleBindings).toEqual([expected]);
    // its own token is visible to it through node(id:)
    expect((await app.q(`query($id: ID!) { node(id: $id) { id } }`, { id: d.viewer.token.id }, w.tokens[role])).node).toEqual({ id: d.viewer.token.id });
  });

  it('project members list exactly their projects of the tenant; tenant admins list all', async () => {
    const list = async (token: string) =>
      (await app.q(`query($n: String!) { tenant(name: $n) { projects(first: 100) { totalCount nodes { id } } } }`, { n: w.A.name }, token)).tenant.projects;
    const viewer = await list(w.tokens.PROJECT_VIEWER);
    expect(viewer).toEqual({ totalCount: 1, nodes: [{ id: w.A1.id }] });
    const admin = await list(w.tokens.TENANT_ADMIN);
    expect(admin.nodes.map((n: any) => n.id)).toEqual(expect.arrayContaining([w.A1.id, w.A2.id]));
    expect(admin.totalCount).toBe(admin.nodes.length);
  });
});

describe('token lifecycle', () => {
  const probe = `{ viewer { isPlatformAdmin } }`;

  it('a revoked token is answered with 401 UNAUTHENTICATED', async () => {
    const t = await createTokenWithId(app, [{ role: 'TENANT_ADMIN', tenantId: w.A.id }]);
    expect((await app.gql(probe, {}, t.secret)).status).toBe(200);
    // a token may revoke itself
    const r = await app.q(MUT.revokeApiToken, { input: { id: t.id } }, t.secret);
    expect(r.revokeApiToken.userErrors).toEqual([]);
    const after = await app.gql(probe, {}, t.secret);
    expect(after.status).toBe(401);
    expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(after.data ?? null).toBeNull();
    // revoking twice is a user error, not a second revocation
    const again = await app.q(MUT.revokeApiToken, { input: { id: t.id } }, app.adminToken);
    expect(again.revokeApiToken.userErrors[0]).toMatchObject({ code: 'ILLEGAL_STATE', field: ['input', 'id'] });
  });

  it('an expired token is answered with 401 UNAUTHENTICATED', async () => {
    const d = await app.q(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret apiToken { id expiresAt } userErrors { code } } }`,
      { input: { name: uniq('exp'), roleBindings: [{ role: 'TENANT_ADMIN', tenantId: w.A.id }], expiresInDays: 1 } },
    );
    const secret: string = d.createApiToken.secret;
    expect(new Date(d.createApiToken.apiToken.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect((await app.gql(probe, {}, secret)).status).toBe(200);
    await sql(app, `update api_token set expires_at = ? where prefix = ?`, [new Date(Date.now() - 1000), secret.slice(0, 10)]);
    const after = await app.gql(probe, {}, secret);
    expect(after.status).toBe(401);
    expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a token whose project was deleted grants nothing any more', async () => {
    const p = await createProject(app, w.A.id);
    const secret = await createToken(app, [{ role: 'PROJECT_ADMIN', projectId: p.id }]);
    expect((await app.q(`query($n: String!) { project(name: $n) { id } }`, { n: p.name }, secret)).project).toEqual({ id: p.id });
    await app.q(MUT.deleteProject, { input: { id: p.id } });
    const d = await app.q(`{ viewer { roleBindings { role } } tenants { totalCount } }`, {}, secret);
    expect(d.viewer.roleBindings).toEqual([]);
    expect(d.tenants.totalCount).toBe(0);
  });

  it('nobody but the platform admin and its creator can revoke a token left without role bindings', async () => {
    const p = await createProject(app, w.A.id);
    const orphan = await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    await app.q(MUT.deleteProject, { input: { id: p.id } });
    for (const role of ['TENANT_ADMIN', 'PROJECT_ADMIN', 'PROJECT_VIEWER', 'NO_ROLE'] as const) {
      const r = await app.gql(MUT.revokeApiToken, { input: { id: orphan.id } }, w.tokens[role]);
      expect(mutationOutcome(r, 'revokeApiToken'), role).toBe('NOT_FOUND');
    }
    expect(mutationOutcome(await app.gql(MUT.revokeApiToken, { input: { id: orphan.id } }), 'revokeApiToken')).toBe('ok');
  });

  it('a non-admin cannot see or revoke the platform-admin token', async () => {
    const adminTokenId = (await app.q(`{ viewer { token { id } } }`)).viewer.token.id;
    for (const role of ['TENANT_ADMIN', 'PROJECT_ADMIN', 'NO_ROLE'] as const) {
      expect((await app.q(`query($id: ID!) { node(id: $id) { id } }`, { id: adminTokenId }, w.tokens[role])).node).toBeNull();
      const r = await app.gql(MUT.revokeApiToken, { input: { id: adminTokenId } }, w.tokens[role]);
      expect(mutationOutcome(r, 'revokeApiToken'), role).toBe('NOT_FOUND');
    }
    expect((await app.gql(probe, {}, app.adminToken)).status).toBe(200);
  });
});
