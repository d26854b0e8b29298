/**
 * Persistence of workflow jobs: create (inside an admission transaction), claim with a lease
 * (compare-and-set; SKIP LOCKED on PostgreSQL so replicas don't queue on each other's rows),
 * heartbeat, and lease-guarded outcome writes.
 */
import type { Em } from '../db/orm.js';
import { all, knexOf, run } from '../db/sql.js';
import { JobState, WorkflowJob } from './job.entity.js';

export interface ClaimedJob {
  id: string;
  flow: string;
  subjectId: string;
  projectId: string;
  stepIndex: number;
  stepStarted: boolean;
  errorAttempts: number;
  attempts: number;
  checkpoint: Record<string, unknown>;
  waitKey: string | null;
}

type Row = {
  id: string;
  flow: string;
  subject_id: string;
  project_id: string;
  step_index: number;
  step_started: boolean | number;
  error_attempts: number;
  attempts: number;
  checkpoint: string | Record<string, unknown>;
  wait_key: string | null;
};

function fromRow(r: Row): ClaimedJob {
  return {
    id: r.id,
    flow: r.flow,
    subjectId: r.subject_id,
    projectId: r.project_id,
    stepIndex: Number(r.step_index),
    stepStarted: !!r.step_started,
    errorAttempts: Number(r.error_attempts),
    attempts: Number(r.attempts),
    checkpoint: typeof r.checkpoint === 'string' ? JSON.parse(r.checkpoint) : (r.checkpoint ?? {}),
    waitKey: r.wait_key,
  };
}

export class JobStore {
  constructor(private readonly postgres: boolean) {}

  /** Inside the caller's transaction: a new job, runnable now. */
  create(em: Em, flow: string, subjectId: string, projectId: string, checkpoint: Record<string, unknown> = {}): WorkflowJob {
    return em.create(WorkflowJob, { flow, subjectId, projectId, checkpoint, runAt: new Date() });
  }

  /** Claims up to `limit` runnable jobs for `owner`. */
  async claim(em: Em, owner: string, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
    const now = new Date();
    const until = new Date(now.getTime() + leaseMs);
    return em.transactional(async (tem) => {
      const k = knexOf(tem as Em);
      const q = k('workflow_job')
        .select('id')
        .where('state', JobState.ACTIVE)
        .andWhere('run_at', '<=', now)
        .andWhere((w) => w.whereNull('lease_until').orWhere('lease_until', '<', now))
        .orderBy('run_at', 'asc')
        .limit(limit);
      if (this.postgres) q.forUpdate().skipLocked();
      const ids = (await all<{ id: string }>(tem as Em, q)).map((r) => r.id);
      const claimed: ClaimedJob[] = [];
      for (const id of ids) {
        const n = await run(
          tem as Em,
          k('workflow_job')
            .where({ id, state: JobState.ACTIVE })
            .andWhere((w) => w.whereNull('lease_until').orWhere('lease_until', '<', now))
            .update({ lease_owner: owner, lease_until: until, attempts: k.raw('attempts + 1'), updated_at: now }),
        );
        if (n !== 1) continue;
        const [row] = await all<Row>(tem as Em, k('workflow_job').select('*').where({ id }));
        claimed.push(fromRow(row));
      }
      return claimed;
    });
  }

  /** Extends the lease; false when the job is no longer ours (taken over or cancelled). */
  async heartbeat(em: Em, id: string, owner: string, leaseMs: number): Promise<boolean> {
    const k = knexOf(em);
    const n = await run(
      em,
      k('workflow_job').where({ id, lease_owner: owner, state: JobState.ACTIVE }).update({ lease_until: new Date(Date.now() + leaseMs) }),
    );
    return n === 1;
  }

  /**
   * Inside the outcome transaction: writes the job's new state only if we still hold it. Returns
   * false when the lease was lost — the caller must then roll back everything else.
   */
  async write(em: Em, id: string, owner: string, fields: Record<string, unknown>): Promise<boolean> {
    const k = knexOf(em);
    const row: Record<string, unknown> = { updated_at: new Date() };
    for (const [key, v] of Object.entries(fields)) row[key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = key === 'checkpoint' ? JSON.stringify(v) : v;
    const n = await run(em, k('workflow_job').where({ id, lease_owner: owner, state: JobState.ACTIVE }).update(row));
    return n === 1;
  }

  /** Makes waiting jobs of a subject runnable now (a watched hub object changed). */
  async nudge(em: Em, subjectId: string): Promise<number> {
    const k = knexOf(em);
    return run(em, k('workflow_job').where({ subject_id: subjectId, state: JobState.ACTIVE }).andWhere('run_at', '>', new Date()).update({ run_at: new Date() }));
  }

  /** Inside a transaction: stop every active job of a subject (e.g. a delete supersedes provisioning). */
  async cancelActive(em: Em, subjectId: string): Promise<number> {
    const k = knexOf(em);
    return run(
      em,
      k('workflow_job')
        .where({ subject_id: subjectId, state: JobState.ACTIVE })
        .update({ state: JobState.CANCELLED, lease_owner: null, lease_until: null, finished_at: new Date(), updated_at: new Date() }),
    );
  }

  async activeFor(em: Em, subjectId: string): Promise<WorkflowJob | null> {
    return em.findOne(WorkflowJob, { subjectId, state: JobState.ACTIVE });
  }

  async latestFor(em: Em, subjectId: string): Promise<WorkflowJob | null> {
    return em.findOne(WorkflowJob, { subjectId }, { orderBy: { id: 'desc' } });
  }

  /** Seconds until the earliest ACTIVE job is due (for the runner's sleep), or null if none. */
  async nextDueInMs(em: Em): Promise<number | null> {
    const k = knexOf(em);
    const [row] = await all<{ run_at: unknown }>(em, k('workflow_job').min({ run_at: 'run_at' }).where('state', JobState.ACTIVE));
    if (!row || row.run_at == null) return null;
    const t = row.run_at instanceof Date ? row.run_at.getTime() : typeof row.run_at === 'number' ? row.run_at : Date.parse(String(row.run_at));
    return Math.max(0, t - Date.now());
  }
}
