/**
 * Retrying a deployment whose own dedicated pool FAILED. Cluster API keeps a failed Cluster failed
 * (only a delete gets it out), so the pool cannot resume: the retry tears the failed pool down and
 * admits a new one from the deployment's recorded target, in the retry's transaction, and the flow
 * starts again at provision-pool. Refusals (quota, machines, names) roll the whole retry back.
 */
import { MachineRace } from '../compute/pool.admission.js';
import type { ComputePool } from '../compute/pool.entity.js';
import { PoolMode } from '../compute/pool.model.js';
import type { PoolService } from '../compute/pool.service.js';
import type { Ctx } from '../context.js';
import { Loaders } from '../db/loaders.js';
import type { Em } from '../db/orm.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { EventBatch } from '../events/event.log.js';
import { allocateGpus, noCapacityError } from './deployment.admission.js';
import { AppDeployment } from './deployment.entity.js';

const MAX_NAME = 33;

/** `<name>-r<attempt>`, within the name length rule; an earlier retry's suffix is replaced, not stacked. */
export function retryPoolName(failedName: string, attempt: number): string {
  const suffix = `-r${attempt}`;
  const stem = failedName.replace(/-r\d+$/, '').slice(0, MAX_NAME - suffix.length).replace(/-+$/, '');
  return `${stem}${suffix}`;
}

/** Refusals of the new pool's admission point at the retry's only input. */
function asRetryRefusal(e: unknown): unknown {
  if (e instanceof MachineRace) return new DomainError(ErrorCode.CONFLICT, 'machines were taken concurrently; try again', ['id']);
  if (e instanceof DomainError) return new DomainError(e.code, `a new dedicated pool for the retry was refused: ${e.message}`, ['id'], e.details);
  return e;
}

/**
 * Inside the retry's transaction: starts deleting `failed`, admits its replacement for `d` and gives
 * it the deployment's GPUs. Returns the new pool and the cluster the deployment will use.
 */
export async function replaceFailedPool(
  ctx: Ctx,
  em: Em,
  events: EventBatch,
  pools: PoolService,
  d: AppDeployment,
  failed: ComputePool,
): Promise<{ pool: ComputePool; cluster: string }> {
  const target = d.spec.target;
  if (target.kind !== 'NEW_DEDICATED_POOL') throw new Error('only a deployment that brought its own pool gets a new one');
  const attempt = d.retries + 1;
  await pools.startDeletion(em, events, failed, `replaced by a new pool for retry ${attempt} of app deployment ${d.name}`);
  let pool: ComputePool;
  // the admission reads (bundle, project) through the retry's transaction: on SQLite, its one
  // connection is held by it, and a read through the request's EntityManager would wait for ever
  const txCtx: Ctx = { ...ctx, em, loaders: new Loaders() };
  try {
    pool = await pools.create(
      txCtx,
      {
        projectId: d.project.id,
        name: retryPoolName(failed.name, attempt),
        description: target.description ?? `Dedicated pool of app deployment ${d.name} (retry ${attempt})`,
        mode: PoolMode.DEDICATED,
        clusterCount: 1,
        infrastructureBundleId: target.infrastructureBundleId,
        nodeRequirements: target.nodeRequirements,
      },
      { em, events, ownerDeploymentId: d.id },
    );
  } catch (e) {
    throw asRetryRefusal(e);
  }
  // made in this transaction, so nobody else can have claimed it (the retry's flush writes this)
  pool.servingDeploymentId = d.id;
  const cluster = await allocateGpus(em, pool.id, d.gpuRequests);
  if (!cluster) throw asRetryRefusal(noCapacityError(pool.name, d.gpuRequests, ['id']));
  return { pool, cluster: cluster.name };
}
