import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { cachedField } from '../graphql/lazy.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { Payload } from '../graphql/payload.js';
import type { ApiToken } from './api-token.entity.js';
import { Role } from './role-binding.entity.js';
import type { Binding } from './viewer.js';

registerEnumType(Role, {
  name: 'Role',
  description: 'A role a token holds; the higher roles include everything the lower ones of their scope may do',
  valuesConfig: {
    PLATFORM_ADMIN: { description: 'Everything, in every tenant: creates and deletes tenants and sets tenant GPU quotas' },
    TENANT_ADMIN: { description: "Administers one tenant: its projects (create, delete, quotas, budgets), its machine inventory, and every project's resources" },
    PROJECT_ADMIN: { description: "Everything a project editor may do, plus changing the project's settings and granting project roles" },
    PROJECT_EDITOR: { description: 'Reads a project; creates and deletes profile bundles and compute pools; deploys, retries, clones and deletes app deployments' },
    PROJECT_VIEWER: { description: 'Reads a project and everything in it, and subscribes to its events' },
  },
});

@ObjectType('RoleBinding', { simpleResolvers: true, description: 'A role held in a scope: nothing (platform), a tenant, or a project' })
export class RoleBindingType {
  @Field(() => Role, { description: 'The role held' })
  role!: Role;

  tenantUuid!: string | null;
  projectUuid!: string | null;

  static of(b: Binding): RoleBindingType {
    return Object.assign(new RoleBindingType(), { role: b.role, tenantUuid: b.tenantId, projectUuid: b.projectId });
  }
}

@ObjectType('ApiToken', { implements: Node, description: 'A bearer token; its secret is shown only once, at creation' })
export class ApiTokenNode extends Node {
  @Field(() => String, { description: 'Name given at creation (1-100 characters), to tell tokens apart' })
  name!: string;

  @Field(() => String, { description: 'First characters of the secret, to recognise it' })
  prefix!: string;

  @Field(() => Date, { description: 'When the token was created' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the token stops working; null if it never expires' })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the token was revoked; null while it is valid' })
  revokedAt!: Date | null;

  uuid!: string;

  static from(t: ApiToken): ApiTokenNode {
    return Object.assign(new ApiTokenNode(), {
      id: toGlobalId(NodeKind.ApiToken, t.id),
      uuid: t.id,
      name: t.name,
      prefix: t.prefix,
      createdAt: t.createdAt,
      expiresAt: t.expiresAt,
      revokedAt: t.revokedAt,
    });
  }
}

@ObjectType('Viewer', { simpleResolvers: true, description: 'The caller: its token and role bindings' })
export class ViewerType {
  @Field(() => ApiTokenNode, { nullable: true, description: 'The token of this request; null for a caller signed in through an identity provider (see `subject`)' })
  token!: ApiTokenNode | null;

  @Field(() => String, { nullable: true, description: 'A caller signed in through an identity provider (OIDC): `<issuer>#<sub>`; null for an API token' })
  subject!: string | null;

  @Field(() => String, { description: "The caller's name: the token's name, or the identity provider's name claim (e-mail by default)" })
  name!: string;

  @Field(() => Boolean, { description: 'Whether the token holds PLATFORM_ADMIN' })
  isPlatformAdmin!: boolean;

  @Field(() => [RoleBindingType], { description: 'Every role the token holds, with its scope' })
  roleBindings!: RoleBindingType[];

  /** The caller's bindings (not a GraphQL field): `roleBindings` is made from them when selected. */
  bindings!: Binding[];

  /**
   * Reads the token of the request (not a GraphQL field): most `viewer` queries ask for the name and
   * roles, which the authenticated caller already holds, so the token row is read only when `token`
   * is selected.
   */
  readToken!: () => Promise<ApiTokenNode> | null;
}

cachedField(ViewerType, 'roleBindings', (v) => v.bindings.map(RoleBindingType.of));
cachedField(ViewerType, 'token', (v) => v.readToken());

@InputType('RoleBindingInput', { description: 'A role to grant to a new token, with its scope' })
export class RoleBindingInput {
  @Field(() => Role, { description: 'The role; you may grant only roles you could hold yourself in that scope' })
  role!: Role;

  @Field(() => ID, { nullable: true, description: 'Global ID of the tenant: required for TENANT_ADMIN, not given for other roles (a project role takes its tenant from the project)' })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Global ID of the project: required for PROJECT_* roles, not given for other roles' })
  projectId?: string | null;
}

@InputType('CreateApiTokenInput', { description: 'Input of createApiToken' })
export class CreateApiTokenInput {
  @Field(() => String, { description: 'Name of the token, 1-100 characters' })
  name!: string;

  @Field(() => [RoleBindingInput], { description: 'Roles the token will hold: 1-50 bindings' })
  roleBindings!: RoleBindingInput[];

  @Field(() => Int, { nullable: true, description: 'Days until the token expires, 1-3650 (default: never)' })
  expiresInDays?: number | null;
}

@ObjectType('CreateApiTokenPayload', { description: 'Result of createApiToken' })
export class CreateApiTokenPayload extends Payload {
  @Field(() => ApiTokenNode, { nullable: true, description: 'The new token; null when the mutation was refused' })
  apiToken: ApiTokenNode | null = null;

  @Field(() => String, { nullable: true, description: 'The bearer secret for the Authorization header. Shown only in this response: it is stored hashed' })
  secret: string | null = null;
}

@InputType('RevokeApiTokenInput', { description: 'Input of revokeApiToken' })
export class RevokeApiTokenInput {
  @Field(() => ID, { description: 'Global ID of the token' })
  id!: string;
}

@ObjectType('RevokeApiTokenPayload', { description: 'Result of revokeApiToken' })
export class RevokeApiTokenPayload extends Payload {
  @Field(() => ApiTokenNode, { nullable: true, description: 'The revoked token; null when the mutation was refused' })
  apiToken: ApiTokenNode | null = null;
}
