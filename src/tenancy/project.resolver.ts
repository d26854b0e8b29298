import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { mutate } from '../graphql/payload.js';
import { connectionOf, PageArgs, pageRequest } from '../graphql/relay/connection.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { ProjectConnection, ProjectNode } from './project.type.js';
import { GpuQuotaType } from './quota.type.js';
import { CreateProjectInput, DeletePayload, DeleteProjectInput, ProjectPayload, UpdateProjectInput } from './tenancy.input.js';
import { TenantNode } from './tenant.type.js';

@Resolver(() => ProjectNode)
export class ProjectResolver {
  @Query(() => ProjectNode, { nullable: true })
  async project(@Arg('name', () => String) name: string, @Ctx() ctx: Context): Promise<ProjectNode | null> {
    const p = await ctx.services.projects.byName(ctx, name);
    return p && ProjectNode.from(p);
  }

  @Query(() => ProjectConnection, { description: 'Projects visible to you, across tenants, oldest first' })
  async projects(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context): Promise<ProjectConnection> {
    return connectionOf(ProjectConnection, await ctx.services.projects.list(ctx, pageRequest(args)), ProjectNode.from);
  }

  @FieldResolver(() => TenantNode)
  async tenant(@Root() p: ProjectNode, @Ctx() ctx: Context): Promise<TenantNode> {
    // Project members see their tenant's name; the visibility rule grants it (any role in the tenant).
    const t = await ctx.services.tenants.byId(ctx, p.tenantUuid);
    if (!t) throw new Error('tenant of a visible project is not visible');
    return TenantNode.from(t);
  }

  @FieldResolver(() => [GpuQuotaType])
  async gpuQuota(@Root() p: ProjectNode, @Ctx() ctx: Context): Promise<GpuQuotaType[]> {
    return (await ctx.services.quotas.forScope(ctx, p.uuid)).map(GpuQuotaType.of);
  }

  @Mutation(() => ProjectPayload, { description: 'Tenant admins' })
  createProject(@Arg('input', () => CreateProjectInput) input: CreateProjectInput, @Ctx() ctx: Context): Promise<ProjectPayload> {
    return mutate(ProjectPayload, async () => {
      const tenantId = fromGlobalId(input.tenantId, NodeKind.Tenant, ['tenantId']);
      return { project: ProjectNode.from(await ctx.services.projects.create(ctx, { ...input, tenantId })) };
    }, ctx);
  }

  @Mutation(() => ProjectPayload, { description: 'Project admins; the quota needs a tenant admin' })
  updateProject(@Arg('input', () => UpdateProjectInput) input: UpdateProjectInput, @Ctx() ctx: Context): Promise<ProjectPayload> {
    return mutate(ProjectPayload, async () => {
      const id = fromGlobalId(input.id, NodeKind.Project, ['id']);
      return { project: ProjectNode.from(await ctx.services.projects.update(ctx, { ...input, id })) };
    }, ctx);
  }

  @Mutation(() => DeletePayload, { description: 'Tenant admins; refused while pools or deployments exist' })
  deleteProject(@Arg('input', () => DeleteProjectInput) input: DeleteProjectInput, @Ctx() ctx: Context): Promise<DeletePayload> {
    return mutate(DeletePayload, async () => {
      await ctx.services.projects.delete(ctx, fromGlobalId(input.id, NodeKind.Project, ['id']));
      return { deletedId: input.id };
    }, ctx);
  }
}
