/**
 * Label and annotation keys of docs/hub-conventions.md. The flows, the builders and the simulator
 * all key off these; spell them only here.
 */

/** Labels the gateway sets (or reads) on hub objects. */
export const Label = {
  /** every object we write; value MANAGED_BY */
  ManagedBy: 'spokegraph.io/managed-by',
  /** every object we write; the Project name */
  Project: 'spokegraph.io/project',
  /** pool objects: Cluster, MachineDeployment, ManagedCluster, add-ons, cluster set */
  Pool: 'spokegraph.io/pool',
  /** Cluster, MachineDeployment, ManagedCluster, kubeconfig and import secrets */
  Cluster: 'spokegraph.io/cluster',
  /** Placement and ManifestWork: the App Deployment name */
  Deployment: 'spokegraph.io/deployment',
  /** every object we write: id of the owning Tenant (ownership is decided by the ids, not the names) */
  TenantId: 'spokegraph.io/tenant-id',
  /** every object we write: id of the owning Project */
  ProjectId: 'spokegraph.io/project-id',
  /** pool objects: id of the owning Compute Pool */
  PoolId: 'spokegraph.io/pool-id',
  /** deployment objects: id of the owning App Deployment */
  DeploymentId: 'spokegraph.io/deployment-id',
  /** OCM: exclusive cluster-set membership of a ManagedCluster */
  ClusterSet: 'cluster.open-cluster-management.io/clusterset',
  /** OCM: set by the placement controller on the PlacementDecisions of a Placement */
  Placement: 'cluster.open-cluster-management.io/placement',
  /** Cluster API: ties machines and secrets to their Cluster */
  CapiClusterName: 'cluster.x-k8s.io/cluster-name',
  /** Cluster API: ties machines to their MachineDeployment */
  CapiDeploymentName: 'cluster.x-k8s.io/deployment-name',
  /** Helm's standard instance label; our LoadBalancer Services select a release's pods by it */
  HelmInstance: 'app.kubernetes.io/instance',
} as const;

/** Annotations the gateway sets. */
export const Annotation = {
  /** Cluster API Cluster: JSON array of the reserved hosts (see HostReservation) */
  Hosts: 'spokegraph.io/hosts',
  /** HelmRelease: `<port>` or `<port>/<path>` the component exposes */
  Expose: 'spokegraph.io/expose',
} as const;

/** Value of Label.ManagedBy. */
export const MANAGED_BY = 'spokegraph';

/** Prefix of the per-family GPU count labels on ManagedClusters, e.g. `gpu.spokegraph.io/NVIDIA-H100`. */
export const GPU_LABEL_PREFIX = 'gpu.spokegraph.io/';

/** Extended resource name of NVIDIA GPUs (device plugin), as in node capacity and quotas. */
export const GPU_RESOURCE = 'nvidia.com/gpu';

export function gpuLabel(family: string): string {
  return GPU_LABEL_PREFIX + family;
}

/** The ids of an object's owners: what decides whether an object on the hub is ours (src/kube/ownership.ts). */
export interface OwnerIds {
  tenantId: string;
  projectId: string;
  /** pool objects (Cluster, MachineDeployment, ManagedCluster, add-ons, import Secret, cluster set, binding) */
  poolId?: string;
  /** deployment objects (Placement, ManifestWork and what it holds) */
  deploymentId?: string;
}

/**
 * Who owns an object: the labels every builder starts from. Names are for people and for objects of
 * the previous release (which carry only names); `ids` are what ownership is decided by. A builder
 * called without ids (a dry-run plan, the builder tests) renders no id labels, and the hub adapter
 * refuses to write such an object (hub.owned.ts).
 */
export interface Ownership {
  project: string;
  pool?: string;
  cluster?: string;
  deployment?: string;
  ids?: OwnerIds;
}

/** The ownership labels of docs/hub-conventions.md, in a fixed key order. */
export function ownerLabels(o: Ownership): Record<string, string> {
  const labels: Record<string, string> = { [Label.ManagedBy]: MANAGED_BY, [Label.Project]: o.project };
  if (o.pool !== undefined) labels[Label.Pool] = o.pool;
  if (o.cluster !== undefined) labels[Label.Cluster] = o.cluster;
  if (o.deployment !== undefined) labels[Label.Deployment] = o.deployment;
  if (o.ids) {
    labels[Label.TenantId] = o.ids.tenantId;
    labels[Label.ProjectId] = o.ids.projectId;
    if (o.ids.poolId !== undefined) labels[Label.PoolId] = o.ids.poolId;
    if (o.ids.deploymentId !== undefined) labels[Label.DeploymentId] = o.ids.deploymentId;
  }
  return labels;
}

/** A label selector string (`k=v,k2=v2`) from a map, keys sorted so the string is stable. */
export function selectorOf(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}
