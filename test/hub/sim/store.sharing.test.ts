/**
 * What keeps the simulator cheap without changing what clients see: frozen stored objects handed out
 * without copies (and never aliasing a writer's input), structural sharing between versions, exact
 * watch-history bounds, the work agent waking only the works an object belongs to, HelmReleases
 * woken only by their own source, throttled and incremental state saves, and watches of one
 * resource sharing one encoding per event while each served version keeps its own conversion.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Watch } from '@kubernetes/client-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { HelmReleaseController } from '../../../src/sim/controllers/helmrelease.controller.js';
import { NamespaceController } from '../../../src/sim/controllers/namespace.controller.js';
import type { ObjectKey, SimContext } from '../../../src/sim/controllers/controller.runtime.js';
import { WorkAgentController } from '../../../src/sim/controllers/work.controller.js';
import { FaultState } from '../../../src/sim/fault.state.js';
import type { KubeObject } from '../../../src/sim/kube.types.js';
import { ObjectStore, type StoreEvent } from '../../../src/sim/object.store.js';
import { SpokeFleet } from '../../../src/sim/spoke.fleet.js';
import { ObjectJsonCache, StatePersister, stateJson, type SimState } from '../../../src/sim/state.persist.js';
import { Fleet, isTrue } from './fleet.fixtures.js';
import { sleep, startTestHub, waitFor } from './sim.helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'spokegraph-sim-sharing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const cm = (namespace: string, name: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

function storeWith(...namespaces: string[]): ObjectStore {
  const s = new ObjectStore('test');
  for (const n of namespaces) s.create(ns(n));
  return s;
}

describe('object store: frozen objects, no copies, exact history', () => {
  it('should hand out the stored object itself, frozen all the way down', () => {
    const s = storeWith('a');
    const created = s.create(cm('a', 'x', { k: 'v' }));
    const got = s.get('', 'ConfigMap', 'a', 'x')!;
    expect(got).toBe(created);
    expect(s.list('', 'ConfigMap', 'a')[0]).toBe(created);
    expect(Object.isFrozen(got) && Object.isFrozen(got.metadata) && Object.isFrozen(got.data)).toBe(true);
    expect(() => {
      (got.data as Record<string, string>).k = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      got.metadata.labels = {};
    }).toThrow(TypeError);
    expect(s.get('', 'ConfigMap', 'a', 'x')!.data).toEqual({ k: 'v' });
  });

  it('should neither freeze nor alias what a writer passes in', () => {
    const s = storeWith('a');
    const input = cm('a', 'x', { k: 'v' });
    const created = s.create(input);
    expect(Object.isFrozen(input) || Object.isFrozen(input.metadata) || Object.isFrozen(input.data)).toBe(false);
    (input.data as Record<string, string>).k = 'mutated later';
    input.metadata.labels = { late: 'yes' };
    expect(s.get('', 'ConfigMap', 'a', 'x')!.data).toEqual({ k: 'v' });
    expect(s.get('', 'ConfigMap', 'a', 'x')!.metadata.labels).toBeUndefined();

    const data = { k: 'v2' };
    const updated = s.update({ ...created, data });
    expect(Object.isFrozen(data)).toBe(false);
    data.k = 'mutated later';
    expect(updated.data).toEqual({ k: 'v2' });
  });

  it('should share unchanged parts between versions and keep the same instances in watch history', () => {
    const s = storeWith('a');
    const spec = { replicas: 1, template: { containers: [{ name: 'c', image: 'i' }] } };
    const v1 = s.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' }, spec });
    const v2 = s.update({ ...v1, status: { readyReplicas: 1 } }, { subresource: 'status', manager: 'kubelet' });
    expect(v2).not.toBe(v1);
    expect(v2.spec).toBe(v1.spec);
    expect(v2.metadata.generation).toBe(1);
    const history = s.eventsSince(0) as StoreEvent[];
    const last = history[history.length - 1];
    expect(last).toMatchObject({ type: 'MODIFIED', rv: Number(v2.metadata.resourceVersion) });
    expect(last.object).toBe(v2);
    expect(last.old).toBe(v1);
    expect(Object.isFrozen(last)).toBe(true);
  });

  it('should return the current object and emit nothing for a write that changes nothing', () => {
    const s = storeWith('a');
    const v1 = s.create(cm('a', 'x', { k: 'v' }), { manager: 'me' });
    const events: StoreEvent[] = [];
    s.subscribe((e) => events.push(e));
    const rv = s.currentRv();
    expect(s.update({ ...v1, data: { k: 'v' } }, { manager: 'someone-else' })).toBe(v1);
    expect(s.update({ ...v1, metadata: { ...v1.metadata, resourceVersion: undefined } }, { manager: 'me' })).toBe(v1);
    expect(s.currentRv()).toBe(rv);
    expect(events).toEqual([]);
    // A real change still moves ownership to the writer.
    const v2 = s.update({ ...v1, data: { k: 'w' } }, { manager: 'someone-else' });
    expect(v2.metadata.managedFields?.map((m) => m.manager)).toContain('someone-else');
  });

  it('should keep exactly historyLimit events and expire anything older', () => {
    const s = new ObjectStore('test', { historyLimit: 3 });
    s.create(ns('a'));
    const rvs: number[] = [];
    for (let i = 0; i < 2000; i++) rvs.push(Number(s.create(cm('a', `c${i}`)).metadata.resourceVersion));
    const kept = s.eventsSince(rvs[rvs.length - 4]) as StoreEvent[];
    expect(kept.map((e) => e.rv)).toEqual(rvs.slice(-3));
    expect(s.eventsSince(rvs[rvs.length - 5])).toBe('expired');
    expect(s.compactedResourceVersion()).toBe(rvs[rvs.length - 4]);
    expect((s.eventsSince(rvs[rvs.length - 2]) as StoreEvent[]).map((e) => e.rv)).toEqual(rvs.slice(-1));
    expect(s.eventsSince(s.currentRv())).toEqual([]);
  });

  it('should keep no history with historyLimit 0 (spoke stores)', () => {
    const s = new ObjectStore('test', { historyLimit: 0 });
    s.create(ns('a'));
    const rv = Number(s.create(cm('a', 'x')).metadata.resourceVersion);
    expect(s.eventsSince(rv - 1)).toBe('expired');
    expect(s.eventsSince(rv)).toEqual([]);
  });

  it('should list in namespace/name order across namespaces whose names prefix each other', () => {
    const s = storeWith('a', 'a-b', 'b');
    for (const [n, name] of [['b', 'x'], ['a-b', 'y'], ['a', 'z'], ['a', 'b'], ['a-b', 'a']] as const) s.create(cm(n, name));
    const keys = (l: KubeObject[]) => l.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(keys(s.list('', 'ConfigMap'))).toEqual(['a-b/a', 'a-b/y', 'a/b', 'a/z', 'b/x']);
    expect(keys(s.list('', 'ConfigMap', 'a'))).toEqual(['a/b', 'a/z']);
    s.delete('', 'ConfigMap', 'a', 'b');
    s.create(cm('a', 'a'));
    expect(keys(s.list('', 'ConfigMap'))).toEqual(['a-b/a', 'a-b/y', 'a/a', 'a/z', 'b/x']);
    expect(keys(s.list('', 'ConfigMap', 'a'))).toEqual(['a/a', 'a/z']);
    expect(s.list('', 'ConfigMap', 'nope')).toEqual([]);
  });
});

/** A hub store with cluster C joined and Available, as the work agent (part of the klusterlet) needs. */
function agentContext(cluster: string): SimContext {
  const hub = new ObjectStore('hub');
  const t = { status: 'True', reason: 'x', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' };
  hub.create(ns(cluster));
  const mc = hub.create({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name: cluster }, spec: { hubAcceptsClient: true } });
  hub.update({ ...mc, status: { conditions: [{ ...t, type: 'ManagedClusterJoined' }, { ...t, type: 'ManagedClusterConditionAvailable' }] } }, { subresource: 'status' });
  return { hub, spokes: new SpokeFleet(), faults: new FaultState(), speed: 0, logger: silentLogger };
}

