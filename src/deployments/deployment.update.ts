/**
 * updateAppDeployment and rollbackAppDeployment: admission of revision n+1 of a RUNNING deployment in
 * one transaction (its GPU increase admitted like a new request, on the deployment's own cluster),
 * the dry run (plan, hub-object diff, quota verdict of the difference), revision reads, and the
 * bundle-version deletion policy. The rollout is the upgrade flow (deployment.update.flow.ts).
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { actorOf } from '../audit/audit.service.js';
import { ComputePool } from '../compute/pool.entity.js';
import { PoolMode } from '../compute/pool.model.js';
import type { Ctx } from '../context.js';
import { loadChildPages, countChildren } from '../db/child-pages.js';
import { remember, replayOf, requestHash, type IdempotencyScope } from '../db/idempotency.js';
import type { Em } from '../db/orm.js';
import { ConflictError, DomainError, ErrorCode, NotFoundError } from '../errors.js';
import { EventType, SubjectKind } from '../events/event.entity.js';
import type { EventBatch, EventLog } from '../events/event.log.js';
import { pageKey, toPage, type Page, type PageRequest } from '../graphql/relay/connection.js';
import type { KubeObject } from '../kube/index.js';
import { assertProject } from '../tenancy/access.policy.js';
import { Project } from '../tenancy/project.entity.js';
import { QuotaLevel } from '../tenancy/gpu-quota.entity.js';
import { budgetVerdict, BudgetExceededError, type BudgetVerdict } from '../tenancy/quota.budget.js';
import { QuotaExceededError, raiseQuota, recordReservations, whatIf, type LevelVerdict } from '../tenancy/quota.ledger.js';
import type { JobStore } from '../workflow/job.store.js';
import { isSecondActiveJob } from '../workflow/job.entity.js';
import { allocateOnRanked, clusterFreeGpus, rankClusters } from './deployment.admission.js';
import { AppDeployment } from './deployment.entity.js';
import { hubNameOf } from './deployment.flow.js';
import { UPGRADE_FLOW, UPGRADE_STEPS } from './deployment.flow.names.js';
import { DeploymentPhase, type GpuRequest } from './deployment.model.js';
import { renderManifestWork } from './deployment.plan.js';
import { exposureSetting } from '../compute/pool.exposure.js';
import { prepareDeployment, type Prepared } from './deployment.prepare.js';
import { AppDeploymentRevision, AppDeploymentRevisionBundle } from './deployment.revision.entity.js';
import { contentOfRow, ensureRevisionRow, increase, larger, recordRevision, switchRow } from './deployment.revisions.js';
import { objectDiff, type ObjectChange } from './deployment.update.diff.js';

export interface UpdateInput {
  id: string;
  /** null: the current bundle versions */
  bundleIds?: string[] | null;
  /** merged over the current values (a rollback gives the exact values instead) */
  variables?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
  rollbackOnFailure?: boolean | null;
}

export interface UpdatePlan {
  allowed: boolean;
  refusals: DomainError[];
  /** the number the new revision would get */
  revision: number;
  gpuRequests: GpuRequest[];
  /** per family, what the new revision asks beyond the current one (admitted like a new request) */
  gpuIncrease: GpuRequest[];
  /** per family, what it asks less (released once it runs) */
  gpuDecrease: GpuRequest[];
  quota: LevelVerdict[];
  budget: BudgetVerdict | null;
  variables: Record<string, unknown>;
  steps: { id: string; title: string }[];
  hubObjects: KubeObject[];
  changes: ObjectChange[];
}

export interface UpdateResult {
  deployment: AppDeployment | null;
  revision: AppDeploymentRevision | null;
  plan: UpdatePlan | null;
}

export interface DeploymentUpdateDeps {
  events: EventLog;
  jobs: JobStore;
  wake: () => void;
}

