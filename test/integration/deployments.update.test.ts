/**
 * Upgrade in place: updateAppDeployment admits revision n+1 of a RUNNING deployment and rolls it out
 * on the same cluster under the same names (same id, name, URLs), readiness read for the new revision
 * only; the dry run shows the hub-object diff and the quota verdict of the GPU difference; a failed
 * rollout leaves the previous revision serving (and rolls back by itself when asked); revisions and
 * rollbackAppDeployment; refusals change nothing; bundle versions a revision pins are kept.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appHubName } from '../../src/kube/index.js';
import type { SimulatedHub } from '../../src/sim/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { DELETE_BUNDLE } from '../helpers/catalog.js';
import { createAppBundle, deployApp, DEPLOYMENT_FIELDS } from '../helpers/deploy.js';
import { DELETE_DEPLOYMENT, deploymentEventLog, deployWorld, gatewayOf, getDeployment, ledger, sharedPool, spokeReleases, sqlOf, waitForPhase, type Gateway } from '../helpers/deployments.js';
import { uniq } from '../helpers/seed.js';
import { counts, snapshotDb } from '../helpers/snapshot.js';

let app: TestApp;
let gw: Gateway;
let hub: SimulatedHub;

beforeAll(async () => {
  app = await startTestApp();
  gw = gatewayOf(app);
  hub = app.hub.sim!;
});
afterEach(() => hub.faults.clear());
afterAll(async () => app?.close());

const REVISION_FIELDS = 'number bundleIds variables variableValues gpuRequests { gpuFamily count } actor { tokenId subject } createdAt outcome failure { step reason message } rollbackOf replaces';
const UPDATE = `mutation($input: UpdateAppDeploymentInput!) { updateAppDeployment(input: $input) {
  appDeployment { ${DEPLOYMENT_FIELDS} revision }
  revision { ${REVISION_FIELDS} }
  plan { allowed refusals { field code message } revision gpuRequests { gpuFamily count } gpuIncrease { gpuFamily count } gpuDecrease { gpuFamily count }
    quota { level gpuFamily requested used limit allowed } variableValues steps { step } hubObjects changes { object path before after } }
  userErrors { field message code } } }`;
const ROLLBACK = `mutation($input: RollbackAppDeploymentInput!) { rollbackAppDeployment(input: $input) {
  appDeployment { id revision } revision { ${REVISION_FIELDS} } userErrors { field message code } } }`;
const REVISIONS = `query($id: ID!) { node(id: $id) { ... on AppDeployment { revision revisions(first: 50) { totalCount nodes { ${REVISION_FIELDS} } } } } }`;

const update = async (input: Record<string, unknown>) => (await app.q(UPDATE, { input })).updateAppDeployment;
const rollback = async (input: Record<string, unknown>) => (await app.q(ROLLBACK, { input })).rollbackAppDeployment;
const revisionsOf = async (id: string) => (await app.q(REVISIONS, { id })).node;

async function waitFor<T>(read: () => Promise<T>, done: (x: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const x = await read();
    if (done(x)) return x;
    if (Date.now() > end) throw new Error(`condition not reached in ${ms} ms: ${JSON.stringify(x)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until revision `n` has an outcome other than ROLLING_OUT and the deployment left DEPLOYING. */
async function settled(id: string, n: number) {
  return waitFor(
    async () => ({ d: await getDeployment(gw, id), r: await revisionsOf(id) }),
    (x) => x.d.phase === 'RUNNING' && x.r.revisions.nodes.some((r: any) => r.number === n && r.outcome !== 'ROLLING_OUT'),
  );
}

async function runningDeployment(opts: { quota?: number; gpus?: number; component?: string } = {}) {
  const w = await deployWorld(app, { quota: opts.quota ?? 8, tenantQuota: 16, gpus: opts.gpus ?? 2 });
  const pool = await sharedPool(app, w);
  const name = uniq('up');
  const r = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id });
  expect(r.userErrors).toEqual([]);
  const running = await waitForPhase(gw, r.appDeployment.id, ['RUNNING', 'FAILED'], 60_000);
  expect(running.phase).toBe('RUNNING');
  return { w, pool, name, id: r.appDeployment.id as string, running };
}

