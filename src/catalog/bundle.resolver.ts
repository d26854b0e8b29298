import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Resolver, Root } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { andThen } from '../db/loaders.js';
import { mutate } from '../graphql/payload.js';
import { registerPrefetch } from '../graphql/prefetch.js';
import { connectionOf, PageArgs, pageRequest } from '../graphql/relay/connection.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { fieldNamesBelow } from '../graphql/selection.js';
import type { ProjectView } from '../tenancy/project.read.js';
import { ProjectNode } from '../tenancy/project.type.js';
import { DeletePayload } from '../tenancy/tenancy.input.js';
import { CreateProfileBundleInput, CreateProfileBundleVersionInput, DeleteProfileBundleInput, ProfileBundlePayload } from './bundle.input.js';
import { BundleType } from './bundle.model.js';
import { bundleColumnsFor } from './bundle.read.js';
import { ProfileBundleConnection, ProfileBundleNode } from './bundle.type.js';

@Resolver(() => ProjectNode)
export class ProjectBundlesResolver {
  @FieldResolver(() => ProfileBundleConnection, { description: 'Every version of every bundle, oldest first (creation order)' })
  profileBundles(
    @Root() p: ProjectNode,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('name', () => String, { nullable: true, description: 'Only the versions of this bundle' }) name: string | null,
    @Arg('type', () => BundleType, { nullable: true, description: 'Only bundles of this type' }) type: BundleType | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): ProfileBundleConnection | Promise<ProfileBundleConnection> {
    const columns = bundleColumnsFor(fieldNamesBelow(info));
    // a plain value once a page's prefetch (below) has loaded it
    const page = ctx.services.bundles.pageForProject(ctx, { id: p.uuid, tenantId: p.tenantUuid }, pageRequest(args), { name, type }, columns);
    return andThen(page, (pg) => connectionOf(ProfileBundleConnection, pg, ProfileBundleNode.from));
  }
}

// what a page of projects asks of each (graphql/prefetch.ts): the load `profileBundles` makes, with
// the same page, filter and columns (the columns of this one field node: a field selected twice under
// one name merges its nodes, and its resolver then asks other columns and loads again)
registerPrefetch<ProjectView>('Project', 'profileBundles', (ctx, projects, { node, args, info }) => {
  const page = pageRequest(args);
  const filter = { name: args.name as string | null, type: args.type as BundleType | null };
  const columns = bundleColumnsFor(fieldNamesBelow({ fieldNodes: [node], fragments: info.fragments }));
  return projects.map((p) => Promise.resolve(ctx.services.bundles.pageForProject(ctx, { id: p.id, tenantId: p.tenant.id }, page, filter, columns)));
});

@Resolver(() => ProfileBundleNode)
export class BundleResolver {
  @FieldResolver(() => ProjectNode, { description: 'The project the bundle belongs to' })
  async project(@Root() b: ProfileBundleNode, @Ctx() ctx: Context): Promise<ProjectNode> {
    const p = await ctx.services.projects.byId(ctx, b.projectUuid);
    if (!p) throw new Error('project of a visible bundle is not visible');
    return ProjectNode.from(p);
  }

  @Mutation(() => ProfileBundlePayload, { description: 'Creates version 1 of a new bundle. Who may call: project editors, project admins and tenant admins' })
  createProfileBundle(@Arg('input', () => CreateProfileBundleInput, { description: 'The new bundle' }) input: CreateProfileBundleInput, @Ctx() ctx: Context): Promise<ProfileBundlePayload> {
    return mutate(ProfileBundlePayload, async () => {
      const projectId = fromGlobalId(input.projectId, NodeKind.Project, ['projectId']);
      return { profileBundle: ProfileBundleNode.from(await ctx.services.bundles.create(ctx, { ...input, projectId })) };
    }, ctx);
  }

  @Mutation(() => ProfileBundlePayload, { description: 'Creates the next version of a bundle; earlier versions never change. Who may call: project editors, project admins and tenant admins' })
  createProfileBundleVersion(
    @Arg('input', () => CreateProfileBundleVersionInput, { description: 'The version to start from and what to change' }) input: CreateProfileBundleVersionInput,
    @Ctx() ctx: Context,
  ): Promise<ProfileBundlePayload> {
    return mutate(ProfileBundlePayload, async () => {
      const bundleId = fromGlobalId(input.profileBundleId, NodeKind.ProfileBundle, ['profileBundleId']);
      return { profileBundle: ProfileBundleNode.from(await ctx.services.bundles.createVersion(ctx, { ...input, bundleId })) };
    }, ctx);
  }

  @Mutation(() => DeletePayload, { description: 'Deletes one version; refused (IN_USE) while pools or deployments use it. Who may call: project editors, project admins and tenant admins' })
  deleteProfileBundle(@Arg('input', () => DeleteProfileBundleInput, { description: 'Which version' }) input: DeleteProfileBundleInput, @Ctx() ctx: Context): Promise<DeletePayload> {
    return mutate(DeletePayload, async () => {
      await ctx.services.bundles.delete(ctx, fromGlobalId(input.id, NodeKind.ProfileBundle, ['id']));
      return { deletedId: input.id };
    }, ctx);
  }
}
