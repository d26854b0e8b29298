/**
 * Cluster API status readers (v1beta2 Cluster and MachineDeployment): phase, provisioned/failed,
 * replica counts, and a progress fraction for the pool's provisioning step.
 */
import { asNumber, asString, currentCondition, isConditionTrue, isRecord, isStale, statusOf } from './conditions.js';
import type { Condition, KubeObject } from './object.types.js';

/** Cluster `status.phase` values. */
export const ClusterPhase = {
  /** accepted, nothing provisioned yet */
  Pending: 'Pending',
  /** infrastructure and control plane are being created */
  Provisioning: 'Provisioning',
  /** control plane reachable: the kubeconfig Secret exists */
  Provisioned: 'Provisioned',
  /** being deleted */
  Deleting: 'Deleting',
  /** a terminal failure the provider reported */
  Failed: 'Failed',
  /** the controller cannot tell */
  Unknown: 'Unknown',
} as const;
export type ClusterPhase = (typeof ClusterPhase)[keyof typeof ClusterPhase];

/** v1beta2 Cluster condition types (metav1 conditions in `status.conditions`). */
export const ClusterCondition = {
  /** the infrastructure cluster is provisioned */
  InfrastructureReady: 'InfrastructureReady',
  /** the first control-plane machine is up */
  ControlPlaneInitialized: 'ControlPlaneInitialized',
  /** the control plane serves the API */
  ControlPlaneAvailable: 'ControlPlaneAvailable',
  /** all worker MachineDeployments are available */
  WorkersAvailable: 'WorkersAvailable',
  /** the whole cluster is available */
  Available: 'Available',
} as const;

export interface ClusterState {
  phase: ClusterPhase;
  provisioned: boolean;
  failed: boolean;
  /** machine-readable cause when failed (a CamelCase reason), never controller prose */
  failureReason?: string;
  /** provider text: logs only */
  failureMessage?: string;
  infrastructureProvisioned: boolean;
  controlPlaneInitialized: boolean;
  controlPlaneAvailable: boolean;
  workersAvailable: boolean;
  available: boolean;
}

export interface ReplicaState {
  desired: number;
  replicas: number;
  ready: number;
  available: number;
  /** ready / desired in [0, 1]; 1 when nothing is desired */
  fraction: number;
}

const PHASES = new Set<string>(Object.values(ClusterPhase));

function failureOf(status: Record<string, unknown>): { reason?: string; message?: string } {
  // v1beta2 keeps v1beta1's terminal failure fields under status.deprecated.v1beta1
  const deprecated = isRecord(status.deprecated) && isRecord(status.deprecated.v1beta1) ? status.deprecated.v1beta1 : {};
  return {
    reason: asString(deprecated.failureReason) ?? asString(status.failureReason),
    message: asString(deprecated.failureMessage) ?? asString(status.failureMessage),
  };
}

/**
 * Condition reasons that name a terminal failure. CAPI v1beta2 dropped `failureReason` /
 * `failureMessage` (kept only under status.deprecated.v1beta1) and the Failed phase is deprecated:
 * providers report what went wrong through conditions, by reasons like `ProvisioningFailed` or
 * `BootstrapFailure`. `...Error` is not terminal (CAPI's own `InternalError` is retried).
 */
const TERMINAL_REASON = /(Failed|Failure)$/;

/**
 * The Cluster's metav1 conditions, current ones only: `status.conditions` of the v1beta2 API we read,
 * and `status.v1beta2.conditions` when the object comes in the v1beta1 layout.
 */
function v1beta2Conditions(cluster: KubeObject): Condition[] {
  const status = statusOf(cluster);
  const nested = isRecord(status.v1beta2) && Array.isArray(status.v1beta2.conditions) ? status.v1beta2.conditions : [];
  const all = [...(Array.isArray(status.conditions) ? status.conditions : []), ...nested];
  return all.filter((c): c is Condition => isRecord(c) && typeof c.type === 'string' && typeof c.status === 'string' && !isStale(cluster, c as unknown as Condition));
}

