import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { ProfileBundleNode } from '../catalog/bundle.type.js';
import { toRequirements } from '../compute/pool.resolver.js';
import { ComputePoolNode } from '../compute/pool.type.js';
import type { Ctx as Context } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { eventCursor, type EventDto } from '../events/event.dto.js';
import { subjectEvents } from '../events/event.resolver.js';
import { DeploymentEventConnection, DeploymentEventNode } from '../events/event.type.js';
import { mutate, toUserError } from '../graphql/payload.js';
import { connectionOf, PageArgs, pageRequest } from '../graphql/relay/connection.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { ProjectNode } from '../tenancy/project.type.js';
import { GpuBudgetVerdict, QuotaLevelVerdict } from '../tenancy/quota.type.js';
import type { DeploymentPlan } from './deployment.dryrun.js';
import { DeploymentPhase } from './deployment.model.js';
import type { DeployInput } from './deployment.prepare.js';
import {
  AppDeploymentConnection,
  AppDeploymentIdInput,
  AppDeploymentNode,
  AppDeploymentPayload,
  CloneAppDeploymentInput,
  DeployAppInput,
  DeployAppPayload,
  DeploymentPlanType,
  GpuRequestType,
  PlanPool,
  PlanStep,
  type VariableValueInput,
} from './deployment.type.js';

export function variablesOf(list: VariableValueInput[] | null | undefined): Record<string, unknown> {
  // null prototype: a value named "__proto__" stays an entry (and is refused as undeclared, unless a
  // bundle declares it) instead of silently replacing the object's prototype
  const out: Record<string, unknown> = Object.create(null);
  (list ?? []).forEach((v, i) => {
    if (Object.prototype.hasOwnProperty.call(out, v.name)) throw new ValidationError(`variable ${v.name} is given twice`, ['variables', String(i), 'name']);
    out[v.name] = v.value;
  });
  return out;
}

function planType(plan: DeploymentPlan): DeploymentPlanType {
  return Object.assign(new DeploymentPlanType(), {
    allowed: plan.allowed,
    refusals: plan.refusals.map(toUserError),
    quota: plan.quota.map((q) => Object.assign(new QuotaLevelVerdict(), q)),
    budget: plan.budget && GpuBudgetVerdict.of(plan.budget),
    gpuRequests: plan.gpuRequests.map((g) => Object.assign(new GpuRequestType(), g)),
    variableValues: plan.variables,
    pool: Object.assign(new PlanPool(), {
      name: plan.pool.name,
      mode: plan.pool.mode,
      isNew: plan.pool.isNew,
      cluster: plan.pool.cluster,
      machines: plan.pool.machines,
      poolUuid: plan.pool.id,
    }),
    steps: plan.steps.map((s) => Object.assign(new PlanStep(), { step: s.id, title: s.title })),
    hubObjects: plan.hubObjects,
  });
}

async function deployPayload(ctx: Context, input: DeployInput, dryRun: boolean): Promise<Partial<DeployAppPayload>> {
  const r = await ctx.services.deployments.deploy(ctx, input, dryRun);
  return { appDeployment: r.deployment && AppDeploymentNode.from(r.deployment), plan: r.plan && planType(r.plan) };
}

@Resolver(() => AppDeploymentNode)
export class DeploymentResolver {
  @FieldResolver(() => ProjectNode, { description: 'The project the deployment belongs to' })
  async project(@Root() d: AppDeploymentNode, @Ctx() ctx: Context): Promise<ProjectNode> {
    return ProjectNode.from((await ctx.services.projects.byId(ctx, d.projectUuid))!);
  }

  @FieldResolver(() => ComputePoolNode, { description: 'The compute pool the deployment runs on (for a new dedicated pool: the pool made for it)' })
  async computePool(@Root() d: AppDeploymentNode, @Ctx() ctx: Context): Promise<ComputePoolNode> {
    return ComputePoolNode.from((await ctx.services.pools.byId(ctx, d.poolUuid))!);
  }

  @FieldResolver(() => [ProfileBundleNode], { description: 'The profile bundle versions deployed (those still visible)' })
  async bundles(@Root() d: AppDeploymentNode, @Ctx() ctx: Context): Promise<ProfileBundleNode[]> {
    const ids = await ctx.services.deployments.bundleIds(ctx, d.uuid);
    const bundles = await Promise.all(ids.map((id) => ctx.services.bundles.byId(ctx, id)));
    return bundles.filter((b) => b !== null).map((b) => ProfileBundleNode.from(b!));
  }

