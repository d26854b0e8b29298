import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Payload } from '../graphql/payload.js';
import { Connection } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { Phase } from '../graphql/phase.type.js';
import { ProgressStatus } from '../graphql/progress.type.js';
import { Architecture } from './machine.entity.js';
import type { ComputePool } from './pool.entity.js';
import { PoolMode, PoolPhase, type NodeRequirements } from './pool.model.js';

registerEnumType(PoolMode, { name: 'ComputePoolMode' });
registerEnumType(PoolPhase, { name: 'ComputePoolPhase' });

@ObjectType('GpuPerNode')
export class GpuPerNode {
  @Field(() => String)
  family!: string;

  @Field(() => Int)
  countPerNode!: number;
}

@ObjectType('ControlPlaneRequirement')
export class ControlPlaneRequirementType {
  @Field(() => Int)
  nodeCount!: number;

  @Field(() => Boolean)
  workerNodeEligible!: boolean;

  @Field(() => Architecture, { nullable: true })
  architecture!: Architecture | null;

  @Field(() => Int)
  minCpuCount!: number;

  @Field(() => Int)
  minMemoryMiB!: number;
}

@ObjectType('WorkerPoolRequirement')
export class WorkerPoolRequirementType {
  @Field(() => String)
  name!: string;

  @Field(() => Int)
  nodeCount!: number;

  @Field(() => Architecture, { nullable: true })
  architecture!: Architecture | null;

  @Field(() => Int)
  minCpuCount!: number;

  @Field(() => Int)
  minMemoryMiB!: number;

  @Field(() => GpuPerNode, { nullable: true })
  gpu!: GpuPerNode | null;
}

@ObjectType('NodeRequirements', { description: 'The shape of each cluster of the pool' })
export class NodeRequirementsType {
  @Field(() => ControlPlaneRequirementType)
  controlPlane!: ControlPlaneRequirementType;

  @Field(() => [WorkerPoolRequirementType])
  workerPools!: WorkerPoolRequirementType[];

  static of(r: NodeRequirements): NodeRequirementsType {
    return Object.assign(new NodeRequirementsType(), {
      controlPlane: Object.assign(new ControlPlaneRequirementType(), r.controlPlane),
      workerPools: r.workerPools.map((w) => Object.assign(new WorkerPoolRequirementType(), { ...w, gpu: w.gpu ? Object.assign(new GpuPerNode(), w.gpu) : null })),
    });
  }
}

@ObjectType('GpuAllocation')
export class GpuAllocation {
  @Field(() => String)
  gpuFamily!: string;

  @Field(() => Int)
  capacity!: number;

  @Field(() => Int, { description: 'Held by App Deployments (SHARED pools); a DEDICATED pool serves one deployment' })
  allocated!: number;

  @Field(() => Int)
  free!: number;
}

@ObjectType('ComputePoolCluster', { description: 'One spoke cluster of a pool' })
export class ComputePoolClusterType {
  @Field(() => String, { description: 'Cluster API Cluster and OCM ManagedCluster name' })
  name!: string;

  @Field(() => Int)
  index!: number;

  @Field(() => Int)
  nodeCount!: number;

  @Field(() => [GpuAllocation])
  gpus!: GpuAllocation[];

  uuid!: string;
}

@ObjectType('ComputePool', { implements: Node, description: 'Kubernetes cluster(s) where apps run; each cluster is an OCM spoke' })
export class ComputePoolNode extends Node {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => PoolMode)
  mode!: PoolMode;

  @Field(() => Phase, { description: 'One of the ComputePoolPhase values' })
  phase!: PoolPhase;

  @Field(() => Int)
  clusterCount!: number;

  @Field(() => String)
  kubernetesVersion!: string;

  @Field(() => NodeRequirementsType)
  nodeRequirements!: NodeRequirementsType;

  @Field(() => ProgressStatus)
  status!: ProgressStatus;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
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
      status: ProgressStatus.of(p),
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      deletedAt: p.deletedAt,
    });
  }
}

@ObjectType()
export class ComputePoolConnection extends Connection(ComputePoolNode, 'ComputePool') {}

export enum EnvironmentTopology {
  /** spokegraph creates the Placement */
  TOPOLOGY_OCM = 'TOPOLOGY_OCM',
  /** the user brings a Placement */
  TOPOLOGY_OCM_BYOP = 'TOPOLOGY_OCM_BYOP',
}
registerEnumType(EnvironmentTopology, { name: 'EnvironmentTopology' });

@ObjectType('Environment', { implements: Node, description: "Where a pool's workloads go: an OCM cluster set bound into the project namespace" })
export class EnvironmentNode extends Node {
  @Field(() => EnvironmentTopology)
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

@InputType('GpuPerNodeInput')
export class GpuPerNodeInput {
  @Field(() => String)
  family!: string;

  @Field(() => Int)
  countPerNode!: number;
}

@InputType('ControlPlaneRequirementInput')
export class ControlPlaneRequirementInput {
  @Field(() => Int, { nullable: true, description: "1, 3 or 5 (default: the project's compute defaults)" })
  nodeCount?: number | null;

  @Field(() => Boolean, { nullable: true })
  workerNodeEligible?: boolean | null;

  @Field(() => Architecture, { nullable: true })
  architecture?: Architecture | null;

  @Field(() => Int, { nullable: true })
  minCpuCount?: number | null;

  @Field(() => Int, { nullable: true })
  minMemoryMiB?: number | null;
}

@InputType('WorkerPoolRequirementInput')
export class WorkerPoolRequirementInput {
  @Field(() => String)
  name!: string;

  @Field(() => Int)
  nodeCount!: number;

  @Field(() => Architecture, { nullable: true })
  architecture?: Architecture | null;

  @Field(() => Int, { nullable: true })
  minCpuCount?: number | null;

  @Field(() => Int, { nullable: true })
  minMemoryMiB?: number | null;

  @Field(() => GpuPerNodeInput, { nullable: true })
  gpu?: GpuPerNodeInput | null;
}

@InputType('NodeRequirementsInput')
export class NodeRequirementsInput {
  @Field(() => ControlPlaneRequirementInput, { nullable: true })
  controlPlane?: ControlPlaneRequirementInput | null;

  @Field(() => [WorkerPoolRequirementInput], { nullable: true })
  workerPools?: WorkerPoolRequirementInput[] | null;
}

@InputType('CreateComputePoolInput')
export class CreateComputePoolInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => PoolMode)
  mode!: PoolMode;

  @Field(() => Int, { nullable: true, description: 'SHARED pools: number of clusters (default 1)' })
  clusterCount?: number | null;

  @Field(() => ID, { description: 'An INFRASTRUCTURE or FULLSTACK profile bundle version of the project' })
  infrastructureBundleId!: string;

  @Field(() => NodeRequirementsInput)
  nodeRequirements!: NodeRequirementsInput;

  @Field(() => String, { nullable: true, description: 'Same key and input returns the first result' })
  idempotencyKey?: string | null;
}

@InputType('DeleteComputePoolInput')
export class DeleteComputePoolInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType('ComputePoolPayload')
export class ComputePoolPayload extends Payload {
  @Field(() => ComputePoolNode, { nullable: true })
  computePool: ComputePoolNode | null = null;
}
