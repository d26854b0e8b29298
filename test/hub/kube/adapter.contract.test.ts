/**
 * The adapter against the simulated hub over real HTTP: SSA idempotence, core and custom kinds,
 * cluster-scoped and namespaced, deletion with finalizers, retries of injected 5xx, and the
 * classification of real server errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManagedClusterSet, buildPlacement, HubError, type KubeObject, type ObjectRef } from '../../../src/kube/index.js';
import { KubeHubAdapter } from '../../../src/kube/hub.adapter.js';
import { loadHubKubeConfig } from '../../../src/kube/hub.connection.js';
import { silentLogger } from '../../../src/logger.js';
import { eventually, namespace, secret, startTestHub, type TestHub } from './sim.harness.js';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  await t.adapter.apply(namespace('contract'));
});
afterAll(() => t?.stop());

describe('hub adapter contract', () => {
  /**
   * Controllers may still be writing status after the first apply, so idempotence is checked once the
   * object is quiet: an apply of the same object must then leave the resourceVersion alone. A
   * non-idempotent apply would bump it every time and never pass.
   */
  async function expectIdempotent(obj: KubeObject): Promise<KubeObject> {
    const ref = { kind: obj.kind as ObjectRef['kind'], namespace: obj.metadata.namespace, name: obj.metadata.name };
    const created = await t.adapter.apply(obj);
    expect(created.metadata.resourceVersion).toBeTruthy();
    await eventually(async () => {
      const before = await t.adapter.get(ref);
      const after = await t.adapter.apply(obj);
      return before?.metadata.resourceVersion === after.metadata.resourceVersion;
    }, `an idempotent apply of ${obj.kind} ${obj.metadata.name}`);
    const live = (await t.adapter.get(ref))!;
    expect(live.metadata.generation ?? 1).toBe(created.metadata.generation ?? 1);
    return live;
  }

  // The third column: the CRD's schema defaults, which the API server adds to what was applied.
  it.each([
    ['a core namespaced kind', secret('contract', 'idem', { a: '1' }), {}],
    ['a namespaced custom kind', buildPlacement({ project: 'contract', deployment: 'idem', clusterSets: ['s1'], gpuFamilies: ['NVIDIA-H100'] }), { scoreRateLimit: '1m', sortBy: 'ClusterName' }],
    ['a cluster-scoped custom kind', buildManagedClusterSet({ name: 'contract-set', owner: { project: 'contract' } }), {}],
  ])('should create %s with apply and leave it untouched on a second identical apply', async (_n, obj, defaults) => {
    const live = await expectIdempotent(obj);
    expect(live.spec ?? (live as { data?: unknown }).data).toEqual({ ...((obj.spec ?? (obj as { data?: unknown }).data) as object), ...defaults });
  });

  it('should converge on a changed apply, dropping fields it no longer sets', async () => {
    const base = secret('contract', 'converge', { a: '1' }, { extra: 'yes' });
    await t.adapter.apply(base);
    const changed = secret('contract', 'converge', { a: '2' });
    const after = await t.adapter.apply(changed);
    expect(after.metadata.labels).toEqual({ 'spokegraph.io/managed-by': 'spokegraph' });
    expect(await t.adapter.getSecretValue({ namespace: 'contract', name: 'converge' }, 'a')).toBe('2');
  });

  it('should ignore status and server metadata in an applied body', async () => {
    const live = await expectIdempotent(secret('contract', 'echo'));
    const echoed = await t.adapter.apply({ ...live, status: { anything: true } });
    expect(echoed.metadata.resourceVersion).toBe(live.metadata.resourceVersion);
  });

  it('should answer null for a missing object and treat deleting it as done', async () => {
    expect(await t.adapter.get({ kind: 'Secret', namespace: 'contract', name: 'nope' })).toBeNull();
    expect(await t.adapter.get({ kind: 'ManagedCluster', name: 'nope' })).toBeNull();
    await expect(t.adapter.delete({ kind: 'ManifestWork', namespace: 'contract', name: 'nope' })).resolves.toBeUndefined();
    expect(await t.adapter.getSecretValue({ namespace: 'contract', name: 'nope' }, 'value')).toBeNull();
  });

  it('should list by label selector across pages, with type metadata on every item', async () => {
    const paged = await startTestHub({}, { listPageSize: 2 });
    try {
      await paged.adapter.apply(namespace('pages'));
      for (let i = 0; i < 5; i++) await paged.adapter.apply(secret('pages', `s${i}`, {}, { batch: i % 2 ? 'odd' : 'even' }));
      const all = await paged.adapter.list('Secret', { namespace: 'pages' });
      expect(all.items.map((s) => s.metadata.name).sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
      expect(all.items.every((s) => s.apiVersion === 'v1' && s.kind === 'Secret')).toBe(true);
      expect(Number(all.resourceVersion)).toBeGreaterThan(0);
      const even = await paged.adapter.list('Secret', { namespace: 'pages', labelSelector: { batch: 'even' } });
      expect(even.items.map((s) => s.metadata.name).sort()).toEqual(['s0', 's2', 's4']);
      const everywhere = await paged.adapter.list('Secret', { labelSelector: 'batch in (odd)' });
      expect(everywhere.items).toHaveLength(2);
    } finally {
      await paged.stop();
    }
  });

  it('should wait for finalizers before reporting a deletion done, and time out as a transient error', async () => {
    const held = { ...secret('contract', 'held'), metadata: { ...secret('contract', 'held').metadata, finalizers: ['test.spokegraph.io/hold'] } };
    await t.adapter.apply(held);
    const timedOut = await t.adapter.deleteAndWait({ kind: 'Secret', namespace: 'contract', name: 'held' }, { timeoutMs: 300, pollMs: 50 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(HubError);
    expect(timedOut).toMatchObject({ kind: 'transient', reason: 'Timeout' });
    expect((await t.adapter.get({ kind: 'Secret', namespace: 'contract', name: 'held' }))?.metadata.deletionTimestamp).toBeTruthy();

    const waiting = t.adapter.deleteAndWait({ kind: 'Secret', namespace: 'contract', name: 'held' }, { timeoutMs: 20_000, pollMs: 50 });
    await t.adapter.apply(secret('contract', 'held')); // our apply no longer sets the finalizer: SSA removes it
    await expect(waiting).resolves.toBeUndefined();
    expect(await t.adapter.get({ kind: 'Secret', namespace: 'contract', name: 'held' })).toBeNull();
  });

  it('should retry injected 5xx inside the verb', async () => {
    // a generous budget for this test: 30% errors over 12 attempts fails a verb with p ≈ 5e-7
    const patient = new KubeHubAdapter(loadHubKubeConfig({ kind: 'simulated', hub: t.hub }), { retry: { attempts: 12, baseMs: 1, maxMs: 10 }, logger: silentLogger });
    t.hub.faults.set({ errorRate: 0.3 });
    try {
      for (let i = 0; i < 10; i++) await patient.apply(secret('contract', `flaky-${i}`, { i: String(i) }));
      const listed = await patient.list('Secret', { namespace: 'contract' });
      expect(listed.items.filter((s) => s.metadata.name.startsWith('flaky-'))).toHaveLength(10);
    } finally {
      t.hub.faults.clear();
    }
  });

  it('should surface a persistent 5xx as a transient HubError after the retry budget', async () => {
    t.hub.faults.set({ errorRate: 1 });
    try {
      const err = await t.adapter.get({ kind: 'Secret', namespace: 'contract', name: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HubError);
      expect((err as HubError).kind).toBe('transient');
      expect([500, 503, 504]).toContain((err as HubError).status);
      expect((err as HubError).retryable).toBe(true);
    } finally {
      t.hub.faults.clear();
    }
  });

  it('should classify a real 404 on apply (missing namespace) as permanent, with a clean public message', async () => {
    const err = (await t.adapter.apply(secret('no-such-namespace', 'x')).catch((e: unknown) => e)) as HubError;
    expect(err).toBeInstanceOf(HubError);
    expect(err).toMatchObject({ kind: 'permanent', status: 404, reason: 'NotFound' });
    expect(err.publicMessage).toBe('The hub refused to apply Secret no-such-namespace/x (HTTP 404 NotFound)');
    expect(err.kubeMessage).toContain('no-such-namespace');
  });

  it('should classify a connection to a stopped hub as unreachable', async () => {
    const gone = await startTestHub({}, { retry: { attempts: 2, baseMs: 1, maxMs: 2 } });
    await gone.stop();
    const err = (await gone.adapter.get({ kind: 'Namespace', name: 'default' }).catch((e: unknown) => e)) as HubError;
    expect(err).toBeInstanceOf(HubError);
    expect(err.kind).toBe('unreachable');
    expect(err.retryable).toBe(true);
  });
});
