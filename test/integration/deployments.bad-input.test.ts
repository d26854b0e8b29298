/**
 * Proof (5): bad input for every field of DeployAppInput is a user error with its code and field;
 * nothing is reserved (quota, machines, cluster GPUs), no row is written and no hub object is
 * written. The dry run of the same input refuses it the same way (as a user error, or as a refusal
 * in its plan for what only admission can see).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeKind, toGlobalId } from '../../src/graphql/relay/global-id.js';
import type { SimulatedHub } from '../../src/sim/index.js';
import { spokeClusterName } from '../../src/kube/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { appBundleInput, createBundle } from '../helpers/catalog.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, DEPLOY_APP, deployApp } from '../helpers/deploy.js';
import { deployWorld, gatewayOf, newDedicatedPool, sharedPool, waitForPhase, type DeployWorld } from '../helpers/deployments.js';
import { H100 } from '../helpers/pools.js';
import { createProject, createToken, uniq } from '../helpers/seed.js';
import { counts, snapshotDb } from '../helpers/snapshot.js';

let app: TestApp;
let hub: SimulatedHub;
let w: DeployWorld;
let pool: string;
/** a dedicated pool (made by the user) that serves a deployment */
let servedPool: string;
let takenName: string;
let failedPool: string;
let otherProjectPool: string;
let other: DeployWorld;
let otherTenantPool: string;
let modelOnly: string;
let requiredVar: string;
let tenantAdmin: string;

const hubNames = () => ({ hub: hub.objects().map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort(), spokes: hub.spokes().sort() });

beforeAll(async () => {
  app = await startTestApp();
  hub = app.hub.sim!;
  const gw = gatewayOf(app);
  w = await deployWorld(app, { quota: 32, gpus: 2, machines: { controlPlanes: 4, gpuHosts: [{ family: H100, count: 4, gpusEach: 8 }] } });
  pool = (await sharedPool(app, w)).id;
  const dedicated = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'DEDICATED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] });
  servedPool = dedicated.createComputePool.computePool.id;
  await waitForPoolPhase(app, servedPool, ['RUNNING']);
  const serving = await deployApp(app, { projectId: w.project.id, name: uniq('serving'), bundleIds: [w.appBundle], poolId: servedPool });
  takenName = uniq('taken');
  const taken = await deployApp(app, { projectId: w.project.id, name: takenName, bundleIds: [w.appBundle], poolId: pool });
  // a pool that failed to provision
  const failedName = uniq('failed');
  hub.faults.set({ failClusters: [spokeClusterName(w.project.name, failedName)] });
  const f = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, name: failedName, mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] });
  failedPool = f.createComputePool.computePool.id;
  await waitForPoolPhase(app, failedPool, ['FAILED']);
  hub.faults.clear();
  // another project of the same tenant, with its own pool
  const p2 = await createProject(app, w.tenant.id, uniq('p'), [{ gpuFamily: H100, limit: 8 }]);
  const p2Infra = (await createBundle(app, { projectId: p2.id, name: uniq('infra'), type: 'INFRASTRUCTURE', clusterProfile: { kubernetesVersion: '1.31.4', cni: 'cilium', csi: 'longhorn' } })).id;
  const p2Pool = await createPool(app, { projectId: p2.id, infrastructureBundleId: p2Infra, mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] });
  otherProjectPool = p2Pool.createComputePool.computePool.id;
  await waitForPoolPhase(app, otherProjectPool, ['RUNNING']);
  // another tenant, with its own bundles and pool
  other = await deployWorld(app, { quota: 16, gpus: 2, machines: { controlPlanes: 1, gpuHosts: [{ family: H100, count: 1, gpusEach: 8 }] } });
  otherTenantPool = (await sharedPool(app, other)).id;
  // bundles that cannot be deployed as given
  const modelInput = appBundleInput(w.project.id, uniq('model'));
  modelInput.variables = modelInput.variables.map((v: any) => (v.required ? { ...v, required: false, default: 'key' } : v));
  modelOnly = (await createBundle(app, modelInput)).id;
  requiredVar = (await createBundle(app, appBundleInput(w.project.id, uniq('needs')))).id;
  tenantAdmin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: w.tenant.id }]);
  // nothing may move while snapshots are compared
  await waitForPhase(gw, serving.appDeployment.id, ['RUNNING']);
  await waitForPhase(gw, taken.appDeployment.id, ['RUNNING']);
}, 180_000);
afterAll(async () => {
  await app?.close();
});

