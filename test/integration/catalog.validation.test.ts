/**
 * Every class of bad Profile Bundle input over real HTTP: each is a user error at the right field, and
 * the database holds exactly as many bundles afterwards as before.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { appBundleInput, bundleCount, createBundle, CREATE_BUNDLE, CREATE_VERSION, infraBundleInput } from '../helpers/catalog.js';
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

type Input = ReturnType<typeof appBundleInput> & Record<string, any>;
const app0 = (i: Input) => i.workloadProfiles[0];
const comp0 = (i: Input) => app0(i).components[0] as Record<string, any>;
const WP = ['input', 'workloadProfiles', '0'];
const C = [...WP, 'components', '0'];
const deep = (n: number): Record<string, unknown> => (n === 0 ? { leaf: 1 } : { d: deep(n - 1) });

const cases: [string, (i: Input) => void, string, string[]][] = [
  ['a two-letter name', (i) => (i.name = 'ab'), 'INVALID_NAME', ['input', 'name']],
  ['an upper-case name', (i) => (i.name = 'My-Bundle'), 'INVALID_NAME', ['input', 'name']],
  ['a 64-character name', (i) => (i.name = 'a'.repeat(64)), 'INVALID_NAME', ['input', 'name']],
  ['a name ending in "-"', (i) => (i.name = 'bundle-'), 'INVALID_NAME', ['input', 'name']],
  ['an APPLICATION bundle with a cluster profile', (i) => (i.clusterProfile = infraBundleInput('x').clusterProfile), 'INVALID_INPUT', ['input', 'clusterProfile']],
  ['an APPLICATION bundle without workload profiles', (i) => (i.workloadProfiles = []), 'INVALID_INPUT', ['input', 'workloadProfiles']],
  ['an APPLICATION bundle holding an INFRASTRUCTURE profile', (i) => (app0(i).type = 'INFRASTRUCTURE'), 'INVALID_INPUT', [...WP, 'type']],
  ['an INFRASTRUCTURE bundle without a cluster profile', (i) => (i.type = 'INFRASTRUCTURE'), 'INVALID_INPUT', ['input', 'clusterProfile']],
  ['an INFRASTRUCTURE bundle holding a MODEL profile', (i) => Object.assign(i, { type: 'INFRASTRUCTURE', clusterProfile: infraBundleInput('x').clusterProfile }), 'INVALID_INPUT', [...WP, 'type']],
  ['a FULLSTACK bundle without a cluster profile', (i) => (i.type = 'FULLSTACK'), 'INVALID_INPUT', ['input', 'clusterProfile']],
  ['a bad Kubernetes version', (i) => Object.assign(i, { type: 'FULLSTACK', clusterProfile: { ...infraBundleInput('x').clusterProfile, kubernetesVersion: 'latest' } }), 'INVALID_INPUT', ['input', 'clusterProfile', 'kubernetesVersion']],
  ['a duplicate add-on', (i) => Object.assign(i, { type: 'FULLSTACK', clusterProfile: { kubernetesVersion: '1.31', cni: 'calico', csi: 'longhorn', addons: [{ name: 'a', version: '1' }, { name: 'a', version: '2' }] } }), 'ALREADY_EXISTS', ['input', 'clusterProfile', 'addons', '1', 'name']],
  ['a workload profile name with "_"', (i) => (app0(i).name = 'my_profile'), 'INVALID_INPUT', [...WP, 'name']],
  ['a duplicate workload profile name', (i) => i.workloadProfiles.push({ ...app0(i), components: [{ ...comp0(i), name: 'other' }] } as never), 'ALREADY_EXISTS', ['input', 'workloadProfiles', '1', 'name']],
  ['a duplicate component name', (i) => app0(i).components.push({ ...comp0(i) } as never), 'ALREADY_EXISTS', [...WP, 'components', '1', 'name']],
  ['a component name that is no DNS label', (i) => (comp0(i).name = 'Vllm.Server'), 'INVALID_INPUT', [...C, 'name']],
  ['an ftp:// chart repository', (i) => (comp0(i).chart.repository = 'ftp://charts.example.com'), 'INVALID_INPUT', [...C, 'chart', 'repository']],
  ['a chart repository with credentials', (i) => (comp0(i).chart.repository = 'https://user:pw@charts.example.com'), 'INVALID_INPUT', [...C, 'chart', 'repository']],
  ['an oci:// reference with a tag', (i) => (comp0(i).chart.repository = 'oci://ghcr.io/org/charts:1.0'), 'INVALID_INPUT', [...C, 'chart', 'repository']],
  ['an empty chart name', (i) => (comp0(i).chart.chart = ''), 'INVALID_INPUT', [...C, 'chart', 'chart']],
  ['a chart version with a shell command', (i) => (comp0(i).chart.version = '1.0; rm -rf /'), 'INVALID_INPUT', [...C, 'chart', 'version']],
  ['values that are a list', (i) => (comp0(i).values = [1, 2]), 'INVALID_INPUT', [...C, 'values']],
  ['values over 64 KiB', (i) => (comp0(i).values = { blob: 'x'.repeat(70_000) }), 'INVALID_INPUT', [...C, 'values']],
  ['values nested 40 deep', (i) => (comp0(i).values = deep(40)), 'INVALID_INPUT', [...C, 'values']],
  ['a NUL character in values', (i) => (comp0(i).values = { a: 'x\u0000y' }), 'INVALID_INPUT', [...C, 'values', 'a']],
  ['an unpaired surrogate in values', (i) => (comp0(i).values = { a: 'x\ud800' }), 'INVALID_INPUT', [...C, 'values', 'a']],
  ['a macro naming an undeclared variable', (i) => (comp0(i).values = { image: { tag: '{{ .var.tag }}' } }), 'INVALID_INPUT', [...C, 'values', 'image', 'tag']],
  ['a malformed macro', (i) => (comp0(i).values = { a: 'v{{ .var.9lives }}' }), 'INVALID_INPUT', [...C, 'values', 'a']],
  ['a GPU family with spaces', (i) => (comp0(i).gpu = { family: 'NVIDIA H100', count: 1 }), 'INVALID_INPUT', [...C, 'gpu', 'family']],
  ['a GPU count of 0', (i) => (comp0(i).gpu = { family: 'NVIDIA-H100', count: 0 }), 'INVALID_INPUT', [...C, 'gpu', 'count']],
  ['a GPU count of 65', (i) => (comp0(i).gpu = { family: 'NVIDIA-H100', count: 65 }), 'INVALID_INPUT', [...C, 'gpu', 'count']],
  ['a GPU values path with an empty segment', (i) => (comp0(i).gpu = { family: 'NVIDIA-H100', count: 1, valuesPath: 'resources..limits' }), 'INVALID_INPUT', [...C, 'gpu', 'valuesPath']],
  ['a GPU values path through a scalar', (i) => Object.assign(comp0(i), { values: { resources: 'large' }, gpu: { family: 'NVIDIA-H100', count: 1 } }), 'INVALID_INPUT', [...C, 'gpu', 'valuesPath']],
  ['values that set the GPU limit themselves', (i) => Object.assign(comp0(i), { values: { resources: { limits: { 'nvidia.com/gpu': 4 } } }, gpu: { family: 'NVIDIA-H100', count: 1 } }), 'INVALID_INPUT', [...C, 'gpu', 'valuesPath']],
  ['port 0', (i) => (comp0(i).expose = { port: 0, path: '/' }), 'INVALID_INPUT', [...C, 'expose', 'port']],
  ['port 65536', (i) => (comp0(i).expose = { port: 65536, path: '/' }), 'INVALID_INPUT', [...C, 'expose', 'port']],
  ['a path without a leading "/"', (i) => (comp0(i).expose = { port: 80, path: 'v1' }), 'INVALID_INPUT', [...C, 'expose', 'path']],
  ['a variable name starting with a digit', (i) => (i.variables[0].name = '1model'), 'INVALID_INPUT', ['input', 'variables', '0', 'name']],
  ['a duplicate variable name', (i) => (i.variables[1].name = 'model'), 'ALREADY_EXISTS', ['input', 'variables', '1', 'name']],
  ['a required and locked variable', (i) => Object.assign(i.variables[2], { required: true }), 'INVALID_INPUT', ['input', 'variables', '2', 'locked']],
  ['a locked variable without default', (i) => Object.assign(i.variables[2], { default: null }), 'INVALID_INPUT', ['input', 'variables', '2', 'default']],
  ['an INT32 default that is a string', (i) => (i.variables[1].default = 'one' as never), 'INVALID_INPUT', ['input', 'variables', '1', 'default']],
  ['an INT32 default of 2^31', (i) => (i.variables[1].default = 2 ** 31), 'INVALID_INPUT', ['input', 'variables', '1', 'default']],
  ['an INT64 default beyond int64', (i) => i.variables.push({ name: 'big', type: 'INT64', default: '9223372036854775808' } as never), 'INVALID_INPUT', ['input', 'variables', '4', 'default']],
  ['a FLOAT32 default beyond float32', (i) => (i.variables[2].default = 1e39), 'INVALID_INPUT', ['input', 'variables', '2', 'default']],
  ['a BOOL default of "true"', (i) => i.variables.push({ name: 'flag', type: 'BOOL', default: 'true' } as never), 'INVALID_INPUT', ['input', 'variables', '4', 'default']],
  ['a variable description over 1024 characters', (i) => (i.variables[0].description = 'd'.repeat(1025)), 'INVALID_INPUT', ['input', 'variables', '0', 'description']],
  ['101 variables', (i) => (i.variables = Array.from({ length: 101 }, (_, n) => ({ name: `v${n}`, type: 'STRING' })) as never), 'INVALID_INPUT', ['input', 'variables']],
  ['a malformed project id', (i) => (i.projectId = 'not-an-id'), 'INVALID_ID', ['input', 'projectId']],
  ['a tenant id as project id', (i) => (i.projectId = tenant.id), 'INVALID_ID', ['input', 'projectId']],
  ['a project that does not exist', (i) => (i.projectId = toGlobalId('Project', randomUUID())), 'NOT_FOUND', ['input', 'projectId']],
];

describe('refused bundle input', () => {
  it.each(cases)('should refuse %s and write nothing', async (_label, mutate, code, field) => {
    const input = structuredClone(appBundleInput(project.id)) as Input;
    mutate(input);
    const before = await bundleCount(app, project.name);
    const d = await app.q(CREATE_BUNDLE, { input });
    expect(d.createProfileBundle.profileBundle).toBeNull();
    expect(d.createProfileBundle.userErrors).toContainEqual(expect.objectContaining({ code, field }));
    for (const e of d.createProfileBundle.userErrors) expect(e.message).not.toMatch(/insert|select|constraint|sql/i);
    expect(await bundleCount(app, project.name)).toBe(before);
  });

  it('should report every problem of one input at once', async () => {
    const input = structuredClone(appBundleInput(project.id, 'X')) as Input;
    comp0(input).gpu = { family: 'NVIDIA-H100', count: 0 };
    input.variables[2].required = true;
    const d = await app.q(CREATE_BUNDLE, { input });
    expect(d.createProfileBundle.userErrors.map((e: any) => e.field.join('.'))).toEqual([
      'input.name',
      'input.workloadProfiles.0.components.0.gpu.count',
      'input.variables.2.locked',
    ]);
  });

  it("should answer NOT_FOUND for another tenant's project and write nothing there", async () => {
    const other = await createTenant(app);
    const otherProject = await createProject(app, other.id);
    const outsider = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: tenant.id }]);
    const d = await app.q(CREATE_BUNDLE, { input: appBundleInput(otherProject.id) }, outsider);
    expect(d.createProfileBundle).toEqual({ profileBundle: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'projectId'] })] });
    expect(await bundleCount(app, otherProject.name)).toBe(0);
  });

  it.each([
    ['a malformed id', 'nope', 'INVALID_ID'],
    ['a project id', () => project.id, 'INVALID_ID'],
    ['an unknown bundle', () => toGlobalId('ProfileBundle', randomUUID()), 'NOT_FOUND'],
  ])('should refuse a new version of %s', async (_label, id, code) => {
    const before = await bundleCount(app, project.name);
    const d = await app.q(CREATE_VERSION, { input: { profileBundleId: typeof id === 'function' ? id() : id } });
    expect(d.createProfileBundleVersion.userErrors).toEqual([expect.objectContaining({ code, field: ['input', 'profileBundleId'] })]);
    expect(await bundleCount(app, project.name)).toBe(before);
  });

  it('should keep the type of a bundle and check the new content against it', async () => {
    const v1 = await createBundle(app, infraBundleInput(project.id));
    const before = await bundleCount(app, project.name);
    const d = await app.q(CREATE_VERSION, { input: { profileBundleId: v1.id, clusterProfile: null } });
    expect(d.createProfileBundleVersion.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'clusterProfile'] })]);
    expect(await bundleCount(app, project.name)).toBe(before);
  });
});
