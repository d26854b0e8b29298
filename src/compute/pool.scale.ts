/**
 * Scaling a RUNNING pool's worker pools (admission, one transaction). Added nodes reserve free
 * matching machines, and for a DEDICATED pool their GPUs against the project and tenant quota,
 * exactly like creation; removed nodes are chosen now and their GPUs leave the clusters' capacity at
 * once (guarded: never below what deployments hold), so no admission can place work on GPUs that
 * are going away. The machines and quota of removed nodes are given back when the hub has scaled
 * (pool.scale.flow.ts), the plan travelling in the job's checkpoint.
 */
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../context.js';
import { idempotencyKeyProblem, remember, replayOf, requestHash, type IdempotencyScope } from '../db/idempotency.js';
import type { Em } from '../db/orm.js';
import { all, isPostgres, knexOf, run } from '../db/sql.js';
import { ConflictError, DomainError, ErrorCode, NotFoundError, Problems } from '../errors.js';
import { EventType, SubjectKind } from '../events/event.entity.js';
import type { EventBatch } from '../events/event.log.js';
import { assertProject } from '../tenancy/access.policy.js';
import { reserveGpus } from '../tenancy/quota.ledger.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { Machine, MachineRole, MachineState } from './machine.entity.js';
import { availableMachines, MachineRace } from './pool.admission.js';
import { ComputePool, PoolCluster } from './pool.entity.js';
import { POOL_SCALE_FLOW } from './pool.flow.names.js';
import { PoolMode, PoolPhase, type NodeRequirements, type WorkerPoolRequirement } from './pool.model.js';
import { gpusOf, selectMachines } from './pool.rules.js';
import type { PoolServiceDeps } from './pool.service.js';

export interface ScalePoolInput {
  id: string;
  workerPools: { name: string; nodeCount: number }[];
  idempotencyKey?: string | null;
}

/** What the flow finishes with (stored in the job's checkpoint under `plan`). */
export interface ScalePlan {
  /** the node requirements once scaled */
  nodeRequirements: NodeRequirements;
  /** per cluster id: its node count once scaled */
  nodeCounts: Record<string, number>;
  /** machines leaving the pool when the hub has scaled down */
  removedMachineIds: string[];
  /** machines joining the pool (RESERVED now, IN_USE once scaled) */
  addedMachineIds: string[];
  /** GPUs joining per cluster id and family (capacity grows once the nodes are ready) */
  addedGpus: Record<string, Record<string, number>>;
  /** GPUs leaving per cluster id and family (already out of the capacity) */
  removedGpus: Record<string, Record<string, number>>;
}

const bad = (message: string, field: string[]) => new DomainError(ErrorCode.INVALID_INPUT, message, field);

function inputProblems(input: ScalePoolInput): void {
  const p = new Problems();
  if (!input.workerPools.length) p.add('name at least one worker pool', ['workerPools']);
  if (input.workerPools.length > 10) p.add('at most 10 worker pools', ['workerPools']);
  const seen = new Set<string>();
  input.workerPools.forEach((w, i) => {
    if (seen.has(w.name)) p.add(`worker pool ${w.name} is listed twice`, ['workerPools', String(i), 'name']);
    seen.add(w.name);
    if (!Number.isInteger(w.nodeCount) || w.nodeCount < 1 || w.nodeCount > 100) p.add('worker nodeCount must be between 1 and 100', ['workerPools', String(i), 'nodeCount']);
  });
  if (input.idempotencyKey != null) {
    const kp = idempotencyKeyProblem(input.idempotencyKey);
    if (kp) p.add(kp, ['idempotencyKey']);
  }
  p.throwIfAny();
}

/** Whether a pool worker can be one of `w`'s nodes (machines do not record their worker pool). */
function servesWorkerPool(m: Machine, w: WorkerPoolRequirement): boolean {
  if ((w.architecture && m.architecture !== w.architecture) || m.cpuCount < w.minCpuCount || m.memoryMiB < w.minMemoryMiB) return false;
  return w.gpu ? m.gpuFamily === w.gpu.family && m.gpuCount >= w.gpu.countPerNode : true;
}

const addTo = (m: Record<string, Record<string, number>>, cluster: string, family: string, n: number) => {
  m[cluster] ??= {};
  m[cluster][family] = (m[cluster][family] ?? 0) + n;
};

