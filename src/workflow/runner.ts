/**
 * The workflow runner: claims due jobs (lease + heartbeat), runs their current step, and has each
 * outcome committed together with the subject's progress columns and its events, guarded by still
 * holding the lease (step.outcome.ts). Runs in every replica; a replica that dies simply stops
 * heartbeating and its jobs are claimed again when their leases expire.
 *
 * It never polls in a loop: it sleeps until the earliest moment a job becomes claimable (one timer,
 * set from the database after each claim and from the runAt of every outcome it writes), or until a
 * wake-up (wake.ts) says work became due now. `maxSleepMs` bounds a sleep, as a safety net under a
 * lost wake-up. While the database is unreachable it backs off (capped exponential) and says so
 * once, and once again when it is back.
 */
import { randomUUID } from 'node:crypto';
import type { Em, Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { EventLog } from '../events/event.log.js';
import type { HubAdapter } from '../kube/index.js';
import type { Logger } from '../logger.js';
import { classifyStepError } from './step.errors.js';
import { publish, runnerEvents, unscopedStep, workflowSteps, type StepScope } from '../observability/channels.js';
import { FailureReason, type FlowDefinition, type FlowSubject, type StepResult } from './flow.js';
import { JobState } from './job.entity.js';
import { JobStore, type ClaimedJob } from './job.store.js';
import { eventBase, StepOutcomes, type AnyFlow, type JobRun } from './step.outcome.js';
import { InProcessWakeSignal, type WakeSignal } from './wake.js';

export interface RunnerOptions {
  /** jobs worked on at once by this process */
  concurrency: number;
  leaseMs: number;
  /** longest sleep without looking for work (only matters when a wake-up was lost) */
  maxSleepMs: number;
  /** upper bound on any wait before a step is looked at again */
  maxWaitMs: number;
  /** steps run back to back within one claim before yielding the job */
  maxStepsPerClaim: number;
  /** consecutive unexpected errors of one step before the subject fails */
  maxErrorAttempts: number;
  /** consecutive outcomes of one job that could not be written before it fails (BOOKKEEPING_FAILED) */
  maxBookkeepingFailures: number;
  /** backoff while the database is unreachable, and after an outcome could not be written */
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultRunnerOptions: RunnerOptions = {
  concurrency: 16,
  leaseMs: 15_000,
  maxSleepMs: 10_000,
  maxWaitMs: 5_000,
  maxStepsPerClaim: 20,
  maxErrorAttempts: 12,
  maxBookkeepingFailures: 5,
  minBackoffMs: 100,
  maxBackoffMs: 10_000,
};

export class WorkflowRunner {
  readonly owner = `runner-${randomUUID()}`;
  private readonly flows = new Map<string, AnyFlow>();
  private readonly running = new Set<Promise<void>>();
  /** the jobs this runner holds now, by subject */
  private readonly held = new Map<string, JobRun>();
  private stopped = true;
  private loopDone: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  /** look for work as soon as the loop runs */
  private lookNow = true;
  /** when the next known job becomes claimable (ms epoch) */
  private timerAt = Infinity;
  /** the last claim filled every free slot: there may be more due work */
  private backlog = false;
  private kick: (() => void) | null = null;
  private dbFailures = 0;
  private dbDownSince: number | null = null;
  /** Around every run of a step (the app's tracing sets it). */
  stepScope: StepScope = unscopedStep;
  /**
   * For the job store's plain statements and the plain outcome transactions (driver.sql.ts): they
   * use an EntityManager only for its connection and platform, never its identity map, so one
   * serves them all instead of a fork each (a fork builds a unit of work and an identity map).
   */
  private readonly plainEm: Em;
  private readonly outcomes: StepOutcomes;

  constructor(
    private readonly orm: Orm,
    readonly store: JobStore,
    events: EventLog,
    private readonly hub: HubAdapter,
    private readonly log: Logger,
    readonly options: RunnerOptions = defaultRunnerOptions,
    readonly signal: WakeSignal = new InProcessWakeSignal(),
  ) {
    this.plainEm = orm.em.fork() as Em;
    this.outcomes = new StepOutcomes({
      orm,
      plainEm: this.plainEm,
      store,
      events,
      owner: this.owner,
      log,
      options,
      source: this,
      letGo: (job) => this.letGo(job),
      nudge: (subjectId) => this.nudge(subjectId),
    });
  }

  register<S extends FlowSubject>(flow: FlowDefinition<S>): void {
    this.flows.set(flow.name, flow as unknown as AnyFlow);
  }

  flow(name: string): AnyFlow {
    const f = this.flows.get(name);
    if (!f) throw new Error(`unknown flow ${name}`);
    return f;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.lookNow = true;
    this.unsubscribe = this.signal.subscribe(() => this.wake());
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.kick?.();
    await this.loopDone;
    await Promise.allSettled([...this.running]);
  }

  /** Look for work now (this process only; `signal.notify()` reaches every replica). */
  wake(): void {
    this.lookNow = true;
    this.kick?.();
  }

  /**
   * A watched hub object of this subject changed: make its waiting job due now, on any replica. A job
   * this runner holds is not waiting in the database (its runAt has passed): the claim is told
   * instead, and a wait it records after the step looks again at once (`record`).
   */
  async nudge(subjectId: string): Promise<void> {
    const mine = this.held.get(subjectId);
    if (mine) {
      mine.nudged = true;
      return;
    }
    if ((await this.store.nudge(this.plainEm, subjectId)) > 0) this.signal.notify();
  }

  /** Look at `at` (ms epoch) at the latest. */
  private schedule(at: number): void {
    if (at >= this.timerAt) return;
    this.timerAt = at;
    this.kick?.();
  }

  private backoffMs(failures: number): number {
    const { minBackoffMs, maxBackoffMs } = this.options;
    return Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(Math.max(0, failures - 1), 20)) * (0.75 + Math.random() / 4);
  }

  /** The database could not be reached: said once per outage, however many attempts fail. */
  private databaseDown(e: unknown): number {
    this.dbFailures++;
    if (this.dbDownSince === null) {
      this.dbDownSince = Date.now();
      this.log.warn('workflow runner: database unreachable; backing off until it is back', { reason: e instanceof Error ? e.message : String(e) });
    }
    return this.backoffMs(this.dbFailures);
  }

  private databaseUp(): void {
    if (this.dbDownSince !== null) {
      this.log.info('workflow runner: database reachable again; resuming', { downMs: Date.now() - this.dbDownSince, failedAttempts: this.dbFailures });
    }
    this.dbDownSince = null;
    this.dbFailures = 0;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.lookNow || Date.now() >= this.timerAt) {
        this.lookNow = false;
        this.timerAt = Infinity;
        try {
          await this.look();
          this.databaseUp();
        } catch (e) {
          // a claim that is no connection problem is a bug: back off just the same, but say what it is
          if (!isDatabaseUnavailable(e)) this.log.error('workflow claim failed', { err: e as Error });
          this.timerAt = Date.now() + this.databaseDown(e);
        }
      }
      if (this.stopped) break;
      const sleep = Math.min(this.timerAt - Date.now(), this.options.maxSleepMs);
      if (this.lookNow || sleep <= 0) continue;
      const woken = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), sleep);
        this.kick = () => {
          clearTimeout(t);
          resolve(true);
        };
      });
      this.kick = null;
      // slept the whole safety interval without a reason: look anyway
      if (!woken && sleep === this.options.maxSleepMs && this.timerAt - Date.now() > 0) this.lookNow = true;
    }
  }

  /** Claims what is due (for the free slots) and sets the timer to the next claimable job. */
  private async look(): Promise<void> {
    const free = this.options.concurrency - this.running.size;
    if (free <= 0) {
      this.backlog = true;
      return;
    }
    const jobs = await this.store.claim(this.plainEm, this.owner, free, this.options.leaseMs);
    for (const job of jobs) {
      const p: Promise<void> = this.execute(job).finally(() => {
        this.running.delete(p);
        if (this.backlog) {
          this.backlog = false;
          this.wake();
        }
      });
      this.running.add(p);
    }
    if (jobs.length === free) {
      this.backlog = true;
      return;
    }
    const ms = await this.store.nextClaimableInMs(this.plainEm, this.owner);
    // "due now" although the claim just took all it could: a row another transaction holds locked
    // (SKIP LOCKED passed it over). Look again shortly, not in a loop.
    if (ms !== null) this.schedule(Date.now() + (ms > 0 ? ms : this.options.minBackoffMs));
  }

  private async execute(claimed: ClaimedJob): Promise<void> {
    const flow = this.flows.get(claimed.flow);
    if (!flow) {
      this.log.error('job of unknown flow left untouched', { job: claimed.id, flow: claimed.flow });
      return;
    }
    const job: JobRun = { ...claimed, kept: new Map(), subject: null, nudged: false, released: false, nextRunAt: null };
    this.held.set(job.subjectId, job);
    // a step started and never given an outcome (no wait recorded, no bookkeeping backoff of ours):
    // the runner that held it stopped heartbeating mid-step
    if (claimed.stepStarted && claimed.waitKey === null && claimed.bookkeepingFailures === 0) publish(runnerEvents, () => ({ source: this, flow: claimed.flow, event: 'takeover' }));
    const abort = new AbortController();
    const beat = setInterval(() => {
      this.store
        .heartbeat(this.plainEm, job.id, this.owner, this.options.leaseMs)
        .then((ok) => {
          if (!ok) abort.abort();
        })
        .catch(() => undefined);
    }, Math.max(50, Math.floor(this.options.leaseMs / 3)));
    try {
      for (let i = 0; i < this.options.maxStepsPerClaim && !abort.signal.aborted && !this.stopped; i++) {
        // whether another step may follow in this claim: its start then joins this step's outcome
        const more = i + 1 < this.options.maxStepsPerClaim;
        const cont = await this.runOnce(flow, job, abort.signal, more);
        if (!cont) break;
      }
    } catch (e) {
      // The outcome could not be written. The lease is kept (not extended) for a backoff: releasing
      // it would make the job due again at once and spin on the same failure.
      job.released = true;
      clearInterval(beat);
      await this.bookkeepingFailed(flow, job, e);
    } finally {
      clearInterval(beat);
      this.letGo(job);
      if (!job.released) {
        await this.store.write(this.plainEm, job.id, this.owner, { leaseOwner: null, leaseUntil: null }).catch(() => undefined);
        job.nextRunAt ??= Date.now();
      }
      if (job.nextRunAt !== null) this.schedule(job.nextRunAt);
    }
  }

  /**
   * An outcome of `job` could not be committed. The database being away is waited out (the job is
   * taken up again after its lease); anything else is counted on the job, and after
   * maxBookkeepingFailures in a row the subject fails with BOOKKEEPING_FAILED instead of the job
   * being retried forever.
   */
  private async bookkeepingFailed(flow: AnyFlow, job: JobRun, e: unknown): Promise<void> {
    if (isDatabaseUnavailable(e)) {
      job.nextRunAt = Date.now() + this.databaseDown(e);
      return;
    }
    const backoff = this.backoffMs(job.bookkeepingFailures + 1);
    let n: number | null;
    try {
      n = await this.store.bookkeepingFailed(this.plainEm, job.id, this.owner, backoff);
    } catch (e2) {
      if (isDatabaseUnavailable(e2)) job.nextRunAt = Date.now() + this.databaseDown(e2);
      else this.log.error('workflow step bookkeeping failed, and so did counting it', { job: job.id, err: e2 as Error });
      return;
    }
    if (n === null) return; // no longer ours: whoever owns it now carries on
    job.bookkeepingFailures = n;
    if (n < this.options.maxBookkeepingFailures) {
      this.log.error('workflow step bookkeeping failed; retrying after a backoff', { job: job.id, flow: flow.name, failures: n, of: this.options.maxBookkeepingFailures, backoffMs: Math.round(backoff), err: e as Error });
      job.nextRunAt = Date.now() + backoff;
      return;
    }
    this.log.error('workflow step bookkeeping failed too often; failing the job', { job: job.id, flow: flow.name, failures: n, err: e as Error });
    await this.failStuckJob(flow, job, FailureReason.BOOKKEEPING_FAILED, `The outcome of step ${job.stepId ?? flow.steps[0]?.id} could not be recorded (${n} attempts); the gateway log has the cause. Retry or delete it.`);
  }

  /**
   * Fails a job (and its subject) whose normal outcome path is what fails: first the full failure
   * (phase FAILED, events, the flow's onFail), then without onFail, then the job alone — each step
   * down is logged, so a subject is never left claimed forever.
   */
  private async failStuckJob(flow: AnyFlow, job: JobRun, reason: FailureReason, message: string): Promise<void> {
    const em = this.orm.em.fork() as Em;
    // the lease we kept for the backoff is still ours, so the outcome writes are guarded as usual
    const subject = await em.findOne(flow.entity, { id: job.subjectId } as never).catch(() => null);
    if (subject) {
      const stepId = job.stepId ?? flow.steps[0]?.id ?? '?';
      for (const withHook of [true, false]) {
        try {
          await this.outcomes.recordFailure(flow, job, subject, stepId, eventBase(flow, subject, stepId), { kind: 'fail', reason, message }, withHook);
          return;
        } catch (e) {
          this.log.error(`failing the job ${withHook ? 'with' : 'without'} its flow's onFail failed too`, { job: job.id, err: e as Error });
        }
      }
    }
    await this.store.write(em, job.id, this.owner, { state: JobState.FAILED, finishedAt: new Date(), leaseOwner: null, leaseUntil: null }).catch((e) => {
      this.log.error('could not even mark the job FAILED; it is taken up again after its lease', { job: job.id, err: e as Error });
    });
  }

  /** Runs the job's current step once; true when the next step may run right away. */
  private async runOnce(flow: AnyFlow, job: JobRun, signal: AbortSignal, more: boolean): Promise<boolean> {
    const em = this.orm.em.fork() as Em;
    const subject = job.subject ?? (flow.readSubject ? await flow.readSubject(em, job.subjectId) : await em.findOne(flow.entity, { id: job.subjectId } as never));
    if (flow.subjectPerClaim) job.subject = subject;
    if (!subject) {
      await this.store.write(em, job.id, this.owner, { state: JobState.CANCELLED, finishedAt: new Date(), leaseOwner: null, leaseUntil: null });
      job.released = true;
      return false;
    }
    const index = job.stepId === null ? 0 : flow.steps.findIndex((s) => s.id === job.stepId);
    if (index < 0) {
      // checkpoints name steps, so a release that reordered steps resumes each job where it was;
      // one whose step is gone cannot know where to resume
      const base = eventBase(flow, subject, job.stepId);
      await this.outcomes.recordFailure(flow, job, subject, job.stepId!, base, {
        kind: 'fail',
        reason: FailureReason.UNKNOWN_STEP,
        message: `Step "${job.stepId}" is not a step of ${flow.name} in this release of the gateway; retry or delete the ${flow.machine.name.toLowerCase()}`,
      });
      return false;
    }
    const step = flow.steps[index];
    const base = eventBase(flow, subject, step.id);

    if (!job.stepStarted && !(await this.outcomes.begin(flow, job, subject, index))) return false;

    // the scope (tracing's span) holds the step and the transaction that records its outcome
    const run = { flow: flow.name, step: step.id, subjectId: subject.id, subjectName: subject.name, attempt: job.attempts, traceparent: job.traceparent };
    const ran = await this.stepScope(run, async () => {
      let result: StepResult;
      let error: unknown;
      const started = process.hrtime.bigint();
      let outcome = 'error';
      job.nudged = false;
      try {
        result = await step.run({
          subject,
          em,
          hub: this.hub,
          checkpoint: job.checkpoint._wait,
          results: job.checkpoint,
          attempt: job.attempts,
          log: this.log.child({ flow: flow.name, step: step.id, subject: subject.name }),
          signal,
          once: (key, load) => this.once(job, key, load),
        });
        job.errorAttempts = 0;
        outcome = result.kind;
      } catch (e) {
        error = e;
        const c = classifyStepError(e);
        job.errorAttempts++;
        if (c.permanent || (c.bounded && job.errorAttempts >= this.options.maxErrorAttempts)) {
          this.log.warn('workflow step failed', { flow: flow.name, step: step.id, subject: subject.name, err: e as Error });
          result = { kind: 'fail', reason: c.reason, message: c.message };
          outcome = 'fail';
        } else {
          this.log.debug('workflow step hit a transient error; backing off', { flow: flow.name, step: step.id, err: e as Error });
          const backoff = Math.min(this.options.maxWaitMs, 100 * 2 ** Math.min(job.errorAttempts, 10)) * (0.5 + Math.random() / 2);
          result = { kind: 'wait', reason: c.waitReason, message: c.message, retryAfterMs: backoff };
        }
      }
      publish(workflowSteps, () => ({ source: this, flow: flow.name, step: step.id, outcome, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
      if (signal.aborted) return { kind: outcome, error, next: false };
      if (result.kind === 'fail') {
        await this.outcomes.recordFailure(flow, job, subject, step.id, base, result);
        return { kind: outcome, error, next: false };
      }
      return { kind: outcome, error, next: await this.outcomes.record(flow, job, subject, step, index, base, result, more && !signal.aborted && !this.stopped) };
    });
    return ran.next;
  }

  /** The claim no longer holds its subject's job: nudges go to the database again. */
  private letGo(job: JobRun): void {
    if (this.held.get(job.subjectId) === job) this.held.delete(job.subjectId);
  }

  private once<T>(job: JobRun, key: string, load: () => Promise<T>): Promise<T> {
    let p = job.kept.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      job.kept.set(key, p);
      p.catch(() => job.kept.delete(key));
    }
    return p;
  }
}
