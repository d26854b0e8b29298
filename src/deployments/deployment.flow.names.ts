/** Flow and step ids, stored on job rows: renaming one strands the jobs of a running gateway. */
import { DeploymentPhase } from './deployment.model.js';
import type { DeploymentTarget } from './deployment.model.js';

export const DEPLOY_FLOW = 'app-deployment.deploy';
export const UNDEPLOY_FLOW = 'app-deployment.delete';
/** Rolls a new revision out in place (deployment.update.flow.ts). */
export const UPGRADE_FLOW = 'app-deployment.upgrade';
export const UPGRADE_STEPS = ['apply-work', 'rollout'] as const;
export const DEPLOY_STEPS = ['provision-pool', 'place', 'apply-work', 'rollout'] as const;
export type DeployStep = (typeof DEPLOY_STEPS)[number];

export const isDeployStep = (id: string | null | undefined): id is DeployStep => (DEPLOY_STEPS as readonly string[]).includes(id ?? '');

/**
 * The phase of a deployment while a deploy step runs: the flow enters it when the step starts, and a
 * retry moves a FAILED deployment straight into the phase of the step it resumes at. Only a deployment
 * that brings its own dedicated pool is ever PROVISIONING.
 */
export function deployStepPhase(step: DeployStep, target: DeploymentTarget['kind']): DeploymentPhase {
  switch (step) {
    case 'provision-pool':
      return target === 'NEW_DEDICATED_POOL' ? DeploymentPhase.PROVISIONING : DeploymentPhase.QUEUED;
    case 'place':
      return DeploymentPhase.PLACING;
    default:
      return DeploymentPhase.DEPLOYING;
  }
}
