/**
 * Object lifecycle semantics over raw HTTP: garbage collection by ownerReferences with each
 * propagationPolicy (docs: "Garbage Collection", "Use Cascading Deletion"), the /scale
 * subresource ("Custom resources: Scale subresource"), list snapshots pinned by continue tokens
 * and resourceVersionMatch ("API Concepts: Retrieving large results sets in chunks", "Resource
 * versions"), the preferred version and conversion of a multi-version kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { sleep, startTestHub, waitFor } from './sim.helpers.js';

const PL = '/apis/cluster.open-cluster-management.io/v1beta1/namespaces/life/placements';
const CM = '/api/v1/namespaces/life/configmaps';

describe('simulated hub API server: lifecycle', () => {
  let hub: SimulatedHub;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${hub.url}${path}`, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const exists = async (path: string) => (await call('GET', path)).status === 200;
  const owner = async (name: string) => {
    const o = (await call('POST', PL, { apiVersion: 'cluster.open-cluster-management.io/v1beta1', kind: 'Placement', metadata: { name }, spec: {} })).json;
    return { apiVersion: o.apiVersion, kind: 'Placement', name, uid: o.metadata.uid as string };
  };
  const dependent = async (name: string, ownerReferences: Array<Record<string, unknown>>) =>
    (await call('POST', CM, { metadata: { name, ownerReferences }, data: { a: 'b' } })).json as { metadata: { uid: string } };

  beforeAll(async () => {
    hub = await startTestHub({ controllers: false });
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'life' } });
  });
  afterAll(() => hub.stop());

  describe('garbage collection and propagationPolicy', () => {
    it('should delete dependents after their owner in the background (the default)', async () => {
      const o = await owner('bg');
      await dependent('bg-dep', [o]);
      const res = await call('DELETE', `${PL}/bg`);
      expect(res.status).toBe(200);
      expect(await exists(`${PL}/bg`)).toBe(false);
      await waitFor('the dependent to be collected', async () => !(await exists(`${CM}/bg-dep`)));
    });

    it('should keep a dependent that still has another owner, dropping the dangling reference', async () => {
      const a = await owner('two-a');
      const b = await owner('two-b');
      await dependent('two-dep', [a, b]);
      await call('DELETE', `${PL}/two-a`);
      await waitFor('the dangling reference to go', async () => (await call('GET', `${CM}/two-dep`)).json.metadata.ownerReferences?.length === 1);
      expect((await call('GET', `${CM}/two-dep`)).json.metadata.ownerReferences).toEqual([b]);
    });

    it('should keep a foreground-deleted owner (202, foregroundDeletion finalizer) until blocking dependents are gone', async () => {
      const o = await owner('fg');
      await dependent('fg-dep', [{ ...o, blockOwnerDeletion: true }]);
      // A finalizer on the dependent keeps it, and with it the owner.
      await call('PATCH', `${CM}/fg-dep`, { metadata: { finalizers: ['example.com/hold'] } }, { 'Content-Type': 'application/merge-patch+json' });
      const res = await call('DELETE', `${PL}/fg`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
      expect(res.status).toBe(202);
      expect(res.json.metadata).toMatchObject({ finalizers: ['foregroundDeletion'], deletionTimestamp: expect.any(String) });
      await waitFor('the dependent to be marked for deletion', async () => Boolean((await call('GET', `${CM}/fg-dep`)).json.metadata.deletionTimestamp));
      await sleep(50);
      expect(await exists(`${PL}/fg`)).toBe(true);
      await call('PATCH', `${CM}/fg-dep`, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
      await waitFor('the owner to go once its dependent is gone', async () => !(await exists(`${PL}/fg`)));
    });

    it('should orphan dependents with propagationPolicy=Orphan in the query: they stay and lose the reference', async () => {
      const o = await owner('or');
      await dependent('or-dep', [o]);
      const res = await call('DELETE', `${PL}/or?propagationPolicy=Orphan`);
      expect(res.json.metadata.finalizers).toEqual(['orphan']);
      await waitFor('the owner to go', async () => !(await exists(`${PL}/or`)));
      const dep = (await call('GET', `${CM}/or-dep`)).json;
      expect(dep.metadata.ownerReferences).toBeUndefined();
    });

    it('should refuse an unknown propagationPolicy with 422', async () => {
      await owner('bad-policy');
      expect((await call('DELETE', `${PL}/bad-policy?propagationPolicy=Sideways`)).json).toMatchObject({ code: 422, details: { kind: 'DeleteOptions', causes: [{ field: 'propagationPolicy' }] } });
    });
  });

  describe('/scale of MachineDeployment', () => {
    const MD = '/apis/cluster.x-k8s.io/v1beta2/namespaces/life/machinedeployments';
    it('should read and write spec.replicas through an autoscaling/v1 Scale', async () => {
      const created = (
        await call('POST', MD, {
          apiVersion: 'cluster.x-k8s.io/v1beta2',
          kind: 'MachineDeployment',
          metadata: { name: 'md' },
          spec: { clusterName: 'c', replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { clusterName: 'c', bootstrap: { dataSecretName: 'x' }, infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'M', name: 't' } } } },
        })
      ).json;
      expect(created.metadata.generation).toBe(1);
      const scale = (await call('GET', `${MD}/md/scale`)).json;
      expect(scale).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'md', namespace: 'life', resourceVersion: created.metadata.resourceVersion }, spec: { replicas: 2 }, status: { replicas: 0 } });
      const put = (await call('PUT', `${MD}/md/scale`, { ...scale, spec: { replicas: 4 } })).json;
      expect(put.spec.replicas).toBe(4);
      const patched = (await call('PATCH', `${MD}/md/scale`, { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' })).json;
      expect(patched).toMatchObject({ kind: 'Scale', spec: { replicas: 3 } });
      const md = (await call('GET', `${MD}/md`)).json;
      expect(md.spec.replicas).toBe(3);
      expect(md.metadata.generation).toBe(3);
      expect((await call('PUT', `${MD}/md/scale`, { ...scale, spec: { replicas: 5 } })).json).toMatchObject({ code: 409, reason: 'Conflict' });
      expect((await call('GET', `${PL}/x/scale`)).status).toBe(404);
    });
  });

  describe('consistent lists', () => {
    it('should serve every page of a list at the first page\'s resourceVersion, whatever changes meanwhile', async () => {
      await call('POST', '/api/v1/namespaces', { metadata: { name: 'pages' } });
      for (const n of ['a', 'b', 'c', 'd']) await call('POST', '/api/v1/namespaces/pages/configmaps', { metadata: { name: n }, data: { v: '1' } });
      const first = (await call('GET', '/api/v1/namespaces/pages/configmaps?limit=2')).json;
      expect(first.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a', 'b']);
      expect(first.metadata.remainingItemCount).toBe(2);
      await call('DELETE', '/api/v1/namespaces/pages/configmaps/c');
      await call('POST', '/api/v1/namespaces/pages/configmaps', { metadata: { name: 'bb' }, data: { v: 'new' } });
      await call('PATCH', '/api/v1/namespaces/pages/configmaps/d', { data: { v: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
      const second = (await call('GET', `/api/v1/namespaces/pages/configmaps?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`)).json;
      expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      expect(second.items.map((i: { metadata: { name: string }; data: { v: string } }) => `${i.metadata.name}=${i.data.v}`)).toEqual(['c=1', 'd=1']);
      expect(second.metadata.continue).toBeUndefined();
      const exact = (await call('GET', `/api/v1/namespaces/pages/configmaps?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact`)).json;
      expect(exact.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
      const now = (await call('GET', '/api/v1/namespaces/pages/configmaps')).json;
      expect(now.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a', 'b', 'bb', 'd']);
      hub.compactHistory();
      expect((await call('GET', `/api/v1/namespaces/pages/configmaps?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`)).json).toMatchObject({ code: 410, reason: 'Expired' });
      expect((await call('GET', '/api/v1/namespaces/pages/configmaps?resourceVersionMatch=Exact')).status).toBe(422);
    });
  });

  describe('versions', () => {
    it('should prefer v1beta1 for addon.open-cluster-management.io and convert installNamespace as OCM\'s webhook does', async () => {
      const group = (await call('GET', '/apis/addon.open-cluster-management.io')).json;
      expect(group.preferredVersion).toEqual({ groupVersion: 'addon.open-cluster-management.io/v1beta1', version: 'v1beta1' });
      expect(group.versions.map((v: { version: string }) => v.version)).toEqual(['v1beta1', 'v1alpha1']);
      const ADDON = (v: string) => `/apis/addon.open-cluster-management.io/${v}/namespaces/life/managedclusteraddons`;
      await call('POST', ADDON('v1alpha1'), { apiVersion: 'addon.open-cluster-management.io/v1alpha1', kind: 'ManagedClusterAddOn', metadata: { name: 'a' }, spec: { installNamespace: 'flux-system' } });
      const beta = (await call('GET', `${ADDON('v1beta1')}/a`)).json;
      expect(beta.apiVersion).toBe('addon.open-cluster-management.io/v1beta1');
      expect(beta.spec.installNamespace).toBeUndefined();
      expect(beta.metadata.annotations).toEqual({ 'addon.open-cluster-management.io/v1alpha1-install-namespace': 'flux-system' });
      await call('POST', ADDON('v1beta1'), { apiVersion: 'addon.open-cluster-management.io/v1beta1', kind: 'ManagedClusterAddOn', metadata: { name: 'b', annotations: { 'addon.open-cluster-management.io/v1alpha1-install-namespace': 'x-ns' } }, spec: {} });
      const alpha = (await call('GET', `${ADDON('v1alpha1')}/b`)).json;
      expect(alpha.spec.installNamespace).toBe('x-ns');
      expect(alpha.metadata.annotations).toBeUndefined();
      // installNamespace is not a v1beta1 field: the v1beta1 schema prunes it (with a warning).
      const res = await fetch(`${hub.url}${ADDON('v1beta1')}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'addon.open-cluster-management.io/v1beta1', kind: 'ManagedClusterAddOn', metadata: { name: 'c' }, spec: { installNamespace: 'lost' } }) });
      expect(res.headers.get('warning')).toBe('299 - "unknown field \\"spec.installNamespace\\""');
    });
  });
});