export async function scalePool(ctx: Ctx, deps: PoolServiceDeps, input: ScalePoolInput, pool: ComputePool): Promise<ComputePool> {
  const project = await deps.projects.require(ctx, pool.project.id, ['id']);
  assertProject(ctx.viewer, { id: project.id, tenantId: project.tenant.id, name: project.name }, 'managePools', ['id']);
  inputProblems(input);
  const idem: IdempotencyScope | null = input.idempotencyKey
    ? { tokenId: ctx.viewer.tokenId, operation: 'scaleComputePool', key: input.idempotencyKey, hash: requestHash({ ...input, idempotencyKey: undefined }) }
    : null;
  if (idem) {
    const prior = await replayOf(ctx.em, idem);
    if (prior) return ctx.em.fork().findOneOrFail(ComputePool, { id: prior });
  }

  const admit = async (em: Em, events: EventBatch): Promise<void> => {
    // the pool's row first: a delete (which locks it too) either committed and we see DELETING, or waits for us
    const lock = knexOf(em)('compute_pool').select('id').where('id', pool.id);
    await all(em, isPostgres(em) ? lock.forUpdate() : lock);
    const fresh = await em.findOneOrFail(ComputePool, { id: pool.id }, { refresh: true });
    if (fresh.phase !== PoolPhase.RUNNING) throw new DomainError(ErrorCode.ILLEGAL_STATE, `compute pool ${fresh.name} is ${fresh.phase}; only a RUNNING pool can be scaled`, ['id']);
    if (await deps.jobs.activeFor(em, fresh.id)) throw new ConflictError(`compute pool ${fresh.name} is busy (a scale is still running); try again when it is done`, ['id'], ErrorCode.CONFLICT);
    const req = fresh.nodeRequirements;
    const changes: { w: WorkerPoolRequirement; delta: number }[] = [];
    input.workerPools.forEach((x, i) => {
      const w = req.workerPools.find((wp) => wp.name === x.name);
      if (!w) throw new NotFoundError(`Worker pool ${x.name}`, ['workerPools', String(i), 'name']);
      if (x.nodeCount !== w.nodeCount) changes.push({ w, delta: x.nodeCount - w.nodeCount });
    });
    if (!changes.length) throw bad(`compute pool ${fresh.name} already has these node counts; nothing to scale`, ['workerPools']);

    const clusters = await em.find(PoolCluster, { pool: fresh.id }, { orderBy: { index: 'asc' } });
    const plan: ScalePlan = {
      nodeRequirements: { ...req, workerPools: req.workerPools.map((w) => ({ ...w, nodeCount: input.workerPools.find((x) => x.name === w.name)?.nodeCount ?? w.nodeCount })) },
      nodeCounts: Object.fromEntries(clusters.map((c) => [c.id, c.nodeCount])),
      removedMachineIds: [],
      addedMachineIds: [],
      addedGpus: {},
      removedGpus: {},
    };
    const k = knexOf(em);

    // removals: the last-registered matching workers of each cluster; GPUs leave the capacity now
    const workers = await em.find(Machine, { poolId: fresh.id, poolRole: MachineRole.WORKER }, { orderBy: { hostId: 'desc' } });
    for (const { w, delta } of changes.filter((c) => c.delta < 0)) {
      for (const c of clusters) {
        const leaving = workers.filter((m) => m.clusterId === c.id && !plan.removedMachineIds.includes(m.id) && servesWorkerPool(m, w)).slice(0, -delta);
        if (leaving.length < -delta) throw bad(`cluster ${c.name} has only ${leaving.length} worker(s) of worker pool ${w.name} to remove`, ['workerPools']);
        for (const m of leaving) {
          plan.removedMachineIds.push(m.id);
          if (m.gpuFamily && m.gpuCount > 0) addTo(plan.removedGpus, c.id, m.gpuFamily, m.gpuCount);
        }
        plan.nodeCounts[c.id] -= leaving.length;
      }
    }
    for (const c of clusters) {
      for (const [family, n] of Object.entries(plan.removedGpus[c.id] ?? {})) {
        const moved = await run(em, 'update cluster_gpu set capacity = capacity - ? where cluster_id = ? and gpu_family = ? and capacity - ? >= allocated', [n, c.id, family, n]);
        if (moved !== 1) {
          const [row] = await all<{ capacity: number; allocated: number }>(em, k('cluster_gpu').select('capacity', 'allocated').where({ cluster_id: c.id, gpu_family: family }));
          throw new ConflictError(
            `removing these nodes would strand GPUs that app deployments hold: cluster ${c.name} has ${Number(row?.capacity ?? 0)} ${family} GPU(s), deployments hold ${Number(row?.allocated ?? 0)}, the removal takes ${n}`,
            ['workerPools'],
            ErrorCode.IN_USE,
          );
        }
      }
    }
    // a DEDICATED pool's deployment holds its GPUs through the pool, not cluster_gpu: keep what it requests
    if (fresh.servingDeploymentId && Object.keys(plan.removedGpus).length) {
      const [d] = await all<{ gpu_requests: unknown }>(em, k('app_deployment').select('gpu_requests').where({ id: fresh.servingDeploymentId }));
      const requests = (typeof d?.gpu_requests === 'string' ? JSON.parse(d.gpu_requests) : (d?.gpu_requests ?? [])) as { gpuFamily: string; count: number }[];
      const capacity = await all<{ gpu_family: string; capacity: number }>(em, k('cluster_gpu').select('gpu_family', 'capacity').where({ pool_id: fresh.id }));
      for (const r of requests) {
        const left = capacity.filter((x) => x.gpu_family === r.gpuFamily).reduce((n, x) => n + Number(x.capacity), 0);
        if (left < r.count) throw new ConflictError(`removing these nodes would strand GPUs that app deployments hold: the pool's deployment requests ${r.count} ${r.gpuFamily} GPU(s), ${left} would remain`, ['workerPools'], ErrorCode.IN_USE);
      }
    }

    // additions: chosen like creation (same rules), per cluster
    const additions = changes.filter((c) => c.delta > 0);
    if (additions.length) {
      const shape: NodeRequirements = { controlPlane: { ...req.controlPlane, nodeCount: 0 }, workerPools: additions.map(({ w, delta }) => ({ ...w, nodeCount: delta })) };
      const selection = selectMachines(shape, clusters.length, await availableMachines(em, project.tenant.id));
      if (!selection.ok) throw new DomainError(ErrorCode.INSUFFICIENT_CAPACITY, selection.problems.join('; '), ['workerPools']);
      for (const a of selection.clusters) {
        const c = clusters[a.index];
        const ids = a.hosts.map((h) => h.machine.id);
        const n = await run(
          em,
          k('machine').whereIn('id', ids).andWhere('state', MachineState.AVAILABLE).update({ state: MachineState.RESERVED, pool_id: fresh.id, cluster_id: c.id, pool_role: MachineRole.WORKER, version: k.raw('version + 1'), updated_at: new Date() }),
        );
        if (n !== ids.length) throw new MachineRace();
        plan.addedMachineIds.push(...ids);
        plan.nodeCounts[c.id] += ids.length;
        for (const [family, count] of Object.entries(gpusOf(a.hosts))) addTo(plan.addedGpus, c.id, family, count);
      }
      if (fresh.mode === PoolMode.DEDICATED) {
        const tenant = await em.findOneOrFail(Tenant, { id: project.tenant.id });
        const scope = { tenantId: project.tenant.id, tenantName: tenant.name, projectId: project.id, projectName: project.name, now: ctx.services.clock.now() };
        const requests = Object.values(plan.addedGpus).flatMap((m) => Object.entries(m).map(([gpuFamily, count]) => ({ gpuFamily, count })));
        await reserveGpus(em, scope, { kind: 'COMPUTE_POOL', id: fresh.id, deploymentId: fresh.ownerDeploymentId ?? null }, requests, ['workerPools']);
      }
    }

    if (idem) remember(em, idem, fresh.id);
    deps.jobs.create(em, POOL_SCALE_FLOW, fresh.id, project.id, { plan, scaleId: randomUUID() });
    await em.flush();
    const summary = input.workerPools.map((x) => `${x.name}=${x.nodeCount}`).join(', ');
    events.emit({
      subjectKind: SubjectKind.COMPUTE_POOL,
      subjectId: fresh.id,
      subjectName: fresh.name,
      projectId: project.id,
      type: EventType.STEP_PROGRESS,
      phase: PoolPhase.RUNNING,
      percent: fresh.percent,
      message: `Scale of compute pool ${fresh.name} admitted (${summary}): ${plan.addedMachineIds.length} machine(s) reserved, ${plan.removedMachineIds.length} to release`,
      details: { scale: { workerPools: input.workerPools, added: plan.addedMachineIds.length, removed: plan.removedMachineIds.length } },
    });
  };

  for (let attempt = 0; ; attempt++) {
    try {
      await deps.events.commit(ctx.em, admit);
      break;
    } catch (e) {
      if (e instanceof MachineRace && attempt < 5) continue;
      if (e instanceof MachineRace) throw new DomainError(ErrorCode.CONFLICT, 'machines were taken concurrently; try again', ['workerPools']);
      throw e;
    }
  }
  deps.wake();
  return ctx.em.fork().findOneOrFail(ComputePool, { id: pool.id });
}
