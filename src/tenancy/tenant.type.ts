import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/relay/node.interface.js';
import { Connection } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import type { Tenant } from './tenant.entity.js';

@ObjectType('Tenant', { implements: Node, description: 'An organisation: owns projects, a GPU quota and a machine inventory' })
export class TenantNode extends Node {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { description: 'Hub namespace owned by the tenant' })
  namespace!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  /** database id, for field resolvers */
  uuid!: string;

  static from(t: Tenant): TenantNode {
    const n = new TenantNode();
    n.id = toGlobalId(NodeKind.Tenant, t.id);
    n.uuid = t.id;
    n.name = t.name;
    n.displayName = t.displayName;
    n.description = t.description;
    n.namespace = t.namespace;
    n.createdAt = t.createdAt;
    n.updatedAt = t.updatedAt;
    return n;
  }
}

@ObjectType()
export class TenantConnection extends Connection(TenantNode, 'Tenant') {}
