import { makeInformer, type KubernetesListObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { Fleet, type Obj } from './fleet.fixtures.js';
import { startTestHub, waitFor } from './sim.helpers.js';

describe('simulated hub faults', () => {
  let hub: SimulatedHub;
  let fleet: Fleet;

  beforeAll(async () => {
    hub = await startTestHub();
    fleet = new Fleet(hub.kubeConfig());
    await fleet.namespace('proj-f');
  });
  afterAll(() => hub.stop());

  it('should close open watches every dropWatchesEveryMs while informers keep converging', async () => {
    let connects = 0;
    const informer = makeInformer<Obj>(hub.kubeConfig(), '/apis/cluster.x-k8s.io/v1beta2/namespaces/proj-f/clusters', () =>
      fleet.co.listNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta2', namespace: 'proj-f', plural: 'clusters' }) as Promise<KubernetesListObject<Obj>>,
    );
    informer.on('connect', () => connects++);
    await informer.start();
    hub.faults.set({ dropWatchesEveryMs: 30 });
    try {
      await fleet.cluster('proj-f', 'dropped', [{ hostId: 'cp', role: 'CONTROL_PLANE' }]);
      await waitFor('informer sees Provisioned', () => informer.get('dropped', 'proj-f')?.status?.phase === 'Provisioned');
      await waitFor('several reconnects', () => connects >= 3);
    } finally {
      hub.faults.clear();
      await informer.stop();
    }
  });

  it('should hold controller status writes back by statusDelayMs', async () => {
    hub.faults.set({ statusDelayMs: 1_500 });
    try {
      await fleet.cluster('proj-f', 'slow', [{ hostId: 'cp', role: 'CONTROL_PLANE' }]);
      expect((await fleet.read('cluster.x-k8s.io/v1beta2', 'Cluster', 'slow', 'proj-f')).status).toBeUndefined();
    } finally {
      hub.faults.set({ statusDelayMs: 0 });
    }
    await fleet.until('cluster.x-k8s.io/v1beta2', 'Cluster', 'slow', 'proj-f', (c) => c.status?.phase === 'Provisioned');
  });
});
