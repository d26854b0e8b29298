import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Payload } from '../graphql/payload.js';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { Phase, PHASE_DESCRIPTIONS } from '../graphql/phase.type.js';
import { ProgressStatus } from '../graphql/progress.type.js';
import { Architecture } from './machine.entity.js';
import type { ComputePool } from './pool.entity.js';
import { PoolExposure, PoolMode, PoolPhase, type NodeRequirements } from './pool.model.js';
import { exposureSetting } from './pool.exposure.js';

registerEnumType(PoolMode, {
  name: 'ComputePoolMode',
  description: 'How a compute pool is shared; fixed at creation',
  valuesConfig: {
    DEDICATED: { description: 'One cluster for a single app deployment; all GPUs of its worker machines are reserved against the project quota' },
    SHARED: { description: 'One or more clusters for many app deployments; each deployment reserves the GPUs it requests' },
  },
});
registerEnumType(PoolExposure, {
  name: 'ComputePoolExposure',
  description: "How the apps deployed onto a pool are reached from outside their cluster (their access URLs); fixed at creation",
  valuesConfig: {
    LOAD_BALANCER: { description: 'A LoadBalancer Service per exposed component; the access URL is the address the spoke\'s load-balancer implementation assigns. A spoke without one never assigns an address: the rollout then fails at its deadline with EXPOSURE_TIMEOUT' },
    NODE_PORT: { description: 'A NodePort Service per exposed component; the access URL is the host of the cluster\'s control-plane endpoint (Cluster API Cluster spec.controlPlaneEndpoint) and the allocated node port. For edge and bare-metal spokes without a load balancer' },
    INGRESS: { description: 'A ClusterIP Service and an Ingress per exposed component, on host <component>-<deployment hub name>.<ingressHostSuffix>; the access URL is that host. Needs an ingress controller on the spoke and DNS (e.g. a wildcard record) for the suffix' },
  },
});
registerEnumType(PoolPhase, {
  name: 'ComputePoolPhase',
  description: 'Phase of a compute pool: PENDING, PROVISIONING, REGISTERING, INSTALLING, then RUNNING; FAILED on a failed step; DELETING, DELETED when removed',
  valuesConfig: Object.fromEntries(Object.values(PoolPhase).map((v) => [v, PHASE_DESCRIPTIONS[v]])),
});

@ObjectType('GpuPerNode', { description: 'GPUs each worker node must have' })
export class GpuPerNode {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  family!: string;

  @Field(() => Int, { description: 'GPUs per worker node' })
  countPerNode!: number;
}

@ObjectType('ControlPlaneRequirement', { description: 'Control-plane nodes of each cluster' })
export class ControlPlaneRequirementType {
  @Field(() => Int, { description: 'Control-plane nodes per cluster: 1, 3 or 5' })
  nodeCount!: number;

  @Field(() => Boolean, { description: 'Whether control-plane nodes also run workloads' })
  workerNodeEligible!: boolean;

  @Field(() => Architecture, { nullable: true, description: 'Required CPU architecture; null for any' })
  architecture!: Architecture | null;

  @Field(() => Int, { description: 'Least CPU cores of each machine (0: no minimum)' })
  minCpuCount!: number;

  @Field(() => Int, { description: 'Least memory of each machine, in MiB (0: no minimum)' })
  minMemoryMiB!: number;
}

@ObjectType('WorkerPoolRequirement', { description: 'One group of worker nodes of each cluster' })
export class WorkerPoolRequirementType {
  @Field(() => String, { description: 'Name of the worker group, unique in the pool' })
  name!: string;

  @Field(() => Int, { description: 'Worker nodes of this group per cluster' })
  nodeCount!: number;

  @Field(() => Architecture, { nullable: true, description: 'Required CPU architecture; null for any' })
  architecture!: Architecture | null;

  @Field(() => Int, { description: 'Least CPU cores of each machine (0: no minimum)' })
  minCpuCount!: number;

  @Field(() => Int, { description: 'Least memory of each machine, in MiB (0: no minimum)' })
  minMemoryMiB!: number;

  @Field(() => GpuPerNode, { nullable: true, description: 'GPUs each machine must have; null for CPU-only workers' })
  gpu!: GpuPerNode | null;
}

