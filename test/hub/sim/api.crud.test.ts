import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { startTestHub, statusOf } from './sim.helpers.js';

const PL = { group: 'cluster.open-cluster-management.io', version: 'v1beta1', plural: 'placements' };
const placement = (name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'cluster.open-cluster-management.io/v1beta1',
  kind: 'Placement',
  metadata: { name, labels },
  spec: { numberOfClusters: 1 },
  ...extra,
});

describe('simulated hub API server: CRUD', () => {
  let hub: SimulatedHub;
  let core: CoreV1Api;
  let co: CustomObjectsApi;
  let objs: KubernetesObjectApi;

  beforeAll(async () => {
    hub = await startTestHub({ controllers: false });
    const kc = hub.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    co = kc.makeApiClient(CustomObjectsApi);
    objs = KubernetesObjectApi.makeApiClient(kc);
    for (const name of ['crud', 'sel', 'pages', 'fin', 'gone']) await core.createNamespace({ body: { metadata: { name } } });
  });
  afterAll(() => hub.stop());

  it('should serve discovery with plurals, scope, verbs and status subresources', async () => {
    const res = await fetch(`${hub.url}/apis/cluster.x-k8s.io/v1beta2`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const doc = (await res.json()) as { resources: Array<{ name: string; namespaced: boolean; kind: string; verbs: string[] }> };
    expect(doc.resources).toContainEqual(expect.objectContaining({ name: 'clusters', namespaced: true, kind: 'Cluster', singularName: 'cluster' }));
    expect(doc.resources.map((r) => r.name)).toContain('clusters/status');
    const groups = (await (await fetch(`${hub.url}/apis`)).json()) as { groups: Array<{ name: string }> };
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['coordination.k8s.io', 'cluster.open-cluster-management.io', 'work.open-cluster-management.io', 'addon.open-cluster-management.io', 'source.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io', 'cluster.x-k8s.io']),
    );
    expect((await fetch(`${hub.url}/apis/cluster.x-k8s.io/v1beta1`)).status).toBe(200);
    expect((await fetch(`${hub.url}/apis/nope.io/v1`)).status).toBe(404);
    // KubernetesObjectApi resolves kinds through discovery.
    const list = await objs.list('addon.open-cluster-management.io/v1beta1', 'ManagedClusterAddOn');
    expect(list.items).toEqual([]);
  });

  it('should create with 201, uid, creationTimestamp, generation 1 and a resourceVersion', async () => {
    const res = await co.createNamespacedCustomObjectWithHttpInfo({ ...PL, namespace: 'crud', body: placement('a') });
    expect(res.httpStatusCode).toBe(201);
    const meta = (res.data as { metadata: Record<string, unknown> }).metadata;
    expect(meta).toMatchObject({ name: 'a', namespace: 'crud', generation: 1 });
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(meta.resourceVersion)).toBeGreaterThan(0);
    expect(meta.creationTimestamp).toMatch(/Z$/);
  });

  it('should generate a name from generateName', async () => {
    const created = (await co.createNamespacedCustomObject({ ...PL, namespace: 'crud', body: { ...placement(''), metadata: { generateName: 'gen-' } } })) as { metadata: { name: string } };
    expect(created.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('should answer AlreadyExists, NotFound for a missing namespace and Invalid for a bad name', async () => {
    expect(await statusOf(co.createNamespacedCustomObject({ ...PL, namespace: 'crud', body: placement('a') }))).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    expect(await statusOf(co.createNamespacedCustomObject({ ...PL, namespace: 'missing', body: placement('x') }))).toMatchObject({ code: 404, reason: 'NotFound', message: 'namespaces "missing" not found' });
    expect(await statusOf(co.createNamespacedCustomObject({ ...PL, namespace: 'crud', body: placement('Bad_Name') }))).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(await statusOf(co.getNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'nope' }))).toMatchObject({ code: 404, reason: 'NotFound', message: 'placements.cluster.open-cluster-management.io "nope" not found' });
  });

  it('should reject a stale resourceVersion with 409 Conflict and a PUT without one with 422', async () => {
    const cur = (await co.getNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'a' })) as ReturnType<typeof placement> & { metadata: { resourceVersion: string } };
    const updated = (await co.replaceNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'a', body: { ...cur, spec: { numberOfClusters: 2 } } })) as { metadata: { resourceVersion: string; generation: number } };
    expect(updated.metadata.generation).toBe(2);
    const stale = await statusOf(co.replaceNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'a', body: { ...cur, spec: { numberOfClusters: 3 } } }));
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.message).toContain('the object has been modified');
    const noRv = { ...cur, metadata: { ...cur.metadata, resourceVersion: undefined } };
    expect(await statusOf(co.replaceNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'a', body: noRv }))).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  it('should ignore .status on main writes, leave generation alone on status writes and bump it only for spec changes', async () => {
    const created = (await co.createNamespacedCustomObject({ ...PL, namespace: 'crud', body: placement('s', {}, { status: { numberOfSelectedClusters: 9 } }) })) as Record<string, any>;
    expect(created.status).toBeUndefined();
    const withStatus = (await co.replaceNamespacedCustomObjectStatus({ ...PL, namespace: 'crud', name: 's', body: { ...created, spec: { numberOfClusters: 7 }, status: { numberOfSelectedClusters: 1 } } })) as Record<string, any>;
    expect(withStatus.status).toEqual({ numberOfSelectedClusters: 1 });
    // The CRD's defaults are applied, as a real API server applies them on every write.
    expect(withStatus.spec).toEqual({ numberOfClusters: 1, scoreRateLimit: '1m', sortBy: 'ClusterName' });
    expect(withStatus.metadata.generation).toBe(1);
    const labelled = (await co.patchNamespacedCustomObject({ ...PL, namespace: 'crud', name: 's', body: { metadata: { labels: { x: 'y' } }, status: { numberOfSelectedClusters: 5 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as Record<string, any>;
    expect(labelled.metadata.generation).toBe(1);
    expect(labelled.status).toEqual({ numberOfSelectedClusters: 1 });
    const respec = (await co.patchNamespacedCustomObject({ ...PL, namespace: 'crud', name: 's', body: { spec: { numberOfClusters: 4 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as Record<string, any>;
    expect(respec.metadata.generation).toBe(2);
    const st = (await co.getNamespacedCustomObjectStatus({ ...PL, namespace: 'crud', name: 's' })) as Record<string, any>;
    expect(st.status).toEqual({ numberOfSelectedClusters: 1 });
  });

  it('should apply merge patches (null deletes) and JSON patches, and refuse strategic merge on custom resources', async () => {
    await co.createNamespacedCustomObject({ ...PL, namespace: 'crud', body: placement('p', { a: '1', b: '2' }) });
    const merged = (await co.patchNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'p', body: { metadata: { labels: { a: null, c: '3' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as Record<string, any>;
    expect(merged.metadata.labels).toEqual({ b: '2', c: '3' });
    // Generated patch methods default to JSON patch.
    const jp = (await co.patchNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'p', body: [{ op: 'replace', path: '/spec/numberOfClusters', value: 3 }, { op: 'add', path: '/spec/clusterSets', value: ['s1'] }] })) as Record<string, any>;
    expect(jp.spec).toEqual({ numberOfClusters: 3, clusterSets: ['s1'], scoreRateLimit: '1m', sortBy: 'ClusterName' });
    expect(await statusOf(co.patchNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'p', body: [{ op: 'test', path: '/spec/numberOfClusters', value: 99 }] }))).toMatchObject({ code: 422 });
    expect(await statusOf(co.patchNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'p', body: { spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)))).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    const conflict = await statusOf(co.patchNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'p', body: { metadata: { resourceVersion: '1' }, spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    expect(conflict).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  it('should keep an object with finalizers until they are removed', async () => {
    await co.createNamespacedCustomObject({ ...PL, namespace: 'fin', body: { ...placement('f'), metadata: { name: 'f', finalizers: ['example.com/hold'] } } });
    const deleting = (await co.deleteNamespacedCustomObject({ ...PL, namespace: 'fin', name: 'f' })) as Record<string, any>;
    expect(deleting.metadata.deletionTimestamp).toBeTruthy();
    const still = (await co.getNamespacedCustomObject({ ...PL, namespace: 'fin', name: 'f' })) as Record<string, any>;
    expect(still.metadata.deletionTimestamp).toBeTruthy();
    expect(await statusOf(co.patchNamespacedCustomObject({ ...PL, namespace: 'fin', name: 'f', body: { metadata: { finalizers: ['example.com/hold', 'example.com/new'] } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)))).toMatchObject({ code: 422 });
    await co.patchNamespacedCustomObject({ ...PL, namespace: 'fin', name: 'f', body: { metadata: { finalizers: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(await statusOf(co.getNamespacedCustomObject({ ...PL, namespace: 'fin', name: 'f' }))).toMatchObject({ code: 404 });
  });

  it('should filter lists with label selectors (=, ==, !=, in, notin, exists, !key) and field selectors', async () => {
    const specs: Array<[string, Record<string, string>]> = [
      ['l1', { tier: 'gpu', zone: 'a' }],
      ['l2', { tier: 'cpu', zone: 'b' }],
      ['l3', { tier: 'gpu' }],
    ];
    for (const [name, labels] of specs) await co.createNamespacedCustomObject({ ...PL, namespace: 'sel', body: placement(name, labels) });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      ((await co.listNamespacedCustomObject({ ...PL, namespace: 'sel', labelSelector, fieldSelector })) as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name);
    expect(await names('tier=gpu')).toEqual(['l1', 'l3']);
    expect(await names('tier==cpu')).toEqual(['l2']);
    expect(await names('tier!=gpu')).toEqual(['l2']);
    expect(await names('zone in (a,b),tier notin (cpu)')).toEqual(['l1']);
    expect(await names('zone')).toEqual(['l1', 'l2']);
    expect(await names('!zone')).toEqual(['l3']);
    expect(await names(undefined, 'metadata.name=l2')).toEqual(['l2']);
    expect(await names(undefined, 'metadata.name!=l2')).toEqual(['l1', 'l3']);
    expect(await statusOf(co.listNamespacedCustomObject({ ...PL, namespace: 'sel', labelSelector: 'tier in gpu' }))).toMatchObject({ code: 400 });
    const all = (await co.listCustomObjectForAllNamespaces({ ...PL, labelSelector: 'tier=gpu' })) as { items: unknown[]; kind: string };
    expect(all.kind).toBe('PlacementList');
    expect(all.items).toHaveLength(2);
  });

  it('should paginate with limit and continue, and answer 410 Expired for a continue token older than history', async () => {
    for (let i = 0; i < 5; i++) await core.createNamespacedConfigMap({ namespace: 'pages', body: { metadata: { name: `cm-${i}` }, data: { i: String(i) } } });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: 'pages', limit: 2, _continue: token });
      seen.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata?._continue || undefined;
      pages++;
    } while (token);
    expect(seen).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
    expect(pages).toBe(3);
    const first = await core.listNamespacedConfigMap({ namespace: 'pages', limit: 2 });
    await core.createNamespacedConfigMap({ namespace: 'pages', body: { metadata: { name: 'cm-late' } } });
    hub.compactHistory();
    expect(await statusOf(core.listNamespacedConfigMap({ namespace: 'pages', limit: 2, _continue: first.metadata!._continue }))).toMatchObject({ code: 410, reason: 'Expired' });
    expect(await statusOf(core.listNamespacedConfigMap({ namespace: 'pages', _continue: 'garbage' }))).toMatchObject({ code: 400 });
  });

  it('should delete a collection by label selector', async () => {
    await core.createNamespacedConfigMap({ namespace: 'pages', body: { metadata: { name: 'dc-1', labels: { drop: 'yes' } } } });
    await core.createNamespacedConfigMap({ namespace: 'pages', body: { metadata: { name: 'dc-2', labels: { drop: 'no' } } } });
    await core.deleteCollectionNamespacedConfigMap({ namespace: 'pages', labelSelector: 'drop=yes' });
    const left = await core.listNamespacedConfigMap({ namespace: 'pages', labelSelector: 'drop' });
    expect(left.items.map((i) => i.metadata!.name)).toEqual(['dc-2']);
  });

  it('should fold Secret stringData into data', async () => {
    const s = await core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name: 'sec' }, stringData: { value: 'hello' } } });
    expect(s.data).toEqual({ value: Buffer.from('hello').toString('base64') });
    expect(s.stringData).toBeUndefined();
  });

  it('should refuse new content in a Terminating namespace with 403', async () => {
    await co.createNamespacedCustomObject({ ...PL, namespace: 'gone', body: { ...placement('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await core.deleteNamespace({ name: 'gone' });
    const ns = await core.readNamespace({ name: 'gone' });
    expect(ns.status?.phase).toBe('Terminating');
    expect(await statusOf(co.createNamespacedCustomObject({ ...PL, namespace: 'gone', body: placement('new') }))).toMatchObject({ code: 403, reason: 'Forbidden' });
  });

  it('should reject invalid labels and objects that break known schema or webhook rules with 422 Invalid', async () => {
    const badLabel = await statusOf(co.createNamespacedCustomObject({ ...PL, namespace: 'crud', body: placement('lbl', { 'gpu.spokegraph.io/NVIDIA H100': '8' }) }));
    expect(badLabel).toMatchObject({ code: 422, reason: 'Invalid' });
    const binding = { apiVersion: 'cluster.open-cluster-management.io/v1beta2', kind: 'ManagedClusterSetBinding', metadata: { name: 'set-a' }, spec: { clusterSet: 'set-b' } };
    const st = await statusOf(co.createNamespacedCustomObject({ group: 'cluster.open-cluster-management.io', version: 'v1beta2', plural: 'managedclustersetbindings', namespace: 'crud', body: binding }));
    expect(st).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(st.details?.causes?.[0]).toMatchObject({ field: 'spec.clusterSet' });
  });

  it('should answer unknown paths with a 404 Status and unsupported methods with 405', async () => {
    const res = await fetch(`${hub.url}/apis/cluster.open-cluster-management.io/v1/namespaces/crud/managedclusters`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as { kind: string }).kind).toBe('Status');
    const post = await fetch(`${hub.url}/apis/cluster.open-cluster-management.io/v1beta1/namespaces/crud/placements/a`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
  });

  it('should inject 5xx answers for the configured verbs only', async () => {
    hub.faults.set({ errorRate: 1, errorVerbs: ['get'] });
    try {
      const st = await statusOf(co.getNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'a' }));
      expect([500, 503, 504]).toContain(st.code);
      expect(st.message).toContain('SIMULATED');
      const list = (await co.listNamespacedCustomObject({ ...PL, namespace: 'crud' })) as { items: unknown[] };
      expect(list.items.length).toBeGreaterThan(0);
    } finally {
      hub.faults.clear();
    }
    await co.getNamespacedCustomObject({ ...PL, namespace: 'crud', name: 'a' });
  });
});
