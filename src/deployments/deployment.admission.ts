/**
 * The capacity side of admission, inside the caller's transaction: GPUs of a pool cluster allocated
 * to a deployment with guarded UPDATEs (`allocated + n <= capacity`), and given back exactly once.
 */
import type { Em } from '../db/orm.js';
import { all, knexOf, run } from '../db/sql.js';
import { DomainError, ErrorCode } from '../errors.js';
import { ClusterGpu, PoolCluster } from '../compute/pool.entity.js';
import type { GpuRequest } from './deployment.model.js';

async function bump(em: Em, clusterId: string, family: string, n: number): Promise<boolean> {
  const k = knexOf(em);
  const q = k('cluster_gpu').where({ cluster_id: clusterId, gpu_family: family });
  return (await run(em, n >= 0 ? q.andWhereRaw('allocated + ? <= capacity', [n]).update({ allocated: k.raw('allocated + ?', [n]) }) : q.andWhere('allocated', '>=', -n).update({ allocated: k.raw('allocated - ?', [-n]) }))) === 1;
}

/** Allocates every request on one cluster, or nothing: on a refusal the earlier bumps are undone. */
async function allocateOn(em: Em, clusterId: string, requests: GpuRequest[]): Promise<boolean> {
  const done: GpuRequest[] = [];
  for (const r of requests) {
    if (!(await bump(em, clusterId, r.gpuFamily, r.count))) {
      for (const d of done) await bump(em, clusterId, d.gpuFamily, -d.count);
      return false;
    }
    done.push(r);
  }
  return true;
}

/** The refusal when no cluster of the pool can take the request (admission and dry run say the same). */
export function noCapacityError(poolName: string, requests: GpuRequest[], field: string[]): DomainError {
  const want = requests.map((g) => `${g.count} ${g.gpuFamily}`).join(', ');
  return new DomainError(ErrorCode.INSUFFICIENT_CAPACITY, `no cluster of compute pool ${poolName} has ${want} GPUs free`, field);
}

/** The refusal when the project already has a live deployment of that name. */
export function nameTakenError(name: string, projectName: string): DomainError {
  return new DomainError(ErrorCode.ALREADY_EXISTS, `app deployment ${name} already exists in project ${projectName}`, ['name']);
}

/** The refusal when a dedicated pool already serves another deployment. */
export function poolServingError(poolName: string): DomainError {
  return new DomainError(ErrorCode.IN_USE, `dedicated compute pool ${poolName} already serves an app deployment`, ['poolId']);
}

export interface ClusterFree {
  cluster: PoolCluster;
  free: Record<string, number>;
}

export async function clusterFreeGpus(em: Em, poolId: string): Promise<ClusterFree[]> {
  const clusters = await em.find(PoolCluster, { pool: poolId }, { orderBy: { index: 'asc' } });
  const gpus = await em.find(ClusterGpu, { poolId });
  return clusters.map((cluster) => ({
    cluster,
    free: Object.fromEntries(gpus.filter((g) => g.clusterId === cluster.id).map((g) => [g.gpuFamily, g.capacity - g.allocated])),
  }));
}

/**
 * The clusters that could take `requests` now, best fit first (least GPUs left over), so big holes
 * stay for big requests; `preferred` (e.g. the cluster of a retried deployment) goes first.
 */
export function rankClusters(frees: ClusterFree[], requests: GpuRequest[], preferred: string | null = null): ClusterFree[] {
  const fits = frees.filter((f) => requests.every((r) => (f.free[r.gpuFamily] ?? 0) >= r.count));
  const leftover = (f: ClusterFree) => requests.reduce((n, r) => n + (f.free[r.gpuFamily] ?? 0) - r.count, 0);
  return fits.sort((a, b) => (a.cluster.name === preferred ? -1 : b.cluster.name === preferred ? 1 : leftover(a) - leftover(b) || a.cluster.index - b.cluster.index));
}

/** Allocates on the best cluster that still has room; null when none has (a concurrent admission may have taken it). */
export async function allocateGpus(em: Em, poolId: string, requests: GpuRequest[], preferred: string | null = null): Promise<PoolCluster | null> {
  for (const f of rankClusters(await clusterFreeGpus(em, poolId), requests, preferred)) {
    if (await allocateOn(em, f.cluster.id, requests)) return f.cluster;
  }
  return null;
}

/** Gives a deployment's allocation back, once: only the call that clears holdsAllocation decrements. */
export async function releaseAllocation(em: Em, deploymentId: string): Promise<void> {
  const k = knexOf(em);
  const cleared = await run(em, k('app_deployment').where({ id: deploymentId, holds_allocation: true }).update({ holds_allocation: false }));
  if (cleared !== 1) return;
  const [row] = await all<{ cluster: string; pool_id: string; gpu_requests: unknown }>(em, k('app_deployment').select('cluster', 'pool_id', 'gpu_requests').where({ id: deploymentId }));
  // cluster names are reused once a pool is deleted: the deployment's pool disambiguates
  const [cluster] = await all<{ id: string }>(em, k('pool_cluster').select('id').where({ pool_id: row.pool_id, name: row.cluster }));
  if (!cluster) return;
  const requests = (typeof row.gpu_requests === 'string' ? JSON.parse(row.gpu_requests) : row.gpu_requests) as GpuRequest[];
  for (const r of requests) await bump(em, cluster.id, r.gpuFamily, -r.count);
}
