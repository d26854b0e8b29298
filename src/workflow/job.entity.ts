import { Entity, Enum, Index, Property, Unique, UniqueConstraintViolationException, type Opt, DateTimeType } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';

/** Name of the index that allows one ACTIVE job per subject (services recognise its violations). */
export const ONE_ACTIVE_JOB_INDEX = 'workflow_job_one_active_per_subject';

/** Whether `e` is that index refusing a second ACTIVE job (PostgreSQL names it; SQLite names the column). */
export function isSecondActiveJob(e: unknown): boolean {
  if (!(e instanceof UniqueConstraintViolationException)) return false;
  return (e as { constraint?: string }).constraint === ONE_ACTIVE_JOB_INDEX || e.message.includes('workflow_job.subject_id');
}

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
// At most one ACTIVE job per subject: two would run two flows over one subject (e.g. a retry
// requested twice provisioning twice and reserving its GPUs twice). A partial unique index, which
// the entity metadata can only carry as SQL; the same statement is valid on SQLite and PostgreSQL.
@Unique({
  name: ONE_ACTIVE_JOB_INDEX,
  expression: `create unique index "${ONE_ACTIVE_JOB_INDEX}" on "workflow_job" ("subject_id") where "state" = 'ACTIVE'`,
})
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

  /**
   * The current step, by id: a release that reorders, inserts or removes steps leaves an in-flight job
   * at the step it was doing (an id that no longer exists fails the job with UNKNOWN_STEP). Null until
   * the first step starts: the flow's first step, whatever it is by then.
   */
  @Property({ type: 'string', length: 64, nullable: true })
  stepId: string | null = null;

  /** Whether STEP_STARTED has been recorded for stepId (so a resumed step doesn't repeat it). */
  @Property({ type: 'boolean' })
  stepStarted: Opt<boolean> = false;

  /** Consecutive attempts of the current step that ended in an error (drives backoff). */
  @Property({ type: 'integer' })
  errorAttempts: Opt<number> = 0;

  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  /** Consecutive claims whose outcome could not be written (a bug, not the database being away). */
  @Property({ type: 'integer' })
  bookkeepingFailures: Opt<number> = 0;

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

  /**
   * W3C traceparent of the span that created the job (the mutation's), so each step's span joins the
   * trace of the request that started the work. Null when tracing was off, and on older rows.
   */
  @Property({ type: 'string', length: 55, nullable: true })
  traceParent: string | null = null;
}
