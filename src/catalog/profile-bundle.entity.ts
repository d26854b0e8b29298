import { Entity, Enum, ManyToOne, Property, Unique, type Ref, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';
import { Project } from '../tenancy/project.entity.js';
import { BundleType, type ClusterProfileSpec, type VariableSpec, type WorkloadProfileSpec } from './bundle.model.js';

/** One immutable version of a Profile Bundle; `name` groups the versions within a project. */
@Entity({ tableName: 'profile_bundle' })
@Unique({ properties: ['project', 'name', 'version'] })
export class ProfileBundle extends BaseEntity {
  @ManyToOne(() => Project, { ref: true, deleteRule: 'restrict' })
  project!: Ref<Project>;

  @Property({ type: 'string', length: 63 })
  name!: string;

  /** 1, 2, … shown as v1, v2, … */
  @Property({ type: 'integer' })
  version!: number;

  @Enum({ items: () => BundleType, type: 'string' })
  type!: BundleType;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'json', nullable: true })
  clusterProfile: ClusterProfileSpec | null = null;

  @Property({ type: 'json' })
  workloadProfiles: Opt<WorkloadProfileSpec[]> = [];

  @Property({ type: 'json' })
  variables: Opt<VariableSpec[]> = [];
}
