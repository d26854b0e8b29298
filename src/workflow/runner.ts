/**
 * The workflow runner: claims due jobs (lease + heartbeat), runs their current step, and commits each
 * outcome together with the subject's progress columns and its events, guarded by still holding the
 * lease. Runs in every replica; a replica that dies simply stops heartbeating and its jobs are
 * claimed again when their leases expire.
 */
import { randomUUID } from 'node:crypto';
import type { Em, Orm } from '../db/orm.js';
import { EventType } from '../events/event.entity.js';
import type { EventLog } from '../events/event.log.js';
import type { HubAdapter } from '../kube/index.js';
import type { Logger } from '../logger.js';
import { classifyStepError } from './step.errors.js';
import type { FlowDefinition, StepResult } from './flow.js';
import { JobState } from './job.entity.js';
import { JobStore, type ClaimedJob } from './job.store.js';
import type { TrackedEntity } from './tracked.entity.js';

export interface RunnerOptions {
  /** jobs worked on at once by this process */
  concurrency: number;
  leaseMs: number;
  /** idle poll interval when nothing is due */
  pollMs: number;
  /** upper bound on any wait before a step is looked at again */
  maxWaitMs: number;
  /** steps run back to back within one claim before yielding the job */
  maxStepsPerClaim: number;
  /** consecutive unexpected errors of one step before the subject fails */
  maxErrorAttempts: number;
}

export const defaultRunnerOptions: RunnerOptions = {
  concurrency: 16,
  leaseMs: 15_000,
  pollMs: 250,
  maxWaitMs: 5_000,
  maxStepsPerClaim: 20,
  maxErrorAttempts: 12,
};

type AnyFlow = FlowDefinition<TrackedEntity>;

export class WorkflowRunner {
  readonly owner = `runner-${randomUUID()}`;
  private readonly flows = new Map<string, AnyFlow>();
  private readonly running = new Set<Promise<void>>();
  private stopped = true;
  private wakeUp: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;

  constructor(
    private readonly orm: Orm,
    readonly store: JobStore,
    private readonly events: EventLog,
    private readonly hub: HubAdapter,
    private readonly log: Logger,
    readonly options: RunnerOptions = defaultRunnerOptions,
  ) {}

