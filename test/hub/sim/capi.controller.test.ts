import { makeInformer, type KubernetesListObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { condition, Fleet, isTrue, type Obj } from './fleet.fixtures.js';
import { startTestHub, waitFor } from './sim.helpers.js';

const CAPI = 'cluster.x-k8s.io/v1beta2';
const hosts = [
  { hostId: 'cp-1', role: 'CONTROL_PLANE' as const },
  { hostId: 'gpu-1', role: 'WORKER' as const, gpuFamily: 'NVIDIA-H100', gpuCount: 8 },
  { hostId: 'gpu-2', role: 'WORKER' as const, gpuFamily: 'NVIDIA-H100', gpuCount: 8 },
];

describe('simulated Cluster API controller', () => {
  let hub: SimulatedHub;
  let fleet: Fleet;

  beforeAll(async () => {
    hub = await startTestHub();
    fleet = new Fleet(hub.kubeConfig());
    await fleet.namespace('proj-a');
  });
  afterAll(() => hub.stop());

  it('should provision a Cluster through Pending, Provisioning and Provisioned with conditions, worker replicas and a kubeconfig Secret', async () => {
    const phases: string[] = [];
    const informer = makeInformer<Obj>(hub.kubeConfig(), '/apis/cluster.x-k8s.io/v1beta2/namespaces/proj-a/clusters', () =>
      fleet.co.listNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta2', namespace: 'proj-a', plural: 'clusters' }) as Promise<KubernetesListObject<Obj>>,
    );
    informer.on('change', (c) => {
      const p = c.status?.phase as string | undefined;
      if (p && phases[phases.length - 1] !== p) phases.push(p);
    });
    await informer.start();
    await fleet.cluster('proj-a', 'edge-1', hosts);
    await fleet.machineDeployment('proj-a', 'edge-1', 2);

    const done = await fleet.until(CAPI, 'Cluster', 'edge-1', 'proj-a', (c) => c.status?.phase === 'Provisioned');
    for (const t of ['InfrastructureReady', 'ControlPlaneInitialized', 'ControlPlaneAvailable', 'WorkersAvailable', 'Available']) expect(isTrue(done, t), t).toBe(true);
    expect(done.status.initialization).toEqual({ infrastructureProvisioned: true, controlPlaneInitialized: true });
    expect(done.status.observedGeneration).toBe(done.metadata.generation);
    expect(done.metadata.finalizers).toContain('cluster.cluster.x-k8s.io');
    await waitFor('informer saw Provisioned', () => phases.includes('Provisioned'));
    await informer.stop();
    expect(phases).toEqual(['Pending', 'Provisioning', 'Provisioned']);

    const md = await fleet.read(CAPI, 'MachineDeployment', 'edge-1-workers', 'proj-a');
    expect(md.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, phase: 'Running' });
    expect(md.metadata.labels?.['cluster.x-k8s.io/cluster-name']).toBe('edge-1');
    // CAPI makes the Cluster the MachineDeployment's owner: garbage collection goes by it.
    expect(md.metadata.ownerReferences).toEqual([{ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'edge-1', uid: done.metadata.uid }]);
    const secret = await fleet.read('v1', 'Secret', 'edge-1-kubeconfig', 'proj-a');
    expect((secret as Obj & { type: string }).type).toBe('cluster.x-k8s.io/secret');
    expect(secret.metadata.labels?.['cluster.x-k8s.io/cluster-name']).toBe('edge-1');
    expect(Buffer.from((secret as Obj & { data: { value: string } }).data.value, 'base64').toString()).toContain('kind: Config');

    // A spec change moves observedGeneration on every condition.
    await fleet.apply({ apiVersion: CAPI, kind: 'Cluster', metadata: { name: 'edge-1', namespace: 'proj-a' }, spec: { topology: { classRef: { name: 'edge' }, version: 'v1.31.3' } } });
    await fleet.until(CAPI, 'Cluster', 'edge-1', 'proj-a', (c) => c.metadata.generation === 2 && c.status.conditions.every((x: { observedGeneration: number }) => x.observedGeneration === 2));
  });

  it('should serve the same Cluster as v1beta1 with the v1beta1 status layout', async () => {
    const old = (await fleet.co.getNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta1', namespace: 'proj-a', plural: 'clusters', name: 'edge-1' })) as Obj;
    expect(old.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    expect(old.status.v1beta2.conditions.length).toBeGreaterThan(0);
    expect(old.status.infrastructureReady).toBe(true);
    expect(old.status.controlPlaneReady).toBe(true);
  });

  it('should make a cluster named in failClusters go Failed', async () => {
    hub.faults.set({ failClusters: ['edge-bad'] });
    await fleet.cluster('proj-a', 'edge-bad', hosts);
    const failed = await fleet.until(CAPI, 'Cluster', 'edge-bad', 'proj-a', (c) => c.status?.phase === 'Failed');
    expect(condition(failed, 'Available')).toMatchObject({ status: 'False', reason: 'ProvisioningFailed' });
    expect(failed.status.deprecated.v1beta1.failureReason).toBe('CreateError');
    hub.faults.clear();
  });

  it('should delete MachineDeployments and the kubeconfig Secret before the Cluster goes', async () => {
    await fleet.objs.delete({ apiVersion: CAPI, kind: 'Cluster', metadata: { name: 'edge-1', namespace: 'proj-a' } });
    await waitFor('cluster gone', async () => !(await fleet.tryRead(CAPI, 'Cluster', 'edge-1', 'proj-a')));
    expect(await fleet.tryRead(CAPI, 'MachineDeployment', 'edge-1-workers', 'proj-a')).toBeUndefined();
    expect(await fleet.tryRead('v1', 'Secret', 'edge-1-kubeconfig', 'proj-a')).toBeUndefined();
  });
});
