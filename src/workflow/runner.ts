/**
 * The workflow runner: claims due jobs (lease + heartbeat), runs their current step, and commits each
 * outcome together with the subject's progress columns and its events, guarded by still holding the
 * lease. Runs in every replica; a replica that dies simply stops heartbeating and its jobs are
 * claimed again when their leases expire.
 *
 * It never polls in a loop: it sleeps until the earliest moment a job becomes claimable (one timer,
 * set from the database after each claim and from the runAt of every outcome it writes), or until a
 * wake-up (wake.ts) says work became due now. `maxSleepMs` bounds a sleep, as a safety net under a
 * lost wake-up. While the database is unreachable it backs off (capped exponential) and says so
 * once, and once again when it is back.
 */
import { randomUUID } from 'node:crypto';
import { driverSqlUsable } from '../db/driver.sql.js';
import type { Em, Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { EventType } from '../events/event.entity.js';
import type { EventBatch, EventLog } from '../events/event.log.js';
import type { HubAdapter } from '../kube/index.js';
import type { Logger } from '../logger.js';
import { classifyStepError } from './step.errors.js';
import { publish, runnerEvents, unscopedStep, workflowSteps, type StepScope } from '../observability/channels.js';
import { FailureReason, type FlowDefinition, type FlowSubject, type StepDefinition, type StepResult } from './flow.js';
import { JobState } from './job.entity.js';
import { JobStore, type ClaimedJob } from './job.store.js';
import { updateSubject } from './subject.columns.js';
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

type AnyFlow = FlowDefinition<FlowSubject>;
type Emit = (e: Parameters<EventBatch['emit']>[0]) => void;

/** What a claim of a job ended with, for the runner's own timer. */
interface JobRun extends ClaimedJob {
  /** StepContext.once: loads kept for this claim */
  kept: Map<string, Promise<unknown>>;
  /** the subject as read by the claim's first step (flows with `subjectPerClaim`) */
  subject: FlowSubject | null;
  /** a nudge came for the subject while this claim held it (see `nudge`) */
  nudged: boolean;
  /** the lease was given up (by an outcome) or lost: nothing to release */
  released: boolean;
  /** when the job is due again (ms epoch), if it stays ACTIVE */
  nextRunAt: number | null;
}

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

  constructor(
    private readonly orm: Orm,
    readonly store: JobStore,
    private readonly events: EventLog,
    private readonly hub: HubAdapter,
    private readonly log: Logger,
    readonly options: RunnerOptions = defaultRunnerOptions,
    readonly signal: WakeSignal = new InProcessWakeSignal(),
  ) {
    this.plainEm = orm.em.fork() as Em;
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
          await this.recordFailure(flow, job, subject, stepId, this.baseOf(flow, subject, stepId), { kind: 'fail', reason, message }, withHook);
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

  private baseOf(flow: AnyFlow, subject: FlowSubject, stepId: string | null) {
    const index = flow.steps.findIndex((s) => s.id === stepId);
    return {
      subjectKind: flow.subjectKind,
      subjectId: subject.id,
      subjectName: subject.name,
      projectId: subject.projectId,
      stepId,
      stepIndex: index >= 0 ? index : null,
      stepCount: flow.steps.length,
      details: flow.eventDetails?.(subject) ?? null,
    };
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
      const base = this.baseOf(flow, subject, job.stepId);
      await this.recordFailure(flow, job, subject, job.stepId!, base, {
        kind: 'fail',
        reason: FailureReason.UNKNOWN_STEP,
        message: `Step "${job.stepId}" is not a step of ${flow.name} in this release of the gateway; retry or delete the ${flow.machine.name.toLowerCase()}`,
      });
      return false;
    }
    const step = flow.steps[index];
    const base = this.baseOf(flow, subject, step.id);

    if (!job.stepStarted) {
      // Read once, outside the transaction: a transaction retried after a deadlock runs the callback
      // again, and must then make the very same phase change (the first attempt was rolled back).
      const from = subject.phase;
      let phase = from;
      const ok = await this.commit(job, true, async (tem, emit) => {
        phase = await this.startStep(tem, emit, flow, subject, index, from, subject.percent);
        return { stepId: step.id, stepStarted: true, waitKey: null, ...this.clearedFailures(job) };
      });
      if (!ok) return false;
      subject.phase = phase;
      job.stepId = step.id;
      job.stepStarted = true;
      job.waitKey = null;
      job.bookkeepingFailures = 0;
    }

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
        await this.recordFailure(flow, job, subject, step.id, base, result);
        return { kind: outcome, error, next: false };
      }
      return { kind: outcome, error, next: await this.record(flow, job, subject, step, index, base, result, more && !signal.aborted && !this.stopped) };
    });
    return ran.next;
  }

  /**
   * Inside an outcome transaction: step `index` starts (the subject's phase for it, its progress
   * columns, PHASE_CHANGED when the phase changes, STEP_STARTED). Returns the phase it runs in.
   * `percentNow` is the subject's percent as committed before this transaction (PHASE_CHANGED says it).
   */
  private async startStep(tem: Em, emit: Emit, flow: AnyFlow, subject: FlowSubject, index: number, from: string, percentNow: number): Promise<string> {
    const step = flow.steps[index];
    const count = flow.steps.length;
    const base = this.baseOf(flow, subject, step.id);
    const phase = typeof step.phase === 'function' ? step.phase(subject) : step.phase;
    const percent = Math.floor((index / count) * 100);
    const progress = { currentStep: step.id, stepIndex: index, stepCount: count, percent, waitReason: null, waitMessage: null, waitingSince: null };
    if (from !== phase) {
      // the phase change and the progress columns in one guarded statement
      await flow.machine.apply(tem, flow.entity, subject.id, from, phase, progress);
      emit({ ...base, type: EventType.PHASE_CHANGED, phase, percent: percentNow, message: `${flow.machine.name} ${subject.name} is ${phase}` });
    } else {
      await updateSubject(tem, flow.entity, subject.id, progress);
    }
    emit({ ...base, type: EventType.STEP_STARTED, phase, percent, message: `Step ${index + 1}/${count}: ${step.title}` });
    return phase;
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

  private clearedFailures(job: JobRun): Record<string, unknown> {
    return job.bookkeepingFailures > 0 ? { bookkeepingFailures: 0 } : {};
  }

  /**
   * Records a step's wait or done. `startNext`: the claim goes on with the next step, whose start
   * (STEP_STARTED, progress columns) is then written in this same transaction: one commit per step
   * instead of two, the same events in the same order.
   */
  private async record(
    flow: AnyFlow,
    job: JobRun,
    subject: FlowSubject,
    step: StepDefinition<FlowSubject>,
    index: number,
    base: ReturnType<WorkflowRunner['baseOf']>,
    result: Exclude<StepResult, { kind: 'fail' }>,
    startNext: boolean,
  ): Promise<boolean> {
    const count = flow.steps.length;
    if (result.kind === 'wait') {
      const progress = Math.max(0, Math.min(1, result.progress ?? 0));
      const percent = Math.floor(((index + progress) / count) * 100);
      const key = `${result.reason}|${result.message}|${percent}`;
      // a watched hub object changed while the step ran: what it waits for may be there already
      const nudged = job.nudged;
      const delay = nudged ? 0 : Math.max(0, Math.min(this.options.maxWaitMs, result.retryAfterMs ?? 1000));
      const runAt = new Date(Date.now() + delay);
      const checkpoint = result.data !== undefined ? { ...job.checkpoint, _wait: result.data } : job.checkpoint;
      const fields = { runAt, waitKey: key, checkpoint, errorAttempts: job.errorAttempts, leaseOwner: null, leaseUntil: null, ...this.clearedFailures(job) };
      let ok: boolean;
      if (key === job.waitKey) {
        // the same wait as last time: only the job row changes, in one statement
        ok = await this.store.write(this.plainEm, job.id, this.owner, fields);
      } else {
        // `since` is since when the step waits for this reason: progress and new wording keep it
        const reasonChanged = !job.waitKey || !job.waitKey.startsWith(`${result.reason}|`);
        ok = await this.commit(job, true, async (tem, emit) => {
          await updateSubject(tem, flow.entity, subject.id, {
            percent,
            waitReason: result.reason,
            waitMessage: result.message,
            ...(reasonChanged ? { waitingSince: new Date() } : {}),
          });
          emit({ ...base, type: reasonChanged ? EventType.STEP_WAITING : EventType.STEP_PROGRESS, phase: subject.phase, percent, message: result.message, details: { ...base.details, reason: result.reason } });
          return fields;
        });
      }
      job.released = true;
      // from here on a nudge finds the job waiting in the database; one that came during the write is passed on there
      this.letGo(job);
      if (ok) {
        job.waitKey = key;
        job.bookkeepingFailures = 0;
        job.nextRunAt = runAt.getTime();
        if (job.nudged && !nudged) await this.nudge(subject.id).catch(() => undefined);
      }
      return false;
    }

    // done
    const last = index === count - 1;
    const results = { ...job.checkpoint, [step.id]: result.data ?? true };
    delete results._wait;
    const percent = Math.floor(((index + 1) / count) * 100);
    const from = subject.phase;
    const next = last ? null : flow.steps[index + 1].id;
    const merged = !last && startNext;
    let nextPhase = from;
    // the completing transaction runs the flow's onDone: through the ORM unless it is plain SQL only
    const plain = !last || !flow.onDone || flow.onDonePlain === true;
    const ok = await this.commit(job, plain, async (tem, emit, events) => {
      // (the next step's start writes the same percent and clears the same wait columns; the last
      // step's phase change clears them itself)
      if (!merged && !last) await updateSubject(tem, flow.entity, subject.id, { percent, waitReason: null, waitMessage: null, waitingSince: null });
      emit({ ...base, type: EventType.STEP_SUCCEEDED, phase: from, percent, message: result.message ?? `${step.title}: done` });
      if (merged) {
        nextPhase = await this.startStep(tem, emit, flow, subject, index + 1, from, percent);
        return { stepId: next, stepStarted: true, checkpoint: results, waitKey: null, runAt: new Date(), ...this.clearedFailures(job) };
      }
      if (!last) return { stepId: next, stepStarted: false, checkpoint: results, waitKey: null, runAt: new Date(), ...this.clearedFailures(job) };
      await flow.machine.apply(tem, flow.entity, subject.id, from, flow.donePhase, { currentStep: null, percent: 100, waitReason: null, waitMessage: null, waitingSince: null });
      emit({ ...base, stepId: null, stepIndex: count, type: EventType.PHASE_CHANGED, phase: flow.donePhase, percent: 100, message: `${flow.machine.name} ${subject.name} is ${flow.donePhase}` });
      await flow.onDone?.({ em: tem, subject, events, results });
      return { state: JobState.DONE, checkpoint: results, finishedAt: new Date(), leaseOwner: null, leaseUntil: null };
    });
    if (!ok) {
      job.released = true;
      return false;
    }
    if (last) {
      subject.phase = flow.donePhase;
      job.released = true;
      return false;
    }
    job.stepId = next;
    job.stepStarted = merged;
    subject.percent = percent;
    if (merged) subject.phase = nextPhase;
    job.checkpoint = results;
    job.waitKey = null;
    job.bookkeepingFailures = 0;
    return true;
  }

  /** The subject FAILED at `stepId` (with the flow's onFail unless `withHook` is false), the job FAILED. */
  private async recordFailure(
    flow: AnyFlow,
    job: JobRun,
    subject: FlowSubject,
    stepId: string,
    base: ReturnType<WorkflowRunner['baseOf']>,
    result: Extract<StepResult, { kind: 'fail' }>,
    withHook = true,
  ): Promise<void> {
    const from = subject.phase;
    const failed = flow.failedPhase ?? 'FAILED';
    const title = flow.steps.find((s) => s.id === stepId)?.title ?? `step ${stepId}`;
    await this.commit(job, !(withHook && flow.onFail), async (tem, emit, events) => {
      await flow.machine.apply(tem, flow.entity, subject.id, from, failed, {
        failureReason: result.reason,
        failureStep: stepId,
        failureMessage: result.message,
        waitReason: null,
        waitMessage: null,
        waitingSince: null,
      });
      emit({ ...base, type: EventType.STEP_FAILED, phase: failed, percent: subject.percent, message: result.message, details: { ...base.details, reason: result.reason } });
      emit({ ...base, type: EventType.PHASE_CHANGED, phase: failed, percent: subject.percent, message: `${flow.machine.name} ${subject.name} failed at ${title}: ${result.message}` });
      if (withHook) await flow.onFail?.({ em: tem, subject, events, results: job.checkpoint }, { reason: result.reason, step: stepId, message: result.message });
      return { state: JobState.FAILED, stepId, finishedAt: new Date(), leaseOwner: null, leaseUntil: null, errorAttempts: job.errorAttempts };
    });
    job.released = true;
    subject.phase = failed;
  }

  /**
   * One outcome transaction: job fields (lease-guarded) + subject columns + events, published after
   * commit. `fn` may run more than once (a transaction retried after a deadlock): it must not change
   * anything outside the transaction; callers apply their in-memory updates once it returned.
   */
  private async commit(job: JobRun, plain: boolean, fn: (tem: Em, emit: Emit, events: EventBatch) => Promise<Record<string, unknown>>): Promise<boolean> {
    // `plain`: fn runs plain statements only (no flow hook), so the transaction may be the driver's
    // own (EventLog.commit); the shared EntityManager serves it. Otherwise a fork, as every ORM transaction.
    const em = plain && driverSqlUsable(this.plainEm) ? this.plainEm : (this.orm.em.fork() as Em);
    try {
      return await this.events.commit(
        em,
        async (tem, events) => {
          const fields = await fn(tem, (e) => events.emit(e), events);
          if (!(await this.store.write(tem, job.id, this.owner, fields))) throw new LeaseLost();
          return true;
        },
        { plain },
      );
    } catch (e) {
      if (e instanceof LeaseLost) {
        this.log.info('lost the lease of a job; another runner owns it now', { job: job.id });
        publish(runnerEvents, () => ({ source: this, flow: job.flow, event: 'lease_lost' }));
        job.released = true;
        return false;
      }
      throw e;
    }
  }
}

class LeaseLost extends Error {}