const deepList = (depth: number): unknown => Array.from({ length: depth }).reduce<unknown>((v) => [v], 1);
const base = () => ({ projectId: w.project.id, name: uniq('bad'), bundleIds: [w.appBundle], poolId: pool });
type Expected = { code: string; field: string[] };
const at = (code: string, ...field: string[]): Expected => ({ code, field: ['input', ...field] });

/** The input is refused with exactly `expected`, by deployApp and by its dry run, and nothing changed anywhere. */
async function expectRefused(input: Record<string, unknown>, expected: Expected[], token = app.adminToken): Promise<void> {
  const before = await snapshotDb(app);
  const hubBefore = hubNames();
  const real = await app.gql(DEPLOY_APP, { input }, token);
  expect(real.errors, 'no top-level error').toBeUndefined();
  const payload = real.data.deployApp;
  expect(payload.appDeployment).toBeNull();
  expect(payload.userErrors.map((e: any) => ({ code: e.code, field: e.field }))).toEqual(expected);
  for (const e of payload.userErrors) expect(e.message).not.toMatch(/select|insert|update|constraint|sqlite|postgres|kubernetes/i);

  const dry = await app.gql(DEPLOY_APP, { input: { ...input, dryRun: true } }, token);
  expect(dry.errors).toBeUndefined();
  if (dry.data.deployApp.userErrors.length) {
    expect(dry.data.deployApp.userErrors).toEqual(payload.userErrors);
  } else {
    // only admission can see it (names taken, machines, quota): the plan refuses it
    expect(dry.data.deployApp.plan.allowed).toBe(false);
    for (const e of payload.userErrors) expect(dry.data.deployApp.plan.refusals).toContainEqual(e);
  }
  const after = await snapshotDb(app);
  expect(after, JSON.stringify(counts(after))).toEqual(before);
  expect(hubNames()).toEqual(hubBefore);
}

