import { Field, Int, ObjectType } from 'type-graphql';
import { Connection } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import type { Project } from './project.entity.js';

@ObjectType('Tag')
export class TagType {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType('ComputeDefaults', { description: 'Cluster defaults for pools provisioned in the project' })
export class ComputeDefaultsType {
  @Field(() => Int, { description: '1, 3 or 5' })
  controlPlaneNodeCount!: number;

  @Field(() => Boolean)
  workerNodeEligible!: boolean;
}

@ObjectType('Project', { implements: Node, description: 'A team workspace in a tenant; its name is its hub namespace' })
export class ProjectNode extends Node {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String)
  namespace!: string;

  @Field(() => [TagType])
  tags!: TagType[];

  @Field(() => ComputeDefaultsType)
  computeDefaults!: ComputeDefaultsType;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  uuid!: string;
  tenantUuid!: string;

  static from(p: Project): ProjectNode {
    const n = new ProjectNode();
    n.id = toGlobalId(NodeKind.Project, p.id);
    n.uuid = p.id;
    n.tenantUuid = p.tenant.id;
    n.name = p.name;
    n.displayName = p.displayName;
    n.description = p.description;
    n.namespace = p.namespace;
    n.tags = p.tags.map((t) => Object.assign(new TagType(), t));
    n.computeDefaults = Object.assign(new ComputeDefaultsType(), {
      controlPlaneNodeCount: p.controlPlaneNodeCount,
      workerNodeEligible: p.workerNodeEligible,
    });
    n.createdAt = p.createdAt;
    n.updatedAt = p.updatedAt;
    return n;
  }
}

@ObjectType()
export class ProjectConnection extends Connection(ProjectNode, 'Project') {}
