import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { mutate } from '../graphql/payload.js';
import { withPrefetch } from '../graphql/prefetch.js';
import { connectionOf, PageArgs, pageRequest } from '../graphql/relay/connection.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { ProjectConnection, ProjectNode } from './project.type.js';
import { GpuQuotaType } from './quota.type.js';
import { CreateTenantInput, DeletePayload, DeleteTenantInput, TenantPayload, UpdateTenantInput } from './tenancy.input.js';
import { TenantConnection, TenantNode } from './tenant.type.js';

@Resolver(() => TenantNode)
export class TenantResolver {
  @Query(() => TenantConnection, { description: 'Tenants visible to you (all of them for platform admins; otherwise those you hold a role in), oldest first' })
  async tenants(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context): Promise<TenantConnection> {
    return connectionOf(TenantConnection, await ctx.services.tenants.list(ctx, pageRequest(args)), TenantNode.from);
  }

  @Query(() => TenantNode, { nullable: true, description: 'A tenant by name; null if it does not exist or is not visible to you' })
  async tenant(@Arg('name', () => String, { description: 'Name of the tenant' }) name: string, @Ctx() ctx: Context): Promise<TenantNode | null> {
    const t = await ctx.services.tenants.byName(ctx, name);
    return t && TenantNode.from(t);
  }

  @FieldResolver(() => [GpuQuotaType], { description: 'GPU quota of the tenant per GPU family: the cap on GPUs reserved across all its projects' })
  async gpuQuota(@Root() t: TenantNode, @Ctx() ctx: Context): Promise<GpuQuotaType[]> {
    return (await ctx.services.quotas.forScope(ctx, t.uuid)).map(GpuQuotaType.of);
  }

  @FieldResolver(() => ProjectConnection, { description: 'Projects of this tenant visible to you' })
  async projects(@Root() t: TenantNode, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<ProjectConnection> {
    const page = await ctx.services.projects.pageForTenant(ctx, t.uuid, pageRequest(args));
    // its nodes wait for the loads their fields will ask (graphql/prefetch.ts), not the connection
    return withPrefetch(ctx, info, 'Project', page.items, connectionOf(ProjectConnection, page, ProjectNode.from));
  }

  @Mutation(() => TenantPayload, { description: 'Creates a tenant and its hub namespace tenant-<name>. Who may call: platform admins' })
  createTenant(@Arg('input', () => CreateTenantInput, { description: 'The new tenant' }) input: CreateTenantInput, @Ctx() ctx: Context): Promise<TenantPayload> {
    return mutate(TenantPayload, async () => ({ tenant: TenantNode.from(await ctx.services.tenants.create(ctx, input)) }), ctx);
  }

  @Mutation(() => TenantPayload, { description: "Changes a tenant's display name, description or GPU quota. Who may call: tenant admins of the tenant; changing the GPU quota takes a platform admin" })
  updateTenant(@Arg('input', () => UpdateTenantInput, { description: 'What to change' }) input: UpdateTenantInput, @Ctx() ctx: Context): Promise<TenantPayload> {
    return mutate(TenantPayload, async () => {
      const id = fromGlobalId(input.id, NodeKind.Tenant, ['id']);
      return { tenant: TenantNode.from(await ctx.services.tenants.update(ctx, { ...input, id })) };
    }, ctx);
  }

  @Mutation(() => DeletePayload, { description: 'Deletes a tenant; refused (IN_USE) while it has projects. Who may call: platform admins' })
  deleteTenant(@Arg('input', () => DeleteTenantInput, { description: 'Which tenant' }) input: DeleteTenantInput, @Ctx() ctx: Context): Promise<DeletePayload> {
    return mutate(DeletePayload, async () => {
      await ctx.services.tenants.delete(ctx, fromGlobalId(input.id, NodeKind.Tenant, ['id']));
      return { deletedId: input.id };
    }, ctx);
  }
}
