import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { condition, Fleet, isTrue, type Obj } from './fleet.fixtures.js';
import { sleep, startTestHub, waitFor } from './sim.helpers.js';

const OCM = 'cluster.open-cluster-management.io';
const MC = `${OCM}/v1`;
const ADDON_GROUP = 'addon.open-cluster-management.io';
const ADDON = `${ADDON_GROUP}/v1alpha1`;
const PL = `${OCM}/v1beta1`;

describe('simulated OCM controllers (registration, add-ons, cluster sets, placement)', () => {
  let hub: SimulatedHub;
  let fleet: Fleet;

  beforeAll(async () => {
    hub = await startTestHub();
    fleet = new Fleet(hub.kubeConfig());
    await fleet.namespace('proj-o');
  });
  afterAll(() => hub.stop());

  it('should accept, join and make a cluster Available with capacity from its Cluster API hosts, then its add-ons', async () => {
    await fleet.cluster('proj-o', 'spoke-a', [
      { hostId: 'cp', role: 'CONTROL_PLANE' },
      { hostId: 'g1', role: 'WORKER', gpuFamily: 'NVIDIA-A100', gpuCount: 4 },
      { hostId: 'g2', role: 'WORKER', gpuFamily: 'NVIDIA-A100', gpuCount: 4 },
    ]);
    await fleet.register('spoke-a', { importSecret: false });
    const accepted = await fleet.until(MC, 'ManagedCluster', 'spoke-a', undefined, (m) => isTrue(m, 'HubAcceptedManagedCluster'));
    expect(accepted.metadata.finalizers).toContain('cluster.open-cluster-management.io/api-resource-cleanup');
    expect(await fleet.read('v1', 'Namespace', 'spoke-a')).toBeTruthy();
    await sleep(100);
    expect(isTrue(await fleet.read(MC, 'ManagedCluster', 'spoke-a'), 'ManagedClusterJoined')).toBe(false);

    await fleet.register('spoke-a');
    const up = await fleet.until(MC, 'ManagedCluster', 'spoke-a', undefined, (m) => isTrue(m, 'ManagedClusterConditionAvailable'));
    expect(isTrue(up, 'ManagedClusterJoined')).toBe(true);
    expect(up.status.capacity).toMatchObject({ 'nvidia.com/gpu': '8', cpu: '96', memory: '393216Mi' });
    expect(up.status.allocatable['nvidia.com/gpu']).toBe('8');
    expect(up.status.version).toEqual({ kubernetes: 'v1.31.2' });
    expect(up.spec.taints ?? []).toEqual([]);
    // Flux arrives as stock OCM installs a template add-on: the add-on manager renders the AddOnTemplate
    // the ClusterManagementAddOn names into a ManifestWork, the work agent applies it, and the add-on is
    // Available once the Deployments report ready through WellKnownStatus feedback.
    const a = await fleet.until(ADDON, 'ManagedClusterAddOn', 'flux', 'spoke-a', (x) => isTrue(x, 'Available'));
    expect(condition(a, 'Progressing')?.status).toBe('False');
    const work = await fleet.read('work.open-cluster-management.io/v1', 'ManifestWork', 'addon-flux-deploy-0', 'spoke-a');
    expect(work.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ManagedClusterAddOn', name: 'flux', uid: a.metadata.uid })]);
    const template = await fleet.read(`${ADDON_GROUP}/v1alpha1`, 'AddOnTemplate', 'flux');
    expect(work.spec.workload.manifests).toEqual(template.spec.agentSpec.workload.manifests);
    const spoke = hub.spoke('spoke-a');
    expect(spoke.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'helmreleases.helm.toolkit.fluxcd.io')).toBeTruthy();
    for (const d of ['source-controller', 'helm-controller']) expect((spoke.get('apps/v1', 'Deployment', 'flux-system', d) as Obj).status.readyReplicas).toBe(1);
    // the work agent is the klusterlet's: no add-on stands for it
    expect(await fleet.tryRead(ADDON, 'ManagedClusterAddOn', 'work-agent', 'spoke-a')).toBeFalsy();
  });

  it('should mark a cluster whose Cluster API Cluster is deleted unavailable and taint it', async () => {
    await fleet.objs.delete({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'spoke-a', namespace: 'proj-o' } });
    const gone = await fleet.until(MC, 'ManagedCluster', 'spoke-a', undefined, (m) => condition(m, 'ManagedClusterConditionAvailable')?.status === 'Unknown');
    await fleet.until(MC, 'ManagedCluster', 'spoke-a', undefined, (m) => (m.spec.taints ?? []).some((t: { key: string }) => t.key === 'cluster.open-cluster-management.io/unreachable'));
    expect(gone.status.conditions.length).toBeGreaterThan(0);
    await fleet.until(ADDON, 'ManagedClusterAddOn', 'flux', 'spoke-a', (x) => condition(x, 'Available')?.status === 'Unknown');
  });

  it('should decide placements from bound sets, predicates, availability and numberOfClusters, and re-decide when clusters change', async () => {
    await fleet.namespace('proj-p');
    await fleet.clusterSet('pool-x', 'proj-p');
    // Imported clusters (no Cluster API Cluster) become Available on their import secret alone.
    await fleet.register('x-1', { set: 'pool-x', labels: { 'gpu.spokegraph.io/NVIDIA-H100': '8' } });
    await fleet.register('x-2', { set: 'pool-x', labels: { 'gpu.spokegraph.io/NVIDIA-L4': '2' } });
    await fleet.register('x-3', { set: 'other' });
    for (const c of ['x-1', 'x-2', 'x-3']) await fleet.until(MC, 'ManagedCluster', c, undefined, (m) => isTrue(m, 'ManagedClusterConditionAvailable'));
    const binding = await fleet.until(`${OCM}/v1beta2`, 'ManagedClusterSetBinding', 'pool-x', 'proj-p', (b) => isTrue(b, 'Bound'));
    expect(binding).toBeTruthy();
    await fleet.until(`${OCM}/v1beta2`, 'ManagedClusterSet', 'pool-x', undefined, (s) => condition(s, 'ClusterSetEmpty')?.status === 'False');

    const h100 = { labelSelector: { matchExpressions: [{ key: 'gpu.spokegraph.io/NVIDIA-H100', operator: 'Exists' }] } };
    await fleet.apply({ apiVersion: PL, kind: 'Placement', metadata: { name: 'app-1', namespace: 'proj-p' }, spec: { clusterSets: ['pool-x'], numberOfClusters: 1, predicates: [{ requiredClusterSelector: h100 }] } });
    const decided = await fleet.until(PL, 'Placement', 'app-1', 'proj-p', (p) => isTrue(p, 'PlacementSatisfied'));
    expect(decided.status.numberOfSelectedClusters).toBe(1);
    const decision = await fleet.read(PL, 'PlacementDecision', 'app-1-decision-1', 'proj-p');
    expect(decision.metadata.labels?.['cluster.open-cluster-management.io/placement']).toBe('app-1');
    expect(decision.status.decisions).toEqual([{ clusterName: 'x-1', reason: '' }]);

    // Nothing matches: not satisfied, no decisions.
    await fleet.apply({ apiVersion: PL, kind: 'Placement', metadata: { name: 'app-2', namespace: 'proj-p' }, spec: { numberOfClusters: 1, predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { 'gpu.spokegraph.io/NVIDIA-B200': '8' } } } }] } });
    const unsatisfied = await fleet.until(PL, 'Placement', 'app-2', 'proj-p', (p) => condition(p, 'PlacementSatisfied')?.status === 'False');
    expect(unsatisfied.status.numberOfSelectedClusters).toBe(0);

    // A cluster gaining the label is picked up; the decision follows. (Apply the full label set:
    // server-side apply removes labels this manager applied before and leaves out now.)
    const labels = { 'spokegraph.io/cluster': 'x-2', 'cluster.open-cluster-management.io/clusterset': 'pool-x', 'gpu.spokegraph.io/NVIDIA-B200': '8' };
    await fleet.apply({ apiVersion: MC, kind: 'ManagedCluster', metadata: { name: 'x-2', labels }, spec: { hubAcceptsClient: true } });
    await fleet.until(PL, 'Placement', 'app-2', 'proj-p', (p) => isTrue(p, 'PlacementSatisfied'));
    const d2 = await fleet.read(PL, 'PlacementDecision', 'app-2-decision-1', 'proj-p');
    expect(d2.status.decisions.map((d: { clusterName: string }) => d.clusterName)).toEqual(['x-2']);

    // Clusters outside bound sets are never chosen; all members when numberOfClusters is unset.
    await fleet.apply({ apiVersion: PL, kind: 'Placement', metadata: { name: 'all', namespace: 'proj-p' }, spec: {} });
    const all = await fleet.until(PL, 'PlacementDecision', 'all-decision-1', 'proj-p', (d) => d.status?.decisions?.length === 2);
    expect(all.status.decisions.map((d: { clusterName: string }) => d.clusterName)).toEqual(['x-1', 'x-2']);

    // Deleting the placement removes its decision.
    await fleet.objs.delete({ apiVersion: PL, kind: 'Placement', metadata: { name: 'all', namespace: 'proj-p' } });
    await waitFor('decision removed', async () => !(await fleet.tryRead(PL, 'PlacementDecision', 'all-decision-1', 'proj-p')));
  });

  it('should delete the cluster namespace (and what is in it) when a ManagedCluster is deleted', async () => {
    await fleet.objs.delete({ apiVersion: MC, kind: 'ManagedCluster', metadata: { name: 'x-3' } });
    await waitFor('managed cluster gone', async () => !(await fleet.tryRead(MC, 'ManagedCluster', 'x-3')));
    expect(await fleet.tryRead('v1', 'Namespace', 'x-3')).toBeUndefined();
    expect(hub.objects({ namespace: 'x-3' })).toEqual([] as Obj[]);
  });
});

