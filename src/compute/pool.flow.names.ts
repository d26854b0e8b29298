/** Flow names, stored on job rows: renaming one strands the jobs of a running gateway. */
export const POOL_PROVISION_FLOW = 'compute-pool.provision';
export const POOL_DELETE_FLOW = 'compute-pool.delete';
export const POOL_SCALE_FLOW = 'compute-pool.scale';