  @FieldResolver(() => DeploymentEventConnection, { description: 'The progress log of the deployment, oldest first (seq order)' })
  async events(@Root() d: AppDeploymentNode, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context): Promise<DeploymentEventConnection> {
    return connectionOf(DeploymentEventConnection, await ctx.services.events.pageForSubject(ctx, d.uuid, args), DeploymentEventNode.from, eventCursor);
  }

  @Mutation(() => DeployAppPayload, { description: 'Deploys an app from profile bundles onto a RUNNING pool or a new dedicated pool. Admission is one transaction (names, bundle types, variables, GPU quota, GPU-hour budget, pool capacity): the deployment is QUEUED and runs in the background (follow appDeploymentEvents), or is refused with userErrors and nothing changes. With dryRun it returns the plan and writes nothing. Who may call: project editors, project admins and tenant admins' })
  deployApp(@Arg('input', () => DeployAppInput, { description: 'What to deploy, where, with which values' }) input: DeployAppInput, @Ctx() ctx: Context): Promise<DeployAppPayload> {
    return mutate(
      DeployAppPayload,
      async () => {
        const projectId = fromGlobalId(input.projectId, NodeKind.Project, ['projectId']);
        // (the same read prepareDeployment makes, kept for the request: one statement)
        const project = (await ctx.services.projects.viewWithTenantName(ctx, projectId))?.project;
        if (!project) throw new NotFoundError('Project', ['projectId']);
        const np = input.newDedicatedPool;
        return deployPayload(
          ctx,
          {
            projectId,
            name: input.name,
            description: input.description,
            links: input.links?.map((l) => ({ title: l.title, url: l.url })),
            bundleIds: input.bundleIds.map((id, i) => fromGlobalId(id, NodeKind.ProfileBundle, ['bundleIds', String(i)])),
            poolId: input.poolId ? fromGlobalId(input.poolId, NodeKind.ComputePool, ['poolId']) : null,
            newDedicatedPool: np
              ? {
                  name: np.name,
                  description: np.description,
                  infrastructureBundleId: fromGlobalId(np.infrastructureBundleId, NodeKind.ProfileBundle, ['newDedicatedPool', 'infrastructureBundleId']),
                  nodeRequirements: toRequirements(np.nodeRequirements, project),
                  exposure: np.exposure,
                  ingressHostSuffix: np.ingressHostSuffix,
                }
              : null,
            variables: variablesOf(input.variables),
            idempotencyKey: input.idempotencyKey,
          },
          input.dryRun ?? false,
        );
      },
      ctx,
    );
  }

  @Mutation(() => AppDeploymentPayload, { description: 'Resumes a FAILED deployment from its failed step (refused with ILLEGAL_STATE otherwise). Who may call: project editors, project admins and tenant admins' })
  retryAppDeployment(@Arg('input', () => AppDeploymentIdInput, { description: 'Which deployment' }) input: AppDeploymentIdInput, @Ctx() ctx: Context): Promise<AppDeploymentPayload> {
    return mutate(AppDeploymentPayload, async () => ({ appDeployment: AppDeploymentNode.from(await ctx.services.deployments.retry(ctx, fromGlobalId(input.id, NodeKind.AppDeployment, ['id']))) }), ctx);
  }

  @Mutation(() => AppDeploymentPayload, { description: 'Tears the deployment down (and the dedicated pool made for it) and releases its GPU quota; phase DELETING, then DELETED. The record and its events stay for audit. Who may call: project editors, project admins and tenant admins' })
  deleteAppDeployment(@Arg('input', () => AppDeploymentIdInput, { description: 'Which deployment' }) input: AppDeploymentIdInput, @Ctx() ctx: Context): Promise<AppDeploymentPayload> {
    return mutate(AppDeploymentPayload, async () => ({ appDeployment: AppDeploymentNode.from(await ctx.services.deployments.requestDelete(ctx, fromGlobalId(input.id, NodeKind.AppDeployment, ['id']))) }), ctx);
  }