const manifestWork = (cluster: string, name: string, manifests: KubeObject[]): KubeObject => ({
  apiVersion: 'work.open-cluster-management.io/v1',
  kind: 'ManifestWork',
  metadata: { name, namespace: cluster },
  spec: { workload: { manifests } },
});

const settle = () => sleep(30);
const woken = (spy: { mock: { calls: unknown[][] } }) => [...new Set(spy.mock.calls.map((c) => (c[0] as ObjectKey).name))].sort();

describe('work agent: a spoke event wakes only the works it concerns', () => {
  it('should wake the work that applied an object, every work that failed an apply, and no other', async () => {
    const ctx = agentContext('c1');
    const agent = new WorkAgentController(ctx);
    const namespaces = new NamespaceController(ctx);
    agent.start();
    namespaces.start();
    try {
      ctx.hub.create(manifestWork('c1', 'wa', [ns('app-a'), cm('app-a', 'x', { v: '1' })]));
      ctx.hub.create(manifestWork('c1', 'wb', [ns('app-b'), cm('app-b', 'y', { v: '1' })]));
      // Its namespace is not in the work and does not exist on the spoke: the apply fails.
      ctx.hub.create(manifestWork('c1', 'wc', [cm('later', 'z', { v: '1' })]));
      await settle();
      const spoke = ctx.spokes.get('c1');
      expect(spoke.get('', 'ConfigMap', 'app-a', 'x')).toBeTruthy();
      expect(spoke.get('', 'ConfigMap', 'app-b', 'y')).toBeTruthy();
      const wc = ctx.hub.get('work.open-cluster-management.io', 'ManifestWork', 'c1', 'wc')!;
      expect(isTrue(wc as never, 'Applied')).toBe(false);

      const spy = vi.spyOn(agent, 'enqueue');
      // Someone else changes what wa applied: wa (to put it back) and the failing wc wake up, wb does not.
      const x = spoke.get('', 'ConfigMap', 'app-a', 'x')!;
      spoke.update({ ...x, data: { v: 'drifted' } }, { manager: 'someone' });
      expect(woken(spy)).toEqual(['wa', 'wc']);
      await settle();
      expect(spoke.get('', 'ConfigMap', 'app-a', 'x')!.data).toEqual({ v: '1' });

      // An object no work names wakes only the failing work; the namespace it waited for lets it apply.
      spy.mockClear();
      spoke.create(cm('default', 'unrelated'));
      expect(woken(spy)).toEqual(['wc']);
      spy.mockClear();
      spoke.create(ns('later'));
      await settle();
      expect(isTrue(ctx.hub.get('work.open-cluster-management.io', 'ManifestWork', 'c1', 'wc') as never, 'Applied')).toBe(true);
      spy.mockClear();
      spoke.create(cm('default', 'unrelated-2'));
      expect(woken(spy)).toEqual([]);

      // A deleted work's objects are removed and it no longer answers to them.
      ctx.hub.delete('work.open-cluster-management.io', 'ManifestWork', 'c1', 'wa');
      await waitFor('wa gone', () => !ctx.hub.get('work.open-cluster-management.io', 'ManifestWork', 'c1', 'wa'));
      expect(spoke.get('', 'ConfigMap', 'app-a', 'x')).toBeUndefined();
      await settle();
      spy.mockClear();
      spoke.create(cm('app-b', 'other'));
      spoke.update({ ...spoke.get('', 'ConfigMap', 'app-b', 'y')!, metadata: { ...spoke.get('', 'ConfigMap', 'app-b', 'y')!.metadata, labels: { l: '1' } } });
      expect(woken(spy)).toEqual(['wb']);
    } finally {
      agent.stop();
      namespaces.stop();
    }
  });
});

