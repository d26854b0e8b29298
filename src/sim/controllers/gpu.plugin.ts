/**
 * Whether a spoke's nodes advertise `nvidia.com/gpu`: only once a device plugin (the NVIDIA device
 * plugin or the GPU Operator, installed as a HelmRelease) is Ready there, as on a real node where the
 * kubelet learns the extended resource from the plugin. Until then the registration agent reports
 * no GPU capacity and a pod requesting GPUs stays unschedulable.
 */
import { findCondition, type KubeObject } from '../kube.types.js';
import type { ObjectStore } from '../object.store.js';

const DEVICE_PLUGIN_CHARTS = new Set(['nvidia-device-plugin', 'gpu-operator']);

export const isDevicePluginRelease = (hr: KubeObject) =>
  DEVICE_PLUGIN_CHARTS.has((hr.spec as { chart?: { spec?: { chart?: string } } } | undefined)?.chart?.spec?.chart ?? '');

export function gpusAdvertised(spoke: ObjectStore | undefined): boolean {
  if (!spoke) return false;
  return spoke.list('helm.toolkit.fluxcd.io', 'HelmRelease').some((hr) => isDevicePluginRelease(hr) && findCondition(hr, 'Ready')?.status === 'True');
}