  @Mutation(() => DeployAppPayload, { description: 'Deploys a copy under a new name: same bundles, target and values, with optional overrides; takes dryRun like deployApp. Who may call: project editors, project admins and tenant admins' })
  cloneAppDeployment(@Arg('input', () => CloneAppDeploymentInput, { description: 'Which deployment to copy, and what to change' }) input: CloneAppDeploymentInput, @Ctx() ctx: Context): Promise<DeployAppPayload> {
    return mutate(
      DeployAppPayload,
      async () => {
        const source = await ctx.services.deployments.byId(ctx, fromGlobalId(input.id, NodeKind.AppDeployment, ['id']));
        if (!source) throw new NotFoundError('App deployment', ['id']);
        const spec = source.spec;
        const t = spec.target;
        const poolId = input.poolId ? fromGlobalId(input.poolId, NodeKind.ComputePool, ['poolId']) : t.kind === 'EXISTING_POOL' ? t.poolId : null;
        return deployPayload(
          ctx,
          {
            projectId: source.project.id,
            name: input.name,
            description: input.description ?? spec.description,
            links: spec.links,
            bundleIds: spec.bundleIds,
            poolId,
            newDedicatedPool: poolId || t.kind !== 'NEW_DEDICATED_POOL' ? null : { name: input.name, infrastructureBundleId: t.infrastructureBundleId, nodeRequirements: t.nodeRequirements, exposure: t.exposure?.mode, ingressHostSuffix: t.exposure?.ingressHostSuffix },
            variables: { ...spec.variables, ...variablesOf(input.variables) },
            idempotencyKey: input.idempotencyKey,
          },
          input.dryRun ?? false,
        );
      },
      ctx,
    );
  }

  @Subscription(() => DeploymentEventNode, {
    description: "A deployment's events (including the progress of its new dedicated pool), in seq order: replays after `after`, then live, without gaps or duplicates. A subscriber that falls too far behind gets an error carrying the cursor to resume from. Who may call: anyone who can see it (checked when the subscription starts)",
    subscribe: subjectEvents(NodeKind.AppDeployment, 'App deployment', (ctx, id) => ctx.services.deployments.byId(ctx, id)),
  })
  appDeploymentEvents(
    @Root() event: EventDto,
    @Arg('id', () => ID, { description: 'Global ID of the app deployment' }) _id: string,
    @Arg('after', () => String, { nullable: true, description: 'A cursor (DeploymentEvent.cursor): replay the events after it, then go live; none: from the first event' }) _after: string | null,
  ): DeploymentEventNode {
    return DeploymentEventNode.from(event);
  }
}

@Resolver(() => PlanPool)
export class PlanPoolResolver {
  @FieldResolver(() => ComputePoolNode, { nullable: true, description: 'The existing pool; null when the plan creates a new dedicated pool' })
  async computePool(@Root() p: PlanPool, @Ctx() ctx: Context): Promise<ComputePoolNode | null> {
    const pool = p.poolUuid ? await ctx.services.pools.byId(ctx, p.poolUuid) : null;
    return pool && ComputePoolNode.from(pool);
  }
}

@Resolver(() => ProjectNode)
export class ProjectDeploymentsResolver {
  @FieldResolver(() => AppDeploymentConnection, { description: 'App deployments of the project, oldest first (deleted ones included unless filtered out)' })
  async appDeployments(
    @Root() p: ProjectNode,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('phase', () => DeploymentPhase, { nullable: true, description: 'Only deployments in this phase' }) phase: DeploymentPhase | null,
    @Ctx() ctx: Context,
  ): Promise<AppDeploymentConnection> {
    return connectionOf(AppDeploymentConnection, await ctx.services.deployments.pageForProject(ctx, p.uuid, pageRequest(args), phase), AppDeploymentNode.from);
  }
}

@Resolver(() => ComputePoolNode)
export class PoolDeploymentsResolver {
  @FieldResolver(() => AppDeploymentConnection, { description: 'App deployments placed on this pool (not deleted), oldest first' })
  async appDeployments(@Root() p: ComputePoolNode, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context): Promise<AppDeploymentConnection> {
    return connectionOf(AppDeploymentConnection, await ctx.services.deployments.pageForPool(ctx, p.uuid, pageRequest(args)), AppDeploymentNode.from);
  }
}