describe('spoke Flux: a source event wakes only the releases that use it', () => {
  it('should wake releases by their chart source (own or explicit namespace) and by namespace', async () => {
    const ctx = agentContext('c2');
    const flux = new HelmReleaseController(ctx);
    flux.start();
    try {
      const spoke = ctx.spokes.get('c2');
      for (const n of ['a', 'b']) spoke.create(ns(n));
      const hr = (namespace: string, name: string, source: { name: string; namespace?: string }, targetNamespace?: string): KubeObject => ({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name, namespace },
        spec: { interval: '1m', targetNamespace, chart: { spec: { chart: 'c', sourceRef: { kind: 'HelmRepository', ...source } } } },
      });
      spoke.create(hr('a', 'uses-a', { name: 'repo' }));
      spoke.create(hr('b', 'uses-b', { name: 'repo' }));
      spoke.create(hr('b', 'uses-a-explicitly', { name: 'repo', namespace: 'a' }, 'c'));
      await settle();
      const spy = vi.spyOn(flux, 'enqueue');
      spoke.create({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'repo', namespace: 'a' }, spec: { url: 'https://x', interval: '1m' } });
      expect(woken(spy)).toEqual(['uses-a', 'uses-a-explicitly']);
      spy.mockClear();
      spoke.create({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', metadata: { name: 'repo', namespace: 'b' }, spec: { url: 'oci://x', interval: '1m' } });
      expect(woken(spy)).toEqual([]);
      spy.mockClear();
      spoke.create(ns('c'));
      expect(woken(spy)).toEqual(['uses-a-explicitly']);
    } finally {
      flux.stop();
    }
  });
});

