/**
 * Profile Bundles over real HTTP: versions (immutable, gapless under concurrency), listing, deletion
 * with reference vetoes, permissions, and the demo content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../../src/demo.seed.js';
import { fromGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { appBundleInput, BUNDLE_BY_ID, BUNDLE_FIELDS, bundleCount, createBundle, CREATE_BUNDLE, CREATE_VERSION, DELETE_BUNDLE, infraBundleInput } from '../helpers/catalog.js';
import { createProject, createTenant, createToken } from '../helpers/seed.js';

let app: TestApp;
let tenant: { id: string; name: string };
let project: { id: string; name: string };

beforeAll(async () => {
  app = await startTestApp();
  tenant = await createTenant(app);
  project = await createProject(app, tenant.id);
});
afterAll(async () => {
  await app?.close();
});

const byId = async (id: string) => (await app.q(BUNDLE_BY_ID, { id })).node;

describe('profile bundle versions', () => {
  it('should create v1 with its whole content and find it by id and through its project', async () => {
    const input = appBundleInput(project.id);
    const b = await createBundle(app, input);
    expect(b).toMatchObject({ name: input.name, version: 1, versionLabel: 'v1', bundleType: 'APPLICATION', description: 'LLM inference', clusterProfile: null });
    expect(b.project).toEqual({ id: project.id, name: project.name });
    expect(b.workloadProfiles).toEqual([
      {
        name: 'inference',
        type: 'MODEL',
        description: null,
        components: [{ ...input.workloadProfiles[0].components[0] }],
      },
    ]);
    expect(b.variables).toEqual([
      { name: 'model', type: 'STRING', default: 'llama-3-8b', required: false, locked: false, description: 'model id' },
      { name: 'replicas', type: 'INT32', default: 1, required: false, locked: false, description: null },
      { name: 'utilization', type: 'FLOAT32', default: 0.9, required: false, locked: true, description: null },
      { name: 'apiKeyName', type: 'STRING', default: null, required: true, locked: false, description: null },
    ]);
    expect(await byId(b.id)).toEqual(b);
  });

  it('should store an infrastructure bundle with its cluster profile and default expose path', async () => {
    const input = infraBundleInput(project.id);
    input.workloadProfiles[0].components[0] = { ...input.workloadProfiles[0].components[0], expose: { port: 9400 } } as never;
    const b = await createBundle(app, input);
    expect(b.clusterProfile).toEqual(input.clusterProfile);
    expect(b.workloadProfiles[0].components[0]).toMatchObject({ values: {}, gpu: null, expose: { port: 9400, path: '/' } });
  });

  it("should show a version's whole content through its project's page as through the version itself", async () => {
    // pages read versions as plain rows and their JSON content only when asked (catalog/bundle.read.ts)
    const p = await createProject(app, tenant.id);
    const made = [await createBundle(app, appBundleInput(p.id)), await createBundle(app, infraBundleInput(p.id))];
    const page = await app.q(`query($p: String!) { project(name: $p) { profileBundles(first: 10) { nodes { ${BUNDLE_FIELDS} } } } }`, { p: p.name });
    expect(page.project.profileBundles.nodes).toEqual(made);
    // and a page that asks for names only still lists them
    const names = await app.q(`query($p: String!) { project(name: $p) { profileBundles(first: 10) { nodes { name } } } }`, { p: p.name });
    expect(names.project.profileBundles.nodes.map((n: { name: string }) => n.name)).toEqual(made.map((b) => b.name));
  });

  it("should show a version's description and creation time through its project's page when asked only through fragments", async () => {
    // a page selects the description and created_at columns only when a field of that name is asked below it (graphql/selection.ts)
    const p = await createProject(app, tenant.id);
    const made = [await createBundle(app, appBundleInput(p.id)), await createBundle(app, infraBundleInput(p.id))];
    const v2 = await app.q(CREATE_VERSION, { input: { profileBundleId: made[0].id, description: 'second of its name' } });
    const versions = [...made, v2.createProfileBundleVersion.profileBundle];
    const expected = versions.map((b: { name: string; version: number; description: string | null; createdAt: string }) => ({ name: b.name, version: b.version, description: b.description, createdAt: b.createdAt }));
    const page = await app.q(
      `query($p: String!) { project(name: $p) { profileBundles(first: 10) { nodes { name version ...Described ... on ProfileBundle { createdAt } } } } }
       fragment Described on ProfileBundle { description }`,
      { p: p.name },
    );
    expect(page.project.profileBundles.nodes).toEqual(expected);
    expect(expected[2].description).toBe('second of its name');
    // the same page without those fields, then with them, in one request: each page its own columns
    const both = await app.q(
      `query($p: String!) { a: project(name: $p) { profileBundles(first: 10) { nodes { name } } } b: project(name: $p) { profileBundles(first: 10) { nodes { name version description createdAt } } } }`,
      { p: p.name },
    );
    expect(both.a.profileBundles.nodes).toEqual(expected.map((e: { name: string }) => ({ name: e.name })));
    expect(both.b.profileBundles.nodes).toEqual(expected);
  });

  it('should keep where a component takes its GPU limit, "resources.limits" when not given', async () => {
    const input = appBundleInput(project.id);
    const custom = appBundleInput(project.id);
    Object.assign(custom.workloadProfiles[0].components[0], { values: { engine: [{ name: 'a' }] }, gpu: { family: 'NVIDIA-H100', count: 2, valuesPath: 'engine.0.resources.limits' } });
    const paths = [];
    for (const i of [input, custom]) {
      const b = await createBundle(app, i);
      const d = await app.q(`query($id: ID!) { node(id: $id) { ... on ProfileBundle { workloadProfiles { components { gpu { family count valuesPath } } } } } }`, { id: b.id });
      paths.push(d.node.workloadProfiles[0].components[0].gpu);
    }
    expect(paths).toEqual([
      { family: 'NVIDIA-H100', count: 2, valuesPath: 'resources.limits' },
      { family: 'NVIDIA-H100', count: 2, valuesPath: 'engine.0.resources.limits' },
    ]);
  });

  it('should make v2 from v1, copying omitted fields, and leave v1 unchanged', async () => {
    const v1 = await createBundle(app, appBundleInput(project.id));
    const d = await app.q(CREATE_VERSION, {
      input: { profileBundleId: v1.id, description: 'bigger model', variables: [{ name: 'model', type: 'STRING', default: 'llama-3-70b' }, { name: 'replicas', type: 'INT32' }, { name: 'utilization', type: 'FLOAT32' }, { name: 'apiKeyName', type: 'STRING' }] },
    });
    expect(d.createProfileBundleVersion.userErrors).toEqual([]);
    const v2 = d.createProfileBundleVersion.profileBundle;
    expect(v2).toMatchObject({ name: v1.name, version: 2, versionLabel: 'v2', bundleType: 'APPLICATION', description: 'bigger model' });
    expect(v2.id).not.toBe(v1.id);
    expect(v2.workloadProfiles).toEqual(v1.workloadProfiles);
    expect(v2.variables[0]).toMatchObject({ name: 'model', default: 'llama-3-70b' });
    expect(await byId(v1.id)).toEqual(v1);
    // a version made from an older one is still numbered after the newest
    const v3 = await app.q(CREATE_VERSION, { input: { profileBundleId: v1.id, description: null } });
    expect(v3.createProfileBundleVersion.profileBundle).toMatchObject({ version: 3, description: null, variables: v1.variables });
  });

  it('should refuse a version whose content breaks a rule and write nothing', async () => {
    const v1 = await createBundle(app, appBundleInput(project.id));
    const before = await bundleCount(app, project.name);
    const d = await app.q(CREATE_VERSION, { input: { profileBundleId: v1.id, variables: [] } });
    expect(d.createProfileBundleVersion.profileBundle).toBeNull();
    // the copied values still use every macro, so each undeclared one is reported
    expect(d.createProfileBundleVersion.userErrors.map((e: any) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/undeclared variable/)]));
    expect(await bundleCount(app, project.name)).toBe(before);
  });

  it('should number 10 concurrent versions 2..11 with no duplicate and no gap', async () => {
    const v1 = await createBundle(app, infraBundleInput(project.id));
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => app.q(CREATE_VERSION, { input: { profileBundleId: v1.id, description: `run ${i}` } })));
    for (const r of results) expect(r.createProfileBundleVersion.userErrors).toEqual([]);
    const versions = results.map((r) => r.createProfileBundleVersion.profileBundle.version).sort((a, b) => a - b);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const list = await app.q(`query($p: String!, $n: String) { project(name: $p) { profileBundles(first: 100, name: $n) { totalCount nodes { version } } } }`, { p: project.name, n: v1.name });
    expect(list.project.profileBundles.totalCount).toBe(11);
    expect(list.project.profileBundles.nodes.map((n: any) => n.version).sort((a: number, b: number) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('should refuse a second v1 of an existing name', async () => {
    const input = appBundleInput(project.id);
    await createBundle(app, input);
    const d = await app.q(CREATE_BUNDLE, { input });
    expect(d.createProfileBundle.userErrors).toEqual([expect.objectContaining({ code: 'ALREADY_EXISTS', field: ['input', 'name'] })]);
  });
});

describe('listing', () => {
  it('should page through versions in creation order with filters and counts', async () => {
    const p = await createProject(app, tenant.id);
    const a = await createBundle(app, appBundleInput(p.id, 'alpha'));
    for (let i = 0; i < 3; i++) await app.q(CREATE_VERSION, { input: { profileBundleId: a.id } });
    await createBundle(app, infraBundleInput(p.id, 'beta'));
    const Q = `query($p: String!, $first: Int, $after: String, $name: String, $type: BundleType) {
      project(name: $p) { profileBundles(first: $first, after: $after, name: $name, type: $type) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name version } } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const d: any = await app.q(Q, { p: p.name, first: 2, after });
      const c = d.project.profileBundles;
      expect(c.totalCount).toBe(5);
      seen.push(...c.edges.map((e: any) => `${e.node.name}@${e.node.version}`));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toEqual(['alpha@1', 'alpha@2', 'alpha@3', 'alpha@4', 'beta@1']);
    const byName = (await app.q(Q, { p: p.name, name: 'alpha' })).project.profileBundles;
    expect(byName.totalCount).toBe(4);
    const byType = (await app.q(Q, { p: p.name, type: 'INFRASTRUCTURE' })).project.profileBundles;
    expect(byType.edges.map((e: any) => e.node.name)).toEqual(['beta']);
    const bad = await app.gql(Q, { p: p.name, first: 101 });
    expect(bad.errors?.[0].extensions?.code).toBeDefined();
  });

  it('should load the bundles of many projects without a query per project', async () => {
    const statements: string[] = [];
    const counting = await startTestApp({ onQuery: (s) => statements.push(s) });
    try {
      const t2 = await createTenant(counting);
      for (let i = 0; i < 4; i++) {
        const p = await createProject(counting, t2.id);
        await createBundle(counting, appBundleInput(p.id));
        await createBundle(counting, infraBundleInput(p.id));
      }
      const Q = `query($t: String!) { tenant(name: $t) { projects(first: 10) { nodes { name profileBundles(first: 5) { totalCount nodes { name project { name } } } } } } }`;
      statements.length = 0;
      const d = await counting.q(Q, { t: t2.name });
      const nodes = d.tenant.projects.nodes;
      expect(nodes).toHaveLength(4);
      for (const n of nodes) expect(n.profileBundles.nodes[0].project.name).toBe(n.name);
      const bundleQueries = statements.filter((s) => /profile_bundle/.test(s));
      expect(bundleQueries.length).toBeLessThanOrEqual(2);
    } finally {
      await counting.close();
    }
  });
});

describe('deleting a version', () => {
  it('should delete one version and keep the others', async () => {
    const v1 = await createBundle(app, appBundleInput(project.id));
    const v2 = (await app.q(CREATE_VERSION, { input: { profileBundleId: v1.id } })).createProfileBundleVersion.profileBundle;
    const d = await app.q(DELETE_BUNDLE, { id: v1.id });
    expect(d.deleteProfileBundle).toEqual({ deletedId: v1.id, userErrors: [] });
    expect(await byId(v1.id)).toBeNull();
    expect(await byId(v2.id)).toEqual(v2);
    const again = await app.q(DELETE_BUNDLE, { id: v1.id });
    expect(again.deleteProfileBundle.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'id'] });
    const v3 = await app.q(CREATE_VERSION, { input: { profileBundleId: v2.id } });
    expect(v3.createProfileBundleVersion.profileBundle.version).toBe(3);
  });

  it('should refuse deleting a version something references (IN_USE) and delete it once released', async () => {
    const b = await createBundle(app, infraBundleInput(project.id));
    const uuid = fromGlobalId(b.id, 'ProfileBundle');
    const users = new Set([uuid]);
    app.services.bundles.registerReferences(async (_em, id) => (users.has(id) ? 'is used by compute pool gpu-a' : null));
    const refused = await app.q(DELETE_BUNDLE, { id: b.id });
    expect(refused.deleteProfileBundle).toEqual({
      deletedId: null,
      userErrors: [{ code: 'IN_USE', field: ['input', 'id'], message: `profile bundle ${b.name} v1 is used by compute pool gpu-a` }],
    });
    expect(await byId(b.id)).toEqual(b);
    users.clear();
    expect((await app.q(DELETE_BUNDLE, { id: b.id })).deleteProfileBundle.userErrors).toEqual([]);
  });
});

describe('permissions', () => {
  it('should let editors manage bundles and viewers only read them', async () => {
    const editor = await createToken(app, [{ role: 'PROJECT_EDITOR', tenantId: tenant.id, projectId: project.id }]);
    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', tenantId: tenant.id, projectId: project.id }]);
    const b = await createBundle(app, appBundleInput(project.id), editor);
    expect((await app.q(BUNDLE_BY_ID, { id: b.id }, viewer)).node.id).toBe(b.id);
    const before = await bundleCount(app, project.name);
    for (const [query, variables] of [
      [CREATE_BUNDLE, { input: appBundleInput(project.id) }],
      [CREATE_VERSION, { input: { profileBundleId: b.id } }],
      [DELETE_BUNDLE, { id: b.id }],
    ] as const) {
      const r = await app.gql(query, variables, viewer);
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(r.data).toBeNull();
    }
    expect(await bundleCount(app, project.name)).toBe(before);
    const v2 = await app.q(CREATE_VERSION, { input: { profileBundleId: b.id } }, editor);
    expect(v2.createProfileBundleVersion.profileBundle.version).toBe(2);
    expect((await app.q(DELETE_BUNDLE, { id: b.id }, editor)).deleteProfileBundle.userErrors).toEqual([]);
  });

  it("should treat another tenant's bundles as absent", async () => {
    const other = await createTenant(app);
    const otherProject = await createProject(app, other.id);
    const foreign = await createBundle(app, infraBundleInput(otherProject.id));
    const tenantAdmin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: tenant.id }]);
    expect((await app.q(BUNDLE_BY_ID, { id: foreign.id }, tenantAdmin)).node).toBeNull();
    const v = await app.q(CREATE_VERSION, { input: { profileBundleId: foreign.id } }, tenantAdmin);
    expect(v.createProfileBundleVersion.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'profileBundleId'] })]);
    const del = await app.q(DELETE_BUNDLE, { id: foreign.id }, tenantAdmin);
    expect(del.deleteProfileBundle.userErrors[0].code).toBe('NOT_FOUND');
    expect(await bundleCount(app, otherProject.name)).toBe(1);
  });
});

describe('demo content', () => {
  it('should seed an application and an infrastructure bundle through the same rules as clients', async () => {
    const p = await createProject(app, tenant.id);
    await app.services.bundles.seedDemo(systemCtx(app.orm, app.services, app.log), fromGlobalId(p.id, 'Project'));
    const d = await app.q(`query($p: String!) { project(name: $p) { profileBundles { nodes { name bundleType versionLabel workloadProfiles { components { gpu { family count } expose { port } } } } } } }`, { p: p.name });
    const bundles = d.project.profileBundles.nodes;
    expect(bundles.map((b: any) => [b.name, b.bundleType, b.versionLabel])).toEqual([
      ['llm-inference', 'APPLICATION', 'v1'],
      ['edge-gpu-cluster', 'INFRASTRUCTURE', 'v1'],
    ]);
    expect(bundles[0].workloadProfiles[0].components[0]).toEqual({ gpu: { family: 'NVIDIA-H100', count: 1 }, expose: { port: 8000 } });
  });
});
