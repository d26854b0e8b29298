import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { ProfileBundleNode } from '../catalog/bundle.type.js';
import type { Ctx as Context } from '../context.js';
import { NotFoundError } from '../errors.js';
import { eventCursor, type EventDto } from '../events/event.dto.js';
import { subjectEvents } from '../events/event.resolver.js';
import { DeploymentEventConnection, DeploymentEventNode } from '../events/event.type.js';
import { mutate } from '../graphql/payload.js';
import { connectionOf, PageArgs, pageRequest } from '../graphql/relay/connection.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { ProjectNode } from '../tenancy/project.type.js';
import { MachineConnection, MachineNode } from './machine.type.js';
import { PoolPhase, type NodeRequirements } from './pool.model.js';
import {
  ComputePoolClusterType,
  ComputePoolConnection,
  ComputePoolNode,
  ComputePoolPayload,
  CreateComputePoolInput,
  DeleteComputePoolInput,
  EnvironmentNode,
  ScaleComputePoolInput,
  GpuAllocation,
  type NodeRequirementsInput,
} from './pool.type.js';

/** Fills what the caller left out from the project's compute defaults. */
export function toRequirements(input: NodeRequirementsInput, defaults: { controlPlaneNodeCount: number; workerNodeEligible: boolean }): NodeRequirements {
  const cp = input.controlPlane ?? {};
  return {
    controlPlane: {
      nodeCount: cp.nodeCount ?? defaults.controlPlaneNodeCount,
      workerNodeEligible: cp.workerNodeEligible ?? defaults.workerNodeEligible,
      architecture: cp.architecture ?? null,
      minCpuCount: cp.minCpuCount ?? 0,
      minMemoryMiB: cp.minMemoryMiB ?? 0,
    },
    workerPools: (input.workerPools ?? []).map((w) => ({
      name: w.name,
      nodeCount: w.nodeCount,
      architecture: w.architecture ?? null,
      minCpuCount: w.minCpuCount ?? 0,
      minMemoryMiB: w.minMemoryMiB ?? 0,
      gpu: w.gpu ? { family: w.gpu.family, countPerNode: w.gpu.countPerNode } : null,
    })),
  };
}

const allocation = (gpuFamily: string, capacity: number, allocated: number) => Object.assign(new GpuAllocation(), { gpuFamily, capacity, allocated, free: Math.max(0, capacity - allocated) });

@Resolver(() => ComputePoolNode)
export class PoolResolver {
  @FieldResolver(() => ProjectNode, { description: 'The project that owns the pool' })
  async project(@Root() p: ComputePoolNode, @Ctx() ctx: Context): Promise<ProjectNode> {
    return ProjectNode.from((await ctx.services.projects.byId(ctx, p.projectUuid))!);
  }

  @FieldResolver(() => ProfileBundleNode, { nullable: true, description: 'The INFRASTRUCTURE or FULLSTACK bundle version the clusters are built from; null if it is no longer visible' })
  async infrastructureBundle(@Root() p: ComputePoolNode, @Ctx() ctx: Context): Promise<ProfileBundleNode | null> {
    const b = await ctx.services.bundles.byId(ctx, p.bundleUuid);
    return b && ProfileBundleNode.from(b);
  }

  @FieldResolver(() => [ComputePoolClusterType], { description: 'The spoke clusters of the pool, by index, with their GPU capacity and allocation' })
  async clusters(@Root() p: ComputePoolNode, @Ctx() ctx: Context): Promise<ComputePoolClusterType[]> {
    const [clusters, gpus] = await Promise.all([ctx.services.pools.clusters(ctx, p.uuid), ctx.services.pools.clusterGpus(ctx, p.uuid)]);
    return clusters.map((c) =>
      Object.assign(new ComputePoolClusterType(), {
        uuid: c.id,
        name: c.name,
        index: c.index,
        nodeCount: c.nodeCount,
        gpus: gpus.filter((g) => g.clusterId === c.id).map((g) => allocation(g.gpuFamily, g.capacity, g.allocated)),
      }),
    );
  }

