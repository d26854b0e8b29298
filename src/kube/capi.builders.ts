/**
 * Cluster API objects of a dedicated (or shared) pool's spoke: a v1beta2 `Cluster` naming the reserved
 * hosts, and the worker `MachineDeployment`. The Cluster uses a ClusterClass (managed topology) for the
 * control plane and cluster infrastructure, because which provider realises the hosts (BYOH, Metal3,
 * an edge provider…) is the hub operator's choice, not the gateway's; see deploy/README.md.
 */
import { Annotation, Label, ownerLabels, type OwnerIds } from './labels.js';
import { machineDeploymentName } from './naming.js';
import type { KubeObject } from './object.types.js';
import { apiVersionOf, Resources } from './resource.registry.js';

/** Role a reserved host plays in the spoke. */
export const HostRole = {
  /** runs the Kubernetes control plane */
  ControlPlane: 'CONTROL_PLANE',
  /** runs workloads (joins the worker MachineDeployment) */
  Worker: 'WORKER',
} as const;
export type HostRole = (typeof HostRole)[keyof typeof HostRole];

/** One reserved machine, as recorded in the `spokegraph.io/hosts` annotation. */
export interface HostReservation {
  hostId: string;
  role: HostRole;
  architecture: string;
  cpuCount: number;
  memoryMiB: number;
  gpuFamily: string | null;
  gpuCount: number;
  gpuMemoryMiB: number;
}

/** A provider template a MachineDeployment references (`ContractVersionedObjectReference`). */
export interface CapiTemplateRef {
  apiGroup: string;
  kind: string;
  name: string;
}

/** What the hub's Cluster API providers need; set per infrastructure bundle by the hub operator. */
export interface CapiInfrastructure {
  /** ClusterClass realising the control plane and the infrastructure cluster */
  clusterClass: string;
  /** namespace of the ClusterClass when it is not the Project namespace */
  clusterClassNamespace?: string;
  /** infrastructure machine template of the workers, e.g. a ByoMachineTemplate */
  workerMachineTemplate: CapiTemplateRef;
  /** bootstrap config template of the workers, e.g. a KubeadmConfigTemplate */
  workerBootstrapTemplate: CapiTemplateRef;
}

export interface SpokeClusterParams {
  project: string;
  pool: string;
  /** spoke name = Cluster name = ManagedCluster name */
  cluster: string;
  /** e.g. `v1.31.2` (a leading `v` is added when missing) */
  kubernetesVersion: string;
  hosts: readonly HostReservation[];
  infrastructure: CapiInfrastructure;
  /** the owning tenant, project and pool (labels; see Ownership) */
  ids?: OwnerIds;
}

export type CapiClusterObject = KubeObject<{
  topology: {
    classRef: { name: string; namespace?: string };
    version: string;
    controlPlane: { replicas: number };
  };
}>;

export type MachineDeploymentObject = KubeObject<{
  clusterName: string;
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: {
      clusterName: string;
      version: string;
      bootstrap: { configRef: CapiTemplateRef };
      infrastructureRef: CapiTemplateRef;
    };
  };
}>;

const countRole = (hosts: readonly HostReservation[], role: HostRole) => hosts.filter((h) => h.role === role).length;

const semver = (v: string) => (v.startsWith('v') ? v : `v${v}`);

/** The hosts annotation: sorted by hostId with a fixed key order, so the value is stable. */
export function hostsAnnotation(hosts: readonly HostReservation[]): string {
  const rows = [...hosts]
    .sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0))
    .map((h) => ({
      hostId: h.hostId,
      role: h.role,
      architecture: h.architecture,
      cpuCount: h.cpuCount,
      memoryMiB: h.memoryMiB,
      gpuFamily: h.gpuFamily,
      gpuCount: h.gpuCount,
      gpuMemoryMiB: h.gpuMemoryMiB,
    }));
  return JSON.stringify(rows);
}

function clusterLabels(p: SpokeClusterParams): Record<string, string> {
  return ownerLabels({ project: p.project, pool: p.pool, cluster: p.cluster, ids: p.ids });
}

export function buildCapiCluster(p: SpokeClusterParams): CapiClusterObject {
  const classRef: { name: string; namespace?: string } = { name: p.infrastructure.clusterClass };
  if (p.infrastructure.clusterClassNamespace) classRef.namespace = p.infrastructure.clusterClassNamespace;
  return {
    apiVersion: apiVersionOf(Resources.Cluster),
    kind: Resources.Cluster.kind,
    metadata: {
      name: p.cluster,
      namespace: p.project,
      labels: clusterLabels(p),
      annotations: { [Annotation.Hosts]: hostsAnnotation(p.hosts) },
    },
    spec: {
      topology: {
        classRef,
        version: semver(p.kubernetesVersion),
        controlPlane: { replicas: countRole(p.hosts, HostRole.ControlPlane) },
      },
    },
  };
}

export function buildMachineDeployment(p: SpokeClusterParams): MachineDeploymentObject {
  const name = machineDeploymentName(p.cluster);
  const machineLabels = { [Label.CapiClusterName]: p.cluster, [Label.CapiDeploymentName]: name };
  return {
    apiVersion: apiVersionOf(Resources.MachineDeployment),
    kind: Resources.MachineDeployment.kind,
    metadata: {
      name,
      namespace: p.project,
      labels: { ...clusterLabels(p), [Label.CapiClusterName]: p.cluster },
    },
    spec: {
      clusterName: p.cluster,
      replicas: countRole(p.hosts, HostRole.Worker),
      selector: { matchLabels: machineLabels },
      template: {
        metadata: { labels: machineLabels },
        spec: {
          clusterName: p.cluster,
          version: semver(p.kubernetesVersion),
          bootstrap: { configRef: { ...p.infrastructure.workerBootstrapTemplate } },
          infrastructureRef: { ...p.infrastructure.workerMachineTemplate },
        },
      },
    },
  };
}
