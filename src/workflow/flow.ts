/**
 * The vocabulary of durable workflows: a flow is an ordered list of small idempotent steps over one
 * subject (a compute pool or an app deployment). A step looks at the world, maybe writes to the hub,
 * and answers done, wait (with a typed reason and when to look again) or fail. The runner persists
 * every answer, so a crash at any point resumes at the same step with its checkpoint.
 */
import type { HubAdapter } from '../kube/index.js';
import type { Em } from '../db/orm.js';
import type { SubjectKind } from '../events/event.entity.js';
import type { EventBatch } from '../events/event.log.js';
import type { Logger } from '../logger.js';
import type { PhaseMachine } from './phase.machine.js';
import type { TrackedEntity } from './tracked.entity.js';

/** Why a subject is not done yet (design §3: "why is it not running yet?"). */
export enum WaitReason {
  QUEUED = 'QUEUED',
  WAITING_FOR_CLUSTER = 'WAITING_FOR_CLUSTER',
  WAITING_FOR_KUBECONFIG = 'WAITING_FOR_KUBECONFIG',
  WAITING_FOR_REGISTRATION = 'WAITING_FOR_REGISTRATION',
  WAITING_FOR_ADDONS = 'WAITING_FOR_ADDONS',
  WAITING_FOR_ENVIRONMENT = 'WAITING_FOR_ENVIRONMENT',
  WAITING_FOR_POOL = 'WAITING_FOR_POOL',
  WAITING_FOR_PLACEMENT = 'WAITING_FOR_PLACEMENT',
  WAITING_FOR_ROLLOUT = 'WAITING_FOR_ROLLOUT',
  /** the app runs; an exposed component's address (load-balancer address, node port or node host) is not known yet */
  WAITING_FOR_ADDRESS = 'WAITING_FOR_ADDRESS',
  WAITING_FOR_DELETION = 'WAITING_FOR_DELETION',
  HUB_UNREACHABLE = 'HUB_UNREACHABLE',
  /** an object of a name the flow needs exists on the hub and is not ours: left untouched until someone removes it */
  HUB_NAME_CONFLICT = 'HUB_NAME_CONFLICT',
  RETRYING_AFTER_ERROR = 'RETRYING_AFTER_ERROR',
}

/** Why a step failed, for machines (`Failure.message` says it for people). */
export enum FailureReason {
  /** a Cluster API Cluster of the pool failed to provision */
  CLUSTER_FAILED = 'CLUSTER_FAILED',
  /** the hub refused to register a pool cluster */
  REGISTRATION_DENIED = 'REGISTRATION_DENIED',
  /** the pool's clusters were not provisioned, registered and given their add-ons within the provisioning deadline */
  PROVISION_DEADLINE_EXCEEDED = 'PROVISION_DEADLINE_EXCEEDED',
  /** the deployment's compute pool failed */
  POOL_FAILED = 'POOL_FAILED',
  /** the deployment's compute pool is being deleted or gone */
  POOL_GONE = 'POOL_GONE',
  /** the rendered ManifestWork is too large for the hub */
  RENDERED_TOO_LARGE = 'RENDERED_TOO_LARGE',
  /** a Helm release of the app failed to install */
  RELEASE_FAILED = 'RELEASE_FAILED',
  /** the rollout deadline passed before the work was applied and every release was Ready */
  ROLLOUT_TIMEOUT = 'ROLLOUT_TIMEOUT',
  /** the rollout deadline passed while an exposed component had no address (e.g. a spoke without a load balancer) */
  EXPOSURE_TIMEOUT = 'EXPOSURE_TIMEOUT',
  /** the hub refused a write (a 4xx answer) */
  HUB_REJECTED = 'HUB_REJECTED',
  HUB_UNREACHABLE = 'HUB_UNREACHABLE',
  HUB_ERROR = 'HUB_ERROR',
  /** a fault of the gateway that did not pass after retries */
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  /** the job names a step its flow no longer has (a release renamed or removed it) */
  UNKNOWN_STEP = 'UNKNOWN_STEP',
  /** the outcome of a step could not be recorded, several times in a row */
  BOOKKEEPING_FAILED = 'BOOKKEEPING_FAILED',
}

