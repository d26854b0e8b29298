import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FailureReason, WaitReason } from '../workflow/flow.js';
import { Phase } from './phase.type.js';
import type { TrackedEntity } from '../workflow/tracked.entity.js';

registerEnumType(WaitReason, {
  name: 'WaitReason',
  description: 'Why a pool or deployment is not done yet',
  valuesConfig: {
    QUEUED: { description: 'Waiting for the workflow runner to pick up the job' },
    WAITING_FOR_CLUSTER: { description: 'Waiting for the Cluster API cluster of the pool to finish provisioning' },
    WAITING_FOR_KUBECONFIG: { description: 'Waiting for the kubeconfig Secret of a provisioned cluster' },
    WAITING_FOR_REGISTRATION: { description: 'Waiting for a cluster to join the hub as a spoke and become available' },
    WAITING_FOR_ADDONS: { description: 'Waiting for add-ons (Flux, GPU support) to become available on a cluster' },
    WAITING_FOR_ENVIRONMENT: { description: "Waiting for the pool's cluster set and its binding in the project namespace" },
    WAITING_FOR_POOL: { description: 'Waiting for the compute pool the deployment runs on to become RUNNING' },
    WAITING_FOR_PLACEMENT: { description: 'Waiting for the hub to decide which cluster of the pool runs the app' },
    WAITING_FOR_ROLLOUT: { description: 'Waiting for the applied app to become available (Helm releases Ready)' },
    WAITING_FOR_ADDRESS: {
      description:
        "The app's releases are Ready; waiting for the address of an exposed component: the load-balancer address (pool exposure LOAD_BALANCER), or the node port and the cluster's control-plane endpoint (NODE_PORT). Ends in EXPOSURE_TIMEOUT at the rollout deadline",
    },
    WAITING_FOR_DELETION: { description: 'Waiting for hub objects being deleted to be gone' },
    HUB_UNREACHABLE: { description: 'The hub does not answer; the step is retried with backoff and does not fail because of this' },
    HUB_NAME_CONFLICT: { description: 'A hub object with a name the flow needs exists and is not ours; left untouched until someone removes it' },
    RETRYING_AFTER_ERROR: { description: 'A transient error occurred; the step is retried with backoff' },
  },
});
registerEnumType(FailureReason, {
  name: 'FailureReason',
  description: 'Why a step of a pool or deployment failed',
  valuesConfig: {
    CLUSTER_FAILED: { description: 'A Cluster API cluster of the pool failed to provision' },
    REGISTRATION_DENIED: { description: 'The hub refused to register a cluster of the pool' },
    PROVISION_DEADLINE_EXCEEDED: {
      description:
        "The pool's clusters were not provisioned, registered and given their add-ons within the provisioning deadline (POOL_PROVISION_DEADLINE_SECONDS, counted from when the clusters were requested); the message names what it was still waiting for",
    },
    POOL_FAILED: { description: "The deployment's compute pool failed" },
    POOL_GONE: { description: "The deployment's compute pool is being deleted or is gone" },
    RENDERED_TOO_LARGE: { description: 'The rendered hub objects of the app are too large for the hub to store' },
    RELEASE_FAILED: { description: 'A Helm release of the app failed to install' },
    ROLLOUT_TIMEOUT: { description: 'The rollout deadline passed before the app was applied and every Helm release was Ready; the message names what was pending. retryAppDeployment starts a new deadline' },
    EXPOSURE_TIMEOUT: {
      description:
        "The rollout deadline passed while an exposed component had no address, e.g. a LOAD_BALANCER pool on a spoke without a load-balancer implementation; the message names what was missing. Use a NODE_PORT or INGRESS pool there; retryAppDeployment starts a new deadline",
    },
    HUB_REJECTED: { description: 'The hub refused a write (a 4xx answer); the message says why' },
    HUB_UNREACHABLE: { description: 'The step failed because the hub could not be reached' },
    HUB_ERROR: { description: 'The hub answered with an error the step could not get past' },
    INTERNAL_ERROR: { description: 'A fault of the gateway that did not pass after retries' },
    UNKNOWN_STEP: { description: 'The job names a step its flow no longer has (a release renamed or removed it)' },
    BOOKKEEPING_FAILED: { description: 'The outcome of a step could not be recorded, several times in a row' },
  },
});

@ObjectType('WaitingOn', { description: 'What a pool or deployment is waiting for right now' })
export class WaitingOn {
  @Field(() => WaitReason, { description: 'Machine-readable reason' })
  reason!: WaitReason;

  @Field(() => String, { description: 'The reason in words, with details (e.g. which cluster, how many replicas are ready)' })
  message!: string;

  @Field(() => Date, { description: 'When the wait for this reason began' })
  since!: Date;
}

@ObjectType('Failure', { description: 'Why a pool or deployment is FAILED' })
export class Failure {
  @Field(() => FailureReason, { description: 'Machine-readable cause' })
  reason!: FailureReason;

  @Field(() => String, { description: 'The step that failed; retry resumes here' })
  step!: string;

  @Field(() => String, { description: 'What went wrong, in words meant for a person' })
  message!: string;
}

@ObjectType('ProgressStatus', { description: 'Where a pool or deployment is, and why it waits' })
export class ProgressStatus {
  @Field(() => Phase, { description: "The subject's phase" })
  phase!: Phase;

  @Field(() => Int, { description: 'Overall progress of the flow, in percent (0-100)' })
  percent!: number;

  @Field(() => String, { nullable: true, description: 'Id of the step running now (as in DeploymentEvent.step); null when no step runs' })
  currentStep!: string | null;

  @Field(() => Int, { nullable: true, description: '0-based index of the current step; null when no flow runs' })
  stepIndex!: number | null;

  @Field(() => Int, { nullable: true, description: 'Number of steps of the running flow; null when no flow runs' })
  stepCount!: number | null;

  @Field(() => WaitingOn, { nullable: true, description: 'Why it is not done yet; null when not waiting' })
  waitingOn!: WaitingOn | null;

  @Field(() => Failure, { nullable: true, description: 'Why it failed; set only in phase FAILED' })
  failure!: Failure | null;

  static of(s: TrackedEntity): ProgressStatus {
    const st = new ProgressStatus();
    st.phase = s.phase as Phase;
    st.percent = s.percent;
    st.currentStep = s.currentStep;
    st.stepIndex = s.stepIndex;
    st.stepCount = s.stepCount;
    st.waitingOn =
      s.waitReason && s.waitingSince
        ? Object.assign(new WaitingOn(), { reason: s.waitReason as WaitReason, message: s.waitMessage ?? '', since: s.waitingSince })
        : null;
    st.failure = s.failureReason ? Object.assign(new Failure(), { reason: s.failureReason as FailureReason, step: s.failureStep ?? '', message: s.failureMessage ?? '' }) : null;
    return st;
  }
}
