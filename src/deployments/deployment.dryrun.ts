/**
 * deployApp(dryRun: true): what a real deploy would do, writing nothing — the quota verdict per
 * level, the pool and cluster, the steps, and the rendered hub objects.
 */
import { ComputePool } from '../compute/pool.entity.js';
import { exposureSetting } from '../compute/pool.exposure.js';
import { PoolMode } from '../compute/pool.model.js';
import { gpusOf, selectMachines } from '../compute/pool.rules.js';
import { availableMachines } from '../compute/pool.admission.js';
import type { Ctx } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { clusterSetName, spokeClusterName, type KubeObject } from '../kube/index.js';
import { QuotaLevel } from '../tenancy/gpu-quota.entity.js';
import { QuotaExceededError, whatIf, type LevelVerdict } from '../tenancy/quota.ledger.js';
import { BudgetExceededError, budgetVerdict, type BudgetVerdict } from '../tenancy/quota.budget.js';
import { clusterFreeGpus, nameTakenError, noCapacityError, poolServingError, rankClusters } from './deployment.admission.js';
import { AppDeployment } from './deployment.entity.js';
import type { GpuRequest } from './deployment.model.js';
import { renderManifestWork, renderPlacement } from './deployment.plan.js';
import { DEPLOY_STEPS } from './deployment.flow.names.js';
import type { Prepared } from './deployment.prepare.js';

export interface DeploymentPlan {
  allowed: boolean;
  /** why it would be refused (empty when allowed) */
  refusals: DomainError[];
  quota: LevelVerdict[];
  /** the project's monthly GPU-hour budget with what this deployment would hold (null: no budget) */
  budget: BudgetVerdict | null;
  gpuRequests: GpuRequest[];
  variables: Record<string, unknown>;
  pool: { id: string | null; name: string; mode: PoolMode; isNew: boolean; cluster: string | null; machines: string[] };
  steps: { id: string; title: string }[];
  hubObjects: KubeObject[];
}

export const STEP_TITLES: Record<(typeof DEPLOY_STEPS)[number], string> = {
  'provision-pool': 'Provision the dedicated compute pool (or confirm the target pool is RUNNING)',
  place: 'Place the deployment with an OCM Placement',
  'apply-work': 'Apply the ManifestWork (namespace, GPU quota, Flux sources, HelmReleases)',
  rollout: 'Wait for the rollout and publish the access URLs',
};