const STEP_TITLES: Record<(typeof UPGRADE_STEPS)[number], string> = {
  'apply-work': 'Apply the new revision to the ManifestWork in place',
  rollout: 'Wait for the rollout of the new revision',
};

const sameList = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const canonical = (v: Record<string, unknown>) => JSON.stringify(Object.keys(v).sort().map((k) => [k, v[k]]));

export class DeploymentUpdates {
  constructor(private readonly deps: DeploymentUpdateDeps) {}

  private async requireDeployment(ctx: Ctx, id: string): Promise<{ d: AppDeployment; project: Project }> {
    const d = await ctx.services.deployments.byId(ctx, id);
    if (!d) throw new NotFoundError('App deployment', ['id']);
    const project = await ctx.services.projects.require(ctx, d.project.id, ['id']);
    assertProject(ctx.viewer, { id: project.id, tenantId: project.tenant.id, name: project.name }, 'deploy', ['id']);
    return { d, project };
  }

  /** updateAppDeployment: revision n+1 with other bundle versions and/or values. */
  async update(ctx: Ctx, input: UpdateInput, dryRun = false): Promise<UpdateResult> {
    return this.change(ctx, input, dryRun, null);
  }

  /** rollbackAppDeployment: a new revision pinning exactly the bundle versions and values of `toRevision`. */
  async rollback(ctx: Ctx, id: string, toRevision: number, idempotencyKey: string | null = null): Promise<UpdateResult> {
    const { d } = await this.requireDeployment(ctx, id);
    if (!Number.isInteger(toRevision) || toRevision < 1) throw new DomainError(ErrorCode.INVALID_INPUT, 'toRevision must be a revision number (1 or more)', ['toRevision']);
    const target = await ctx.em.findOne(AppDeploymentRevision, { deployment: d.id, number: toRevision });
    if (!target) throw new NotFoundError(`Revision ${toRevision} of app deployment ${d.name}`, ['toRevision']);
    return this.change(ctx, { id, bundleIds: target.bundleIds, variables: target.variables, idempotencyKey }, false, target.number);
  }