const work = (cluster: string, name: string) => hub.objects({ kind: 'ManifestWork', namespace: cluster }).find((o) => o.metadata.name === name)!;

describe('updateAppDeployment', () => {
  it('should roll a new revision out in place, keep id, name, cluster and URLs, and record revisions with their actor', async () => {
    const { w, name, id, running } = await runningDeployment();
    const cluster = running.cluster;
    const workName = appHubName(w.project.name, name);
    const generation = work(cluster, workName).metadata.generation!;
    const before = await deploymentEventLog(gw, id);

    // the dry run: the diff of the rendered ManifestWork, nothing written
    const snap = await snapshotDb(app);
    const dry = await update({ id, variables: [{ name: 'model', value: 'llama-3-70b' }], dryRun: true });
    expect(dry.userErrors).toEqual([]);
    expect(dry.appDeployment).toBeNull();
    expect(dry.plan).toMatchObject({ allowed: true, refusals: [], revision: 2, gpuIncrease: [], gpuDecrease: [], quota: [], steps: [{ step: 'apply-work' }, { step: 'rollout' }] });
    const paths = dry.plan.changes.map((c: any) => [c.path, c.before, c.after]);
    expect(paths).toContainEqual([expect.stringMatching(/manifests\[HelmRelease\/.*\/server\]\.spec\.values\.model$/), 'llama-3-8b', 'llama-3-70b']);
    expect(paths).toContainEqual([expect.stringMatching(/annotations\.reconcile\.fluxcd\.io\/requestedAt$/), null, 'revision-2']);
    expect(await snapshotDb(app)).toEqual(snap);

    const r = await update({ id, variables: [{ name: 'model', value: 'llama-3-70b' }] });
    expect(r.userErrors).toEqual([]);
    expect(r.revision).toMatchObject({ number: 2, outcome: 'ROLLING_OUT', replaces: 1, rollbackOf: null, variables: { model: 'llama-3-70b' }, actor: { tokenId: expect.any(String) } });
    expect(r.appDeployment).toMatchObject({ id, name, cluster, revision: 2 });
    const { d, r: revs } = await settled(id, 2);
    expect(d).toMatchObject({ id, name, cluster, phase: 'RUNNING', accessUrls: running.accessUrls, status: { failure: null } });
    expect(revs.revisions.nodes.map((x: any) => [x.number, x.outcome])).toEqual([[1, 'SUCCEEDED'], [2, 'SUCCEEDED']]);
    // the same ManifestWork, changed in place, and the release on the spoke carries the new values
    const after = work(cluster, workName);
    expect(after.metadata.generation).toBeGreaterThan(generation);
    expect(spokeReleases(hub, cluster)).toEqual([`${workName}/server`]);
    const hr = hub.spoke(cluster).get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', workName, 'server')!;
    expect((hr.spec as any).values).toMatchObject({ model: 'llama-3-70b' });
    expect((hr.status as any).lastHandledReconcileAt).toBe('revision-2');

    // progress on the same event stream, each event of the rollout naming revision 2
    const events = (await deploymentEventLog(gw, id)).slice(before.length);
    expect(events[0]).toMatchObject({ type: 'CREATED', details: expect.objectContaining({ revision: 2, replaces: 1 }) });
    expect(events.slice(1).every((e) => (e.details as any)?.revision === 2)).toBe(true);
    expect(events.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase)).toEqual(['DEPLOYING', 'RUNNING']);

    // the same content again is refused, and changes nothing
    const snap2 = await snapshotDb(app);
    const same = await update({ id, variables: [{ name: 'model', value: 'llama-3-70b' }] });
    expect(same.userErrors).toEqual([{ code: 'INVALID_INPUT', field: ['input', 'bundleIds'], message: expect.stringMatching(/nothing to change/) }]);
    expect(await snapshotDb(app)).toEqual(snap2);
  });

  it('should admit a GPU increase like a new request, release a decrease once it runs, and roll back to exact earlier revisions', async () => {
    const { w, id } = await runningDeployment({ quota: 6, gpus: 2 });
    const bigger = await createAppBundle(app, w.project.id, { gpus: 5 });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 2, heldByDeployments: 2, allocated: 2 });

    // over the quota: refused in the dry run and for real, nothing changed
    const tooBig = await createAppBundle(app, w.project.id, { gpus: 7 });
    const dry = await update({ id, bundleIds: [tooBig], dryRun: true });
    expect(dry.plan).toMatchObject({ allowed: false, gpuIncrease: [{ gpuFamily: 'NVIDIA-H100', count: 5 }], refusals: [expect.objectContaining({ code: 'QUOTA_EXCEEDED' })] });
    const snap = await snapshotDb(app);
    const refused = await update({ id, bundleIds: [tooBig] });
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: 'QUOTA_EXCEEDED', field: ['input', 'bundleIds'] })]);
    expect(await snapshotDb(app), JSON.stringify(counts(snap))).toEqual(snap);

    // 2 -> 5: the increase of 3 is held from admission
    const up = await update({ id, bundleIds: [bigger] });
    expect(up.userErrors).toEqual([]);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 5, heldByDeployments: 5, allocated: 5, overAllocated: 0 });
    await settled(id, 2);
    expect((await getDeployment(gw, id)).gpuRequests).toEqual([{ gpuFamily: 'NVIDIA-H100', count: 5 }]);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 5, tenantUsed: 5, heldByDeployments: 5, allocated: 5, allocationHeld: 5 });

    // rollback to 1: exactly its bundle version and values; 5 -> 2 held until it runs, then released
    const back = await rollback({ id, toRevision: 1 });
    expect(back.userErrors).toEqual([]);
    expect(back.revision).toMatchObject({ number: 3, rollbackOf: 1, replaces: 2, bundleIds: [w.appBundle], gpuRequests: [{ gpuFamily: 'NVIDIA-H100', count: 2 }] });
    const { r } = await settled(id, 3);
    expect(r.revisions.nodes.map((x: any) => [x.number, x.outcome, x.rollbackOf])).toEqual([[1, 'SUCCEEDED', null], [2, 'SUCCEEDED', null], [3, 'SUCCEEDED', 1]]);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 2, tenantUsed: 2, heldByDeployments: 2, allocated: 2, allocationHeld: 2 });

    // an unknown revision, and a bad number: typed refusals, nothing changed
    const snap2 = await snapshotDb(app);
    expect((await rollback({ id, toRevision: 99 })).userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'toRevision'] })]);
    expect((await rollback({ id, toRevision: 0 })).userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', field: ['input', 'toRevision'] })]);
    expect(await snapshotDb(app)).toEqual(snap2);
  });

  it('should leave the previous revision serving when the rollout fails, and roll back by itself when asked', async () => {
    const { w, id, name, running } = await runningDeployment({ gpus: 2 });
    const workName = appHubName(w.project.name, name);
    // a new version whose component (its HelmRelease) fails to install, asking one GPU more
    const broken = await createAppBundle(app, w.project.id, { gpus: 3, component: 'broken' });
    hub.faults.set({ failReleases: ['broken'] });

    const r = await update({ id, bundleIds: [broken] });
    expect(r.userErrors).toEqual([]);
    const { d, r: revs } = await settled(id, 2);
    expect(revs.revision).toBe(1);
    expect(revs.revisions.nodes[1]).toMatchObject({ number: 2, outcome: 'FAILED', failure: { step: 'rollout', reason: 'RELEASE_FAILED', message: expect.stringMatching(/broken/) } });
    // the deployment is RUNNING revision 1 again: its bundle, its GPUs (the increase released)
    expect(d).toMatchObject({ phase: 'RUNNING', gpuRequests: [{ gpuFamily: 'NVIDIA-H100', count: 2 }], accessUrls: running.accessUrls, status: { failure: null } });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 2, heldByDeployments: 2, allocated: 2, allocationHeld: 2 });

    // with rollbackOnFailure the flow re-applies revision 1 as revision 4 and ends RUNNING it
    const again = await update({ id, bundleIds: [broken], rollbackOnFailure: true });
    expect(again.userErrors).toEqual([]);
    expect(again.revision).toMatchObject({ number: 3, replaces: 1 });
    const { r: after } = await settled(id, 4);
    expect(after.revision).toBe(4);
    expect(after.revisions.nodes.slice(2).map((x: any) => [x.number, x.outcome, x.rollbackOf, x.failure?.reason ?? null])).toEqual([
      [3, 'FAILED', null, 'RELEASE_FAILED'],
      [4, 'SUCCEEDED', 1, null],
    ]);
    const cluster = running.cluster;
    expect(hub.spoke(cluster).get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', workName, 'server')).toBeTruthy();
    expect(hub.spoke(cluster).get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', workName, 'broken')).toBeFalsy();
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 2, heldByDeployments: 2, allocated: 2, allocationHeld: 2 });
  });

  it('should refuse a second change while one rolls out, and a change of a deployment being deleted', async () => {
    const { id } = await runningDeployment();
    const [a, b] = await Promise.all([update({ id, variables: [{ name: 'model', value: 'a' }] }), update({ id, variables: [{ name: 'model', value: 'b' }] })]);
    const errors = [a.userErrors, b.userErrors];
    expect(errors.filter((e) => e.length === 0)).toHaveLength(1);
    expect(errors.find((e) => e.length)).toEqual([expect.objectContaining({ field: ['input', 'id'], code: expect.stringMatching(/^(CONFLICT|ILLEGAL_STATE)$/) })]);
    // while revision 2 rolls out (or once it ran), a delete wins and the revision ends CANCELLED or SUCCEEDED
    expect((await app.q(DELETE_DEPLOYMENT, { id })).deleteAppDeployment.userErrors).toEqual([]);
    const late = await update({ id, variables: [{ name: 'model', value: 'c' }] });
    expect(late.userErrors).toEqual([expect.objectContaining({ code: 'ILLEGAL_STATE', field: ['input', 'id'] })]);
    const deleted = await waitForPhase(gw, id, ['DELETED'], 60_000);
    expect(deleted.phase).toBe('DELETED');
    const outcomes = (await revisionsOf(id)).revisions.nodes.map((x: any) => x.outcome);
    expect(outcomes[0]).toBe('SUCCEEDED');
    expect(['CANCELLED', 'SUCCEEDED']).toContain(outcomes[1]);
    // the refused ones added no revision
    expect(outcomes).toHaveLength(2);
  });
});

