import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { ValidationError } from '../errors.js';
import { parseGlobalId, NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { ProjectNode } from '../tenancy/project.type.js';
import { budgetsOf, monthOf, monthUsageOf, MS_PER_HOUR } from '../tenancy/quota.budget.js';
import { GpuUsageGroupBy, GpuUsageGroupType, GpuUsageType, ProjectGpuBudgetType } from './usage.type.js';

const gid = (kind: NodeKind, id: string | null | undefined) => (id ? toGlobalId(kind, id) : null);

@Resolver(() => GpuUsageType)
export class UsageResolver {
  @Query(() => GpuUsageType, {
    nullable: true,
    description: 'GPU-seconds and GPU-hours of a tenant (tenant admins), project, pool or deployment in [from, to), optionally of one GPU family and grouped; null when the scope is not visible',
  })
  async gpuUsage(
    @Arg('scope', () => ID, { description: 'A Tenant, Project, ComputePool or AppDeployment ID' }) scope: string,
    @Arg('from', () => Date, { description: 'Start of the range (inclusive)' }) from: Date,
    @Arg('to', () => Date, { description: 'End of the range (exclusive): after from, at most 3660 days later (400 when grouped by DAY)' }) to: Date,
    @Arg('gpuFamily', () => String, { nullable: true, description: 'Only this GPU family (default: all)' }) gpuFamily: string | null,
    @Arg('groupBy', () => [GpuUsageGroupBy], { nullable: true, description: 'Break the total down by these dimensions (default: no groups)' }) groupBy: GpuUsageGroupBy[] | null,
    @Ctx() ctx: Context,
  ): Promise<GpuUsageType | null> {
    const decoded = parseGlobalId(scope);
    if (!decoded) throw new ValidationError('Not a valid ID', ['scope'], 'INVALID_ID');
    const r = await ctx.services.usage.usage(ctx, { scope: decoded, from, to, gpuFamily, groupBy: groupBy ?? [] });
    if (!r) return null;
    return Object.assign(new GpuUsageType(), {
      scope,
      from,
      to,
      asOf: r.asOf,
      gpuFamily: gpuFamily ?? null,
      gpuSeconds: r.totalMs / 1000,
      gpuHours: r.totalMs / MS_PER_HOUR,
      groups: r.groups.map((g) =>
        Object.assign(new GpuUsageGroupType(), {
          gpuFamily: g.gpuFamily ?? null,
          projectId: gid(NodeKind.Project, g.projectId),
          computePoolId: gid(NodeKind.ComputePool, g.poolId),
          appDeploymentId: gid(NodeKind.AppDeployment, g.deploymentId),
          day: g.day === undefined ? null : new Date(g.day),
          gpuSeconds: g.gpuMs / 1000,
          gpuHours: g.gpuMs / MS_PER_HOUR,
        }),
      ),
    });
  }
}

@Resolver(() => ProjectNode)
export class ProjectBudgetResolver {
  @FieldResolver(() => ProjectGpuBudgetType, { nullable: true, description: 'The monthly GPU-hour budget and this month against it (null: no budget)' })
  async gpuBudget(@Root() p: ProjectNode, @Ctx() ctx: Context): Promise<ProjectGpuBudgetType | null> {
    // batched: a page of projects costs two statements, not two per project
    const loader = ctx.loaders.get<string, ProjectGpuBudgetType | null>('gpuBudgetByProject', async (ids) => {
      const budgets = await budgetsOf(ctx.em, ids);
      const now = ctx.services.clock.now();
      const { start, end } = monthOf(now);
      const usage = await monthUsageOf(ctx.em, [...budgets.keys()], start, end, now);
      return ids.map((id) => {
        const budget = budgets.get(id);
        if (budget === undefined) return null;
        const u = usage.get(id) ?? { usedMs: 0, projectedMs: 0 };
        return Object.assign(new ProjectGpuBudgetType(), {
          monthlyGpuHours: budget,
          periodStart: start,
          periodEnd: end,
          usedGpuHours: u.usedMs / MS_PER_HOUR,
          projectedGpuHours: u.projectedMs / MS_PER_HOUR,
          remainingGpuHours: budget - u.projectedMs / MS_PER_HOUR,
        });
      });
    });
    return loader.load(p.uuid);
  }
}