describe('state file: throttled, incremental, skipped when nothing changed', () => {
  const state = (objects: KubeObject[], spokes: Record<string, KubeObject[]> = {}): SimState => ({
    format: 'spokegraph-sim/v1',
    savedAt: '2026-01-01T00:00:00.000Z',
    hub: { rv: 7, objects },
    spokes: Object.fromEntries(Object.entries(spokes).map(([k, v]) => [k, { rv: 3, objects: v }])),
  });

  it('should write the same JSON as JSON.stringify, reusing texts across saves', () => {
    const s = storeWith('a');
    const a = s.create(cm('a', 'x', { k: 'v', quote: '"\u2028' }));
    const cache = new ObjectJsonCache();
    const first = state([a], { '0-spoke': [a], 'spoke-1': [] });
    expect(stateJson(first, cache)).toBe(JSON.stringify(first));
    const b = s.update({ ...a, data: { k: 'w' } });
    const second = state([b, a]);
    expect(stateJson(second, cache)).toBe(JSON.stringify(second));
    expect(stateJson(state([]), cache)).toBe(JSON.stringify(state([])));
  });

  it('should save a burst of changes once, save again only after a new change, and always write on the first flush', async () => {
    const file = join(dir, 'throttle.json');
    let captures = 0;
    const s = storeWith('a');
    const p = new StatePersister(file, () => (captures++, { hub: s.snapshot(), spokes: {} }), silentLogger, 50);
    await p.flush();
    expect(captures).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8')).hub.objects).toHaveLength(1);
    await p.flush();
    expect(captures).toBe(1);

    for (let i = 0; i < 20; i++) {
      s.create(cm('a', `c${i}`));
      p.schedule();
    }
    await waitFor('throttled save', () => captures === 2);
    await sleep(120);
    expect(captures).toBe(2);
    expect(JSON.parse(readFileSync(file, 'utf8')).hub.objects).toHaveLength(21);
    const mtime = statSync(file).mtimeMs;
    await p.flush();
    expect(captures).toBe(2);
    expect(statSync(file).mtimeMs).toBe(mtime);

    s.create(cm('a', 'last'));
    p.schedule();
    await p.flush();
    expect(captures).toBe(3);
    expect(JSON.parse(readFileSync(file, 'utf8')).hub.objects).toHaveLength(22);
  });
});

describe('watch encoding', () => {
  it('should give every watcher of a resource the same events, each served version with its own conversion', async () => {
    const hub = await startTestHub();
    const fleet = new Fleet(hub.kubeConfig());
    const watch = new Watch(hub.kubeConfig());
    const seen: Record<string, Array<{ type: string; apiVersion: string; phase?: string; ready?: unknown; v1beta2?: unknown }>> = { a: [], b: [], old: [] };
    const aborts: AbortController[] = [];
    try {
      await fleet.namespace('enc');
      const follow = async (who: string, version: string) =>
        aborts.push(
          await watch.watch(`/apis/cluster.x-k8s.io/${version}/namespaces/enc/clusters`, { resourceVersion: '0' }, (type, o: { apiVersion: string; status?: Record<string, unknown> }) =>
            seen[who].push({ type, apiVersion: o.apiVersion, phase: o.status?.phase as string | undefined, ready: o.status?.controlPlaneReady, v1beta2: o.status?.v1beta2 }),
          () => undefined),
        );
      await follow('a', 'v1beta2');
      await follow('b', 'v1beta2');
      await follow('old', 'v1beta1');
      await fleet.cluster('enc', 'enc-1', [{ hostId: 'cp', role: 'CONTROL_PLANE' }]);
      await fleet.until('cluster.x-k8s.io/v1beta2', 'Cluster', 'enc-1', 'enc', (c) => c.status?.phase === 'Provisioned');
      await waitFor('all events', () => seen.a.at(-1)?.phase === 'Provisioned' && seen.b.at(-1)?.phase === 'Provisioned' && seen.old.at(-1)?.phase === 'Provisioned');
      expect(seen.b).toEqual(seen.a);
      expect(seen.a.every((e) => e.apiVersion === 'cluster.x-k8s.io/v1beta2' && e.v1beta2 === undefined && e.ready === undefined)).toBe(true);
      expect(seen.old).toHaveLength(seen.a.length);
      expect(seen.old.every((e) => e.apiVersion === 'cluster.x-k8s.io/v1beta1')).toBe(true);
      expect(seen.old.at(-1)).toMatchObject({ ready: true, v1beta2: { conditions: expect.any(Array) } });
    } finally {
      aborts.forEach((a) => a.abort());
      await hub.stop();
    }
  });
});
