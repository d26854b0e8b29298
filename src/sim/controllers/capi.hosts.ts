/** The `spokegraph.io/hosts` annotation a gateway writes on a Cluster API Cluster, and what it adds up to. */
import type { KubeObject } from '../kube.types.js';

export const HOSTS_ANNOTATION = 'spokegraph.io/hosts';

export interface Host {
  hostId: string;
  role: 'CONTROL_PLANE' | 'WORKER';
  architecture?: string;
  cpuCount: number;
  memoryMiB: number;
  gpuFamily: string | null;
  gpuCount: number;
  gpuMemoryMiB?: number;
}

/** Hosts named on the Cluster; malformed entries are skipped (a real provider would reject the cluster). */
export function hostsOf(cluster: KubeObject | undefined): Host[] {
  const raw = cluster?.metadata.annotations?.[HOSTS_ANNOTATION];
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((h): h is Host => typeof h === 'object' && h !== null && typeof (h as Host).hostId === 'string');
  } catch {
    return [];
  }
}

/** Node capacity summed over hosts, as the OCM registration agent sums Node capacity. */
export function capacityOf(hosts: Host[]): Record<string, string> {
  const sum = (f: (h: Host) => number) => hosts.reduce((n, h) => n + (Number.isFinite(f(h)) ? f(h) : 0), 0);
  const gpus = sum((h) => (h.gpuFamily ? Number(h.gpuCount) || 0 : 0));
  return {
    cpu: String(sum((h) => Number(h.cpuCount) || 0)),
    memory: `${sum((h) => Number(h.memoryMiB) || 0)}Mi`,
    pods: String(110 * hosts.length),
    'nvidia.com/gpu': String(gpus),
  };
}

/** Kubernetes version of a CAPI Cluster (topology), or the simulator's default. */
export function kubernetesVersionOf(cluster: KubeObject | undefined): string {
  const v = (cluster?.spec as { topology?: { version?: string } } | undefined)?.topology?.version;
  return v ?? 'v1.31.4';
}
