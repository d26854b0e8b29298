/**
 * The scale flow of a RUNNING pool: the MachineDeployment of each cluster is re-applied with the
 * pool's workers after the scale (Cluster API creates or deletes machines for the new replicas), then
 * the flow waits until every MachineDeployment reports them ready. Only then are the removed nodes'
 * machines and GPU quota given back and the pool's recorded counts and capacity updated (onDone);
 * a failure gives back what the scale had reserved instead. The pool stays RUNNING throughout.
 */
import { buildMachineDeployment, machineDeploymentName, readMachineDeployment } from '../kube/index.js';
import type { Em } from '../db/orm.js';
import { knexOf, run } from '../db/sql.js';
import { EventType, SubjectKind } from '../events/event.entity.js';
import { GpuReservation } from '../tenancy/gpu-reservation.entity.js';
import { applyUnlessDeleted } from '../workflow/apply.guard.js';
import { done, wait, WaitReason, type FlowDefinition, type StepContext, type StepResult } from '../workflow/flow.js';
import { Machine, MachineState } from './machine.entity.js';
import { ComputePool, PoolCluster } from './pool.entity.js';
import { loadPoolView, type PoolFlowOptions } from './pool.flow.js';
import { POOL_SCALE_FLOW } from './pool.flow.names.js';
import { poolMachine } from './pool.machine.js';
import { PoolMode, PoolPhase } from './pool.model.js';
import type { ScalePlan } from './pool.scale.js';

type Ctx = StepContext<ComputePool>;

const planOf = (results: Record<string, unknown>) => results.plan as ScalePlan;

async function applyReplicas(ctx: Ctx, opts: PoolFlowOptions): Promise<StepResult> {
  const plan = planOf(ctx.results);
  const v = await loadPoolView(ctx.em, ctx.subject);
  const removed = new Set(plan.removedMachineIds);
  const staying = await ctx.em.find(Machine, { poolId: ctx.subject.id }, { fields: ['id', 'hostId'] });
  const leavingHosts = new Set(staying.filter((m) => removed.has(m.id)).map((m) => m.hostId));
  const replicas: Record<string, number> = {};
  for (const c of v.clusters) {
    const hosts = c.hosts.filter((h) => !leavingHosts.has(h.hostId));
    const md = buildMachineDeployment({ project: v.project, pool: v.pool.name, cluster: c.row.name, kubernetesVersion: v.pool.kubernetesVersion, hosts, infrastructure: opts.capi, ids: v.ids });
    const applied = await applyUnlessDeleted(ctx.hub, md, async () => {
      const fresh = await ctx.em.fork().findOne(ComputePool, { id: ctx.subject.id });
      return !fresh || fresh.phase !== PoolPhase.RUNNING;
    }, ctx.log);
    if (!applied) return wait(WaitReason.WAITING_FOR_DELETION, 'The compute pool is being deleted', { retryAfterMs: 1000 });
    replicas[c.row.name] = md.spec?.replicas ?? 0;
  }
  return done({ replicas }, `MachineDeployment replicas set: ${Object.entries(replicas).map(([c, n]) => `${c}=${n}`).join(', ')}`);
}

async function waitReplicas(ctx: Ctx, opts: PoolFlowOptions): Promise<StepResult> {
  const { replicas } = ctx.results['apply-replicas'] as { replicas: Record<string, number> };
  const v = await loadPoolView(ctx.em, ctx.subject);
  const notes: string[] = [];
  let progress = 0;
  for (const [cluster, want] of Object.entries(replicas)) {
    const md = await ctx.hub.get({ kind: 'MachineDeployment', namespace: v.project, name: machineDeploymentName(cluster) });
    if (!md) return applyReplicas(ctx, opts).then(() => wait(WaitReason.WAITING_FOR_CLUSTER, `MachineDeployment of ${cluster} was missing and has been applied again`, { retryAfterMs: opts.pollMs }));
    const s = readMachineDeployment(md);
    // scaling down is done when the surplus machines are gone, not merely when enough are ready
    if (s.desired === want && s.replicas === want && s.ready === want) progress++;
    else notes.push(`${cluster} ${s.ready}/${want} ready, ${s.replicas} machine(s)`);
  }
  const total = Object.keys(replicas).length;
  if (!notes.length) return done(undefined, `Every MachineDeployment reports its new replicas ready`);
  return wait(WaitReason.WAITING_FOR_CLUSTER, `Waiting for Cluster API: ${notes.join(', ')}`, { progress: progress / total, retryAfterMs: opts.pollMs });
}