describe('deployApp refuses bad input and writes nothing', () => {
  it('should accept the base input (so every refusal below is due to its one change)', async () => {
    const dry = await deployApp(app, { ...base(), dryRun: true });
    expect(dry.userErrors).toEqual([]);
    expect(dry.plan.allowed).toBe(true);
    const dedicated = await deployApp(app, { ...base(), poolId: undefined, newDedicatedPool: newDedicatedPool(w.bundle), dryRun: true });
    expect(dedicated.userErrors).toEqual([]);
    expect(dedicated.plan.allowed).toBe(true);
  });

  it.each<[string, () => Record<string, unknown>, Expected[]]>([
    ['a malformed project id', () => ({ projectId: 'not-an-id' }), [at('INVALID_ID', 'projectId')]],
    ['an id of another kind as project id', () => ({ projectId: w.appBundle }), [at('INVALID_ID', 'projectId')]],
    ['an unknown project', () => ({ projectId: toGlobalId(NodeKind.Project, randomUUID()) }), [at('NOT_FOUND', 'projectId')]],
  ])('should refuse %s', async (_what, change, expected) => {
    await expectRefused({ ...base(), ...change() }, expected);
  });

  it('should answer NOT_FOUND for a project of another tenant (invisible, not forbidden)', async () => {
    await expectRefused({ ...base(), projectId: other.project.id, bundleIds: [other.appBundle], poolId: otherTenantPool }, [at('NOT_FOUND', 'projectId')], tenantAdmin);
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(34)],
    ['with upper case', 'Chat'],
    ['with an underscore', 'chat_app'],
    ['starting with a digit', '9chat'],
    ['ending with a dash', 'chat-'],
    ['empty', ''],
  ])('should refuse a name %s', async (_what, name) => {
    await expectRefused({ ...base(), name }, [at('INVALID_NAME', 'name')]);
  });

  it('should refuse the name of a live deployment of the project', async () => {
    await expectRefused({ ...base(), name: takenName }, [at('ALREADY_EXISTS', 'name')]);
  });

  it.each([
    ['too long', 'd'.repeat(2049)],
    ['with control characters', 'line\u0000break'],
  ])('should refuse a description %s', async (_what, description) => {
    await expectRefused({ ...base(), description }, [at('INVALID_INPUT', 'description')]);
  });

  it.each<[string, unknown[], Expected[]]>([
    ['a non-http url', [{ title: 'Docs', url: 'ftp://example.com' }], [at('INVALID_INPUT', 'links', '0', 'url')]],
    ['a relative url', [{ title: 'Docs', url: '/docs' }], [at('INVALID_INPUT', 'links', '0', 'url')]],
    ['an empty title', [{ title: '', url: 'https://example.com' }], [at('INVALID_INPUT', 'links', '0', 'title')]],
    ['a second bad link', [{ title: 'ok', url: 'https://example.com' }, { title: 'x'.repeat(101), url: 'https://example.com' }], [at('INVALID_INPUT', 'links', '1', 'title')]],
    ['too many links', Array.from({ length: 11 }, (_, i) => ({ title: `l${i}`, url: 'https://example.com' })), [at('INVALID_INPUT', 'links')]],
  ])('should refuse links with %s', async (_what, links, expected) => {
    await expectRefused({ ...base(), links }, expected);
  });

  it.each<[string, () => string[], Expected[]]>([
    ['no bundle', () => [], [at('INVALID_INPUT', 'bundleIds')]],
    ['the same bundle twice', () => [w.appBundle, w.appBundle], [at('INVALID_INPUT', 'bundleIds')]],
    ['more than 10 bundles', () => Array.from({ length: 11 }, () => toGlobalId(NodeKind.ProfileBundle, randomUUID())), [at('INVALID_INPUT', 'bundleIds')]],
    ['a malformed bundle id', () => [w.appBundle, 'zzz'], [at('INVALID_ID', 'bundleIds', '1')]],
    ['a pool id as bundle id', () => [pool], [at('INVALID_ID', 'bundleIds', '0')]],
    ['an unknown bundle', () => [toGlobalId(NodeKind.ProfileBundle, randomUUID())], [at('NOT_FOUND', 'bundleIds', '0')]],
    ['a bundle of another tenant', () => [w.appBundle, other.appBundle], [at('NOT_FOUND', 'bundleIds', '1')]],
    ['an INFRASTRUCTURE bundle', () => [w.appBundle, w.bundle], [at('INVALID_INPUT', 'bundleIds', '1')]],
    ['bundles without an APPLICATION workload profile', () => [modelOnly], [at('INVALID_INPUT', 'bundleIds')]],
  ])('should refuse bundleIds with %s', async (_what, bundleIds, expected) => {
    await expectRefused({ ...base(), bundleIds: bundleIds() }, expected);
  });

  it.each<[string, () => Record<string, unknown>, Expected[]]>([
    ['both a pool and a new dedicated pool', () => ({ newDedicatedPool: newDedicatedPool(w.bundle) }), [at('INVALID_INPUT', 'newDedicatedPool')]],
    ['no target at all', () => ({ poolId: undefined }), [at('INVALID_INPUT', 'poolId')]],
    ['a malformed pool id', () => ({ poolId: 'x' }), [at('INVALID_ID', 'poolId')]],
    ['an unknown pool', () => ({ poolId: toGlobalId(NodeKind.ComputePool, randomUUID()) }), [at('NOT_FOUND', 'poolId')]],
    ['a pool that is not RUNNING', () => ({ poolId: failedPool }), [at('ILLEGAL_STATE', 'poolId')]],
    ['a pool of another project', () => ({ poolId: otherProjectPool }), [at('NOT_FOUND', 'poolId')]],
    ['a pool of another tenant', () => ({ poolId: otherTenantPool }), [at('NOT_FOUND', 'poolId')]],
    ['a dedicated pool that already serves a deployment', () => ({ poolId: servedPool }), [at('IN_USE', 'poolId')]],
  ])('should refuse a target with %s', async (_what, change, expected) => {
    await expectRefused({ ...base(), ...change() }, expected);
  });

  const np = (over: Record<string, unknown> = {}, req?: Record<string, unknown>) => () => ({ poolId: undefined, newDedicatedPool: { ...newDedicatedPool(w.bundle), ...(req ? { nodeRequirements: req } : {}), ...over } });
  it.each<[string, () => Record<string, unknown>, Expected[]]>([
    ['an invalid pool name', np({ name: 'Pool_1' }), [at('INVALID_NAME', 'newDedicatedPool', 'name')]],
    ['the name of an existing pool', np({ name: '__existing__' }), [at('ALREADY_EXISTS', 'newDedicatedPool', 'name')]],
    ['a malformed infrastructure bundle id', np({ infrastructureBundleId: 'nope' }), [at('INVALID_ID', 'newDedicatedPool', 'infrastructureBundleId')]],
    ['an APPLICATION bundle as infrastructure', np({ infrastructureBundleId: '__app__' }), [at('INVALID_INPUT', 'newDedicatedPool', 'infrastructureBundleId')]],
    ['an infrastructure bundle of another tenant', np({ infrastructureBundleId: '__foreign__' }), [at('NOT_FOUND', 'newDedicatedPool', 'infrastructureBundleId')]],
    ['2 control-plane nodes', np({}, { controlPlane: { nodeCount: 2 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] }), [at('INVALID_INPUT', 'newDedicatedPool', 'nodeRequirements', 'controlPlane', 'nodeCount')]],
    ['no workers and a control plane that may not run workloads', np({}, { controlPlane: { nodeCount: 1, workerNodeEligible: false }, workerPools: [] }), [at('INVALID_INPUT', 'newDedicatedPool', 'nodeRequirements', 'controlPlane', 'workerNodeEligible')]],
    ['0 GPUs per node', np({}, { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 0 } }] }), [at('INVALID_INPUT', 'newDedicatedPool', 'nodeRequirements', 'workerPools', '0', 'gpu', 'countPerNode')]],
    ['a bad GPU family', np({}, { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: '-H100', countPerNode: 1 } }] }), [at('INVALID_INPUT', 'newDedicatedPool', 'nodeRequirements', 'workerPools', '0', 'gpu', 'family')]],
    ['a worker pool listed twice', np({}, { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1 }, { name: 'gpu', nodeCount: 1 }] }), [at('INVALID_INPUT', 'newDedicatedPool', 'nodeRequirements', 'workerPools', '1', 'name')]],
    ['more machines than the tenant has', np({}, { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 3, gpu: { family: H100, countPerNode: 8 } }] }), [at('INSUFFICIENT_CAPACITY', 'newDedicatedPool', 'nodeRequirements')]],
    ['GPUs nobody has', np({}, { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'AMD-MI300X', countPerNode: 8 } }] }), [at('INSUFFICIENT_CAPACITY', 'newDedicatedPool', 'nodeRequirements')]],
    ['machines without the GPUs the app needs', np({}, { controlPlane: { nodeCount: 1, workerNodeEligible: true }, workerPools: [] }), [at('INSUFFICIENT_CAPACITY', 'newDedicatedPool', 'nodeRequirements')]],
  ])('should refuse a new dedicated pool with %s', async (_what, change, expected) => {
    const input = { ...base(), ...change() } as Record<string, any>;
    const p = input.newDedicatedPool;
    if (p.name === '__existing__') p.name = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { name } } }`, { id: pool })).node.name;
    if (p.infrastructureBundleId === '__app__') p.infrastructureBundleId = w.appBundle;
    if (p.infrastructureBundleId === '__foreign__') p.infrastructureBundleId = other.bundle;
    await expectRefused(input, expected);
  });

  it.each<[string, () => Record<string, unknown>, Expected[]]>([
    ['a STRING variable given a number', () => ({ variables: [{ name: 'model', value: 7 }] }), [at('INVALID_INPUT', 'variables', 'model')]],
    ['an INT32 variable given text', () => ({ variables: [{ name: 'replicas', value: 'three' }] }), [at('INVALID_INPUT', 'variables', 'replicas')]],
    ['an INT32 variable given a fraction', () => ({ variables: [{ name: 'replicas', value: 1.5 }] }), [at('INVALID_INPUT', 'variables', 'replicas')]],
    ['an INT32 variable out of range', () => ({ variables: [{ name: 'replicas', value: 2 ** 31 }] }), [at('INVALID_INPUT', 'variables', 'replicas')]],
    ['a BOOL variable given text', () => ({ variables: [{ name: 'debug', value: 'yes' }] }), [at('INVALID_INPUT', 'variables', 'debug')]],
    ['a variable given an object', () => ({ variables: [{ name: 'model', value: { a: 1 } }] }), [at('INVALID_INPUT', 'variables', 'model')]],
    ['an unknown variable', () => ({ variables: [{ name: 'gpuMemory', value: '80Gi' }] }), [at('INVALID_INPUT', 'variables', 'gpuMemory')]],
    // (the name of an object's prototype: an undeclared variable like any other, not silently dropped)
    ['an undeclared variable named __proto__', () => ({ variables: [{ name: '__proto__', value: { polluted: true } }] }), [at('INVALID_INPUT', 'variables', '__proto__')]],
    ['an undeclared variable named __proto__ with a text value', () => ({ variables: [{ name: '__proto__', value: 'x' }] }), [at('INVALID_INPUT', 'variables', '__proto__')]],
    // (100,000 levels are sent by the fuzz test, which writes its JSON without recursing)
    ['a value nested 1,000 levels deep', () => ({ variables: [{ name: 'model', value: deepList(1_000) }] }), [at('INVALID_INPUT', 'variables', '0', 'value')]],
    ['a NUL in a value', () => ({ variables: [{ name: 'model', value: 'llama\u0000' }] }), [at('INVALID_INPUT', 'variables', '0', 'value')]],
    ['an override of a locked variable', () => ({ variables: [{ name: 'temperature', value: 0.1 }] }), [at('INVALID_INPUT', 'variables', 'temperature')]],
    ['a required variable left out', () => ({ bundleIds: [w.appBundle, requiredVar] }), [at('INVALID_INPUT', 'variables', 'apiKeyName')]],
    ['a variable given twice', () => ({ variables: [{ name: 'model', value: 'a' }, { name: 'model', value: 'b' }] }), [at('INVALID_INPUT', 'variables', '1', 'name')]],
    ['a value longer than a STRING variable may hold', () => ({ variables: [{ name: 'model', value: 'm'.repeat(4097) }] }), [at('INVALID_INPUT', 'variables', 'model')]],
    ['more than 64 KiB of values', () => ({ variables: Array.from({ length: 17 }, (_, i) => ({ name: `v${i}`, value: 'x'.repeat(4000) })) }), [at('INVALID_INPUT', 'variables')]],
    ['more than 100 values', () => ({ variables: Array.from({ length: 101 }, (_, i) => ({ name: `v${i}`, value: i })) }), [at('INVALID_INPUT', 'variables')]],
    ['several bad values at once', () => ({ variables: [{ name: 'replicas', value: 'x' }, { name: 'temperature', value: 1 }, { name: 'nope', value: 1 }] }), [at('INVALID_INPUT', 'variables', 'nope'), at('INVALID_INPUT', 'variables', 'replicas'), at('INVALID_INPUT', 'variables', 'temperature')]],
  ])('should refuse variables with %s', async (_what, change, expected) => {
    await expectRefused({ ...base(), ...change() }, expected);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'my key'],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['with non-ASCII characters', 'clé-1'],
  ])('should refuse an idempotencyKey %s', async (_what, idempotencyKey) => {
    await expectRefused({ ...base(), idempotencyKey }, [at('INVALID_INPUT', 'idempotencyKey')]);
  });

  it('should report several bad fields at once', async () => {
    await expectRefused({ ...base(), name: 'X', description: 'd'.repeat(3000), links: [{ title: 'a', url: 'nope' }], idempotencyKey: ' ' }, [
      at('INVALID_NAME', 'name'),
      at('INVALID_INPUT', 'description'),
      at('INVALID_INPUT', 'links', '0', 'url'),
      at('INVALID_INPUT', 'idempotencyKey'),
    ]);
  });

  it('should refuse a project viewer with a top-level FORBIDDEN and write nothing', async () => {
    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: w.project.id }]);
    const before = await snapshotDb(app);
    const r = await app.gql(DEPLOY_APP, { input: base() }, viewer);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await snapshotDb(app)).toEqual(before);
  });

  it('should still deploy after all those refusals, with the quota untouched by them', async () => {
    const big = await createAppBundle(app, w.project.id, { gpus: 4 });
    const ok = await deployApp(app, { ...base(), bundleIds: [big] });
    expect(ok.userErrors).toEqual([]);
    expect((await waitForPhase(gatewayOf(app), ok.appDeployment.id, ['RUNNING', 'FAILED'])).phase).toBe('RUNNING');
  });
});