export type StepResult =
  | { kind: 'done'; data?: unknown; message?: string }
  | { kind: 'wait'; reason: WaitReason; message: string; retryAfterMs?: number; progress?: number; data?: unknown }
  | { kind: 'fail'; reason: FailureReason; message: string };

export const done = (data?: unknown, message?: string): StepResult => ({ kind: 'done', data, message });
/** `progress` is the fraction of this step done, 0..1. */
export const wait = (reason: WaitReason, message: string, opts: { retryAfterMs?: number; progress?: number; data?: unknown } = {}): StepResult => ({
  kind: 'wait',
  reason,
  message,
  ...opts,
});
export const fail = (reason: FailureReason, message: string): StepResult => ({ kind: 'fail', reason, message });

/**
 * What the runner reads and keeps of a flow's subject: the entity itself, or the narrower plain row
 * a flow's `readSubject` returns (its steps are then typed against that row, so a step cannot read
 * a column the row does not carry).
 */
export interface FlowSubject {
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  phase: string;
  percent: number;
}

export interface StepContext<S extends FlowSubject> {
  subject: S;
  /** A fresh EntityManager for this attempt (reads; writes must be idempotent). */
  em: Em;
  hub: HubAdapter;
  /** What this step saved on earlier attempts (wait data), if anything. */
  checkpoint: unknown;
  /** Results of completed steps, by step id. */
  results: Record<string, unknown>;
  attempt: number;
  log: Logger;
  /** Aborted when the runner loses the job's lease: stop and don't write further. */
  signal: AbortSignal;
  /**
   * `load()` once per claim of the job, under `key`: for rows a step reads that do not change while
   * a claim runs several steps back to back (milliseconds apart), e.g. the project and the bundle
   * versions a deployment renders. The next claim loads them afresh; a failed load is not kept.
   */
  once<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export interface StepDefinition<S extends FlowSubject> {
  id: string;
  title: string;
  /** The subject's phase while this step runs (a function when it depends on the subject). */
  phase: string | ((subject: S) => string);
  run(ctx: StepContext<S>): Promise<StepResult>;
}

export interface OutcomeContext<S extends FlowSubject> {
  em: Em;
  subject: S;
  events: EventBatch;
  results: Record<string, unknown>;
}

export interface FlowDefinition<S extends FlowSubject = FlowSubject> {
  name: string;
  subjectKind: SubjectKind;
  /** the subject's table: read with findOne unless `readSubject` is given, written by the runner */
  entity: new () => TrackedEntity & S;
  machine: PhaseMachine;
  steps: StepDefinition<S>[];
  /** Phase entered when the last step is done. */
  donePhase: string;
  /**
   * The subject row is read once per claim, not before every step of it. For flows whose steps
   * neither change the subject entity nor read its progress columns: the runner keeps its phase and
   * percent itself, and whoever else moves the subject (a delete) cancels the job in the same
   * transaction, so the claim's next lease-guarded outcome fails and the claim ends.
   */
  subjectPerClaim?: boolean;
  /**
   * Reads the subject as a plain row, instead of `findOne` (for flows whose steps and hooks only
   * read some of its columns: no hydration, identity map or snapshot). Null when the row is gone.
   */
  readSubject?(em: Em, id: string): Promise<S | null>;
  /** Added to the details of every event the runner records for this flow (e.g. the revision an upgrade rolls out). */
  eventDetails?(subject: S): Record<string, unknown>;
  /** Phase entered when a step fails (default FAILED; an upgrade goes back to RUNNING: the previous revision serves). */
  failedPhase?: string;
  /** In the completing transaction (e.g. mark machines IN_USE, release everything on delete). */
  onDone?(ctx: OutcomeContext<S>): Promise<void>;
  /**
   * onDone runs only plain statements (db/sql.ts `runBound`/`allBound`) on its EntityManager: the
   * completing transaction may then run on the driver's connection (db/driver.sql.ts) like the
   * runner's other outcomes. Without it, onDone gets an ORM transaction.
   */
  onDonePlain?: boolean;
  /** In the failing transaction (e.g. release machines and quota). */
  onFail?(ctx: OutcomeContext<S>, failure: { reason: FailureReason; step: string; message: string }): Promise<void>;
}
