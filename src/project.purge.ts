/**
 * Deleting a project removes what its pools and deployments left for audit. Only called once the
 * project has no live pool or deployment (the dependents checks refuse otherwise), so every row
 * removed here is history: DELETED subjects, their events, jobs and counters. Its (released) GPU
 * reservations stay: they are the tenant's GPU-hour record (gpuUsage), which must not shrink when a
 * project goes; the audit trail stays too (src/audit).
 */
import type { Em } from './db/orm.js';
import { knexOf, run } from './db/sql.js';

export async function purgeProjectHistory(em: Em, projectId: string): Promise<void> {
  const k = knexOf(em);
  const deployments = k('app_deployment').select('id').where({ project_id: projectId });
  const pools = k('compute_pool').select('id').where({ project_id: projectId });
  await run(em, k('app_deployment_bundle').whereIn('deployment_id', deployments.clone()).delete());
  await run(em, k('event_sequence').whereIn('scope_id', deployments.clone()).delete());
  await run(em, k('event_sequence').whereIn('scope_id', pools.clone()).delete());
  await run(em, k('event_sequence').where({ scope_id: projectId }).delete());
  await run(em, k('app_deployment').where({ project_id: projectId }).delete());
  await run(em, k('cluster_gpu').whereIn('pool_id', pools.clone()).delete());
  await run(em, k('pool_cluster').whereIn('pool_id', pools.clone()).delete());
  await run(em, k('compute_pool').where({ project_id: projectId }).delete());
  await run(em, k('deployment_event').where({ project_id: projectId }).delete());
  await run(em, k('workflow_job').where({ project_id: projectId }).delete());
}
