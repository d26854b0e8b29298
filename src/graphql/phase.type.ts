/**
 * One `Phase` enum for every phase field (AppDeployment, ComputePool, ProgressStatus,
 * DeploymentEvent). A client that selects `phase` on several Node types in one document (e.g.
 * `node(id:)` with fragments on AppDeployment and ComputePool) would otherwise be refused by
 * validation for "conflicting types" and have to alias every use. The per-subject enums
 * (`AppDeploymentPhase`, `ComputePoolPhase`) stay as the types of the filter arguments, which say
 * which values each subject takes.
 */
import { registerEnumType } from 'type-graphql';
import { PoolPhase } from '../compute/pool.model.js';
import { DeploymentPhase } from '../deployments/deployment.model.js';

export const Phase = { ...PoolPhase, ...DeploymentPhase } as const;
export type Phase = PoolPhase | DeploymentPhase;

/** What each phase value means to a caller; shared by `Phase`, `AppDeploymentPhase` and `ComputePoolPhase`. */
export const PHASE_DESCRIPTIONS: Record<Phase, { description: string }> = {
  PENDING: { description: 'Pool: admitted (machines and GPU quota reserved), waiting for the runner to start provisioning' },
  QUEUED: { description: 'Deployment: admitted (GPU quota reserved), waiting for the runner to start its first step' },
  PROVISIONING: { description: 'Pool: its Kubernetes cluster(s) are being built on the reserved machines. Deployment: its new dedicated pool is being provisioned' },
  REGISTERING: { description: 'Pool: its cluster(s) are being registered with the hub as spokes' },
  INSTALLING: { description: 'Pool: add-ons (Flux, GPU support) and the environment are being installed on its cluster(s)' },
  PLACING: { description: 'Deployment: choosing the cluster of the pool it will run on (placement decision)' },
  DEPLOYING: { description: 'Deployment: its Helm releases are being applied and rolled out on the chosen cluster' },
  RUNNING: { description: 'Ready: a pool accepts deployments; a deployment serves its access URLs' },
  FAILED: { description: 'A step failed; `status.failure` says which and why. Reservations are released; a deployment can be retried from the failed step' },
  DELETING: { description: 'Being removed from the hub; machines and quota are released when done' },
  DELETED: { description: 'Removed from the hub; the record and its events stay for audit' },
};

registerEnumType(Phase, {
  name: 'Phase',
  valuesConfig: PHASE_DESCRIPTIONS,
  description: 'Phase of an app deployment (QUEUED PROVISIONING PLACING DEPLOYING RUNNING FAILED DELETING DELETED) or a compute pool (PENDING PROVISIONING REGISTERING INSTALLING RUNNING FAILED DELETING DELETED)',
});
