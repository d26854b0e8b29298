/**
 * Persistence of workflow jobs: create (inside an admission transaction), claim with a lease (one
 * guarded UPDATE … RETURNING; SKIP LOCKED on PostgreSQL so replicas don't queue on each other's
 * rows), heartbeat, lease-guarded outcome writes, and when the next job becomes claimable.
 */
import type { Em } from '../db/orm.js';
import type { Stager } from '../db/plain-inserts.js';
import { allBound, runBound } from '../db/sql.js';
import { JobState, WorkflowJob } from './job.entity.js';

export interface ClaimedJob {
  id: string;
  flow: string;
  subjectId: string;
  projectId: string;
  /** null: the flow's first step (not started yet) */
  stepId: string | null;
  stepStarted: boolean;
  errorAttempts: number;
  attempts: number;
  bookkeepingFailures: number;
  checkpoint: Record<string, unknown>;
  waitKey: string | null;
  /** W3C traceparent of the span that created the job: its steps' spans join that trace */
  traceparent: string | null;
}

type Row = {
  id: string;
  flow: string;
  subject_id: string;
  project_id: string;
  step_id: string | null;
  step_started: boolean | number;
  error_attempts: number;
  attempts: number;
  bookkeeping_failures: number;
  checkpoint: string | Record<string, unknown>;
  wait_key: string | null;
  trace_parent: string | null;
};

function fromRow(r: Row): ClaimedJob {
  return {
    id: r.id,
    flow: r.flow,
    subjectId: r.subject_id,
    projectId: r.project_id,
    stepId: r.step_id,
    stepStarted: !!r.step_started,
    errorAttempts: Number(r.error_attempts),
    attempts: Number(r.attempts),
    bookkeepingFailures: Number(r.bookkeeping_failures),
    checkpoint: typeof r.checkpoint === 'string' ? JSON.parse(r.checkpoint) : (r.checkpoint ?? {}),
    waitKey: r.wait_key,
    traceparent: r.trace_parent ?? null,
  };
}

/** The guard of every write of a claimed job: still ours, still ACTIVE (parameters id, owner, state). */
const OURS = '"id" = ? and "lease_owner" = ? and "state" = ?';

/** A job field's column (stepStarted → step_started); cached, the same few keys come every step. */
const columns = new Map<string, string>();
function columnOf(key: string): string {
  let c = columns.get(key);
  if (c === undefined) columns.set(key, (c = key.replace(/[A-Z]/g, (ch) => '_' + ch.toLowerCase())));
  return c;
}

const toMs = (v: unknown): number => (v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(String(v)));

export class JobStore {
  constructor(private readonly postgres: boolean) {}

  /** The trace a new job joins (tracing sets it: the active span's traceparent); none by default. */
  traceparent: () => string | null = () => null;

  /**
   * Inside the caller's transaction: a new job, runnable now, at `stepId` (null: the first step).
   * The database allows one ACTIVE job per subject (job.entity.ts): the caller cancels or checks first.
   */
  create(em: Stager, flow: string, subjectId: string, projectId: string, checkpoint: Record<string, unknown> = {}, stepId: string | null = null): WorkflowJob {
    return em.create(WorkflowJob, { flow, subjectId, projectId, checkpoint, stepId, runAt: new Date(), traceParent: this.traceparent() });
  }

  /** Claims up to `limit` runnable jobs for `owner`: one statement, no transaction around it. */
  async claim(em: Em, owner: string, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
    const now = new Date();
    // (the limit is written into the text: SQLite wants an integer there, and binds numbers as REAL)
    const due =
      `select "id" from "workflow_job" where "state" = ? and "run_at" <= ? and ("lease_until" is null or "lease_until" < ?) ` +
      `order by "run_at" asc limit ${Math.max(0, Math.floor(limit))}${this.postgres ? ' for update skip locked' : ''}`;
    const rows = await allBound<Row>(
      em,
      `update "workflow_job" set "lease_owner" = ?, "lease_until" = ?, "attempts" = "attempts" + 1, "updated_at" = ? where "id" in (${due}) returning *`,
      [owner, new Date(now.getTime() + leaseMs), now, JobState.ACTIVE, now, now],
    );
    return rows.map(fromRow);
  }

