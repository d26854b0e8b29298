/**
 * Proof (6): dryRun writes nothing and its plan is what the real deploy then does; idempotency
 * replay (also after a restart); clone with a variable override; retry only of FAILED deployments;
 * pools and bundle versions in use cannot be deleted.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { KubeObject, SimulatedHub } from '../../src/sim/index.js';
import { appNamespaceName, spokeClusterName } from '../../src/kube/index.js';
import { fromGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, testDialect } from '../helpers/db.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, DEPLOY_APP, DEPLOYMENT_FIELDS, deployApp } from '../helpers/deploy.js';
import { DELETE_DEPLOYMENT, deployWorld, gatewayOf, getDeployment, ledger, newDedicatedPool, RETRY_DEPLOYMENT, sharedPool, spokeReleases, sqlOf, waitForPhase, type DeployWorld, type Gateway } from '../helpers/deployments.js';
import { createToken, uniq } from '../helpers/seed.js';
import { counts, snapshotDb } from '../helpers/snapshot.js';
import { CrdValidator } from '../hub/kube/crd.validator.js';

const CLONE = `mutation($input: CloneAppDeploymentInput!) { cloneAppDeployment(input: $input) { appDeployment { ${DEPLOYMENT_FIELDS} } plan { allowed } userErrors { field message code } } }`;

/** What a client can compare between a rendered object and the one on the hub. */
// What an API server stores for a written object: the object plus its CRD's schema defaults.
const crd = new CrdValidator({ useDefaults: true });
const stored = (o: KubeObject) => crd.defaulted(o);
const comparable = (o: KubeObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  metadata: { name: o.metadata.name, namespace: o.metadata.namespace, labels: o.metadata.labels, annotations: o.metadata.annotations },
  spec: o.spec,
});
/** A planned object as applied (pass it through `stored`): the deployment's id, which only admission gives it, joins its labels. */
const asAdmitted = (o: KubeObject, deploymentId: string) => {
  const c = comparable(o);
  return { ...c, metadata: { ...c.metadata, labels: { ...c.metadata.labels, 'spokegraph.io/deployment-id': fromGlobalId(deploymentId, 'AppDeployment') } } };
};
const hubNames = (hub: SimulatedHub) => ({ hub: hub.objects().map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort(), spokes: hub.spokes().sort() });

