import { Entity, Index, Property, DateTimeType } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';

/**
 * The reservation ledger: who holds how many GPUs of a family in a project. Rows are never deleted;
 * release stamps `releasedAt`, so the ledger doubles as an audit trail and `used` on the quota rows
 * always equals the sum of unreleased rows.
 */
@Entity({ tableName: 'gpu_reservation' })
@Index({ properties: ['projectId', 'releasedAt'] })
export class GpuReservation extends BaseEntity {
  @Property({ type: 'uuid' })
  @Index()
  tenantId!: string;

  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'string', length: 63 })
  gpuFamily!: string;

  @Property({ type: 'integer' })
  count!: number;

  /** What holds the GPUs: a COMPUTE_POOL (dedicated) or an APP_DEPLOYMENT (shared pool). */
  @Property({ type: 'string', length: 32 })
  holderKind!: string;

  @Property({ type: 'uuid' })
  @Index()
  holderId!: string;

  @Property({ type: DateTimeType, nullable: true })
  releasedAt: Date | null = null;
}
