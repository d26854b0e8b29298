import { CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { sleep, startTestHub, statusOf } from './sim.helpers.js';

const G = { group: 'cluster.open-cluster-management.io', version: 'v1', plural: 'managedclusters' };
const APPLY = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const mc = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>) =>
  ({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name, ...(labels ? { labels } : {}) }, spec }) as KubernetesObject;

type Obj = { metadata: { resourceVersion: string; labels?: Record<string, string>; managedFields?: Array<{ manager: string; operation: string }> }; spec: Record<string, unknown> };

describe('simulated hub API server: server-side apply', () => {
  let hub: SimulatedHub;
  let co: CustomObjectsApi;
  let objs: KubernetesObjectApi;
  const apply = (manager: string, body: KubernetesObject, force = false) =>
    co.patchClusterCustomObject({ ...G, name: body.metadata!.name!, body, fieldManager: manager, force }, APPLY) as Promise<Obj>;

  beforeAll(async () => {
    hub = await startTestHub({ controllers: false });
    co = hub.kubeConfig().makeApiClient(CustomObjectsApi);
    objs = KubernetesObjectApi.makeApiClient(hub.kubeConfig());
  });
  afterAll(() => hub.stop());

  it('should create on first apply (201) and change nothing on a second identical apply: same resourceVersion, no watch event', async () => {
    const first = await co.patchClusterCustomObjectWithHttpInfo({ ...G, name: 'idem', body: mc('idem', { hubAcceptsClient: true }, { a: '1' }), fieldManager: 'spokegraph', force: true }, APPLY);
    expect(first.httpStatusCode).toBe(201);
    const rv = (first.data as Obj).metadata.resourceVersion;
    const events: string[] = [];
    const ctl = await new Watch(hub.kubeConfig()).watch(`/apis/cluster.open-cluster-management.io/v1/managedclusters`, { resourceVersion: rv, fieldSelector: 'metadata.name=idem' }, (t) => events.push(t), () => undefined);
    // KubernetesObjectApi.patch is what the gateway uses; it must be a no-op too.
    const again = await objs.patch(mc('idem', { hubAcceptsClient: true }, { a: '1' }), undefined, undefined, 'spokegraph', true, PatchStrategy.ServerSideApply);
    expect(again.metadata?.resourceVersion).toBe(rv);
    await sleep(150);
    ctl.abort();
    expect(events).toEqual([]);
  });

  it('should require a fieldManager for apply', async () => {
    const st = await statusOf(co.patchClusterCustomObject({ ...G, name: 'nofm', body: mc('nofm', {}) }, APPLY));
    expect(st).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('should answer 409 with FieldManagerConflict causes when another manager owns a field with a different value, unless forced', async () => {
    await apply('alpha', mc('cf', { hubAcceptsClient: true, leaseDurationSeconds: 60 }));
    const st = await statusOf(apply('beta', mc('cf', { leaseDurationSeconds: 30 })));
    expect(st).toMatchObject({ code: 409, reason: 'Conflict' });
    // A Status cause's type is serialised as "reason" (metav1.StatusCause).
    expect(st.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "alpha"', field: '.spec.leaseDurationSeconds' }]);
    expect(st.message).toBe('Apply failed with 1 conflict: conflict with "alpha": .spec.leaseDurationSeconds');
    // The same value is shared ownership, not a conflict.
    await apply('beta', mc('cf', { hubAcceptsClient: true }));
    const forced = await apply('beta', mc('cf', { hubAcceptsClient: true, leaseDurationSeconds: 30 }), true);
    expect(forced.spec.leaseDurationSeconds).toBe(30);
    // alpha lost the field, so applying its old value now conflicts with beta.
    expect(await statusOf(apply('alpha', mc('cf', { hubAcceptsClient: true, leaseDurationSeconds: 60 })))).toMatchObject({ code: 409 });
    const managers = forced.metadata.managedFields!.map((m) => `${m.manager}/${m.operation}`).sort();
    expect(managers).toEqual(['alpha/Apply', 'beta/Apply']);
  });

  it('should conflict with a field an Update manager changed, as kube-apiserver does', async () => {
    await apply('spokegraph', mc('upd', { hubAcceptsClient: true }));
    await co.patchClusterCustomObject({ ...G, name: 'upd', body: { spec: { hubAcceptsClient: false } }, fieldManager: 'kubectl-edit' }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const st = await statusOf(apply('spokegraph', mc('upd', { hubAcceptsClient: true })));
    expect(st.details?.causes?.[0]).toMatchObject({ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using cluster.open-cluster-management.io/v1', field: '.spec.hubAcceptsClient' });
    const forced = await apply('spokegraph', mc('upd', { hubAcceptsClient: true }), true);
    expect(forced.spec.hubAcceptsClient).toBe(true);
  });

  it('should remove fields a manager stops applying, but keep fields other managers own', async () => {
    await apply('spokegraph', mc('rm', { hubAcceptsClient: true, leaseDurationSeconds: 90 }, { mine: 'x', both: 'y' }));
    await apply('other', mc('rm', {}, { theirs: 'z', both: 'y' }));
    const after = await apply('spokegraph', mc('rm', { hubAcceptsClient: true }, {}));
    // leaseDurationSeconds: 90 is removed; the CRD default (60) is applied again, as on a real server.
    expect(after.spec).toEqual({ hubAcceptsClient: true, leaseDurationSeconds: 60 });
    expect(after.metadata.labels).toEqual({ theirs: 'z', both: 'y' });
  });

  it('should apply to the status subresource without touching spec or generation', async () => {
    await apply('spokegraph', mc('st', { hubAcceptsClient: true }));
    const body = { ...mc('st', { hubAcceptsClient: false }), status: { version: { kubernetes: 'v1.31.0' } } };
    const res = (await co.patchClusterCustomObjectStatus({ ...G, name: 'st', body, fieldManager: 'registration', force: true }, APPLY)) as Obj & { status: unknown; metadata: { generation: number } };
    expect(res.status).toEqual({ version: { kubernetes: 'v1.31.0' } });
    expect(res.spec).toEqual({ hubAcceptsClient: true, leaseDurationSeconds: 60 });
    expect(res.metadata.generation).toBe(1);
  });

  it('should treat a resourceVersion in an apply body as a precondition', async () => {
    await apply('spokegraph', mc('pre', { hubAcceptsClient: true }));
    const body = mc('pre', { hubAcceptsClient: true });
    body.metadata!.resourceVersion = '1';
    expect(await statusOf(apply('spokegraph', body, true))).toMatchObject({ code: 409, reason: 'Conflict' });
  });
});
