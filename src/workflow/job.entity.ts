import { Entity, Enum, Index, Property, type Opt, DateTimeType } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';

export enum JobState {
  ACTIVE = 'ACTIVE',
  DONE = 'DONE',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

/**
 * One run of a flow over one subject. A runner claims an ACTIVE job whose `runAt` has come and whose
 * lease is free or expired, holds the lease while it works (heartbeats extend it), and writes each
 * step's outcome guarded by still owning the lease — so a runner that died, or stalled past its
 * lease, can neither lose nor double-apply work.
 */
@Entity({ tableName: 'workflow_job' })
@Index({ properties: ['state', 'runAt'] })
export class WorkflowJob extends BaseEntity {
  @Property({ type: 'string', length: 64 })
  flow!: string;

  @Property({ type: 'uuid' })
  @Index()
  subjectId!: string;

  @Property({ type: 'uuid' })
  projectId!: string;

  @Enum({ items: () => JobState, type: 'string' })
  state: Opt<JobState> = JobState.ACTIVE;

  @Property({ type: 'integer' })
  stepIndex: Opt<number> = 0;

  /** Whether STEP_STARTED has been recorded for stepIndex (so a resumed step doesn't repeat it). */
  @Property({ type: 'boolean' })
  stepStarted: Opt<boolean> = false;

  /** Consecutive attempts of the current step that ended in an error (drives backoff). */
  @Property({ type: 'integer' })
  errorAttempts: Opt<number> = 0;

  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  @Property({ type: DateTimeType })
  runAt: Opt<Date> = new Date();

  @Property({ type: 'string', length: 64, nullable: true })
  leaseOwner: string | null = null;

  @Property({ type: DateTimeType, nullable: true })
  leaseUntil: Date | null = null;

  /** Results of completed steps by id, and the current step's wait data under `_wait`. */
  @Property({ type: 'json' })
  checkpoint: Opt<Record<string, unknown>> = {};

  /** reason|message|progress of the last wait event, to emit only changes. */
  @Property({ type: 'text', nullable: true })
  waitKey: string | null = null;

  @Property({ type: DateTimeType, nullable: true })
  finishedAt: Date | null = null;
}