  /** Extends the lease; false when the job is no longer ours (taken over or cancelled). */
  async heartbeat(em: Em, id: string, owner: string, leaseMs: number): Promise<boolean> {
    const n = await runBound(em, `update "workflow_job" set "lease_until" = ? where ${OURS}`, [new Date(Date.now() + leaseMs), id, owner, JobState.ACTIVE]);
    return n === 1;
  }

  /**
   * Writes the job's new state only if we still hold it (inside the outcome transaction, or alone).
   * Returns false when the lease was lost — the caller must then roll back everything else.
   */
  async write(em: Em, id: string, owner: string, fields: Record<string, unknown>): Promise<boolean> {
    const sets = ['"updated_at" = ?'];
    const params: unknown[] = [new Date()];
    for (const [key, v] of Object.entries(fields)) {
      sets.push(`"${columnOf(key)}" = ?`);
      params.push(key === 'checkpoint' ? JSON.stringify(v) : v);
    }
    const n = await runBound(em, `update "workflow_job" set ${sets.join(', ')} where ${OURS}`, [...params, id, owner, JobState.ACTIVE]);
    return n === 1;
  }

  /**
   * An outcome could not be written: count it and keep the lease for `backoffMs` (so the job is not
   * due again at once). Returns the new count, or null when the job is no longer ours.
   */
  async bookkeepingFailed(em: Em, id: string, owner: string, backoffMs: number): Promise<number | null> {
    const rows = await allBound<{ bookkeeping_failures: number }>(
      em,
      `update "workflow_job" set "bookkeeping_failures" = "bookkeeping_failures" + 1, "lease_until" = ?, "updated_at" = ? where ${OURS} returning "bookkeeping_failures"`,
      [new Date(Date.now() + backoffMs), new Date(), id, owner, JobState.ACTIVE],
    );
    return rows.length ? Number(rows[0].bookkeeping_failures) : null;
  }

  /** Makes waiting jobs of a subject runnable now (a watched hub object changed). */
  async nudge(em: Em, subjectId: string): Promise<number> {
    const now = new Date();
    return runBound(em, 'update "workflow_job" set "run_at" = ? where "subject_id" = ? and "state" = ? and "run_at" > ?', [now, subjectId, JobState.ACTIVE, now]);
  }

  /** Inside a transaction: stop every active job of a subject (e.g. a delete supersedes provisioning). */
  async cancelActive(em: Em, subjectId: string): Promise<number> {
    const now = new Date();
    return runBound(
      em,
      'update "workflow_job" set "state" = ?, "lease_owner" = null, "lease_until" = null, "finished_at" = ?, "updated_at" = ? where "subject_id" = ? and "state" = ?',
      [JobState.CANCELLED, now, now, subjectId, JobState.ACTIVE],
    );
  }

  async activeFor(em: Em, subjectId: string): Promise<WorkflowJob | null> {
    return em.findOne(WorkflowJob, { subjectId, state: JobState.ACTIVE });
  }

  async latestFor(em: Em, subjectId: string): Promise<WorkflowJob | null> {
    return em.findOne(WorkflowJob, { subjectId }, { orderBy: { id: 'desc' } });
  }

  /**
   * Milliseconds until the next ACTIVE job becomes claimable — its `runAt`, or the end of another
   * runner's lease on it (a runner that died) — or null when there is none. Jobs leased by `owner`
   * are left out: that runner learns their next `runAt` when it writes it.
   */
  async nextClaimableInMs(em: Em, owner: string): Promise<number | null> {
    const [row] = await allBound<{ at: unknown }>(
      em,
      'select min(case when "lease_until" is not null and "lease_until" > "run_at" then "lease_until" else "run_at" end) as "at" ' +
        'from "workflow_job" where "state" = ? and ("lease_owner" is null or "lease_owner" <> ?)',
      [JobState.ACTIVE, owner],
    );
    if (!row || row.at == null) return null;
    return Math.max(0, toMs(row.at) - Date.now());
  }
}