describe('simulated add-on manager on a hub without the Flux add-on applied', () => {
  it('should leave a ManagedClusterAddOn nobody registered without status, install nothing, and install Flux once the operator applies the add-on', async () => {
    const bare = await startTestHub({ fluxAddOn: false });
    try {
      const fleet = new Fleet(bare.kubeConfig());
      await fleet.register('spoke-n');
      await fleet.until(MC, 'ManagedCluster', 'spoke-n', undefined, (m) => isTrue(m, 'ManagedClusterConditionAvailable'));
      await sleep(300);
      const a = await fleet.read(ADDON, 'ManagedClusterAddOn', 'flux', 'spoke-n');
      expect(a.status?.conditions ?? []).toEqual([]);
      expect(await fleet.tryRead('work.open-cluster-management.io/v1', 'ManifestWork', 'addon-flux-deploy-0', 'spoke-n')).toBeFalsy();
      expect(bare.spoke('spoke-n').list('apps/v1', 'Deployment', 'flux-system')).toEqual([]);

      // what deploy/README.md tells the operator to apply
      const { loadFluxAddOn } = await import('../../../src/sim/addon.seed.js');
      for (const o of loadFluxAddOn()) await fleet.apply(o as Obj);
      await fleet.until(ADDON, 'ManagedClusterAddOn', 'flux', 'spoke-n', (x) => isTrue(x, 'Available'));
      expect((bare.spoke('spoke-n').get('apps/v1', 'Deployment', 'flux-system', 'helm-controller') as Obj).status.readyReplicas).toBe(1);
    } finally {
      await bare.stop();
    }
  });
});
