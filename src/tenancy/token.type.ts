import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { Payload } from '../graphql/payload.js';
import type { ApiToken } from './api-token.entity.js';
import { Role } from './role-binding.entity.js';
import type { Binding } from './viewer.js';

registerEnumType(Role, { name: 'Role' });

@ObjectType('RoleBinding', { description: 'A role held in a scope: nothing (platform), a tenant, or a project' })
export class RoleBindingType {
  @Field(() => Role)
  role!: Role;

  tenantUuid!: string | null;
  projectUuid!: string | null;

  static of(b: Binding): RoleBindingType {
    return Object.assign(new RoleBindingType(), { role: b.role, tenantUuid: b.tenantId, projectUuid: b.projectId });
  }
}

@ObjectType('ApiToken', { implements: Node, description: 'A bearer token; its secret is shown only once, at creation' })
export class ApiTokenNode extends Node {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'First characters of the secret, to recognise it' })
  prefix!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
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

@ObjectType('Viewer', { description: 'The caller: its token and role bindings' })
export class ViewerType {
  @Field(() => ApiTokenNode, { nullable: true, description: 'The API token the caller authenticated with; null for a caller signed in through an identity provider (see `subject`)' })
  token!: ApiTokenNode | null;

  @Field(() => String, { nullable: true, description: 'A caller signed in through an identity provider (OIDC): `<issuer>#<sub>`; null for an API token' })
  subject!: string | null;

  @Field(() => String, { description: "The caller's name: the token's name, or the identity provider's name claim (e-mail by default)" })
  name!: string;

  @Field(() => Boolean)
  isPlatformAdmin!: boolean;

  @Field(() => [RoleBindingType])
  roleBindings!: RoleBindingType[];
}

@InputType('RoleBindingInput')
export class RoleBindingInput {
  @Field(() => Role)
  role!: Role;

  @Field(() => ID, { nullable: true, description: 'Required for TENANT_ADMIN' })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Required for PROJECT_* roles' })
  projectId?: string | null;
}

@InputType('CreateApiTokenInput')
export class CreateApiTokenInput {
  @Field(() => String)
  name!: string;

  @Field(() => [RoleBindingInput])
  roleBindings!: RoleBindingInput[];

  @Field(() => Int, { nullable: true, description: 'Days until the token expires (default: never)' })
  expiresInDays?: number | null;
}

@ObjectType('CreateApiTokenPayload')
export class CreateApiTokenPayload extends Payload {
  @Field(() => ApiTokenNode, { nullable: true })
  apiToken: ApiTokenNode | null = null;

  @Field(() => String, { nullable: true, description: 'The bearer secret. Shown only in this response.' })
  secret: string | null = null;
}

@InputType('RevokeApiTokenInput')
export class RevokeApiTokenInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType('RevokeApiTokenPayload')
export class RevokeApiTokenPayload extends Payload {
  @Field(() => ApiTokenNode, { nullable: true })
  apiToken: ApiTokenNode | null = null;
}
