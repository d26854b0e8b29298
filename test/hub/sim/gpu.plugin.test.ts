/**
 * The simulated spoke has no `nvidia.com/gpu` until a GPU device plugin release is Ready on it: a
 * release requesting GPUs waits (Ready Unknown, no pod), and goes on by itself once the device plugin
 * the gateway ships (buildGpuDevicePluginWork) is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGpuDevicePluginWork, DEFAULT_GPU_DEVICE_PLUGIN_CHART } from '../../../src/kube/index.js';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { condition, Fleet, isTrue, type Obj } from './fleet.fixtures.js';
import { startTestHub, waitFor } from './sim.helpers.js';

const MW = 'work.open-cluster-management.io/v1';
const HR = 'helm.toolkit.fluxcd.io/v2';
const SPOKE = 'spoke-gpu';

const appWork = {
  apiVersion: MW,
  kind: 'ManifestWork',
  metadata: { name: 'app-gpu', namespace: SPOKE },
  spec: {
    workload: {
      manifests: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
        { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'charts', namespace: 'app' }, spec: { url: 'https://charts.example.com', interval: '10m' } },
        {
          apiVersion: HR,
          kind: 'HelmRelease',
          metadata: { name: 'llm', namespace: 'app' },
          spec: { interval: '10m', chart: { spec: { chart: 'vllm', version: '1.2.3', sourceRef: { kind: 'HelmRepository', name: 'charts' } } }, values: { resources: { limits: { 'nvidia.com/gpu': 2 } } } },
        },
      ],
    },
  },
};

describe('simulated GPU device plugin', () => {
  let hub: SimulatedHub;
  let fleet: Fleet;

  beforeAll(async () => {
    hub = await startTestHub({ requireGpuDevicePlugin: true });
    fleet = new Fleet(hub.kubeConfig());
    await fleet.register(SPOKE);
    await fleet.until('addon.open-cluster-management.io/v1alpha1', 'ManagedClusterAddOn', 'flux', SPOKE, (a) => isTrue(a, 'Available'));
  });
  afterAll(() => hub.stop());

  it('should keep a GPU release unscheduled until the device plugin release is Ready, then install it', async () => {
    await fleet.apply(appWork);
    const spoke = hub.spoke(SPOKE);
    const waiting = await waitFor('GPU release waiting', () => {
      const hr = spoke.get(HR, 'HelmRelease', 'app', 'llm') as Obj | undefined;
      return /0 nodes advertise 2 nvidia.com\/gpu/.test(condition(hr, 'Ready')?.message ?? '') ? hr : undefined;
    });
    expect(condition(waiting, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Progressing' });
    expect(spoke.list('v1', 'Pod', 'app')).toEqual([]);

    await fleet.apply(buildGpuDevicePluginWork({ cluster: SPOKE, chart: DEFAULT_GPU_DEVICE_PLUGIN_CHART, owner: { project: 'p', pool: 'pool' } }));
    const plugin = await waitFor('device plugin Ready', () => {
      const hr = spoke.get(HR, 'HelmRelease', 'nvidia-device-plugin', 'nvidia-device-plugin') as Obj | undefined;
      return isTrue(hr, 'Ready') ? hr : undefined;
    });
    expect(plugin.spec.chart.spec).toMatchObject({ chart: 'nvidia-device-plugin', version: DEFAULT_GPU_DEVICE_PLUGIN_CHART.version });
    await waitFor('GPU release installed', () => isTrue(spoke.get(HR, 'HelmRelease', 'app', 'llm') as Obj | undefined, 'Ready'));
    const [pod] = spoke.list('v1', 'Pod', 'app') as Obj[];
    expect(pod.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('2');
    // the work reports the device plugin release Ready back to the hub, which is what install-addons waits for
    const mw = await fleet.until(MW, 'ManifestWork', 'spokegraph-gpu-device-plugin', SPOKE, (w) =>
      (w.status?.resourceStatus?.manifests ?? []).some((m: any) => (m.statusFeedback?.values ?? []).some((v: any) => v.name === 'ready' && v.fieldValue.string === 'True')),
    );
    expect(mw.metadata.name).toBe('spokegraph-gpu-device-plugin');
  }, 60_000);
});
