/**
 * Reserving and releasing what a pool holds: machines (guarded UPDATE … WHERE state = 'AVAILABLE',
 * so two admissions can never take the same host) and, for DEDICATED pools, the GPUs of its machines
 * against the project and tenant quota. All of it inside the caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Em } from '../db/orm.js';
import { all, knexOf, run } from '../db/sql.js';
import { releaseGpus, reserveGpus, type QuotaScope } from '../tenancy/quota.ledger.js';
import { MachineState } from './machine.entity.js';
import { PoolMode } from './pool.model.js';
import { ClusterGpu, PoolCluster, type ComputePool } from './pool.entity.js';
import { gpusOf, type Candidate, type ClusterAssignment } from './pool.rules.js';
import { spokeClusterName } from '../kube/index.js';

/** Thrown when a concurrent admission took a chosen machine first: re-read and choose again. */
export class MachineRace extends Error {}

export async function availableMachines(em: Em, tenantId: string): Promise<Candidate[]> {
  const rows = await all<Record<string, unknown>>(
    em,
    knexOf(em)('machine')
      .select('id', 'host_id', 'architecture', 'cpu_count', 'memory_mi_b', 'gpu_family', 'gpu_count', 'control_plane_candidate', 'worker_candidate')
      .where({ tenant_id: tenantId, state: MachineState.AVAILABLE }),
  );
  return rows.map((r) => ({
    id: String(r.id),
    hostId: String(r.host_id),
    architecture: String(r.architecture),
    cpuCount: Number(r.cpu_count),
    memoryMiB: Number(r.memory_mi_b),
    gpuFamily: (r.gpu_family as string | null) ?? null,
    gpuCount: Number(r.gpu_count),
    controlPlaneCandidate: !!r.control_plane_candidate,
    workerCandidate: !!r.worker_candidate,
  }));
}

/** Marks the chosen machines RESERVED for the pool and creates its cluster rows. */
export async function reserveMachines(em: Em, pool: ComputePool, project: string, clusters: ClusterAssignment[]): Promise<PoolCluster[]> {
  const k = knexOf(em);
  const created: PoolCluster[] = [];
  for (const c of clusters) {
    const name = spokeClusterName(project, pool.name, pool.clusterCount > 1 ? c.index : undefined);
    const cluster = em.create(PoolCluster, { id: randomUUID(), pool, name, activeName: name, index: c.index, nodeCount: c.hosts.length });
    created.push(cluster);
    for (const role of new Set(c.hosts.map((h) => h.role))) {
      const ids = c.hosts.filter((h) => h.role === role).map((h) => h.machine.id);
      const n = await run(
        em,
        k('machine')
          .whereIn('id', ids)
          .andWhere('state', MachineState.AVAILABLE)
          .update({ state: MachineState.RESERVED, pool_id: pool.id, cluster_id: cluster.id, pool_role: role, version: k.raw('version + 1'), updated_at: new Date() }),
      );
      if (n !== ids.length) throw new MachineRace();
    }
    for (const [family, n] of Object.entries(gpusOf(c.hosts))) {
      em.create(ClusterGpu, { id: randomUUID(), poolId: pool.id, clusterId: cluster.id, gpuFamily: family, capacity: n });
    }
  }
  return created;
}

/** A DEDICATED pool holds every GPU of its machines for its project. */
export async function reservePoolGpus(em: Em, pool: ComputePool, scope: QuotaScope, clusters: ClusterAssignment[]): Promise<void> {
  if (pool.mode !== PoolMode.DEDICATED) return;
  const requests = clusters.flatMap((c) => Object.entries(gpusOf(c.hosts)).map(([gpuFamily, count]) => ({ gpuFamily, count })));
  await reserveGpus(em, scope, { kind: 'COMPUTE_POOL', id: pool.id, deploymentId: pool.ownerDeploymentId ?? null }, requests, ['nodeRequirements']);
}

/** Gives back the pool's machines and GPUs. Idempotent. */
export async function releasePool(em: Em, poolId: string): Promise<void> {
  const k = knexOf(em);
  await run(
    em,
    k('machine')
      .where({ pool_id: poolId })
      .update({ state: MachineState.AVAILABLE, pool_id: null, cluster_id: null, pool_role: null, version: k.raw('version + 1'), updated_at: new Date() }),
  );
  await run(em, k('cluster_gpu').where({ pool_id: poolId }).delete());
  await releaseGpus(em, poolId);
}

/** Once the pool runs, its machines are IN_USE. */
export async function markMachinesInUse(em: Em, poolId: string): Promise<void> {
  const k = knexOf(em);
  await run(em, k('machine').where({ pool_id: poolId, state: MachineState.RESERVED }).update({ state: MachineState.IN_USE, version: k.raw('version + 1'), updated_at: new Date() }));
}

