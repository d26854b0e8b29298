/**
 * The capacity side of admission, inside the caller's transaction: GPUs of a pool cluster allocated
 * to a deployment with guarded UPDATEs (`allocated + n <= capacity`), and given back exactly once.
 *
 * Where each admission decision lives (one place each; deployApp, its dry run, retry and update all
 * use these):
 *   access, input rules, bundles, variables, GPU request  deployment.prepare.ts (+ deployment.plan.ts)
 *   pool RUNNING under its row lock                       lockRunningPool (here)
 *   which cluster: the order                              rankClusters (here; the claim only follows it)
 *   which cluster: the guard                              bump (here) / the claim's capacity guard
 *   quota, per level                                      GUARDED_QUOTA_RAISE, quotaRefusal (quota.ledger.ts)
 *   GPU-hour budget                                       quota.budget.ts (under the budget row lock)
 *   event numbering                                       event.log.ts (BUMP_ON_CONFLICT)
 *   all of the hot ones at once on PostgreSQL             deployment.claim.ts (composes the above)
 *   many admissions of one project at once (PostgreSQL,   deployment.batch.ts: splits the locked rows
 *     existing SHARED pool: the common case)                among its members in arrival order with
 *                                                           the checks above (rankClusters, the quota
 *                                                           levels' order), then writes the sums through
 *                                                           GUARDED_QUOTA_RAISE and the capacity guard
 */
import { PoolMode, PoolPhase } from '../compute/pool.model.js';
import type { Em } from '../db/orm.js';
import { all, isPostgres, knexOf, run } from '../db/sql.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { GpuRequest } from './deployment.model.js';

/**
 * Inside an admission or a retry onto an existing pool: the pool must be RUNNING, read under a row
 * lock that a concurrent delete (which takes the row first, then counts the pool's deployments) must
 * wait for — so either the delete sees this deployment and refuses, or this admission sees DELETING
 * and refuses. PostgreSQL: FOR SHARE on a SHARED pool (admissions onto it don't wait for each other),
 * FOR UPDATE on a DEDICATED one (its admission claims the row anyway; two share locks that both want
 * to upgrade would deadlock). SQLite serialises writers, so the read inside the transaction suffices.
 */
export async function lockRunningPool(em: Em, pool: { id: string; name: string; mode: PoolMode }, field: string[]): Promise<void> {
  const q = knexOf(em)('compute_pool').select('phase').where('id', pool.id);
  if (isPostgres(em)) {
    if (pool.mode === PoolMode.SHARED) q.forShare();
    else q.forUpdate();
  }
  const [row] = await all<{ phase: string }>(em, q);
  if (row?.phase !== PoolPhase.RUNNING) throw notRunningError(pool.name, row?.phase, field);
}

/** The refusal when the pool is not RUNNING under its row lock (`phase` undefined: the row is gone). */
export function notRunningError(poolName: string, phase: string | undefined, field: string[]): DomainError {
  return new DomainError(ErrorCode.ILLEGAL_STATE, `compute pool ${poolName} is ${phase ?? 'DELETED'}; deployments need a RUNNING pool`, field);
}

/** A guarded change of a cluster's allocated GPUs: never above capacity, never below zero (plain SQL: a hot row). */
async function bump(em: Em, clusterId: string, family: string, n: number): Promise<boolean> {
  const affected = await run(
    em,
    n >= 0
      ? 'update cluster_gpu set allocated = allocated + ? where cluster_id = ? and gpu_family = ? and allocated + ? <= capacity'
      : 'update cluster_gpu set allocated = allocated - ? where cluster_id = ? and gpu_family = ? and allocated >= ?',
    [Math.abs(n), clusterId, family, Math.abs(n)],
  );
  return affected === 1;
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

/** What ranking and allocation need of a pool cluster. */
export interface ClusterRef {
  id: string;
  name: string;
  index: number;
}

export interface ClusterFree {
  cluster: ClusterRef;
  free: Record<string, number>;
}

/**
 * Free GPUs per family of each cluster of a pool, in one statement (a plain read: the guarded
 * UPDATE in allocateOn is what decides, so a concurrent admission can only make a choice fail, never
 * oversubscribe). Clusters without GPUs are listed with no families.
 */
export async function clusterFreeGpus(em: Em, poolId: string): Promise<ClusterFree[]> {
  const k = knexOf(em);
  const rows = await all<{ id: string; name: string; index: number; gpu_family: string | null; free: number | null }>(
    em,
    k('pool_cluster as c')
      .leftJoin('cluster_gpu as g', 'g.cluster_id', 'c.id')
      .select('c.id', 'c.name', 'c.index', 'g.gpu_family', k.raw('g.capacity - g.allocated as free'))
      .where('c.pool_id', poolId)
      .orderBy('c.index'),
  );
  const byId = new Map<string, ClusterFree>();
  for (const r of rows) {
    let f = byId.get(r.id);
    if (!f) byId.set(r.id, (f = { cluster: { id: r.id, name: r.name, index: Number(r.index) }, free: {} }));
    if (r.gpu_family != null) f.free[r.gpu_family] = Number(r.free);
  }
  return [...byId.values()];
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

/**
 * Allocates on the first of the `ranked` clusters that still has room when its guarded UPDATE runs
 * (a concurrent admission may have taken it since they were read); null when none has.
 */
export async function allocateOnRanked(em: Em, ranked: ClusterFree[], requests: GpuRequest[]): Promise<ClusterRef | null> {
  for (const f of ranked) {
    if (await allocateOn(em, f.cluster.id, requests)) return f.cluster;
  }
  return null;
}

/** Allocates on the best cluster that still has room; null when none has (a concurrent admission may have taken it). */
export async function allocateGpus(em: Em, poolId: string, requests: GpuRequest[], preferred: string | null = null): Promise<ClusterRef | null> {
  return allocateOnRanked(em, rankClusters(await clusterFreeGpus(em, poolId), requests, preferred), requests);
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