/** Gives back `n` GPUs of `family` that a DEDICATED pool holds (its ledger rows are re-cut). */
async function releasePoolGpus(em: Em, poolId: string, family: string, n: number): Promise<void> {
  const rows = await em.find(GpuReservation, { holderId: poolId, gpuFamily: family, releasedAt: null }, { orderBy: { id: 'asc' } });
  if (!rows.length) return;
  const holding = rows.reduce((s, x) => s + x.count, 0);
  const give = Math.min(n, holding);
  const now = new Date();
  for (const row of rows) row.releasedAt = now;
  for (const scope of [rows[0].projectId, rows[0].tenantId]) {
    await run(em, 'update gpu_quota set used = used - ?, updated_at = ? where scope_id = ? and gpu_family = ? and used >= ?', [give, now, scope, family, give]);
  }
  if (holding - give > 0) {
    const { tenantId, projectId, gpuFamily, holderKind, holderId, poolId: p, deploymentId } = rows[0];
    em.create(GpuReservation, { createdAt: now, updatedAt: now, tenantId, projectId, gpuFamily, count: holding - give, holderKind, holderId, poolId: p, deploymentId });
  }
  await em.flush();
}

async function growCapacity(em: Em, poolId: string, gpus: Record<string, Record<string, number>>): Promise<void> {
  for (const [clusterId, byFamily] of Object.entries(gpus)) {
    for (const [family, n] of Object.entries(byFamily)) {
      const grown = await run(em, 'update cluster_gpu set capacity = capacity + ? where cluster_id = ? and gpu_family = ?', [n, clusterId, family]);
      if (!grown) await run(em, knexOf(em)('cluster_gpu').insert({ id: crypto.randomUUID(), pool_id: poolId, cluster_id: clusterId, gpu_family: family, capacity: n, allocated: 0 }));
    }
  }
}

async function releaseMachines(em: Em, poolId: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const k = knexOf(em);
  await run(em, k('machine').whereIn('id', ids).andWhere('pool_id', poolId).update({ state: MachineState.AVAILABLE, pool_id: null, cluster_id: null, pool_role: null, version: k.raw('version + 1'), updated_at: new Date() }));
}

const sumGpus = (gpus: Record<string, Record<string, number>>) => {
  const out: Record<string, number> = {};
  for (const byFamily of Object.values(gpus)) for (const [f, n] of Object.entries(byFamily)) out[f] = (out[f] ?? 0) + n;
  return out;
};

export function poolScaleFlow(opts: PoolFlowOptions): FlowDefinition<ComputePool> {
  return {
    name: POOL_SCALE_FLOW,
    subjectKind: SubjectKind.COMPUTE_POOL,
    entity: ComputePool,
    machine: poolMachine,
    donePhase: PoolPhase.RUNNING,
    failedPhase: PoolPhase.RUNNING,
    eventDetails: () => ({ scale: true }),
    steps: [
      { id: 'apply-replicas', title: 'Set the MachineDeployment replicas', phase: PoolPhase.RUNNING, run: (ctx) => applyReplicas(ctx, opts) },
      { id: 'wait-replicas', title: 'Wait for the new replicas to be ready', phase: PoolPhase.RUNNING, run: (ctx) => waitReplicas(ctx, opts) },
    ],
    onDone: async ({ em, subject, results, events }) => {
      const plan = planOf(results);
      await releaseMachines(em, subject.id, plan.removedMachineIds);
      if (subject.mode === PoolMode.DEDICATED) for (const [f, n] of Object.entries(sumGpus(plan.removedGpus))) await releasePoolGpus(em, subject.id, f, n);
      const k = knexOf(em);
      if (plan.addedMachineIds.length) {
        await run(em, k('machine').whereIn('id', plan.addedMachineIds).andWhere({ pool_id: subject.id, state: MachineState.RESERVED }).update({ state: MachineState.IN_USE, version: k.raw('version + 1'), updated_at: new Date() }));
      }
      await growCapacity(em, subject.id, plan.addedGpus);
      await em.nativeUpdate(ComputePool, { id: subject.id }, { nodeRequirements: plan.nodeRequirements });
      for (const [clusterId, n] of Object.entries(plan.nodeCounts)) await em.nativeUpdate(PoolCluster, { id: clusterId }, { nodeCount: n });
      events.emit({
        subjectKind: SubjectKind.COMPUTE_POOL,
        subjectId: subject.id,
        subjectName: subject.name,
        projectId: subject.projectId,
        type: EventType.STEP_PROGRESS,
        phase: PoolPhase.RUNNING,
        percent: 100,
        message: `Compute pool ${subject.name} scaled: ${plan.addedMachineIds.length} machine(s) joined, ${plan.removedMachineIds.length} released`,
        details: { scale: { workerPools: plan.nodeRequirements.workerPools.map((w) => ({ name: w.name, nodeCount: w.nodeCount })) } },
      });
    },
    onFail: async ({ em, subject, results }) => {
      // the scale is abandoned: what it reserved goes back, what it took out of capacity comes back
      const plan = planOf(results);
      await releaseMachines(em, subject.id, plan.addedMachineIds);
      if (subject.mode === PoolMode.DEDICATED) for (const [f, n] of Object.entries(sumGpus(plan.addedGpus))) await releasePoolGpus(em, subject.id, f, n);
      await growCapacity(em, subject.id, plan.removedGpus);
    },
  };
}