  register<S extends TrackedEntity>(flow: FlowDefinition<S>): void {
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
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.running]);
  }

  /** Look for work now (a job was created or nudged). */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** A watched hub object of this subject changed: run its waiting job now. */
  async nudge(subjectId: string): Promise<void> {
    if ((await this.store.nudge(this.orm.em.fork() as Em, subjectId)) > 0) this.wake();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      try {
        const free = this.options.concurrency - this.running.size;
        if (free > 0) {
          const jobs = await this.store.claim(this.orm.em.fork() as Em, this.owner, free, this.options.leaseMs);
          claimed = jobs.length;
          for (const job of jobs) {
            const p: Promise<void> = this.execute(job).finally(() => {
              this.running.delete(p);
              this.wake();
            });
            this.running.add(p);
          }
        }
      } catch (e) {
        this.log.warn('workflow claim failed; retrying', { err: e as Error });
      }
      if (this.stopped) break;
      if (claimed > 0 && this.running.size < this.options.concurrency) continue;
      let delay = this.options.pollMs;
      try {
        const due = await this.store.nextDueInMs(this.orm.em.fork() as Em);
        if (due !== null) delay = Math.min(delay, Math.max(5, due));
      } catch {
        /* keep the poll interval */
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const flow = this.flows.get(job.flow);
    if (!flow) {
      this.log.error('job of unknown flow left untouched', { job: job.id, flow: job.flow });
      return;
    }
    const abort = new AbortController();
    const beat = setInterval(() => {
      this.store
        .heartbeat(this.orm.em.fork() as Em, job.id, this.owner, this.options.leaseMs)
        .then((ok) => {
          if (!ok) abort.abort();
        })
        .catch(() => undefined);
    }, Math.max(50, Math.floor(this.options.leaseMs / 3)));
    let keepLease = false;
    try {
      for (let i = 0; i < this.options.maxStepsPerClaim && !abort.signal.aborted && !this.stopped; i++) {
        const cont = await this.runOnce(flow, job, abort.signal);
        if (!cont) break;
      }
    } catch (e) {
      // Keep the (no longer extended) lease: releasing it would make the job due again at once and
      // spin on the same failure, starving the event loop on SQLite's synchronous driver.
      keepLease = true;
      this.log.error('workflow step bookkeeping failed; the job will be retried after its lease', { job: job.id, err: e as Error });
    } finally {
      clearInterval(beat);
      // Release the lease unless the outcome already did (it also clears it).
      if (!keepLease) await this.store.write(this.orm.em.fork() as Em, job.id, this.owner, { leaseOwner: null, leaseUntil: null }).catch(() => undefined);
    }
  }

  /** Runs the job's current step once; true when the next step may run right away. */
  private async runOnce(flow: AnyFlow, job: ClaimedJob, signal: AbortSignal): Promise<boolean> {
    const em = this.orm.em.fork() as Em;
    const subject = await em.findOne(flow.entity, { id: job.subjectId } as never);
    if (!subject) {
      await this.store.write(em, job.id, this.owner, { state: JobState.CANCELLED, finishedAt: new Date(), leaseOwner: null, leaseUntil: null });
      return false;
    }
    const step = flow.steps[job.stepIndex];
    const count = flow.steps.length;
    const base = { subjectKind: flow.subjectKind, subjectId: subject.id, subjectName: subject.name, projectId: subject.projectId, stepId: step.id, stepIndex: job.stepIndex, stepCount: count };

    if (!job.stepStarted) {
      const ok = await this.commit(em, job, async (tem, emit) => {
        const phase = typeof step.phase === 'function' ? step.phase(subject) : step.phase;
        if (subject.phase !== phase) {
          await flow.machine.apply(tem, flow.entity, subject.id, subject.phase, phase);
          emit({ ...base, type: EventType.PHASE_CHANGED, phase, percent: subject.percent, message: `${flow.machine.name} ${subject.name} is ${phase}` });
          subject.phase = phase;
        }
        const percent = Math.floor((job.stepIndex / count) * 100);
        await tem.nativeUpdate(flow.entity, { id: subject.id } as never, {
          currentStep: step.id,
          stepIndex: job.stepIndex,
          stepCount: count,
          percent,
          waitReason: null,
          waitMessage: null,
          waitingSince: null,
        } as never);
        emit({ ...base, type: EventType.STEP_STARTED, phase: subject.phase, percent, message: `Step ${job.stepIndex + 1}/${count}: ${step.title}` });
        return { stepStarted: true, waitKey: null };
      });
      if (!ok) return false;
      job.stepStarted = true;
      job.waitKey = null;
    }

    let result: StepResult;
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
      });
      job.errorAttempts = 0;
    } catch (e) {
      const c = classifyStepError(e);
      job.errorAttempts++;
      if (c.permanent || (c.bounded && job.errorAttempts >= this.options.maxErrorAttempts)) {
        this.log.warn('workflow step failed', { flow: flow.name, step: step.id, subject: subject.name, err: e as Error });
        result = { kind: 'fail', reason: c.reason, message: c.message };
      } else {
        this.log.debug('workflow step hit a transient error; backing off', { flow: flow.name, step: step.id, err: e as Error });
        const backoff = Math.min(this.options.maxWaitMs, 100 * 2 ** Math.min(job.errorAttempts, 10)) * (0.5 + Math.random() / 2);
        result = { kind: 'wait', reason: c.waitReason, message: c.message, retryAfterMs: backoff };
      }
    }
    if (signal.aborted) return false;
    return this.record(flow, job, subject, step.id, base, result);
  }

  private async record(flow: AnyFlow, job: ClaimedJob, subject: TrackedEntity, stepId: string, base: any, result: StepResult): Promise<boolean> {
    const em = this.orm.em.fork() as Em;
    const count = flow.steps.length;
    const step = flow.steps[job.stepIndex];
    if (result.kind === 'wait') {
      const progress = Math.max(0, Math.min(1, result.progress ?? 0));
      const percent = Math.floor(((job.stepIndex + progress) / count) * 100);
      const key = `${result.reason}|${result.message}|${percent}`;
      const delay = Math.max(0, Math.min(this.options.maxWaitMs, result.retryAfterMs ?? 1000));
      const checkpoint = result.data !== undefined ? { ...job.checkpoint, _wait: result.data } : job.checkpoint;
      await this.commit(em, job, async (tem, emit) => {
        if (key !== job.waitKey) {
          // `since` is since when the step waits for this reason: progress and new wording keep it.
          const reasonChanged = !job.waitKey || !job.waitKey.startsWith(`${result.reason}|`);
          await tem.nativeUpdate(flow.entity, { id: subject.id } as never, {
            percent,
            waitReason: result.reason,
            waitMessage: result.message,
            ...(reasonChanged ? { waitingSince: new Date() } : {}),
          } as never);
          emit({
            ...base,
            type: reasonChanged ? EventType.STEP_WAITING : EventType.STEP_PROGRESS,
            phase: subject.phase,
            percent,
            message: result.message,
            details: { reason: result.reason },
          });
        }
        return { runAt: new Date(Date.now() + delay), waitKey: key, checkpoint, errorAttempts: job.errorAttempts, leaseOwner: null, leaseUntil: null };
      });
      job.waitKey = key;
      return false;
    }

    if (result.kind === 'fail') {
      await this.commit(em, job, async (tem, emit, events) => {
        await flow.machine.apply(tem, flow.entity, subject.id, subject.phase, 'FAILED', {
          failureReason: result.reason,
          failureStep: stepId,
          failureMessage: result.message,
          waitReason: null,
          waitMessage: null,
          waitingSince: null,
        });
        emit({ ...base, type: EventType.STEP_FAILED, phase: 'FAILED', percent: subject.percent, message: result.message, details: { reason: result.reason } });
        emit({ ...base, type: EventType.PHASE_CHANGED, phase: 'FAILED', percent: subject.percent, message: `${flow.machine.name} ${subject.name} failed at ${step.title}: ${result.message}` });
        await flow.onFail?.({ em: tem, subject, events, results: job.checkpoint }, { reason: result.reason, step: stepId, message: result.message });
        return { state: JobState.FAILED, finishedAt: new Date(), leaseOwner: null, leaseUntil: null, errorAttempts: job.errorAttempts };
      });
      return false;
    }

    // done
    const last = job.stepIndex === count - 1;
    const results = { ...job.checkpoint, [stepId]: result.data ?? true };
    delete results._wait;
    const percent = Math.floor(((job.stepIndex + 1) / count) * 100);
    const ok = await this.commit(em, job, async (tem, emit, events) => {
      await tem.nativeUpdate(flow.entity, { id: subject.id } as never, { percent, waitReason: null, waitMessage: null, waitingSince: null } as never);
      emit({ ...base, type: EventType.STEP_SUCCEEDED, phase: subject.phase, percent, message: result.message ?? `${step.title}: done` });
      if (!last) return { stepIndex: job.stepIndex + 1, stepStarted: false, checkpoint: results, waitKey: null, runAt: new Date() };
      await flow.machine.apply(tem, flow.entity, subject.id, subject.phase, flow.donePhase, { currentStep: null, percent: 100 });
      emit({ ...base, stepId: null, stepIndex: count, type: EventType.PHASE_CHANGED, phase: flow.donePhase, percent: 100, message: `${flow.machine.name} ${subject.name} is ${flow.donePhase}` });
      subject.phase = flow.donePhase;
      await flow.onDone?.({ em: tem, subject, events, results });
      return { state: JobState.DONE, checkpoint: results, finishedAt: new Date(), leaseOwner: null, leaseUntil: null };
    });
    if (!ok || last) return false;
    job.stepIndex++;
    job.stepStarted = false;
    job.checkpoint = results;
    job.waitKey = null;
    return true;
  }

  /** One outcome transaction: job fields (lease-guarded) + subject columns + events, published after commit. */
  private async commit(
    em: Em,
    job: ClaimedJob,
    fn: (tem: Em, emit: (e: Parameters<import('../events/event.log.js').EventBatch['emit']>[0]) => void, events: import('../events/event.log.js').EventBatch) => Promise<Record<string, unknown>>,
  ): Promise<boolean> {
    try {
      return await this.events.commit(em, async (tem, events) => {
        const fields = await fn(tem, (e) => events.emit(e), events);
        if (!(await this.store.write(tem, job.id, this.owner, fields))) throw new LeaseLost();
        return true;
      });
    } catch (e) {
      if (e instanceof LeaseLost) {
        this.log.info('lost the lease of a job; another runner owns it now', { job: job.id });
        return false;
      }
      throw e;
    }
  }
}

class LeaseLost extends Error {}