export async function planDeployment(ctx: Ctx, p: Prepared): Promise<DeploymentPlan> {
  const refusals: DomainError[] = [];
  const scope = { tenantId: p.project.tenant.id, tenantName: p.tenantName, projectId: p.project.id, projectName: p.project.name };
  let quota: LevelVerdict[] = [];
  let pool: DeploymentPlan['pool'];
  let clusterSet: string;
  // what the deployment would newly hold: its own GPUs on a shared pool, all of a new dedicated pool's
  let held: GpuRequest[] = [];
  // what admission checks inside its transaction, the plan reports as refusals
  if (await ctx.em.count(AppDeployment, { project: p.project.id, activeName: p.spec.name })) refusals.push(nameTakenError(p.spec.name, p.project.name));
  if (p.spec.target.kind === 'NEW_DEDICATED_POOL' && (await ctx.em.count(ComputePool, { project: p.project.id, activeName: p.spec.target.poolName }))) {
    refusals.push(new DomainError(ErrorCode.ALREADY_EXISTS, `compute pool ${p.spec.target.poolName} already exists in project ${p.project.name}`, ['newDedicatedPool', 'name']));
  }
  if (p.spec.target.kind === 'EXISTING_POOL') {
    const existing = p.pool!;
    clusterSet = existing.clusterSet;
    const ranked = rankClusters(await clusterFreeGpus(ctx.em, existing.id), p.gpuRequests);
    pool = { id: existing.id, name: existing.name, mode: existing.mode, isNew: false, cluster: ranked[0]?.cluster.name ?? null, machines: [] };
    if (existing.mode === PoolMode.DEDICATED && existing.servingDeploymentId) refusals.push(poolServingError(existing.name));
    if (!ranked.length) refusals.push(noCapacityError(existing.name, p.gpuRequests, ['poolId']));
    // a shared pool's deployment holds its own GPUs; a dedicated pool already holds all of its own
    if (existing.mode === PoolMode.SHARED) {
      held = p.gpuRequests;
      for (const g of p.gpuRequests) quota.push(...(await whatIf(ctx.em, scope, g.gpuFamily, g.count)));
    }
  } else {
    const t = p.spec.target;
    clusterSet = clusterSetName(p.project.name, t.poolName);
    const selection = selectMachines(t.nodeRequirements, 1, await availableMachines(ctx.em, p.project.tenant.id));
    const cluster = spokeClusterName(p.project.name, t.poolName);
    pool = { id: null, name: t.poolName, mode: PoolMode.DEDICATED, isNew: true, cluster, machines: [] };
    if (!selection.ok) refusals.push(new DomainError(ErrorCode.INSUFFICIENT_CAPACITY, selection.problems.join('; '), ['newDedicatedPool', 'nodeRequirements']));
    else {
      pool.machines = selection.clusters[0].hosts.map((h) => h.machine.hostId);
      const gpus = gpusOf(selection.clusters[0].hosts);
      held = Object.entries(gpus).map(([gpuFamily, count]) => ({ gpuFamily, count }));
      for (const [family, count] of Object.entries(gpus)) quota.push(...(await whatIf(ctx.em, scope, family, count)));
      if (p.gpuRequests.some((g) => (gpus[g.gpuFamily] ?? 0) < g.count)) refusals.push(noCapacityError(t.poolName, p.gpuRequests, ['newDedicatedPool', 'nodeRequirements']));
    }
  }
  // the same refusal a real admission gives: a shared pool's deployment holds GPUs at bundleIds, a new pool at its nodeRequirements
  const quotaField = p.spec.target.kind === 'EXISTING_POOL' ? ['bundleIds'] : ['newDedicatedPool', 'nodeRequirements'];
  for (const v of quota) {
    if (!v.allowed) refusals.push(new QuotaExceededError({ level: v.level, gpuFamily: v.gpuFamily, requested: v.requested, used: v.used, limit: v.limit }, v.level === QuotaLevel.PROJECT ? p.project.name : p.tenantName, quotaField));
  }
  quota = quota.filter((v, i, all) => all.findIndex((w) => w.level === v.level && w.gpuFamily === v.gpuFamily) === i);
  const budget = await budgetVerdict(ctx.em, p.project.id, held, ctx.services.clock.now());
  if (budget && !budget.allowed) refusals.push(new BudgetExceededError(budget, p.project.name, quotaField));
  const hubObjects: KubeObject[] = [];
  if (pool.cluster) {
    // the deployment's own id (a label on both) exists only once it is admitted
    const ids = { tenantId: p.project.tenant.id, projectId: p.project.id };
    // the exposure of the existing pool, or the one asked for the new dedicated pool
    const exposure = exposureSetting(p.spec.target.kind === 'EXISTING_POOL' ? p.pool!.exposure : p.spec.target.exposure);
    const render = { project: p.project.name, deployment: p.spec.name, cluster: pool.cluster, clusterSet, gpuRequests: p.gpuRequests, ids, exposure };
    hubObjects.push(renderPlacement(render), renderManifestWork({ ...render, components: p.components, resolved: p.resolved, retries: 0 }));
  }
  return {
    allowed: refusals.length === 0,
    refusals,
    quota,
    budget,
    gpuRequests: p.gpuRequests,
    variables: { ...p.resolved },
    pool,
    steps: DEPLOY_STEPS.map((id) => ({ id, title: STEP_TITLES[id] })),
    hubObjects,
  };
}
