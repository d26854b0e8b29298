/** Compute pool vocabulary shared by the entity, rules, flows and GraphQL types. */

export enum PoolMode {
  /** one cluster, one App Deployment */
  DEDICATED = 'DEDICATED',
  /** one or more clusters, many App Deployments */
  SHARED = 'SHARED',
}

export enum PoolPhase {
  PENDING = 'PENDING',
  PROVISIONING = 'PROVISIONING',
  REGISTERING = 'REGISTERING',
  INSTALLING = 'INSTALLING',
  RUNNING = 'RUNNING',
  FAILED = 'FAILED',
  DELETING = 'DELETING',
  DELETED = 'DELETED',
}

export interface ControlPlaneRequirement {
  /** 1, 3 or 5 */
  nodeCount: number;
  /** control-plane nodes also run workloads (required for single-node clusters without workers) */
  workerNodeEligible: boolean;
  architecture: string | null;
  minCpuCount: number;
  minMemoryMiB: number;
}

export interface WorkerPoolRequirement {
  name: string;
  nodeCount: number;
  architecture: string | null;
  minCpuCount: number;
  minMemoryMiB: number;
  /** GPUs each worker must have, of this family */
  gpu: { family: string; countPerNode: number } | null;
}

/** Per cluster: the pool has `clusterCount` clusters shaped like this. */
export interface NodeRequirements {
  controlPlane: ControlPlaneRequirement;
  workerPools: WorkerPoolRequirement[];
}

/** How the apps of a pool are reached from outside their cluster; fixed at creation. */
export enum PoolExposure {
  /** a LoadBalancer Service per exposed component: needs a load-balancer implementation on the spoke */
  LOAD_BALANCER = 'LOAD_BALANCER',
  /** a NodePort Service per exposed component, reached on the cluster's control-plane endpoint host */
  NODE_PORT = 'NODE_PORT',
  /** a ClusterIP Service and an Ingress per exposed component, under the pool's host suffix */
  INGRESS = 'INGRESS',
}

/** Stored as one JSON column; a row without it (older pools) is LOAD_BALANCER. */
export interface ExposureSetting {
  mode: PoolExposure;
  /** INGRESS only: the DNS suffix each component's host is made under (`<name>.<suffix>`) */
  ingressHostSuffix?: string;
}

export const DEFAULT_EXPOSURE: ExposureSetting = { mode: PoolExposure.LOAD_BALANCER };