  @FieldResolver(() => [GpuAllocation], { description: 'GPU capacity and allocation per family over all clusters' })
  async gpus(@Root() p: ComputePoolNode, @Ctx() ctx: Context): Promise<GpuAllocation[]> {
    const sums = new Map<string, [number, number]>();
    for (const g of await ctx.services.pools.clusterGpus(ctx, p.uuid)) {
      const [c, a] = sums.get(g.gpuFamily) ?? [0, 0];
      sums.set(g.gpuFamily, [c + g.capacity, a + g.allocated]);
    }
    return [...sums].map(([family, [c, a]]) => allocation(family, c, a));
  }

  @FieldResolver(() => MachineConnection, { description: 'The hosts serving this pool, in registration order' })
  async machines(@Root() p: ComputePoolNode, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context): Promise<MachineConnection> {
    return connectionOf(MachineConnection, await ctx.services.pools.machinePage(ctx, p.uuid, pageRequest(args)), MachineNode.from);
  }

  @FieldResolver(() => EnvironmentNode, { description: 'Where the workloads of this pool go (its cluster set, bound into the project namespace)' })
  async environment(@Root() p: ComputePoolNode, @Ctx() ctx: Context): Promise<EnvironmentNode> {
    const project = await ctx.services.projects.byId(ctx, p.projectUuid);
    return EnvironmentNode.of(p.uuid, p.clusterSet, project!.namespace);
  }

  @FieldResolver(() => DeploymentEventConnection, { description: 'The progress log of the pool, oldest first (seq order)' })
  async events(@Root() p: ComputePoolNode, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context): Promise<DeploymentEventConnection> {
    const page = await ctx.services.events.pageForSubject(ctx, p.uuid, args);
    return connectionOf(DeploymentEventConnection, page, DeploymentEventNode.from, eventCursor);
  }

  @Mutation(() => ComputePoolPayload, { description: 'Admits a pool in one transaction (machines reserved from the inventory and, for DEDICATED, GPU quota) and starts provisioning it; follow it with computePoolEvents. Who may call: project editors, project admins and tenant admins' })
  createComputePool(@Arg('input', () => CreateComputePoolInput, { description: 'The pool to create' }) input: CreateComputePoolInput, @Ctx() ctx: Context): Promise<ComputePoolPayload> {
    return mutate(ComputePoolPayload, async () => {
      const projectId = fromGlobalId(input.projectId, NodeKind.Project, ['projectId']);
      const bundleId = fromGlobalId(input.infrastructureBundleId, NodeKind.ProfileBundle, ['infrastructureBundleId']);
      const project = await ctx.services.projects.byId(ctx, projectId);
      if (!project) throw new NotFoundError('Project', ['projectId']);
      const pool = await ctx.services.pools.create(ctx, {
        projectId,
        name: input.name,
        description: input.description,
        mode: input.mode,
        clusterCount: input.clusterCount,
        infrastructureBundleId: bundleId,
        nodeRequirements: toRequirements(input.nodeRequirements, project),
        exposure: input.exposure,
        ingressHostSuffix: input.ingressHostSuffix,
        idempotencyKey: input.idempotencyKey,
      });
      return { computePool: ComputePoolNode.from(pool) };
    }, ctx);
  }

