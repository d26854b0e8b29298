import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/relay/node.interface.js';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { derivedField } from '../graphql/lazy.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import type { TenantView } from './tenant.read.js';

@ObjectType('Tenant', { simpleResolvers: true, implements: Node, description: 'An organisation: owns projects, a GPU quota and a machine inventory' })
export class TenantNode extends Node {
  @Field(() => String, { description: 'Unique name of the tenant (3-33 characters: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit); never changes' })
  name!: string;

  @Field(() => String, { description: 'Name shown to people (at most 128 characters); the name when none was given' })
  displayName!: string;

  @Field(() => String, { nullable: true, description: 'Free text about the tenant (at most 2048 characters)' })
  description!: string | null;

  @Field(() => String, { description: 'Hub namespace owned by the tenant' })
  namespace!: string;

  @Field(() => Date, { description: 'When the tenant was created' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the tenant was last changed' })
  updatedAt!: Date;

  /** database id, for field resolvers */
  uuid!: string;

  /** From the entity or the read model (the entity has the read model's shape). */
  static from(t: TenantView): TenantNode {
    const n = new TenantNode();
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

// the global ID is encoded when read: `tenant { name }` of every project of a page makes a TenantNode each
derivedField(TenantNode, 'id', (n) => toGlobalId(NodeKind.Tenant, n.uuid));

@ObjectType({ simpleResolvers: true, description: connectionDescription('Tenant') })
export class TenantConnection extends Connection(TenantNode, 'Tenant') {}