@ObjectType('NodeRequirements', { description: 'The shape of each cluster of the pool' })
export class NodeRequirementsType {
  @Field(() => ControlPlaneRequirementType, { description: 'Control-plane nodes of each cluster' })
  controlPlane!: ControlPlaneRequirementType;

  @Field(() => [WorkerPoolRequirementType], { description: 'Worker node groups of each cluster (may be empty for a single-node cluster)' })
  workerPools!: WorkerPoolRequirementType[];

  static of(r: NodeRequirements): NodeRequirementsType {
    return Object.assign(new NodeRequirementsType(), {
      controlPlane: Object.assign(new ControlPlaneRequirementType(), r.controlPlane),
      workerPools: r.workerPools.map((w) => Object.assign(new WorkerPoolRequirementType(), { ...w, gpu: w.gpu ? Object.assign(new GpuPerNode(), w.gpu) : null })),
    });
  }
}

@ObjectType('GpuAllocation', { description: 'GPU capacity of one family and how much of it deployments hold' })
export class GpuAllocation {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  gpuFamily!: string;

  @Field(() => Int, { description: 'GPUs of this family on the worker nodes' })
  capacity!: number;

  @Field(() => Int, { description: 'Held by App Deployments (SHARED pools); a DEDICATED pool serves one deployment' })
  allocated!: number;

  @Field(() => Int, { description: 'GPUs not held by deployments: capacity minus allocated, never below 0' })
  free!: number;
}

@ObjectType('ComputePoolCluster', { description: 'One spoke cluster of a pool' })
export class ComputePoolClusterType {
  @Field(() => String, { description: 'Cluster API Cluster and OCM ManagedCluster name' })
  name!: string;

  @Field(() => Int, { description: 'Position of the cluster in the pool, from 0' })
  index!: number;

  @Field(() => Int, { description: 'Nodes of the cluster (control plane and workers)' })
  nodeCount!: number;

  @Field(() => [GpuAllocation], { description: 'GPU capacity and allocation of this cluster per family' })
  gpus!: GpuAllocation[];

  uuid!: string;
}

