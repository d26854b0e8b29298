import { Entity, ManyToOne, Property, type Ref, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';
import { Tenant } from './tenant.entity.js';

export interface Tag {
  key: string;
  value: string;
}

@Entity({ tableName: 'project' })
export class Project extends BaseEntity {
  @ManyToOne(() => Tenant, { ref: true, deleteRule: 'restrict' })
  tenant!: Ref<Tenant>;

  /** Also the project's hub namespace, hence unique across all tenants. */
  @Property({ type: 'string', length: 33, unique: true })
  name!: string;

  @Property({ type: 'string', length: 128 })
  displayName!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'json' })
  tags: Opt<Tag[]> = [];

  /** Compute defaults for clusters provisioned for this project (1, 3 or 5). */
  @Property({ type: 'integer' })
  controlPlaneNodeCount: Opt<number> = 1;

  /** Whether control-plane nodes may run workloads; required for single-node clusters. */
  @Property({ type: 'boolean' })
  workerNodeEligible: Opt<boolean> = true;

  get namespace(): Opt<string> {
    return this.name;
  }
}
