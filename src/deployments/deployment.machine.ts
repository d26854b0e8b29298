/** The one transition table of App Deployment phases (design §2). */
import { PhaseMachine } from '../workflow/phase.machine.js';
import { DeploymentPhase as P } from './deployment.model.js';

export const deploymentMachine = new PhaseMachine<P>('App deployment', {
  [P.QUEUED]: [P.PROVISIONING, P.PLACING, P.FAILED, P.DELETING],
  [P.PROVISIONING]: [P.PLACING, P.FAILED, P.DELETING],
  [P.PLACING]: [P.DEPLOYING, P.FAILED, P.DELETING],
  [P.DEPLOYING]: [P.RUNNING, P.FAILED, P.DELETING],
  // an upgrade (a new revision) rolls out in DEPLOYING and comes back to RUNNING, also when it fails
  [P.RUNNING]: [P.DEPLOYING, P.DELETING, P.FAILED],
  // retry resumes at the failed step, whose phase may be any of the working phases (provision-pool
  // is QUEUED for a deployment onto an existing pool)
  [P.FAILED]: [P.QUEUED, P.PROVISIONING, P.PLACING, P.DEPLOYING, P.DELETING],
  [P.DELETING]: [P.DELETED, P.FAILED],
  [P.DELETED]: [],
});
