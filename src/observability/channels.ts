/**
 * Where the lower layers (hub adapter, transactions, workflow runner, event streams) report what they
 * did, without depending on metrics or tracing: Node's diagnostics_channel, which costs a property
 * read when nobody listens. Every message names its `source` (the adapter, runner, entity manager
 * configuration or bus of one app), so several apps in one process (tests) count only their own.
 */
import diagnostics from 'node:diagnostics_channel';

export interface HubCallMessage {
  source: object;
  verb: string;
  kind: string;
  namespace: string | undefined;
  /** 'ok', the HTTP status of a refusal, or 'error' (no answer: socket, timeout) */
  status: string;
  seconds: number;
}

export interface TransactionRetryMessage {
  /** the ORM configuration of the entity manager (one per app) */
  source: object;
  code: string;
}

export interface StepMessage {
  source: object;
  flow: string;
  step: string;
  /** done | wait | fail | error (a transient error, retried after a backoff) */
  outcome: string;
  seconds: number;
}

export interface RunnerEventMessage {
  source: object;
  flow: string;
  /** takeover: a step in flight claimed from a runner whose lease expired; lease_lost: ours was taken */
  event: 'takeover' | 'lease_lost';
}

export interface AdmissionBatchMessage {
  /** the ORM configuration of the entity manager the batch ran on (one per app) */
  source: object;
  /** committed: its members have their answers; rolled_back: every member is admitted the single way */
  outcome: 'committed' | 'rolled_back';
  members: number;
}

export interface StreamMessage {
  /** the event bus the stream reads */
  source: object;
  event: 'delivered' | 'lagging';
  /** how many events (default 1): the direct delivery loop reports its deliveries together */
  count?: number;
}

/** One run of a workflow step, as the runner describes it to whoever wraps it (tracing). */
export interface StepRun {
  flow: string;
  step: string;
  subjectId: string;
  subjectName: string;
  /** claims of the job so far */
  attempt: number;
  /** W3C traceparent of the span that created the job (its mutation), null when none was traced */
  traceparent: string | null;
}

/**
 * Wraps every run of a step with the recording of its outcome: tracing opens the step's span there,
 * in the trace of the job's mutation. `fn` answers the outcome (done | wait | fail | error) and the
 * error the step threw, if it did (a transient one becomes a wait). Nothing is wrapped unless an
 * app sets one.
 */
export type StepScope = <R extends { kind: string; error?: unknown }>(run: StepRun, fn: () => Promise<R>) => Promise<R>;
export const unscopedStep: StepScope = (_run, fn) => fn();

export const hubCalls = diagnostics.channel('spokegraph.hub.call');
export const transactionRetries = diagnostics.channel('spokegraph.db.transaction-retry');
export const workflowSteps = diagnostics.channel('spokegraph.workflow.step');
export const runnerEvents = diagnostics.channel('spokegraph.workflow.runner');
export const streamEvents = diagnostics.channel('spokegraph.events.stream');
export const admissionBatches = diagnostics.channel('spokegraph.deployments.admission-batch');

/** Publishes only when someone listens (the message is not even built otherwise). */
export function publish<T>(channel: diagnostics.Channel, message: () => T): void {
  if (channel.hasSubscribers) channel.publish(message());
}
