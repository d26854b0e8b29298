/**
 * The NVIDIA device plugin a GPU pool's spokes get in install-addons: without it a node never
 * advertises `nvidia.com/gpu`, so no pod requesting GPUs is ever scheduled. It travels like an
 * app — a HelmRepository and HelmRelease in a ManifestWork in the cluster namespace — because Flux
 * (the `flux` add-on) is already on the spoke by then; the HelmRelease's Ready condition comes back
 * as status feedback.
 */
import { buildNamespace } from './core.builders.js';
import { buildHelmRelease, buildHelmRepository, type ChartRef } from './flux.builders.js';
import { ownerLabels, type Ownership } from './labels.js';
import { FeedbackName, helmReleaseIdentifier, type ManifestWorkObject } from './manifestwork.builder.js';
import type { KubeObject } from './object.types.js';
import { apiVersionOf, Resources } from './resource.registry.js';
import { feedbackString, feedbackValues } from './work.readers.js';

export const GpuDevicePlugin = {
  /** the ManifestWork in the cluster namespace */
  workName: 'spokegraph-gpu-device-plugin',
  /** namespace and release on the spoke */
  namespace: 'nvidia-device-plugin',
  release: 'nvidia-device-plugin',
} as const;

export const DEFAULT_GPU_DEVICE_PLUGIN_CHART: ChartRef = { repository: 'https://nvidia.github.io/k8s-device-plugin', chart: 'nvidia-device-plugin', version: '0.17.1' };

export function buildGpuDevicePluginWork(p: { cluster: string; chart: ChartRef; owner: Ownership }): ManifestWorkObject {
  const namespace = GpuDevicePlugin.namespace;
  // spoke objects carry our names; ownership is decided on the hub by the work's own labels
  const spokeOwner: Ownership = { project: p.owner.project, pool: p.owner.pool };
  const release = buildHelmRelease({ namespace, component: GpuDevicePlugin.release, chart: p.chart, gpuCount: 0, owner: spokeOwner });
  const manifests: KubeObject[] = [buildNamespace({ name: namespace, owner: spokeOwner }), buildHelmRepository({ namespace, url: p.chart.repository, owner: spokeOwner }), release];
  return {
    apiVersion: apiVersionOf(Resources.ManifestWork),
    kind: Resources.ManifestWork.kind,
    metadata: { name: GpuDevicePlugin.workName, namespace: p.cluster, labels: ownerLabels({ ...p.owner, cluster: p.cluster }) },
    spec: {
      workload: { manifests },
      manifestConfigs: [
        {
          resourceIdentifier: helmReleaseIdentifier(namespace, GpuDevicePlugin.release),
          feedbackRules: [{ type: 'JSONPaths', jsonPaths: [{ name: FeedbackName.Ready, path: '.status.conditions[?(@.type=="Ready")].status' }, { name: FeedbackName.ReadyReason, path: '.status.conditions[?(@.type=="Ready")].reason' }] }],
        },
      ],
    },
  };
}

/** Ready=True fed back for the device plugin release. */
export function isGpuDevicePluginReady(work: KubeObject | null): boolean {
  if (!work) return false;
  return feedbackString(feedbackValues(work, helmReleaseIdentifier(GpuDevicePlugin.namespace, GpuDevicePlugin.release)), FeedbackName.Ready) === 'True';
}
