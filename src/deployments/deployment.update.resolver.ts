import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { mutate, toUserError } from '../graphql/payload.js';
import { connectionOf, PageArgs, pageRequest } from '../graphql/relay/connection.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { GpuBudgetVerdict, QuotaLevelVerdict } from '../tenancy/quota.type.js';
import { variablesOf } from './deployment.resolver.js';
import { AppDeploymentNode, GpuRequestType, PlanStep } from './deployment.type.js';
import type { UpdatePlan, UpdateResult } from './deployment.update.js';
import {
  AppDeploymentRevisionConnection,
  AppDeploymentRevisionNode,
  ObjectChangeType,
  RollbackAppDeploymentInput,
  UpdateAppDeploymentInput,
  UpdateAppDeploymentPayload,
  UpdatePlanType,
} from './deployment.update.type.js';

const gpus = (list: { gpuFamily: string; count: number }[]) => list.map((g) => Object.assign(new GpuRequestType(), g));

function planType(plan: UpdatePlan): UpdatePlanType {
  return Object.assign(new UpdatePlanType(), {
    allowed: plan.allowed,
    refusals: plan.refusals.map(toUserError),
    revision: plan.revision,
    gpuRequests: gpus(plan.gpuRequests),
    gpuIncrease: gpus(plan.gpuIncrease),
    gpuDecrease: gpus(plan.gpuDecrease),
    quota: plan.quota.map((q) => Object.assign(new QuotaLevelVerdict(), q)),
    budget: plan.budget && GpuBudgetVerdict.of(plan.budget),
    variableValues: plan.variables,
    steps: plan.steps.map((s) => Object.assign(new PlanStep(), { step: s.id, title: s.title })),
    hubObjects: plan.hubObjects,
    changes: plan.changes.map((c) => Object.assign(new ObjectChangeType(), c)),
  });
}

const payloadOf = (r: UpdateResult): Partial<UpdateAppDeploymentPayload> => ({
  appDeployment: r.deployment && AppDeploymentNode.from(r.deployment),
  revision: r.revision && AppDeploymentRevisionNode.from(r.revision),
  plan: r.plan && planType(r.plan),
});

@Resolver(() => AppDeploymentNode)
export class DeploymentUpdateResolver {
  @FieldResolver(() => Int, { description: 'The revision whose bundles and values the deployment holds: the one serving, or the one rolling out' })
  revision(@Root() d: AppDeploymentNode): number {
    return d.revisionNumber;
  }

  @FieldResolver(() => AppDeploymentRevisionConnection, { description: 'Its revisions, oldest first: what ran, who asked, how each rollout ended' })
  async revisions(@Root() d: AppDeploymentNode, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context): Promise<AppDeploymentRevisionConnection> {
    return connectionOf(AppDeploymentRevisionConnection, await ctx.services.deploymentUpdates.revisions(ctx, d.uuid, pageRequest(args)), AppDeploymentRevisionNode.from);
  }

  @Mutation(() => UpdateAppDeploymentPayload, { description: 'Roll a new revision of a RUNNING deployment out in place (other bundle versions, values or GPUs); dryRun returns the plan and the hub-object diff. Who may call: project editors, project admins and tenant admins' })
  updateAppDeployment(@Arg('input', () => UpdateAppDeploymentInput, { description: 'Which deployment, and what changes' }) input: UpdateAppDeploymentInput, @Ctx() ctx: Context): Promise<UpdateAppDeploymentPayload> {
    return mutate(
      UpdateAppDeploymentPayload,
      async () => {
        const id = fromGlobalId(input.id, NodeKind.AppDeployment, ['id']);
        const bundleIds = input.bundleIds?.map((b, i) => fromGlobalId(b, NodeKind.ProfileBundle, ['bundleIds', String(i)])) ?? null;
        const r = await ctx.services.deploymentUpdates.update(ctx, { id, bundleIds, variables: input.variables ? variablesOf(input.variables) : null, idempotencyKey: input.idempotencyKey, rollbackOnFailure: input.rollbackOnFailure }, input.dryRun ?? false);
        return payloadOf(r);
      },
      ctx,
    );
  }

  @Mutation(() => UpdateAppDeploymentPayload, { description: 'Roll back: a new revision pinning exactly the bundle versions and values of an earlier revision. Who may call: project editors, project admins and tenant admins' })
  rollbackAppDeployment(@Arg('input', () => RollbackAppDeploymentInput, { description: 'Which deployment, and which revision to go back to' }) input: RollbackAppDeploymentInput, @Ctx() ctx: Context): Promise<UpdateAppDeploymentPayload> {
    return mutate(
      UpdateAppDeploymentPayload,
      async () => payloadOf(await ctx.services.deploymentUpdates.rollback(ctx, fromGlobalId(input.id, NodeKind.AppDeployment, ['id']), input.toRevision, input.idempotencyKey ?? null)),
      ctx,
    );
  }
}