describe('App Deployment lifecycle', () => {
  const QUOTA = 64;
  let app: TestApp;
  let gw: Gateway;
  let hub: SimulatedHub;
  let w: DeployWorld;
  let pool: { id: string; name: string };
  beforeAll(async () => {
    app = await startTestApp();
    gw = gatewayOf(app);
    hub = app.hub.sim!;
    w = await deployWorld(app, { quota: QUOTA, gpus: 2, machines: { controlPlanes: 5, gpuHosts: [{ family: 'NVIDIA-H100', count: 5, gpusEach: 8 }] } });
    pool = await sharedPool(app, w, { gpuNodes: 2 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('should write nothing on dryRun, and then deploy exactly the plan onto a shared pool', async () => {
    const name = uniq('plan');
    const input = { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id, variables: [{ name: 'model', value: 'qwen-2' }, { name: 'debug', value: true }] };
    const dbBefore = await snapshotDb(app);
    const hubBefore = hubNames(hub);
    const dry = await deployApp(app, { ...input, dryRun: true });
    expect(dry.userErrors).toEqual([]);
    expect(dry.appDeployment).toBeNull();
    const plan = dry.plan;
    expect(await snapshotDb(app), JSON.stringify(counts(dbBefore))).toEqual(dbBefore);
    expect(hubNames(hub)).toEqual(hubBefore);

    expect(plan).toMatchObject({
      allowed: true,
      refusals: [],
      gpuRequests: [{ gpuFamily: 'NVIDIA-H100', count: 2 }],
      variableValues: { model: 'qwen-2', replicas: 1, temperature: 0.7, debug: true },
      pool: { computePool: { id: pool.id }, name: pool.name, mode: 'SHARED', isNew: false, cluster: expect.any(String), machines: [] },
      steps: [{ step: 'provision-pool' }, { step: 'place' }, { step: 'apply-work' }, { step: 'rollout' }],
    });
    expect(plan.quota).toEqual([
      { level: 'PROJECT', gpuFamily: 'NVIDIA-H100', requested: 2, used: 0, limit: QUOTA, available: QUOTA, allowed: true },
      { level: 'TENANT', gpuFamily: 'NVIDIA-H100', requested: 2, used: 0, limit: QUOTA, available: QUOTA, allowed: true },
    ]);
    const [placement, work] = plan.hubObjects as KubeObject[];
    expect([placement.kind, work.kind]).toEqual(['Placement', 'ManifestWork']);
    const hr = (work.spec as any).workload.manifests.find((m: KubeObject) => m.kind === 'HelmRelease');
    expect(hr.spec.values).toEqual({ banner: 'model=qwen-2', debug: true, model: 'qwen-2', replicaCount: 1, resources: { limits: { 'nvidia.com/gpu': 2 } } });

    // the real deploy lands on the planned cluster and applies exactly the planned objects
    const real = await deployApp(app, input);
    expect(real.userErrors).toEqual([]);
    expect(real.appDeployment.cluster).toBe(plan.pool.cluster);
    expect(real.appDeployment.variableValues).toEqual(plan.variableValues);
    const running = await waitForPhase(gw, real.appDeployment.id, ['RUNNING', 'FAILED']);
    expect(running.phase).toBe('RUNNING');
    const applied = hub.objects({ kind: 'ManifestWork', namespace: plan.pool.cluster }).find((o) => o.metadata.name === work.metadata.name)!;
    expect(comparable(applied)).toEqual(asAdmitted(stored(work), real.appDeployment.id));
    const appliedPlacement = hub.objects({ kind: 'Placement', namespace: w.project.name }).find((o) => o.metadata.name === placement.metadata.name)!;
    expect(comparable(appliedPlacement)).toEqual(asAdmitted(stored(placement), real.appDeployment.id));
  }, 90_000);

  it('should plan a new dedicated pool (machines, cluster, quota of the whole pool) and then build exactly that', async () => {
    const name = uniq('dplan');
    const poolName = uniq('dp');
    const input = { projectId: w.project.id, name, bundleIds: [w.appBundle], newDedicatedPool: newDedicatedPool(w.bundle, 1, poolName) };
    const dbBefore = await snapshotDb(app);
    const dry = await deployApp(app, { ...input, dryRun: true });
    expect(dry.userErrors).toEqual([]);
    expect(await snapshotDb(app)).toEqual(dbBefore);
    const plan = dry.plan;
    expect(plan.pool).toEqual({ computePool: null, name: poolName, mode: 'DEDICATED', isNew: true, cluster: spokeClusterName(w.project.name, poolName), machines: expect.any(Array) });
    expect(plan.pool.machines).toHaveLength(2);
    const used = (await ledger(sqlOf(app), w.project.name)).projectUsed;
    // a dedicated pool holds all of its machines' GPUs
    expect(plan.quota).toEqual([
      { level: 'PROJECT', gpuFamily: 'NVIDIA-H100', requested: 8, used, limit: QUOTA, available: QUOTA - used, allowed: true },
      { level: 'TENANT', gpuFamily: 'NVIDIA-H100', requested: 8, used, limit: QUOTA, available: QUOTA - used, allowed: true },
    ]);

    const real = await deployApp(app, input);
    expect(real.userErrors).toEqual([]);
    expect(real.appDeployment.cluster).toBe(plan.pool.cluster);
    const d = await waitForPhase(gw, real.appDeployment.id, ['RUNNING', 'FAILED'], 60_000);
    expect(d.phase).toBe('RUNNING');
    const machines = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { machines(first: 100) { nodes { hostId } } } } }`, { id: d.computePool.id })).node.machines.nodes.map((m: any) => m.hostId);
    expect(machines.sort()).toEqual([...plan.pool.machines].sort());
    const work = (plan.hubObjects as KubeObject[]).find((o) => o.kind === 'ManifestWork')!;
    const applied = hub.objects({ kind: 'ManifestWork', namespace: plan.pool.cluster }).find((o) => o.metadata.name === work.metadata.name)!;
    expect(comparable(applied)).toEqual(asAdmitted(stored(work), real.appDeployment.id));
    expect((await ledger(sqlOf(app), w.project.name)).projectUsed).toBe(used + 8);
  }, 90_000);

  it('should refuse in the plan exactly as the real deploy refuses, and write nothing either way', async () => {
    // a project whose quota (4) is smaller than a new dedicated pool (8 GPUs)
    const small = await deployWorld(app, { quota: 4, tenantQuota: 4, gpus: 2, machines: { controlPlanes: 1, gpuHosts: [{ family: 'NVIDIA-H100', count: 1, gpusEach: 8 }] } });
    const otherPool = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'DEDICATED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] });
    const served = otherPool.createComputePool.computePool.id;
    await waitForPoolPhase(app, served, ['RUNNING']);
    const serving = await deployApp(app, { projectId: w.project.id, name: uniq('serving'), bundleIds: [w.appBundle], poolId: served });
    expect(serving.userErrors).toEqual([]);
    // nothing else moves while we compare snapshots
    await waitForPhase(gw, serving.appDeployment.id, ['RUNNING']);
    const cases: [string, Record<string, unknown>, string][] = [
      ['over the project quota (and the tenant one)', { projectId: w.project.id, name: uniq('big'), bundleIds: [await createAppBundle(app, w.project.id, { gpus: 64 })], poolId: pool.id }, 'QUOTA_EXCEEDED'],
      ['within quota, but no cluster of the pool has room', { projectId: w.project.id, name: uniq('wide'), bundleIds: [await createAppBundle(app, w.project.id, { gpus: 17 })], poolId: pool.id }, 'INSUFFICIENT_CAPACITY'],
      ['a new dedicated pool over the quota', { projectId: small.project.id, name: uniq('dbig'), bundleIds: [small.appBundle], newDedicatedPool: newDedicatedPool(small.bundle, 1) }, 'QUOTA_EXCEEDED'],
      ['a new dedicated pool without enough machines', { projectId: small.project.id, name: uniq('dmany'), bundleIds: [small.appBundle], newDedicatedPool: newDedicatedPool(small.bundle, 2) }, 'INSUFFICIENT_CAPACITY'],
      ['a new dedicated pool too small for the app', { projectId: w.project.id, name: uniq('dtiny'), bundleIds: [await createAppBundle(app, w.project.id, { gpus: 12 })], newDedicatedPool: newDedicatedPool(w.bundle, 1) }, 'INSUFFICIENT_CAPACITY'],
      ['a dedicated pool that already serves a deployment', { projectId: w.project.id, name: uniq('taken'), bundleIds: [w.appBundle], poolId: served }, 'IN_USE'],
    ];
    for (const [what, input, code] of cases) {
      const before = await snapshotDb(app);
      const hubBefore = hubNames(hub);
      const dry = await deployApp(app, { ...input, dryRun: true });
      expect(dry.userErrors, what).toEqual([]);
      expect(dry.plan.allowed, what).toBe(false);
      const real = await deployApp(app, input);
      expect(real.appDeployment, what).toBeNull();
      // the real deploy stops at its first refusal; the plan lists it (and may list more)
      expect(real.userErrors.map((e: any) => e.code), what).toEqual([code]);
      expect(dry.plan.refusals, what).toContainEqual(real.userErrors[0]);
      expect(await snapshotDb(app), what).toEqual(before);
      expect(hubNames(hub), what).toEqual(hubBefore);
    }
  }, 90_000);

  it('should replay an idempotent deployApp and refuse the key with another input', async () => {
    const key = `idem-${uniq('k')}`;
    const input = { projectId: w.project.id, name: uniq('idem'), bundleIds: [w.appBundle], poolId: pool.id, idempotencyKey: key };
    const first = await deployApp(app, input);
    expect(first.userErrors).toEqual([]);
    const snapshot = await snapshotDb(app);
    const again = await deployApp(app, input);
    expect(again.userErrors).toEqual([]);
    expect(again.appDeployment.id).toBe(first.appDeployment.id);
    const [{ n }] = await sqlOf(app)<{ n: number }>('select count(*) as n from app_deployment where name = ?', [input.name]);
    expect(Number(n)).toBe(1);
    const other = await deployApp(app, { ...input, description: 'another input' });
    expect(other.userErrors).toEqual([{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'], message: expect.any(String) }]);
    expect(other.appDeployment).toBeNull();
    // the key belongs to its caller: another caller's same key is a new request (here: the name is taken)
    const editor = await createToken(app, [{ role: 'PROJECT_EDITOR', projectId: w.project.id }]);
    const theirs = await deployApp(app, input, editor);
    expect(theirs.userErrors.map((e: any) => e.code)).toEqual(['ALREADY_EXISTS']);
    expect(await snapshotDb(app).then((s) => s.app_deployment.length)).toBe(snapshot.app_deployment.length);
    await waitForPhase(gw, first.appDeployment.id, ['RUNNING']);
  }, 60_000);

  it('should replay an idempotent deployApp onto a dedicated pool that it now serves', async () => {
    const r = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'DEDICATED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] });
    expect(r.createComputePool.userErrors).toEqual([]);
    const dedicated = r.createComputePool.computePool.id;
    await waitForPoolPhase(app, dedicated, ['RUNNING']);
    const input = { projectId: w.project.id, name: uniq('serve'), bundleIds: [w.appBundle], poolId: dedicated, idempotencyKey: uniq('key') };
    const first = await deployApp(app, input);
    expect(first.userErrors).toEqual([]);
    const again = await deployApp(app, input);
    expect(again.userErrors).toEqual([]);
    expect(again.appDeployment?.id).toBe(first.appDeployment.id);
    // without the key, the pool is taken
    const second = await deployApp(app, { ...input, name: uniq('serve'), idempotencyKey: undefined });
    expect(second.userErrors.map((e: any) => [e.code, e.field])).toEqual([['IN_USE', ['input', 'poolId']]]);
    expect((await waitForPhase(gw, first.appDeployment.id, ['RUNNING', 'FAILED'])).phase).toBe('RUNNING');
    expect((await app.q(DELETE_DEPLOYMENT, { id: first.appDeployment.id })).deleteAppDeployment.userErrors).toEqual([]);
    await waitForPhase(gw, first.appDeployment.id, ['DELETED']);
    // a user's dedicated pool outlives the deployment and is free for the next one
    expect((await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { phase appDeployments { nodes { id } } } } }`, { id: dedicated })).node).toEqual({ phase: 'RUNNING', appDeployments: { nodes: [] } });
    const next = await deployApp(app, { ...input, name: uniq('next'), idempotencyKey: undefined });
    expect(next.userErrors).toEqual([]);
  }, 120_000);

  it('should clone a deployment with a variable override and deploy the overridden value', async () => {
    const source = await deployApp(app, {
      projectId: w.project.id,
      name: uniq('src'),
      description: 'the original',
      links: [{ title: 'Docs', url: 'https://docs.example.com' }],
      bundleIds: [w.appBundle],
      poolId: pool.id,
      variables: [{ name: 'model', value: 'llama-3-70b' }, { name: 'replicas', value: 3 }],
    });
    expect(source.userErrors).toEqual([]);
    const name = uniq('clone');
    const c = (await app.q(CLONE, { input: { id: source.appDeployment.id, name, variables: [{ name: 'model', value: 'phi-3' }] } })).cloneAppDeployment;
    expect(c.userErrors).toEqual([]);
    expect(c.appDeployment).toMatchObject({ name, variableValues: { model: 'phi-3', replicas: 3, temperature: 0.7, debug: false }, gpuRequests: [{ gpuFamily: 'NVIDIA-H100', count: 2 }] });
    const clone = await waitForPhase(gw, c.appDeployment.id, ['RUNNING', 'FAILED']);
    expect(clone.phase).toBe('RUNNING');
    const detail = (await app.q(`query($id: ID!) { node(id: $id) { ... on AppDeployment { description links { title url } computePool { id } bundles { id } } } }`, { id: clone.id })).node;
    expect(detail).toEqual({ description: 'the original', links: [{ title: 'Docs', url: 'https://docs.example.com' }], computePool: { id: pool.id }, bundles: [{ id: w.appBundle }] });
    const ns = appNamespaceName(w.project.name, name);
    const hr = hub.spoke(clone.cluster).get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', ns, 'server')!;
    expect((hr.spec as any).values).toMatchObject({ model: 'phi-3', replicaCount: 3 });
    // the source keeps its value
    expect((await getDeployment(gw, source.appDeployment.id)).variableValues.model).toBe('llama-3-70b');
    // an override obeys the same rules: a locked variable stays locked
    const locked = (await app.q(CLONE, { input: { id: source.appDeployment.id, name: uniq('clone'), variables: [{ name: 'temperature', value: 1.5 }] } })).cloneAppDeployment;
    expect(locked.userErrors.map((e: any) => [e.code, e.field])).toEqual([['INVALID_INPUT', ['input', 'variables', 'temperature']]]);
    const taken = (await app.q(CLONE, { input: { id: source.appDeployment.id, name } })).cloneAppDeployment;
    expect(taken.userErrors.map((e: any) => [e.code, e.field])).toEqual([['ALREADY_EXISTS', ['input', 'name']]]);
  }, 90_000);

  it('should refuse to retry deployments that are not FAILED', async () => {
    const d = await deployApp(app, { projectId: w.project.id, name: uniq('ok'), bundleIds: [w.appBundle], poolId: pool.id });
    const queued = (await app.q(RETRY_DEPLOYMENT, { id: d.appDeployment.id })).retryAppDeployment;
    expect(queued.userErrors.map((e: any) => [e.code, e.field])).toEqual([['ILLEGAL_STATE', ['input', 'id']]]);
    await waitForPhase(gw, d.appDeployment.id, ['RUNNING']);
    const running = (await app.q(RETRY_DEPLOYMENT, { id: d.appDeployment.id })).retryAppDeployment;
    expect(running.userErrors.map((e: any) => [e.code, e.field])).toEqual([['ILLEGAL_STATE', ['input', 'id']]]);
    await app.q(DELETE_DEPLOYMENT, { id: d.appDeployment.id });
    await waitForPhase(gw, d.appDeployment.id, ['DELETED']);
    const deleted = (await app.q(RETRY_DEPLOYMENT, { id: d.appDeployment.id })).retryAppDeployment;
    expect(deleted.userErrors.map((e: any) => [e.code, e.field])).toEqual([['ILLEGAL_STATE', ['input', 'id']]]);
    const again = (await app.q(DELETE_DEPLOYMENT, { id: d.appDeployment.id })).deleteAppDeployment;
    expect(again.userErrors.map((e: any) => [e.code, e.field])).toEqual([['ILLEGAL_STATE', ['input', 'id']]]);
  }, 60_000);

  it('should refuse to delete a pool or a bundle version that a deployment uses, and allow the version once the deployment is deleted', async () => {
    const bundle = await createAppBundle(app, w.project.id, { gpus: 1 });
    const d = await deployApp(app, { projectId: w.project.id, name: uniq('use'), bundleIds: [bundle], poolId: pool.id });
    expect(d.userErrors).toEqual([]);
    const before = await snapshotDb(app);
    const poolDelete = await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { computePool { phase } userErrors { field message code } } }`, { id: pool.id });
    expect(poolDelete.deleteComputePool.userErrors).toEqual([{ code: 'IN_USE', field: ['input', 'id'], message: expect.stringMatching(/is used by \d+ app deployment\(s\)/) }]);
    const bundleDelete = await app.q(`mutation($id: ID!) { deleteProfileBundle(input: { id: $id }) { deletedId userErrors { field message code } } }`, { id: bundle });
    expect(bundleDelete.deleteProfileBundle).toEqual({ deletedId: null, userErrors: [{ code: 'IN_USE', field: ['input', 'id'], message: expect.stringMatching(/is used by 1 app deployment\(s\)/) }] });
    const infraDelete = await app.q(`mutation($id: ID!) { deleteProfileBundle(input: { id: $id }) { userErrors { code } } }`, { id: w.bundle });
    expect(infraDelete.deleteProfileBundle.userErrors).toEqual([{ code: 'IN_USE' }]);
    // the refusals changed nothing (a running flow may have moved its own deployment meanwhile)
    const after = await snapshotDb(app);
    for (const table of ['compute_pool', 'profile_bundle', 'gpu_quota', 'gpu_reservation', 'cluster_gpu', 'machine']) expect(after[table], table).toEqual(before[table]);
    expect((await waitForPhase(gw, d.appDeployment.id, ['RUNNING', 'FAILED'])).phase).toBe('RUNNING');
    expect(spokeReleases(hub, (await getDeployment(gw, d.appDeployment.id)).cluster).length).toBeGreaterThan(0);

    // once the deployment is deleted it uses nothing: the version can go (the record still names it while it exists)
    expect((await app.q(DELETE_DEPLOYMENT, { id: d.appDeployment.id })).deleteAppDeployment.userErrors).toEqual([]);
    await waitForPhase(gw, d.appDeployment.id, ['DELETED']);
    const bundlesOf = async () => (await app.q(`query($id: ID!) { node(id: $id) { ... on AppDeployment { bundles { id } } } }`, { id: d.appDeployment.id })).node.bundles;
    expect(await bundlesOf()).toEqual([{ id: bundle }]);
    const later = await app.q(`mutation($id: ID!) { deleteProfileBundle(input: { id: $id }) { deletedId userErrors { field message code } } }`, { id: bundle });
    expect(later.deleteProfileBundle).toEqual({ deletedId: bundle, userErrors: [] });
    expect(await bundlesOf()).toEqual([]);
  }, 60_000);
});

/** A database that outlives one app: a SQLite file or a fresh PostgreSQL database. */
async function durableDatabase(): Promise<{ db: Config['db']; drop(): Promise<void> }> {
  if (testDialect() === 'postgresql') return createTestDatabase('postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'sg-deploy-'));
  return { db: { kind: 'sqlite', file: join(dir, 'spokegraph.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

describe('deployApp idempotency across a restart', () => {
  it('should return the first result for the same caller, key and input after the gateway restarts', async () => {
    const database = await durableDatabase();
    const configure = (c: Config): Config => ({ ...c, db: database.db });
    let first: TestApp | undefined;
    let second: TestApp | undefined;
    try {
      first = await startTestApp({ configure });
      const w = await deployWorld(first, { quota: 16, gpus: 2 });
      const pool = await sharedPool(first, w);
      const input = { projectId: w.project.id, name: uniq('idem'), bundleIds: [w.appBundle], poolId: pool.id, idempotencyKey: 'deploy-once-8f2c' };
      const a = await deployApp(first, input);
      expect(a.userErrors).toEqual([]);
      const token = first.adminToken;
      await first.close();
      first = undefined;

      // same database, new process state (no runner: the replay must not depend on the flow)
      second = await startTestApp({ configure, noRunner: true });
      const replay = (await second.q(DEPLOY_APP, { input }, token)).deployApp;
      expect(replay.userErrors).toEqual([]);
      expect(replay.appDeployment.id).toBe(a.appDeployment.id);
      const reused = (await second.q(DEPLOY_APP, { input: { ...input, variables: [{ name: 'model', value: 'other' }] } }, token)).deployApp;
      expect(reused.userErrors.map((e: any) => [e.code, e.field])).toEqual([['IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']]]);
      const [{ n }] = await sqlOf(second)<{ n: number }>('select count(*) as n from app_deployment', []);
      expect(Number(n)).toBe(1);
    } finally {
      await first?.close();
      await second?.close();
      await database.drop();
    }
  }, 90_000);
});
