/**
 * What a step's outcome writes, each in one transaction guarded by still holding the job's lease:
 * the job row, the subject's phase and progress columns, and the events that say so (published after
 * the commit). The runner (runner.ts) decides when a step runs and what became of it; this writes it.
 */
import type { Em, Orm } from '../db/orm.js';
import { driverSqlUsable } from '../db/driver.sql.js';
import { EventType } from '../events/event.entity.js';
import type { EventBatch, EventLog } from '../events/event.log.js';
import type { Logger } from '../logger.js';
import { publish, runnerEvents } from '../observability/channels.js';
import type { FlowDefinition, FlowSubject, StepDefinition, StepResult } from './flow.js';
import { JobState } from './job.entity.js';
import type { ClaimedJob, JobStore } from './job.store.js';
import type { RunnerOptions } from './runner.js';
import { updateSubject } from './subject.columns.js';

export type AnyFlow = FlowDefinition<FlowSubject>;
type Emit = (e: Parameters<EventBatch['emit']>[0]) => void;

/** What a claim of a job ended with, for the runner's own timer. */
export 
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

/** The fields every event of a step carries. */
export function eventBase(flow: AnyFlow, subject: FlowSubject, stepId: string | null) {
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

export type EventBase = ReturnType<typeof eventBase>;

function clearedFailures(job: JobRun): Record<string, unknown> {
  return job.bookkeepingFailures > 0 ? { bookkeepingFailures: 0 } : {};
}

export interface OutcomeDeps {
  orm: Orm;
  /** the runner's EntityManager for plain statements (see WorkflowRunner.plainEm) */
  plainEm: Em;
  store: JobStore;
  events: EventLog;
  /** the lease owner every write is guarded by */
  owner: string;
  log: Logger;
  /** read at each use: tests change them on a running app */
  options: RunnerOptions;
  /** what runnerEvents names as its source (the runner) */
  source: object;
  /** the claim no longer holds its subject's job */
  letGo(job: JobRun): void;
  nudge(subjectId: string): Promise<void>;
}

export class StepOutcomes {
  constructor(private readonly d: OutcomeDeps) {}

  /**
   * Step `index` starts, in its own transaction; false when the lease was lost. The subject's phase is
   * read once, outside the transaction: a transaction retried after a deadlock runs the callback
   * again, and must then make the very same phase change (the first attempt was rolled back).
   */
  async begin(flow: AnyFlow, job: JobRun, subject: FlowSubject, index: number): Promise<boolean> {
    const step = flow.steps[index];
    const from = subject.phase;
    let phase = from;
    const ok = await this.commit(job, true, async (tem, emit) => {
      phase = await this.startStep(tem, emit, flow, subject, index, from, subject.percent);
      return { stepId: step.id, stepStarted: true, waitKey: null, ...clearedFailures(job) };
    });
    if (!ok) return false;
    subject.phase = phase;
    job.stepId = step.id;
    job.stepStarted = true;
    job.waitKey = null;
    job.bookkeepingFailures = 0;
    return true;
  }

  /**
   * Inside an outcome transaction: step `index` starts (the subject's phase for it, its progress
   * columns, PHASE_CHANGED when the phase changes, STEP_STARTED). Returns the phase it runs in.
   * `percentNow` is the subject's percent as committed before this transaction (PHASE_CHANGED says it).
   */
  private async startStep(tem: Em, emit: Emit, flow: AnyFlow, subject: FlowSubject, index: number, from: string, percentNow: number): Promise<string> {
    const step = flow.steps[index];
    const count = flow.steps.length;
    const base = eventBase(flow, subject, step.id);
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

  /**
   * Records a step's wait or done. `startNext`: the claim goes on with the next step, whose start
   * (STEP_STARTED, progress columns) is then written in this same transaction: one commit per step
   * instead of two, the same events in the same order.
   */
  async record(
    flow: AnyFlow,
    job: JobRun,
    subject: FlowSubject,
    step: StepDefinition<FlowSubject>,
    index: number,
    base: EventBase,
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
      const delay = nudged ? 0 : Math.max(0, Math.min(this.d.options.maxWaitMs, result.retryAfterMs ?? 1000));
      const runAt = new Date(Date.now() + delay);
      const checkpoint = result.data !== undefined ? { ...job.checkpoint, _wait: result.data } : job.checkpoint;
      const fields = { runAt, waitKey: key, checkpoint, errorAttempts: job.errorAttempts, leaseOwner: null, leaseUntil: null, ...clearedFailures(job) };
      let ok: boolean;
      if (key === job.waitKey) {
        // the same wait as last time: only the job row changes, in one statement
        ok = await this.d.store.write(this.d.plainEm, job.id, this.d.owner, fields);
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
      this.d.letGo(job);
      if (ok) {
        job.waitKey = key;
        job.bookkeepingFailures = 0;
        job.nextRunAt = runAt.getTime();
        if (job.nudged && !nudged) await this.d.nudge(subject.id).catch(() => undefined);
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
        return { stepId: next, stepStarted: true, checkpoint: results, waitKey: null, runAt: new Date(), ...clearedFailures(job) };
      }
      if (!last) return { stepId: next, stepStarted: false, checkpoint: results, waitKey: null, runAt: new Date(), ...clearedFailures(job) };
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
  async recordFailure(
    flow: AnyFlow,
    job: JobRun,
    subject: FlowSubject,
    stepId: string,
    base: EventBase,
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
    const em = plain && driverSqlUsable(this.d.plainEm) ? this.d.plainEm : (this.d.orm.em.fork() as Em);
    try {
      return await this.d.events.commit(
        em,
        async (tem, events) => {
          const fields = await fn(tem, (e) => events.emit(e), events);
          if (!(await this.d.store.write(tem, job.id, this.d.owner, fields))) throw new LeaseLost();
          return true;
        },
        { plain },
      );
    } catch (e) {
      if (e instanceof LeaseLost) {
        this.d.log.info('lost the lease of a job; another runner owns it now', { job: job.id });
        publish(runnerEvents, () => ({ source: this.d.source, flow: job.flow, event: 'lease_lost' }));
        job.released = true;
        return false;
      }
      throw e;
    }
  }
}

class LeaseLost extends Error {}
