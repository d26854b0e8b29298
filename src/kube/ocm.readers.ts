/**
 * OCM status readers: spoke registration (ManagedCluster), add-on health, Placement satisfaction and
 * the clusters its PlacementDecisions chose.
 */
import { asNumber, asString, isConditionTrue, isRecord, statusOf } from './conditions.js';
import { GPU_LABEL_PREFIX, GPU_RESOURCE, Label } from './labels.js';
import type { KubeObject } from './object.types.js';

/** ManagedCluster condition types. The wire strings differ from OCM's Go constant names. */
export const ManagedClusterCondition = {
  /** the hub accepted the cluster (hubAcceptsClient) */
  HubAccepted: 'HubAcceptedManagedCluster',
  /** the hub refused the cluster */
  HubDenied: 'HubDeniedManagedCluster',
  /** the klusterlet registered with the hub */
  Joined: 'ManagedClusterJoined',
  /** the spoke API server answers (/livez) */
  Available: 'ManagedClusterConditionAvailable',
} as const;

/** ManagedClusterAddOn condition types. */
export const AddOnCondition = {
  /** the add-on's agent is healthy on the spoke */
  Available: 'Available',
  /** the add-on runs with problems */
  Degraded: 'Degraded',
  /** the add-on is being installed or upgraded */
  Progressing: 'Progressing',
} as const;

/** Placement condition types. */
export const PlacementCondition = {
  /** enough clusters were selected (numberOfClusters) */
  Satisfied: 'PlacementSatisfied',
  /** the Placement refers to something invalid (e.g. an unknown prioritizer) */
  Misconfigured: 'PlacementMisconfigured',
} as const;

export interface GpuCapacity {
  /** `status.capacity['nvidia.com/gpu']` as the agent sums it over the spoke's nodes */
  observedTotal?: number;
  /** per family, from our `gpu.spokegraph.io/<FAMILY>` labels (see gpuCapacity) */
  byFamily: Record<string, number>;
}

export interface ManagedClusterState {
  accepted: boolean;
  denied: boolean;
  joined: boolean;
  available: boolean;
  kubernetesVersion?: string;
  gpus: GpuCapacity;
}

/** Integer quantities only (GPUs cannot be fractional); anything else is unreadable. */
export function parseCount(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isInteger(q) && q >= 0 ? q : undefined;
  if (typeof q === 'string' && /^\d+$/.test(q)) return Number(q);
  return undefined;
}

/**
 * GPUs per family. Nodes only report a total `nvidia.com/gpu`, so the split by family comes from the
 * labels we wrote at registration. With a single family the observed total wins, so a spoke that lost
 * a GPU node shows less capacity than it was registered with.
 */
export function gpuCapacity(mc: KubeObject): GpuCapacity {
  const capacity = statusOf(mc).capacity;
  const observedTotal = isRecord(capacity) ? parseCount(capacity[GPU_RESOURCE]) : undefined;
  const byFamily: Record<string, number> = {};
  for (const [key, value] of Object.entries(mc.metadata?.labels ?? {})) {
    if (!key.startsWith(GPU_LABEL_PREFIX)) continue;
    const n = parseCount(value);
    if (n !== undefined) byFamily[key.slice(GPU_LABEL_PREFIX.length)] = n;
  }
  const families = Object.keys(byFamily);
  if (families.length === 1 && observedTotal !== undefined) byFamily[families[0]] = observedTotal;
  return observedTotal === undefined ? { byFamily } : { observedTotal, byFamily };
}

export function readManagedCluster(mc: KubeObject): ManagedClusterState {
  const version = statusOf(mc).version;
  const state: ManagedClusterState = {
    accepted: isConditionTrue(mc, ManagedClusterCondition.HubAccepted),
    denied: isConditionTrue(mc, ManagedClusterCondition.HubDenied),
    joined: isConditionTrue(mc, ManagedClusterCondition.Joined),
    available: isConditionTrue(mc, ManagedClusterCondition.Available),
    gpus: gpuCapacity(mc),
  };
  const kubernetesVersion = isRecord(version) ? asString(version.kubernetes) : undefined;
  if (kubernetesVersion) state.kubernetesVersion = kubernetesVersion;
  return state;
}

export function isAddOnAvailable(addOn: KubeObject): boolean {
  return isConditionTrue(addOn, AddOnCondition.Available);
}

export interface PlacementState {
  satisfied: boolean;
  misconfigured: boolean;
  selectedClusters: number;
}

export function readPlacement(placement: KubeObject): PlacementState {
  return {
    satisfied: isConditionTrue(placement, PlacementCondition.Satisfied),
    misconfigured: isConditionTrue(placement, PlacementCondition.Misconfigured),
    selectedClusters: asNumber(statusOf(placement).numberOfSelectedClusters) ?? 0,
  };
}

/** Label selector for the PlacementDecisions of a Placement. */
export function decisionSelector(placement: string): string {
  return `${Label.Placement}=${placement}`;
}

/**
 * The clusters chosen across all decisions of a placement (a placement may own several decision
 * objects), sorted and de-duplicated; empty clusterName means "not scheduled yet" and is skipped.
 */
export function decisionClusters(decisions: readonly KubeObject[]): string[] {
  const names = new Set<string>();
  for (const d of decisions) {
    const list = statusOf(d).decisions;
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const name = isRecord(entry) ? asString(entry.clusterName) : undefined;
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}