/** The first tracked condition that reports a terminal failure, if any. */
function failedCondition(cluster: KubeObject): Condition | undefined {
  const tracked = new Set<string>(Object.values(ClusterCondition));
  return v1beta2Conditions(cluster).find((c) => tracked.has(c.type) && c.status === 'False' && typeof c.reason === 'string' && TERMINAL_REASON.test(c.reason));
}

export function readCluster(cluster: KubeObject): ClusterState {
  const status = statusOf(cluster);
  const rawPhase = asString(status.phase);
  const phase: ClusterPhase = rawPhase && PHASES.has(rawPhase) ? (rawPhase as ClusterPhase) : ClusterPhase.Unknown;
  const init = isRecord(status.initialization) ? status.initialization : {};
  const terminal = failedCondition(cluster);
  const failed = phase === ClusterPhase.Failed || (phase !== ClusterPhase.Deleting && terminal !== undefined);
  const state: ClusterState = {
    phase,
    provisioned: phase === ClusterPhase.Provisioned,
    failed,
    infrastructureProvisioned: init.infrastructureProvisioned === true || isConditionTrue(cluster, ClusterCondition.InfrastructureReady),
    controlPlaneInitialized: init.controlPlaneInitialized === true || isConditionTrue(cluster, ClusterCondition.ControlPlaneInitialized),
    controlPlaneAvailable: isConditionTrue(cluster, ClusterCondition.ControlPlaneAvailable),
    workersAvailable: isConditionTrue(cluster, ClusterCondition.WorkersAvailable),
    available: isConditionTrue(cluster, ClusterCondition.Available),
  };
  if (failed) {
    const f = failureOf(status);
    const falseCondition =
      terminal ??
      Object.values(ClusterCondition)
        .map((t) => currentCondition(cluster, t))
        .find((c) => c?.status === 'False' && c.reason);
    state.failureReason = f.reason ?? falseCondition?.reason ?? ClusterPhase.Failed;
    state.failureMessage = f.message ?? falseCondition?.message;
  }
  return state;
}

export function readMachineDeployment(md: KubeObject): ReplicaState {
  const spec = isRecord(md.spec) ? md.spec : {};
  const status = statusOf(md);
  const desired = asNumber(spec.replicas) ?? 1; // CAPI defaults replicas to 1
  const ready = asNumber(status.readyReplicas) ?? 0;
  return {
    desired,
    replicas: asNumber(status.replicas) ?? 0,
    ready,
    available: asNumber(status.availableReplicas) ?? 0,
    fraction: desired > 0 ? Math.min(1, ready / desired) : 1,
  };
}

/** Milestone weights of the provisioning progress; they sum to 1. */
const WEIGHT = { infrastructure: 0.2, controlPlaneInitialized: 0.2, controlPlaneAvailable: 0.2, workers: 0.3, provisioned: 0.1 };

/**
 * Provisioning progress in [0, 1] from the Cluster's milestones and the workers' ready replicas. Without
 * a MachineDeployment the workers count from the WorkersAvailable condition.
 */
export function clusterProgress(cluster: KubeObject, md?: KubeObject | null): number {
  const c = readCluster(cluster);
  const workers = md ? readMachineDeployment(md).fraction : c.workersAvailable ? 1 : 0;
  const sum =
    (c.infrastructureProvisioned ? WEIGHT.infrastructure : 0) +
    (c.controlPlaneInitialized ? WEIGHT.controlPlaneInitialized : 0) +
    (c.controlPlaneAvailable ? WEIGHT.controlPlaneAvailable : 0) +
    WEIGHT.workers * workers +
    (c.provisioned ? WEIGHT.provisioned : 0);
  return Math.round(Math.min(1, sum) * 1000) / 1000;
}

/**
 * The host of a Cluster's `spec.controlPlaneEndpoint` (the infrastructure provider sets it before the
 * kubeconfig exists): where NodePort Services of the cluster are reached, since every node, control
 * plane included, serves them.
 */
export function controlPlaneHost(cluster: KubeObject): string | undefined {
  const spec = cluster.spec;
  const endpoint = isRecord(spec) ? spec.controlPlaneEndpoint : undefined;
  const host = isRecord(endpoint) ? asString(endpoint.host) : undefined;
  return host || undefined;
}
