import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { andThen } from '../db/loaders.js';
import { mutate } from '../graphql/payload.js';
import { registerPrefetch, withPrefetch } from '../graphql/prefetch.js';
import { connectionOf, PageArgs, pageRequest } from '../graphql/relay/connection.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { ProjectConnection, ProjectNode } from './project.type.js';
import { GpuQuotaType } from './quota.type.js';
import { CreateProjectInput, DeletePayload, DeleteProjectInput, ProjectPayload, UpdateProjectInput } from './tenancy.input.js';
import type { ProjectView } from './project.read.js';
import { TenantNode } from './tenant.type.js';

@Resolver(() => ProjectNode)
export class ProjectResolver {
  @Query(() => ProjectNode, { nullable: true, description: 'A project by name; null if it does not exist or is not visible to you' })
  async project(@Arg('name', () => String, { description: 'Name of the project (its hub namespace)' }) name: string, @Ctx() ctx: Context): Promise<ProjectNode | null> {
    const p = await ctx.services.projects.viewByName(ctx, name);
    return p && ProjectNode.from(p);
  }

  @Query(() => ProjectConnection, { description: 'Projects visible to you, across tenants, oldest first' })
  async projects(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<ProjectConnection> {
    const page = await ctx.services.projects.list(ctx, pageRequest(args));
    // its nodes wait for the loads their fields will ask (graphql/prefetch.ts), not the connection
    return withPrefetch(ctx, info, 'Project', page.items, connectionOf(ProjectConnection, page, ProjectNode.from));
  }

  // plain values once a page's prefetch (graphql/prefetch.ts) has loaded them, else promises
  @FieldResolver(() => TenantNode, { description: 'The tenant that owns the project' })
  tenant(@Root() p: ProjectNode, @Ctx() ctx: Context): TenantNode | Promise<TenantNode> {
    // Project members see their tenant's name; the visibility rule grants it (any role in the tenant).
    return andThen(ctx.services.tenants.viewById(ctx, p.tenantUuid), (t) => {
      if (!t) throw new Error('tenant of a visible project is not visible');
      return TenantNode.from(t);
    });
  }

  @FieldResolver(() => [GpuQuotaType], { description: 'GPU quota of the project per GPU family (families without an entry have limit 0)' })
  gpuQuota(@Root() p: ProjectNode, @Ctx() ctx: Context): GpuQuotaType[] | Promise<GpuQuotaType[]> {
    return andThen(ctx.services.quotas.forScope(ctx, p.uuid), (rows) => rows.map(GpuQuotaType.of));
  }

  @Mutation(() => ProjectPayload, { description: "Creates a project and its hub namespace. Who may call: tenant admins of the project's tenant" })
  createProject(@Arg('input', () => CreateProjectInput, { description: 'The new project' }) input: CreateProjectInput, @Ctx() ctx: Context): Promise<ProjectPayload> {
    return mutate(ProjectPayload, async () => {
      const tenantId = fromGlobalId(input.tenantId, NodeKind.Tenant, ['tenantId']);
      return { project: ProjectNode.from(await ctx.services.projects.create(ctx, { ...input, tenantId })) };
    }, ctx);
  }

  @Mutation(() => ProjectPayload, { description: "Changes a project's settings. Who may call: project admins and tenant admins; changing the GPU quota or the GPU-hour budget takes a tenant admin" })
  updateProject(@Arg('input', () => UpdateProjectInput, { description: 'What to change' }) input: UpdateProjectInput, @Ctx() ctx: Context): Promise<ProjectPayload> {
    return mutate(ProjectPayload, async () => {
      const id = fromGlobalId(input.id, NodeKind.Project, ['id']);
      return { project: ProjectNode.from(await ctx.services.projects.update(ctx, { ...input, id })) };
    }, ctx);
  }

  @Mutation(() => DeletePayload, { description: "Deletes a project; refused (IN_USE) while it has pools or deployments that are not deleted. Who may call: tenant admins of the project's tenant" })
  deleteProject(@Arg('input', () => DeleteProjectInput, { description: 'Which project' }) input: DeleteProjectInput, @Ctx() ctx: Context): Promise<DeletePayload> {
    return mutate(DeletePayload, async () => {
      await ctx.services.projects.delete(ctx, fromGlobalId(input.id, NodeKind.Project, ['id']));
      return { deletedId: input.id };
    }, ctx);
  }
}

// what a page of projects asks of each (graphql/prefetch.ts): the loads `tenant` and `gpuQuota` make
registerPrefetch<ProjectView>('Project', 'tenant', (ctx, projects) => [...new Set(projects.map((p) => p.tenant.id))].map((id) => Promise.resolve(ctx.services.tenants.viewById(ctx, id))));
registerPrefetch<ProjectView>('Project', 'gpuQuota', (ctx, projects) => projects.map((p) => Promise.resolve(ctx.services.quotas.forScope(ctx, p.id))));
