import { Entity, Enum, ManyToOne, Property, Unique, type Ref, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';
import { Project } from './project.entity.js';
import { Tenant } from './tenant.entity.js';

export enum QuotaLevel {
  TENANT = 'TENANT',
  PROJECT = 'PROJECT',
}

/**
 * One row per (scope, GPU family): the limit and the running total of reservations held against it.
 * `used` is maintained in the same transaction as every ledger row (quota.ledger.ts) and changed only
 * by a conditional UPDATE (`used + n <= hard_limit`), which is what makes admission race-free on
 * PostgreSQL without table locks and trivially so on SQLite's single writer.
 */
@Entity({ tableName: 'gpu_quota' })
@Unique({ properties: ['scopeId', 'gpuFamily'] })
export class GpuQuota extends BaseEntity {
  /** The tenant id for TENANT rows, the project id for PROJECT rows. */
  @Property({ type: 'uuid' })
  scopeId!: string;

  @Enum({ items: () => QuotaLevel, type: 'string' })
  level!: QuotaLevel;

  @ManyToOne(() => Tenant, { ref: true, deleteRule: 'cascade' })
  tenant!: Ref<Tenant>;

  @ManyToOne(() => Project, { ref: true, nullable: true, deleteRule: 'cascade' })
  project: Ref<Project> | null = null;

  @Property({ type: 'string', length: 63 })
  gpuFamily!: string;

  @Property({ type: 'integer' })
  hardLimit: Opt<number> = 0;

  @Property({ type: 'integer' })
  used: Opt<number> = 0;
}
