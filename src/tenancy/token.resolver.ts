import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { ValidationError } from '../errors.js';
import { mutate } from '../graphql/payload.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { OidcViewer } from './viewer.js';
import { ProjectNode } from './project.type.js';
import { TenantNode } from './tenant.type.js';
import {
  ApiTokenNode,
  CreateApiTokenInput,
  CreateApiTokenPayload,
  RevokeApiTokenInput,
  RevokeApiTokenPayload,
  RoleBindingType,
  ViewerType,
} from './token.type.js';

@Resolver(() => RoleBindingType)
export class RoleBindingResolver {
  @FieldResolver(() => TenantNode, { nullable: true, description: 'The tenant of the role (the tenant of the project for project roles); null for PLATFORM_ADMIN' })
  async tenant(@Root() b: RoleBindingType, @Ctx() ctx: Context): Promise<TenantNode | null> {
    const t = b.tenantUuid ? await ctx.services.tenants.byId(ctx, b.tenantUuid) : null;
    return t && TenantNode.from(t);
  }

  @FieldResolver(() => ProjectNode, { nullable: true, description: 'The project of a PROJECT_* role; null for other roles' })
  async project(@Root() b: RoleBindingType, @Ctx() ctx: Context): Promise<ProjectNode | null> {
    const p = b.projectUuid ? await ctx.services.projects.byId(ctx, b.projectUuid) : null;
    return p && ProjectNode.from(p);
  }
}

@Resolver(() => ApiTokenNode)
export class TokenResolver {
  @Query(() => ViewerType, { description: 'Who am I: the calling token, whether it is a platform admin, and its role bindings. Who may call: any valid token' })
  async viewer(@Ctx() ctx: Context): Promise<ViewerType> {
    const subject = ctx.viewer instanceof OidcViewer ? ctx.viewer.subject : null;
    const v = new ViewerType();
    v.subject = subject;
    v.name = ctx.viewer.tokenName;
    v.isPlatformAdmin = ctx.viewer.isPlatformAdmin;
    v.bindings = ctx.viewer.bindings;
    v.readToken = () => (subject ? null : ctx.services.tokens.own(ctx).then((t) => ApiTokenNode.from(t)));
    return v;
  }

  @FieldResolver(() => [RoleBindingType], { description: 'Roles this token holds, with their scopes' })
  async roleBindings(@Root() t: ApiTokenNode, @Ctx() ctx: Context): Promise<RoleBindingType[]> {
    return (await ctx.services.tokens.bindingsOf(ctx, t.uuid)).map(RoleBindingType.of);
  }

  @Mutation(() => CreateApiTokenPayload, { description: 'Mints a token holding the given roles; the secret is returned once. Who may call: platform admins grant any role, tenant admins roles in their tenant, project admins project roles in their project; nobody grants a role above their own' })
  createApiToken(@Arg('input', () => CreateApiTokenInput, { description: 'Name, roles and lifetime of the token' }) input: CreateApiTokenInput, @Ctx() ctx: Context): Promise<CreateApiTokenPayload> {
    return mutate(CreateApiTokenPayload, async () => {
      if (input.expiresInDays != null && (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > 3650)) {
        throw new ValidationError('expiresInDays must be between 1 and 3650', ['expiresInDays']);
      }
      const roleBindings = input.roleBindings.map((b, i) => ({
        role: b.role,
        // an empty string is a malformed ID, not an absent one
        tenantId: b.tenantId != null ? fromGlobalId(b.tenantId, NodeKind.Tenant, ['roleBindings', String(i), 'tenantId']) : null,
        projectId: b.projectId != null ? fromGlobalId(b.projectId, NodeKind.Project, ['roleBindings', String(i), 'projectId']) : null,
      }));
      const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
      const { token, secret } = await ctx.services.tokens.create(ctx, { name: input.name, roleBindings, expiresAt });
      return { apiToken: ApiTokenNode.from(token), secret };
    }, ctx);
  }

  @Mutation(() => RevokeApiTokenPayload, { description: 'Revokes a token; it stops working at once, also on open WebSocket connections. Who may call: the token itself, whoever created it, or anyone who could grant every role it holds' })
  revokeApiToken(@Arg('input', () => RevokeApiTokenInput, { description: 'Which token' }) input: RevokeApiTokenInput, @Ctx() ctx: Context): Promise<RevokeApiTokenPayload> {
    return mutate(RevokeApiTokenPayload, async () => {
      const token = await ctx.services.tokens.revoke(ctx, fromGlobalId(input.id, NodeKind.ApiToken, ['id']));
      return { apiToken: ApiTokenNode.from(token) };
    }, ctx);
  }
}