  @Mutation(() => ComputePoolPayload, {
    description:
      "Resizes worker pools of a RUNNING pool. Admission is one transaction: added nodes reserve free matching machines and, for DEDICATED pools, GPU quota (QUOTA_EXCEEDED, INSUFFICIENT_CAPACITY otherwise); removing nodes is refused (IN_USE) when it would strand GPUs that app deployments hold. The Cluster API MachineDeployment is then scaled on the hub; removed nodes' machines and quota are released once it reports the new replicas ready. Follow it with computePoolEvents. Who may call: project editors, project admins and tenant admins",
  })
  scaleComputePool(@Arg('input', () => ScaleComputePoolInput, { description: 'The pool and its new worker node counts' }) input: ScaleComputePoolInput, @Ctx() ctx: Context): Promise<ComputePoolPayload> {
    return mutate(ComputePoolPayload, async () => {
      const pool = await ctx.services.pools.scale(ctx, {
        id: fromGlobalId(input.id, NodeKind.ComputePool, ['id']),
        workerPools: input.workerPools.map((w) => ({ name: w.name, nodeCount: w.nodeCount })),
        idempotencyKey: input.idempotencyKey,
      });
      return { computePool: ComputePoolNode.from(pool) };
    }, ctx);
  }

  @Mutation(() => ComputePoolPayload, { description: 'Tears a pool down and releases its machines and quota; refused (IN_USE) while app deployments use it. Who may call: project editors, project admins and tenant admins' })
  deleteComputePool(@Arg('input', () => DeleteComputePoolInput, { description: 'Which pool' }) input: DeleteComputePoolInput, @Ctx() ctx: Context): Promise<ComputePoolPayload> {
    return mutate(ComputePoolPayload, async () => {
      const pool = await ctx.services.pools.requestDelete(ctx, fromGlobalId(input.id, NodeKind.ComputePool, ['id']));
      return { computePool: ComputePoolNode.from(pool) };
    }, ctx);
  }

  @Subscription(() => DeploymentEventNode, {
    description: "A pool's events, in seq order: replays after `after`, then live, without gaps or duplicates. A subscriber that falls too far behind gets an error carrying the cursor to resume from. Who may call: anyone who can see it (checked when the subscription starts)",
    subscribe: subjectEvents(NodeKind.ComputePool, 'Compute pool', (ctx, id) => ctx.services.pools.byId(ctx, id)),
  })
  computePoolEvents(
    @Root() event: EventDto,
    @Arg('id', () => ID, { description: 'Global ID of the compute pool' }) _id: string,
    @Arg('after', () => String, { nullable: true, description: 'A cursor (DeploymentEvent.cursor): replay the events after it, then go live; none: from the first event' }) _after: string | null,
  ): DeploymentEventNode {
    return DeploymentEventNode.from(event);
  }
}

@Resolver(() => ProjectNode)
export class ProjectPoolsResolver {
  @FieldResolver(() => ComputePoolConnection, { description: 'Compute pools of the project, oldest first (deleted ones included unless filtered out)' })
  async computePools(
    @Root() p: ProjectNode,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('phase', () => PoolPhase, { nullable: true, description: 'Only pools in this phase' }) phase: PoolPhase | null,
    @Ctx() ctx: Context,
  ): Promise<ComputePoolConnection> {
    return connectionOf(ComputePoolConnection, await ctx.services.pools.pageForProject(ctx, p.uuid, pageRequest(args), phase), ComputePoolNode.from);
  }
}

@Resolver(() => MachineNode)
export class MachinePoolResolver {
  @FieldResolver(() => ComputePoolNode, { nullable: true, description: 'The pool this machine serves, if any' })
  async assignedPool(@Root() m: MachineNode, @Ctx() ctx: Context): Promise<ComputePoolNode | null> {
    if (!m.poolUuid) return null;
    const pool = await ctx.services.pools.byId(ctx, m.poolUuid);
    return pool && ComputePoolNode.from(pool);
  }
}

@Resolver(() => EnvironmentNode)
export class EnvironmentResolver {
  @FieldResolver(() => ComputePoolNode, { description: 'The pool this environment belongs to' })
  async computePool(@Root() e: EnvironmentNode, @Ctx() ctx: Context): Promise<ComputePoolNode> {
    return ComputePoolNode.from((await ctx.services.pools.byId(ctx, e.poolUuid))!);
  }
}
