/** Flow and step ids, stored on job rows: renaming one strands the jobs of a running gateway. */
export const DEPLOY_FLOW = 'app-deployment.deploy';
export const UNDEPLOY_FLOW = 'app-deployment.delete';
export const DEPLOY_STEPS = ['provision-pool', 'place', 'apply-work', 'rollout'] as const;
