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

registerEnumType(Phase, {
  name: 'Phase',
  description: 'Phase of an app deployment (QUEUED PROVISIONING PLACING DEPLOYING RUNNING FAILED DELETING DELETED) or a compute pool (PENDING PROVISIONING REGISTERING INSTALLING RUNNING FAILED DELETING DELETED)',
});