describe('bundle versions pinned by revisions', () => {
  it('should refuse to delete a bundle version a revision of a live deployment pins, naming it, and allow it once the deployment is deleted', async () => {
    const { w, id, name } = await runningDeployment();
    const v2 = await createAppBundle(app, w.project.id, { gpus: 2, component: 'server' });
    expect((await update({ id, bundleIds: [v2] })).userErrors).toEqual([]);
    await settled(id, 2);
    // revision 1's version is no longer what runs, but a rollback needs it: kept
    const snap = await snapshotDb(app);
    const refused = (await app.q(DELETE_BUNDLE, { id: w.appBundle })).deleteProfileBundle;
    expect(refused.userErrors).toEqual([{ code: 'IN_USE', field: ['input', 'id'], message: expect.stringContaining(`${name} (revision 1)`) }]);
    expect(await snapshotDb(app)).toEqual(snap);
    expect((await app.q(DELETE_DEPLOYMENT, { id })).deleteAppDeployment.userErrors).toEqual([]);
    await waitForPhase(gw, id, ['DELETED'], 60_000);
    expect((await app.q(DELETE_BUNDLE, { id: w.appBundle })).deleteProfileBundle.userErrors).toEqual([]);
    // the deleted deployment's revisions still say what ran
    expect((await revisionsOf(id)).revisions.nodes.map((x: any) => x.bundleIds[0])).toEqual([w.appBundle, v2]);
  });
});