  private async change(ctx: Ctx, input: UpdateInput, dryRun: boolean, rollbackOf: number | null): Promise<UpdateResult> {
    const { d, project } = await this.requireDeployment(ctx, input.id);
    if (d.phase !== DeploymentPhase.RUNNING) {
      throw new DomainError(ErrorCode.ILLEGAL_STATE, `app deployment ${d.name} is ${d.phase}; only a RUNNING deployment can be ${rollbackOf ? 'rolled back' : 'updated'}`, ['id']);
    }
    const current = await contentOfRow(ctx.em, d);
    const variables = rollbackOf !== null ? { ...(input.variables ?? {}) } : { ...d.spec.variables, ...(input.variables ?? {}) };
    const prepared = await this.prepare(ctx, d, { bundleIds: input.bundleIds ?? current.bundleIds, variables, idempotencyKey: input.idempotencyKey ?? null });
    const unchanged = sameList(prepared.spec.bundleIds, current.bundleIds) && canonical(prepared.resolved) === canonical(current.resolvedVariables) && canonical(variables) === canonical(current.variables);
    // a rollback re-applies even the same content: after a failed upgrade the hub may still carry it
    if (unchanged && rollbackOf === null) throw new DomainError(ErrorCode.INVALID_INPUT, `nothing to change: revision ${d.revision} of ${d.name} already runs these bundle versions and values`, ['bundleIds']);
    if (dryRun) return { deployment: null, revision: null, plan: await this.plan(ctx, d, project, prepared) };

    const hash = requestHash({ id: d.id, bundleIds: prepared.spec.bundleIds, variables, rollbackOf, rollbackOnFailure: input.rollbackOnFailure ?? false });
    const idem: IdempotencyScope | null = input.idempotencyKey ? { tokenId: ctx.viewer.tokenId, operation: rollbackOf ? 'rollbackAppDeployment' : 'updateAppDeployment', key: input.idempotencyKey, hash } : null;
    const replayed = idem && (await this.replay(ctx.em, idem));
    if (replayed) return replayed;
    try {
      const rev = await this.deps.events.commit(ctx.em, (em, events) => this.admit(ctx, em, events, d, project, prepared, variables, idem, rollbackOf, input.rollbackOnFailure ?? false));
      this.deps.wake();
      const fresh = ctx.em.fork() as Em;
      return { deployment: await fresh.findOneOrFail(AppDeployment, { id: d.id }), revision: rev, plan: null };
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException && idem) {
        const again = await this.replay(ctx.em.fork() as Em, idem);
        if (again) return again;
      }
      // another job runs on the deployment (a delete, or an upgrade that won the race)
      if (isSecondActiveJob(e) || e instanceof UniqueConstraintViolationException) throw new ConflictError(`app deployment ${d.name} changed concurrently; read it again`, ['id']);
      throw e;
    }
  }

  private async replay(em: Em, idem: IdempotencyScope): Promise<UpdateResult | null> {
    const prior = await replayOf(em, idem);
    if (!prior) return null;
    const revision = await em.findOneOrFail(AppDeploymentRevision, { id: prior });
    return { deployment: await em.findOneOrFail(AppDeployment, { id: revision.deployment.id }), revision, plan: null };
  }

  /** The same validation as deployApp (bundle versions of the project, typed values), on the deployment's own pool. */
  private async prepare(ctx: Ctx, d: AppDeployment, change: { bundleIds: string[]; variables: Record<string, unknown>; idempotencyKey: string | null }): Promise<Prepared> {
    try {
      return await prepareDeployment(ctx, { projectId: d.project.id, name: d.name, description: d.description, links: d.links, bundleIds: change.bundleIds, poolId: d.pool.id, variables: change.variables, idempotencyKey: change.idempotencyKey });
    } catch (e) {
      // the deployment's pool is not the caller's input: its refusals point at the deployment
      if (e instanceof DomainError && e.field?.[0] === 'poolId') throw new DomainError(e.code, e.message, ['id'], e.details);
      throw e;
    }
  }

  private async admit(ctx: Ctx, em: Em, events: EventBatch, d: AppDeployment, project: Project, p: Prepared, variables: Record<string, unknown>, idem: IdempotencyScope | null, rollbackOf: number | null, rollbackOnFailure: boolean): Promise<AppDeploymentRevision> {
    // refresh: the request's identity map holds the deployment as read before this transaction
    const fresh = await em.findOneOrFail(AppDeployment, { id: d.id }, { refresh: true });
    if (fresh.phase !== DeploymentPhase.RUNNING || fresh.revision !== d.revision) throw new ConflictError(`app deployment ${d.name} changed concurrently (now ${fresh.phase}, revision ${fresh.revision}); read it again`, ['id']);
    await ensureRevisionRow(em, fresh);
    // after the latest, failed ones included (the row may be back at an earlier one)
    const number = (await this.latestNumber(em, d.id)) + 1;
    // one ACTIVE job per deployment: a concurrent delete, retry or upgrade makes this insert fail
    this.deps.jobs.create(em, UPGRADE_FLOW, d.id, project.id);
    const content = { bundleIds: p.spec.bundleIds, variables, resolvedVariables: { ...p.resolved }, gpuRequests: p.gpuRequests };
    const rev = recordRevision(em, d.id, number, content, actorOf(ctx.viewer), { replaces: fresh.revision, rollbackOf, rollbackOnFailure });
    if (idem) remember(em, idem, rev.id);
    await em.flush();
    const more = increase(fresh.gpuRequests, p.gpuRequests);
    if (more.length) {
      const pool = await em.findOneOrFail(ComputePool, { id: fresh.pool.id });
      const tenantName = p.tenantName;
      if (pool.mode === PoolMode.SHARED) {
        const scope = { tenantId: project.tenant.id, tenantName, projectId: project.id, projectName: project.name, now: ctx.services.clock.now() };
        recordReservations(em, scope, { kind: 'APP_DEPLOYMENT', id: d.id, poolId: pool.id }, more);
        await em.flush();
        await raiseQuota(em, scope, more, ['bundleIds'], { recorded: true });
      }
      // the new pods run where the old ones do: only the deployment's own cluster may take the increase
      const own = (await clusterFreeGpus(em, pool.id)).filter((c) => c.cluster.name === fresh.cluster);
      if (!(await allocateOnRanked(em, rankClusters(own, more), more))) {
        throw new DomainError(ErrorCode.INSUFFICIENT_CAPACITY, `cluster ${fresh.cluster} of compute pool ${pool.name} has not ${more.map((g) => `${g.count} more ${g.gpuFamily}`).join(', ')} GPUs free`, ['bundleIds']);
      }
    }
    if (!(await switchRow(em, fresh, fresh.revision, number, content, larger(fresh.gpuRequests, p.gpuRequests)))) {
      throw new ConflictError(`app deployment ${d.name} changed concurrently; read it again`, ['id']);
    }
    const what = rollbackOf !== null ? `rollback to revision ${rollbackOf}` : 'update';
    events.emit({
      subjectKind: SubjectKind.APP_DEPLOYMENT,
      subjectId: d.id,
      subjectName: d.name,
      projectId: project.id,
      type: EventType.CREATED,
      phase: fresh.phase,
      percent: fresh.percent,
      stepCount: UPGRADE_STEPS.length,
      message: `Revision ${number} of app deployment ${d.name} admitted (${what}); revision ${fresh.revision} serves until it runs`,
      details: { revision: number, replaces: fresh.revision, rollbackOf, gpuRequests: p.gpuRequests },
    });
    return rev;
  }

  private async latestNumber(em: Em, deploymentId: string): Promise<number> {
    const [latest] = await em.find(AppDeploymentRevision, { deployment: deploymentId }, { orderBy: { number: 'desc' }, limit: 1, fields: ['number'] });
    return latest?.number ?? 1;
  }

  private async plan(ctx: Ctx, d: AppDeployment, project: Project, p: Prepared): Promise<UpdatePlan> {
    const refusals: DomainError[] = [];
    const pool = await ctx.em.findOneOrFail(ComputePool, { id: d.pool.id });
    const more = increase(d.gpuRequests, p.gpuRequests);
    const less = increase(p.gpuRequests, d.gpuRequests);
    const scope = { tenantId: project.tenant.id, tenantName: p.tenantName, projectId: project.id, projectName: project.name };
    let quota: LevelVerdict[] = [];
    let budget: BudgetVerdict | null = null;
    if (pool.mode === PoolMode.SHARED) {
      for (const g of more) quota.push(...(await whatIf(ctx.em, scope, g.gpuFamily, g.count)));
      for (const v of quota.filter((x) => !x.allowed)) refusals.push(new QuotaExceededError(v, v.level === QuotaLevel.PROJECT ? project.name : p.tenantName, ['bundleIds']));
      budget = await budgetVerdict(ctx.em, project.id, more, ctx.services.clock.now());
      if (budget && !budget.allowed) refusals.push(new BudgetExceededError(budget, project.name, ['bundleIds']));
    }
    quota = quota.filter((v, i, all) => all.findIndex((w) => w.level === v.level && w.gpuFamily === v.gpuFamily) === i);
    if (more.length && !rankClusters((await clusterFreeGpus(ctx.em, pool.id)).filter((c) => c.cluster.name === d.cluster), more).length) {
      refusals.push(new DomainError(ErrorCode.INSUFFICIENT_CAPACITY, `cluster ${d.cluster} of compute pool ${pool.name} has not ${more.map((g) => `${g.count} more ${g.gpuFamily}`).join(', ')} GPUs free`, ['bundleIds']));
    }
    const ids = { tenantId: project.tenant.id, projectId: project.id, deploymentId: d.id };
    const base = { project: project.name, deployment: d.name, cluster: d.cluster, clusterSet: pool.clusterSet, retries: d.retries, hubName: hubNameOf(d, project.name), ids, exposure: exposureSetting(pool.exposure) };
    const currentWork = renderManifestWork({ ...base, components: (await this.componentsOf(ctx, d)), resolved: d.resolvedVariables as never, gpuRequests: d.gpuRequests, revision: d.revision });
    const nextWork = renderManifestWork({ ...base, components: p.components, resolved: p.resolved, gpuRequests: p.gpuRequests, revision: (await this.latestNumber(ctx.em, d.id)) + 1 });
    return {
      allowed: refusals.length === 0,
      refusals,
      revision: (await this.latestNumber(ctx.em, d.id)) + 1,
      gpuRequests: p.gpuRequests,
      gpuIncrease: more,
      gpuDecrease: less,
      quota,
      budget,
      variables: { ...p.resolved },
      steps: UPGRADE_STEPS.map((id) => ({ id, title: STEP_TITLES[id] })),
      hubObjects: [nextWork],
      changes: objectDiff(currentWork, nextWork),
    };
  }

  /** The components the current revision renders (its bundle versions, as pinned). */
  private async componentsOf(ctx: Ctx, d: AppDeployment) {
    const current = await contentOfRow(ctx.em, d);
    const prepared = await this.prepare(ctx, d, { bundleIds: current.bundleIds, variables: d.spec.variables, idempotencyKey: null });
    return prepared.components;
  }

  /** A deployment's revisions, oldest first. */
  async revisions(ctx: Ctx, deploymentId: string, page: PageRequest): Promise<Page<AppDeploymentRevision>> {
    const key = pageKey(page);
    const loader = ctx.loaders.get<string, AppDeploymentRevision[]>(`revisionsByDeployment:${key}`, async (ids) => {
      const m = await loadChildPages(ctx.em, AppDeploymentRevision, { parentColumn: 'deployment_id', parentIds: [...ids], limit: page.first + 1, afterId: page.afterId, beforeId: page.beforeId, backward: page.backward });
      return ids.map((id) => m.get(id) ?? []);
    });
    const counter = ctx.loaders.get<string, number>('revisionCount', async (ids) => {
      const c = await countChildren(ctx.em, AppDeploymentRevision, 'deployment_id', [...ids]);
      return ids.map((id) => c.get(id) ?? 0);
    });
    return toPage(await loader.load(deploymentId), page, () => counter.load(deploymentId));
  }
}

/**
 * The deletion policy of bundle versions: refused (IN_USE) while a revision of a live deployment
 * pins it, naming them — a rollback must find exactly the versions it pins. A deleted deployment's
 * revisions release theirs (undeploy flow).
 */
export async function revisionsPinning(em: Em, bundleId: string): Promise<string | null> {
  const links = await em.find(AppDeploymentRevisionBundle, { bundle: bundleId }, { populate: ['revision'], limit: 20 });
  if (!links.length) return null;
  const deployments = await em.find(AppDeployment, { id: { $in: [...new Set(links.map((l) => l.deploymentId))] } });
  const names = new Map(deployments.map((d) => [d.id, d.name]));
  const byDeployment = new Map<string, number[]>();
  for (const l of links) byDeployment.set(l.deploymentId, [...(byDeployment.get(l.deploymentId) ?? []), l.revision.getEntity().number]);
  const list = [...byDeployment.entries()].map(([id, numbers]) => `${names.get(id) ?? id} (revision ${numbers.sort((a, b) => a - b).join(', ')})`);
  return `is pinned by revisions of app deployment(s) ${list.join('; ')}: delete those deployments first`;
}
