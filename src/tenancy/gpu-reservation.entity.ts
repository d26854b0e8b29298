import { Entity, Index, Property, DateTimeType } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';

/**
 * The reservation ledger: who holds how many GPUs of a family in a project. Rows are never deleted;
 * release stamps `releasedAt`, so the ledger doubles as an audit trail and `used` on the quota rows
 * always equals the sum of unreleased rows. Each row is an interval [createdAt, releasedAt) of
 * `count` GPUs: GPU usage and budgets (src/usage, quota.budget.ts) are computed from these intervals.
 * A change of what a holder holds (scaling a pool, upgrading a deployment) releases rows and records
 * new ones at the same instant, so the intervals stay exact.
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

  /** The pool whose machines the GPUs are on (the holder itself, or the shared pool of the deployment). */
  @Property({ type: 'uuid', nullable: true })
  @Index()
  poolId: string | null = null;

  /** The deployment the GPUs serve: the holder, or the deployment that made the dedicated pool holding them. */
  @Property({ type: 'uuid', nullable: true })
  @Index()
  deploymentId: string | null = null;

  @Property({ type: DateTimeType, nullable: true })
  releasedAt: Date | null = null;
}
