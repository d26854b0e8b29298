import { CoreV1Api, CustomObjectsApi, makeInformer, Watch, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { sleep, startTestHub, waitFor } from './sim.helpers.js';

interface Seen {
  type: string;
  name?: string;
  rv?: string;
  code?: number;
}

describe('simulated hub API server: watch', () => {
  let hub: SimulatedHub;
  let core: CoreV1Api;
  let watch: Watch;

  /** Opens a watch and records events; returns the log, a done promise and the abort handle. */
  async function record(path: string, query: Record<string, string | number | boolean | undefined>) {
    const seen: Seen[] = [];
    let resolveDone!: (err: unknown) => void;
    const done = new Promise<unknown>((r) => (resolveDone = r));
    const ctl = await watch.watch(
      path,
      query,
      (type, obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number }) => seen.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, code: obj.code }),
      (err) => resolveDone(err ?? null),
    );
    return { seen, done, ctl };
  }

  beforeAll(async () => {
    hub = await startTestHub({ controllers: false });
    const kc = hub.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    watch = new Watch(kc);
    for (const name of ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7']) await core.createNamespace({ body: { metadata: { name } } });
  });
  afterAll(() => hub.stop());

  it('should send synthetic ADDED events for resourceVersion "" and then live ADDED/MODIFIED/DELETED', async () => {
    await core.createNamespacedConfigMap({ namespace: 'w1', body: { metadata: { name: 'pre' } } });
    const w = await record('/api/v1/namespaces/w1/configmaps', { resourceVersion: '' });
    await waitFor('initial ADDED', () => w.seen.length === 1);
    await core.createNamespacedConfigMap({ namespace: 'w1', body: { metadata: { name: 'live' } } });
    await core.patchNamespacedConfigMap({ namespace: 'w1', name: 'live', body: [{ op: 'add', path: '/data', value: { a: '1' } }] });
    await core.deleteNamespacedConfigMap({ namespace: 'w1', name: 'live' });
    await waitFor('live events', () => w.seen.length === 4);
    w.ctl.abort();
    expect(w.seen.map((s) => `${s.type}:${s.name}`)).toEqual(['ADDED:pre', 'ADDED:live', 'MODIFIED:live', 'DELETED:live']);
    const rvs = w.seen.slice(1).map((s) => Number(s.rv));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
  });

  it('should replay events after a given resourceVersion', async () => {
    const start = await core.listNamespacedConfigMap({ namespace: 'w2' });
    await core.createNamespacedConfigMap({ namespace: 'w2', body: { metadata: { name: 'a' } } });
    await core.createNamespacedConfigMap({ namespace: 'w2', body: { metadata: { name: 'b' } } });
    const w = await record('/api/v1/namespaces/w2/configmaps', { resourceVersion: start.metadata!.resourceVersion });
    await waitFor('replayed events', () => w.seen.length === 2);
    w.ctl.abort();
    expect(w.seen.map((s) => `${s.type}:${s.name}`)).toEqual(['ADDED:a', 'ADDED:b']);
  });

  it('should turn objects leaving or entering the label selector into DELETED and ADDED', async () => {
    await core.createNamespacedConfigMap({ namespace: 'w3', body: { metadata: { name: 'x', labels: { pick: 'yes' } } } });
    const w = await record('/api/v1/namespaces/w3/configmaps', { labelSelector: 'pick=yes' });
    await waitFor('initial', () => w.seen.length === 1);
    await core.patchNamespacedConfigMap({ namespace: 'w3', name: 'x', body: [{ op: 'replace', path: '/metadata/labels/pick', value: 'no' }] });
    await core.patchNamespacedConfigMap({ namespace: 'w3', name: 'x', body: [{ op: 'replace', path: '/metadata/labels/pick', value: 'yes' }] });
    await waitFor('transitions', () => w.seen.length === 3);
    w.ctl.abort();
    expect(w.seen.map((s) => s.type)).toEqual(['ADDED', 'DELETED', 'ADDED']);
  });

  it('should send bookmarks when asked and close the stream at timeoutSeconds', async () => {
    const w = await record('/api/v1/namespaces/w4/configmaps', { allowWatchBookmarks: true, timeoutSeconds: 1 });
    const quiet = await record('/api/v1/namespaces/w4/configmaps', { timeoutSeconds: 1 });
    await waitFor('a bookmark', () => w.seen.some((s) => s.type === 'BOOKMARK'));
    expect(Number(w.seen.find((s) => s.type === 'BOOKMARK')!.rv)).toBeGreaterThan(0);
    await expect(w.done).resolves.toBeNull();
    await quiet.done;
    expect(quiet.seen.filter((s) => s.type === 'BOOKMARK')).toEqual([]);
  });

  it('should answer an expired resourceVersion with an in-stream 410 ERROR and close', async () => {
    const old = await core.listNamespacedConfigMap({ namespace: 'w5' });
    await core.createNamespacedConfigMap({ namespace: 'w5', body: { metadata: { name: 'after' } } });
    hub.compactHistory();
    const w = await record('/api/v1/namespaces/w5/configmaps', { resourceVersion: old.metadata!.resourceVersion });
    await w.done;
    expect(w.seen).toEqual([{ type: 'ERROR', code: 410, name: undefined, rv: undefined }]);
  });

  it('should let makeInformer re-list after 410 and reconnect after dropped watches without losing changes', async () => {
    const kc = hub.kubeConfig();
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/w6/configmaps', () => core.listNamespacedConfigMap({ namespace: 'w6' }));
    let connects = 0;
    const errors: unknown[] = [];
    informer.on('connect', () => connects++);
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'w6', body: { metadata: { name: 'one' } } });
    await waitFor('informer sees one', () => informer.get('one', 'w6'));

    // A clean server-side close: the informer resumes from its resourceVersion.
    expect(hub.dropWatches()).toBeGreaterThan(0);
    await core.createNamespacedConfigMap({ namespace: 'w6', body: { metadata: { name: 'two' } } });
    await waitFor('informer sees two', () => informer.get('two', 'w6'));

    // History compacted while disconnected: the resume gets 410 and the informer re-lists.
    hub.compactHistory();
    await core.createNamespacedConfigMap({ namespace: 'w6', body: { metadata: { name: 'three' } } });
    hub.compactHistory();
    hub.dropWatches();
    await core.createNamespacedConfigMap({ namespace: 'w6', body: { metadata: { name: 'four' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'w6', name: 'one' });
    await waitFor('informer converges', () => informer.get('three', 'w6') && informer.get('four', 'w6') && !informer.get('one', 'w6'));
    expect(connects).toBeGreaterThanOrEqual(3);
    // Checked before stop(): client-node 1.4.0 reports its own abort on stop() as an 'error'.
    expect(errors).toEqual([]);
    await informer.stop();
  });

  it('should report an abrupt connection drop to the watcher as an error', async () => {
    const w = await record('/api/v1/namespaces/w7/configmaps', {});
    await sleep(50);
    hub.dropWatches(true);
    const err = await w.done;
    expect(err).toBeTruthy();
  });

  it('should never fault an open watch stream, only new requests', async () => {
    const co = hub.kubeConfig().makeApiClient(CustomObjectsApi);
    const w = await record('/api/v1/namespaces/w7/configmaps', {});
    hub.faults.set({ errorRate: 1, errorVerbs: ['watch', 'get', 'list'] });
    try {
      for (let i = 0; i < 5; i++) await core.createNamespacedConfigMap({ namespace: 'w7', body: { metadata: { name: `f${i}` } } });
      await waitFor('events despite faults', () => w.seen.length === 5);
      const failed = await record('/api/v1/namespaces/w7/configmaps', {});
      const err = (await failed.done) as { statusCode?: number };
      expect([500, 503, 504]).toContain(err.statusCode);
      await expect(co.listNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta2', namespace: 'w7', plural: 'clusters' })).rejects.toThrow();
    } finally {
      hub.faults.clear();
      w.ctl.abort();
    }
    const list = (await co.listNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta2', namespace: 'w7', plural: 'clusters' })) as { items: KubernetesObject[] };
    expect(list.items).toEqual([]);
  });
});
