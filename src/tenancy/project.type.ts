import { Field, Int, ObjectType } from 'type-graphql';
import { cachedField, derivedField } from '../graphql/lazy.js';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import type { ProjectView } from './project.read.js';

@ObjectType('Tag', { simpleResolvers: true, description: 'A key/value label on a project' })
export class TagType {
  @Field(() => String, { description: 'Label-like key: 1-63 letters, digits, ".", "_", "/" or "-"' })
  key!: string;

  @Field(() => String, { description: 'Value, at most 256 printable characters' })
  value!: string;
}

@ObjectType('ComputeDefaults', { description: 'Cluster defaults for pools provisioned in the project' })
export class ComputeDefaultsType {
  @Field(() => Int, { description: 'Control-plane nodes per cluster of a new pool: 1, 3 or 5' })
  controlPlaneNodeCount!: number;

  @Field(() => Boolean, { description: 'Whether control-plane nodes also run workloads (required for single-node clusters)' })
  workerNodeEligible!: boolean;
}

@ObjectType('Project', { simpleResolvers: true, implements: Node, description: 'A team workspace in a tenant; its name is its hub namespace' })
export class ProjectNode extends Node {
  @Field(() => String, { description: 'Unique name of the project across all tenants (3-33 characters: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit); also its hub namespace; never changes' })
  name!: string;

  @Field(() => String, { description: 'Name shown to people (at most 128 characters); the name when none was given' })
  displayName!: string;

  @Field(() => String, { nullable: true, description: 'Free text about the project (at most 2048 characters)' })
  description!: string | null;

  @Field(() => String, { description: 'Hub namespace of the project (equal to its name); its pools and deployments live there' })
  namespace!: string;

  @Field(() => [TagType], { description: 'Key/value labels (at most 50)' })
  tags!: TagType[];

  @Field(() => ComputeDefaultsType, { description: 'Cluster defaults applied to pools created in this project' })
  computeDefaults!: ComputeDefaultsType;

  @Field(() => Date, { description: 'When the project was created' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the project was last changed' })
  updatedAt!: Date;

  uuid!: string;
  tenantUuid!: string;
  /** the read model or entity: tags and timestamps are read from it when a query asks (not a GraphQL field) */
  view!: ProjectView;

  /** From the entity or the read model (the entity has the read model's shape). */
  static from(p: ProjectView): ProjectNode {
    const n = new ProjectNode();
    n.uuid = p.id;
    n.tenantUuid = p.tenant.id;
    n.name = p.name;
    n.displayName = p.displayName;
    n.description = p.description;
    n.namespace = p.namespace;
    n.computeDefaults = Object.assign(new ComputeDefaultsType(), {
      controlPlaneNodeCount: p.controlPlaneNodeCount,
      workerNodeEligible: p.workerNodeEligible,
    });
    n.view = p;
    return n;
  }
}

// the global ID is encoded when read (a page of projects often does not ask for it)
derivedField(ProjectNode, 'id', (n) => toGlobalId(NodeKind.Project, n.uuid));
// parsed when first read: a page of projects rarely shows tags or timestamps
cachedField(ProjectNode, 'tags', (n) => n.view.tags.map((t) => Object.assign(new TagType(), t)));
cachedField(ProjectNode, 'createdAt', (n) => n.view.createdAt);
cachedField(ProjectNode, 'updatedAt', (n) => n.view.updatedAt);

@ObjectType({ simpleResolvers: true, description: connectionDescription('Project') })
export class ProjectConnection extends Connection(ProjectNode, 'Project') {}
