import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { NotFoundError } from '../errors.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { budgetVerdict } from './quota.budget.js';
import { GpuBudgetVerdict, QuotaLevelVerdict, QuotaVerdict } from './quota.type.js';

@Resolver()
export class QuotaResolver {
  @Query(() => QuotaVerdict, { description: 'Would a request for `count` GPUs of a family be admitted in this project now? Checks the project and tenant quotas and the monthly GPU-hour budget; changes nothing. Who may call: anyone who can see the project' })
  async quotaWhatIf(
    @Arg('projectId', () => ID, { description: 'Global ID of the project' }) projectId: string,
    @Arg('gpuFamily', () => String, { description: 'GPU family, e.g. NVIDIA-H100' }) gpuFamily: string,
    @Arg('count', () => Int, { description: 'Number of GPUs requested (0-1000000)' }) count: number,
    @Ctx() ctx: Context,
  ): Promise<QuotaVerdict> {
    const project = await ctx.services.projects.byId(ctx, fromGlobalId(projectId, NodeKind.Project, ['projectId']));
    if (!project) throw new NotFoundError('Project', ['projectId']);
    const tenant = await ctx.services.tenants.byId(ctx, project.tenant.id);
    const levels = await ctx.services.quotas.whatIf(
      ctx,
      { projectId: project.id, projectName: project.name, tenantId: project.tenant.id, tenantName: tenant?.name ?? '' },
      gpuFamily,
      count,
    );
    const budget = await budgetVerdict(ctx.em, project.id, [{ gpuFamily, count }], ctx.services.clock.now());
    const v = new QuotaVerdict();
    v.levels = levels.map((l) => Object.assign(new QuotaLevelVerdict(), l));
    v.budget = budget && GpuBudgetVerdict.of(budget);
    v.allowed = levels.every((l) => l.allowed) && (budget?.allowed ?? true);
    v.bindingLevel = levels.find((l) => !l.allowed)?.level ?? null;
    return v;
  }
}