@ObjectType('ComputePool', { implements: Node, description: 'Kubernetes cluster(s) where apps run; each cluster is an OCM spoke' })
export class ComputePoolNode extends Node {
  @Field(() => String, { description: 'Name, unique in the project among pools not deleted (3-33 lowercase letters, digits and "-")' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text (at most 2048 characters)' })
  description!: string | null;

  @Field(() => PoolMode, { description: 'DEDICATED (one deployment) or SHARED (many)' })
  mode!: PoolMode;

  @Field(() => Phase, { description: 'One of the ComputePoolPhase values' })
  phase!: PoolPhase;

  @Field(() => Int, { description: 'Number of clusters (always 1 for DEDICATED)' })
  clusterCount!: number;

  @Field(() => String, { description: "Kubernetes version of the clusters, from the infrastructure bundle's cluster profile" })
  kubernetesVersion!: string;

  @Field(() => NodeRequirementsType, { description: 'The shape of each cluster' })
  nodeRequirements!: NodeRequirementsType;

  @Field(() => PoolExposure, { description: 'How the apps on this pool are reached (LOAD_BALANCER for pools created before the setting existed)' })
  exposure!: PoolExposure;

  @Field(() => String, { nullable: true, description: 'The DNS suffix the app hosts are made under when exposure is INGRESS; null otherwise' })
  ingressHostSuffix!: string | null;

  @Field(() => ProgressStatus, { description: 'Progress of provisioning or deletion, what it waits on, why it failed' })
  status!: ProgressStatus;

  @Field(() => Date, { description: 'When the pool was admitted' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the pool last changed' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the pool reached DELETED; null before' })
  deletedAt!: Date | null;

  uuid!: string;
  projectUuid!: string;
  bundleUuid!: string;
  clusterSet!: string;

  static from(p: ComputePool): ComputePoolNode {
    return Object.assign(new ComputePoolNode(), {
      id: toGlobalId(NodeKind.ComputePool, p.id),
      uuid: p.id,
      projectUuid: p.project.id,
      bundleUuid: p.bundle.id,
      clusterSet: p.clusterSet,
      name: p.name,
      description: p.description,
      mode: p.mode,
      phase: p.phase,
      clusterCount: p.clusterCount,
      kubernetesVersion: p.kubernetesVersion,
      nodeRequirements: NodeRequirementsType.of(p.nodeRequirements),
      exposure: exposureSetting(p.exposure).mode,
      ingressHostSuffix: exposureSetting(p.exposure).ingressHostSuffix ?? null,
      status: ProgressStatus.of(p),
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      deletedAt: p.deletedAt,
    });
  }
}

@ObjectType({ description: connectionDescription('ComputePool') })
export class ComputePoolConnection extends Connection(ComputePoolNode, 'ComputePool') {}

export enum EnvironmentTopology {
  /** spokegraph creates the Placement */
  TOPOLOGY_OCM = 'TOPOLOGY_OCM',
  /** the user brings a Placement */
  TOPOLOGY_OCM_BYOP = 'TOPOLOGY_OCM_BYOP',
}
registerEnumType(EnvironmentTopology, {
  name: 'EnvironmentTopology',
  description: 'How workloads of an environment are placed on clusters',
  valuesConfig: {
    TOPOLOGY_OCM: { description: 'The gateway creates the OCM Placement for each deployment' },
    TOPOLOGY_OCM_BYOP: { description: 'A Placement the user brings (bring your own placement)' },
  },
});

@ObjectType('Environment', { implements: Node, description: "Where a pool's workloads go: an OCM cluster set bound into the project namespace" })
export class EnvironmentNode extends Node {
  @Field(() => EnvironmentTopology, { description: 'How workloads are placed' })
  topology!: EnvironmentTopology;

  @Field(() => [String], { description: 'ManagedClusterSets the Placements select from' })
  clusterSets!: string[];

  @Field(() => String, { description: 'Hub namespace of the ManagedClusterSetBinding and the Placements' })
  namespace!: string;

  @Field(() => Int, { description: 'Clusters each App Deployment is placed on' })
  numberOfClusters!: number;

  @Field(() => String, { description: 'Rollout strategy of the placed workloads' })
  rolloutStrategy!: string;

  poolUuid!: string;

  static of(poolId: string, clusterSet: string, namespace: string): EnvironmentNode {
    return Object.assign(new EnvironmentNode(), {
      id: toGlobalId(NodeKind.Environment, poolId),
      poolUuid: poolId,
      topology: EnvironmentTopology.TOPOLOGY_OCM,
      clusterSets: [clusterSet],
      namespace,
      numberOfClusters: 1,
      rolloutStrategy: 'ALL',
    });
  }
}

@InputType('GpuPerNodeInput', { description: 'GPUs each worker node must have' })
export class GpuPerNodeInput {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  family!: string;

  @Field(() => Int, { description: 'GPUs per worker node, 1-64' })
  countPerNode!: number;
}

@InputType('ControlPlaneRequirementInput', { description: "Control-plane nodes of each cluster; fields left out come from the project's compute defaults or mean no constraint" })
export class ControlPlaneRequirementInput {
  @Field(() => Int, { nullable: true, description: "Control-plane nodes per cluster: 1, 3 or 5 (default: the project's compute defaults)" })
  nodeCount?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Whether control-plane nodes also run workloads; must be true without worker pools (default: the project's compute defaults)" })
  workerNodeEligible?: boolean | null;

  @Field(() => Architecture, { nullable: true, description: 'Required CPU architecture (default: any)' })
  architecture?: Architecture | null;

  @Field(() => Int, { nullable: true, description: 'Least CPU cores of each machine, 0-4096 (default 0)' })
  minCpuCount?: number | null;

  @Field(() => Int, { nullable: true, description: 'Least memory of each machine in MiB, 0-67108864 (default 0)' })
  minMemoryMiB?: number | null;
}

@InputType('WorkerPoolRequirementInput', { description: 'One group of worker nodes of each cluster' })
export class WorkerPoolRequirementInput {
  @Field(() => String, { description: '1-32 lowercase letters, digits or "-", unique in the pool' })
  name!: string;

  @Field(() => Int, { description: 'Worker nodes of this group per cluster, 1-100' })
  nodeCount!: number;

  @Field(() => Architecture, { nullable: true, description: 'Required CPU architecture (default: any)' })
  architecture?: Architecture | null;

  @Field(() => Int, { nullable: true, description: 'Least CPU cores of each machine, 0-4096 (default 0)' })
  minCpuCount?: number | null;

  @Field(() => Int, { nullable: true, description: 'Least memory of each machine in MiB, 0-67108864 (default 0)' })
  minMemoryMiB?: number | null;

  @Field(() => GpuPerNodeInput, { nullable: true, description: 'GPUs each machine must have (default: none required)' })
  gpu?: GpuPerNodeInput | null;
}

@InputType('NodeRequirementsInput', { description: 'The shape of each cluster of a pool: at most 10 worker groups, at most 500 machines in the whole pool' })
export class NodeRequirementsInput {
  @Field(() => ControlPlaneRequirementInput, { nullable: true, description: "Control-plane nodes (default: the project's compute defaults)" })
  controlPlane?: ControlPlaneRequirementInput | null;

  @Field(() => [WorkerPoolRequirementInput], { nullable: true, description: 'Worker node groups, at most 10 (default: none, a control-plane-only cluster)' })
  workerPools?: WorkerPoolRequirementInput[] | null;
}

@InputType('CreateComputePoolInput', { description: 'Input of createComputePool' })
export class CreateComputePoolInput {
  @Field(() => ID, { description: 'Global ID of the project' })
  projectId!: string;

  @Field(() => String, { description: '3-33 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit; unique in the project' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text, at most 2048 characters' })
  description?: string | null;

  @Field(() => PoolMode, { description: 'DEDICATED or SHARED; cannot be changed later' })
  mode!: PoolMode;

  @Field(() => Int, { nullable: true, description: 'SHARED pools: number of clusters, 1-20 (default 1); DEDICATED pools have one' })
  clusterCount?: number | null;

  @Field(() => ID, { description: 'An INFRASTRUCTURE or FULLSTACK profile bundle version of the project' })
  infrastructureBundleId!: string;

  @Field(() => NodeRequirementsInput, { description: 'The shape of each cluster; machines are chosen from the tenant inventory and reserved at once' })
  nodeRequirements!: NodeRequirementsInput;

  @Field(() => PoolExposure, { nullable: true, description: 'How apps on the pool are reached: LOAD_BALANCER (default), NODE_PORT (spokes without a load balancer) or INGRESS (needs ingressHostSuffix); cannot be changed later' })
  exposure?: PoolExposure | null;

  @Field(() => String, { nullable: true, description: 'Required with exposure INGRESS, refused otherwise: the DNS suffix (at most 189 characters, e.g. apps.example.com) each exposed component gets a host under' })
  ingressHostSuffix?: string | null;

  @Field(() => String, { nullable: true, description: 'Your key for this request (1-255 printable ASCII characters): the same key and input return the first result; the same key with another input is refused' })
  idempotencyKey?: string | null;
}

@InputType('DeleteComputePoolInput', { description: 'Input of deleteComputePool' })
export class DeleteComputePoolInput {
  @Field(() => ID, { description: 'Global ID of the pool' })
  id!: string;
}

@InputType('WorkerPoolScaleInput', { description: 'The new node count of one worker pool of the pool' })
export class WorkerPoolScaleInput {
  @Field(() => String, { description: 'Name of an existing worker pool of the compute pool' })
  name!: string;

  @Field(() => Int, { description: 'Worker nodes of this group per cluster after the scale, 1-100' })
  nodeCount!: number;
}

@InputType('ScaleComputePoolInput', { description: 'Input of scaleComputePool' })
export class ScaleComputePoolInput {
  @Field(() => ID, { description: 'Global ID of a RUNNING compute pool' })
  id!: string;

  @Field(() => [WorkerPoolScaleInput], { description: 'The worker pools to resize, each named once (at most 10); worker pools left out keep their node count' })
  workerPools!: WorkerPoolScaleInput[];

  @Field(() => String, { nullable: true, description: 'Your key for this request (1-255 printable ASCII characters): the same key and input return the first result; the same key with another input is refused' })
  idempotencyKey?: string | null;
}

@ObjectType('ComputePoolPayload', { description: 'Result of a compute pool mutation' })
export class ComputePoolPayload extends Payload {
  @Field(() => ComputePoolNode, { nullable: true, description: 'The pool as it is now (phase PENDING after create, DELETING after delete); null when the mutation was refused' })
  computePool: ComputePoolNode | null = null;
}
