/**
 * App Deployments: admission (deployApp — one transaction), dry runs, reads, and the lifecycle
 * requests (retry, clone, delete). The hub work is the workflow in deployment.flow.ts.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { MachineRace } from '../compute/pool.admission.js';
import { ComputePool } from '../compute/pool.entity.js';
import { PoolMode, PoolPhase } from '../compute/pool.model.js';
import type { PoolService } from '../compute/pool.service.js';
import type { Ctx } from '../context.js';
import { countChildren, loadChildPages } from '../db/child-pages.js';
import { remember, replayOf, requestHash, type IdempotencyScope } from '../db/idempotency.js';
import { uuidv7 } from '../db/ids.js';
import { byKey } from '../db/loaders.js';
import type { Em } from '../db/orm.js';
import { PlainInserts, type Stager } from '../db/plain-inserts.js';
import { isPostgres, knexOf, run, runBound } from '../db/sql.js';
import { ConflictError, DomainError, ErrorCode, NotFoundError } from '../errors.js';
import { appHubName } from '../kube/index.js';
import { EventType, SubjectKind } from '../events/event.entity.js';
import type { EventDto, NewEvent } from '../events/event.dto.js';
import type { EventBatch, EventLog } from '../events/event.log.js';
import { pageKey, toPage, type Page, type PageRequest } from '../graphql/relay/connection.js';
import { assertProject } from '../tenancy/access.policy.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { QuotaLevel } from '../tenancy/gpu-quota.entity.js';
import { quotaRefusal, raiseQuota, recordReservations, releaseGpus, reserveGpus, type QuotaScope } from '../tenancy/quota.ledger.js';
import type { JobStore } from '../workflow/job.store.js';
import { isSecondActiveJob, JobState, WorkflowJob } from '../workflow/job.entity.js';
import { allocateGpus, allocateOnRanked, clusterFreeGpus, lockRunningPool, type ClusterFree, nameTakenError, noCapacityError, poolServingError, rankClusters, releaseAllocation } from './deployment.admission.js';
import { AdmissionBatcher } from './deployment.batch.js';
import { claimHotRows } from './deployment.claim.js';
import { AppDeployment, AppDeploymentBundle } from './deployment.entity.js';
import { DEPLOY_FLOW, DEPLOY_STEPS, deployStepPhase, isDeployStep, UNDEPLOY_FLOW, type DeployStep } from './deployment.flow.names.js';
import { deploymentMachine } from './deployment.machine.js';
import { DeploymentPhase } from './deployment.model.js';
import { replaceFailedPool } from './deployment.retry-pool.js';
import { recordRevision } from './deployment.revisions.js';
import { actorOf } from '../audit/audit.service.js';
import { planDeployment, type DeploymentPlan } from './deployment.dryrun.js';
import { prepareDeployment, type AdmissionPool, type DeployInput, type Prepared } from './deployment.prepare.js';
import { inSpan } from '../observability/tracing.js';

export interface DeploymentServiceDeps {
  pools: PoolService;
  events: EventLog;
  jobs: JobStore;
  wake: () => void;
  /**
   * PostgreSQL: group-commit the concurrent admissions of a project onto an existing SHARED pool
   * (deployment.batch.ts). Default on; off, every admission is its own transaction.
   */
  batchAdmissions?: boolean;
}

export interface DeployResult {
  deployment: AppDeployment | null;
  plan: DeploymentPlan | null;
}

/** Admissions of a new dedicated pool that lost its machines to a concurrent one are re-run this often. */
const MACHINE_RACE_ATTEMPTS = 5;
/** A delete that lost a race with the flow moving the phase is re-read and re-tried this often. */
const PHASE_RACE_ATTEMPTS = 5;

const subjectOf = (d: { id: string; name: string }, projectId: string) => ({ subjectKind: SubjectKind.APP_DEPLOYMENT, subjectId: d.id, subjectName: d.name, projectId });

export class DeploymentService {
  private readonly batcher: AdmissionBatcher | null;

  constructor(private readonly deps: DeploymentServiceDeps) {
    this.batcher =
      deps.batchAdmissions === false
        ? null
        : new AdmissionBatcher({
            events: deps.events,
            stage: (rows, m, cluster) => this.stage(m.ctx, rows, m.p, uuidv7(), m.pool, cluster, m.idem, m.scope),
            created: (d, m, cluster) => admittedEvent(d, m.pool, m.p, cluster),
          });
    deps.pools.registerDependents(async (em, poolId) => {
      const n = await em.count(AppDeployment, { pool: poolId, phase: { $ne: DeploymentPhase.DELETED } });
      return n ? `is used by ${n} app deployment(s)` : null;
    });
  }

  /** Admissions of this process waiting for their project's next group-commit batch (a metric). */
  admissionsQueued(): number {
    return this.batcher?.queued() ?? 0;
  }

  async byId(ctx: Ctx, id: string): Promise<AppDeployment | null> {
    const loader = ctx.loaders.get<string, AppDeployment | null>('deploymentById', async (ids) => byKey(ids, await ctx.em.find(AppDeployment, { id: { $in: [...ids] } }), (d) => d.id));
    const d = await loader.load(id);
    return d && (await ctx.services.projects.byId(ctx, d.project.id)) ? d : null;
  }

  async pageForProject(ctx: Ctx, projectId: string, page: PageRequest, phase: DeploymentPhase | null): Promise<Page<AppDeployment>> {
    const where = (qb: Knex.QueryBuilder) => {
      if (phase) qb.where('phase', phase);
    };
    const key = `${pageKey(page)}|${phase ?? ''}`;
    const loader = ctx.loaders.get<string, AppDeployment[]>(`deploymentsByProject:${key}`, async (ids) => {
      const m = await loadChildPages(ctx.em, AppDeployment, { parentColumn: 'project_id', parentIds: [...ids], limit: page.first + 1, afterId: page.afterId, beforeId: page.beforeId, backward: page.backward, where });
      return ids.map((id) => m.get(id) ?? []);
    });
    const counter = ctx.loaders.get<string, number>(`deploymentCount:${key}`, async (ids) => {
      const c = await countChildren(ctx.em, AppDeployment, 'project_id', [...ids], where);
      return ids.map((id) => c.get(id) ?? 0);
    });
    return toPage(await loader.load(projectId), page, () => counter.load(projectId));
  }

  /** The deployments placed on a pool and not DELETED, oldest first; batched across pools per page shape. */
  async pageForPool(ctx: Ctx, poolId: string, page: PageRequest): Promise<Page<AppDeployment>> {
    const where = (qb: Knex.QueryBuilder) => void qb.whereNot('phase', DeploymentPhase.DELETED);
    const loader = ctx.loaders.get<string, AppDeployment[]>(`deploymentsByPool:${pageKey(page)}`, async (ids) => {
      const m = await loadChildPages(ctx.em, AppDeployment, { parentColumn: 'pool_id', parentIds: [...ids], limit: page.first + 1, afterId: page.afterId, beforeId: page.beforeId, backward: page.backward, where });
      return ids.map((id) => m.get(id) ?? []);
    });
    const counter = ctx.loaders.get<string, number>('deploymentCountByPool', async (ids) => {
      const c = await countChildren(ctx.em, AppDeployment, 'pool_id', [...ids], where);
      return ids.map((id) => c.get(id) ?? 0);
    });
    return toPage(await loader.load(poolId), page, () => counter.load(poolId));
  }

  async bundleIds(ctx: Ctx, deploymentId: string): Promise<string[]> {
    const loader = ctx.loaders.get<string, string[]>('bundlesByDeployment', async (ids) => {
      const rows = await ctx.em.find(AppDeploymentBundle, { deployment: { $in: [...ids] } }, { orderBy: { position: 'asc' } });
      // a DELETED deployment's links are gone (its bundle versions may be deleted): its spec remembers them
      const unlinked = ids.filter((id) => !rows.some((r) => r.deployment.id === id));
      const specs = unlinked.length ? await ctx.em.find(AppDeployment, { id: { $in: unlinked } }) : [];
      return ids.map((id) => {
        const linked = rows.filter((r) => r.deployment.id === id).map((r) => r.bundle.id);
        return linked.length ? linked : (specs.find((d) => d.id === id)?.spec.bundleIds ?? []);
      });
    });
    return loader.load(deploymentId);
  }

  /** deployApp: validate, then (unless dryRun) admit in one transaction and start the flow. */
  async deploy(ctx: Ctx, input: DeployInput, dryRun = false): Promise<DeployResult> {
    const prepared = await prepareDeployment(ctx, input);
    if (dryRun) return { deployment: null, plan: await planDeployment(ctx, prepared) };
    const idem: IdempotencyScope | null = input.idempotencyKey
      ? { tokenId: ctx.viewer.tokenId, operation: 'deployApp', key: input.idempotencyKey, hash: requestHash({ projectId: prepared.project.id, ...prepared.spec }) }
      : null;
    if (idem) {
      const prior = await replayOf(ctx.em, idem);
      if (prior) return { deployment: await ctx.em.findOneOrFail(AppDeployment, { id: prior }), plan: null };
    }
    const batched = await this.admitBatched(ctx, prepared, idem);
    if (batched) {
      this.deps.wake();
      return { deployment: batched, plan: null };
    }
    for (let attempt = 0; ; attempt++) {
      try {
        // the job created inside remembers this span: every step of the flow joins the trace below it
        const d = await inSpan('admission', { 'spokegraph.project.id': prepared.project.id, 'spokegraph.admission.attempt': attempt }, () =>
          this.deps.events.commit(ctx.em, (em, events) => this.admit(ctx, em, events, prepared, idem)),
        );
        this.deps.wake();
        return { deployment: d, plan: null };
      } catch (e) {
        // a concurrent admission took a machine the new dedicated pool chose: choose again
        if (e instanceof MachineRace && attempt < MACHINE_RACE_ATTEMPTS) continue;
        if (e instanceof MachineRace) throw new DomainError(ErrorCode.CONFLICT, 'machines were taken concurrently; try again', ['newDedicatedPool', 'nodeRequirements']);
        if (e instanceof UniqueConstraintViolationException && idem) {
          const prior = await replayOf(ctx.em.fork() as Em, idem);
          if (prior) return { deployment: await (ctx.em.fork() as Em).findOneOrFail(AppDeployment, { id: prior }), plan: null };
        }
        // the unique index refused the name (admit checks it no other way for an existing pool)
        if (isActiveNameTaken(e)) throw nameTakenError(prepared.spec.name, prepared.project.name);
        throw e;
      }
    }
  }

  /**
   * The common case on PostgreSQL — an existing SHARED pool — through the project's group commit
   * (deployment.batch.ts): the admitted deployment, a refusal (thrown), or null when the batch hands
   * the call back to be admitted on its own (a taken name, a budget, a failed batch).
   */
  private async admitBatched(ctx: Ctx, p: Prepared, idem: IdempotencyScope | null): Promise<AppDeployment | null> {
    const pool = p.pool;
    if (!this.batcher || !isPostgres(ctx.em) || p.spec.target.kind !== 'EXISTING_POOL' || pool?.mode !== PoolMode.SHARED) return null;
    const scope = { tenantId: p.project.tenant.id, tenantName: p.tenantName, projectId: p.project.id, projectName: p.project.name, now: ctx.services.clock.now() };
    const o = await inSpan('admission', { 'spokegraph.project.id': p.project.id, 'spokegraph.admission.batched': true }, () => this.batcher!.admit({ ctx, p, pool, idem, scope }));
    return o.kind === 'ADMITTED' ? o.deployment : null;
  }

  /**
   * Every row of an admitted deployment onto `cluster`, staged in `em` for its next flush (or, in a
   * group commit, as plain rows for its multi-row inserts: db/plain-inserts.ts): the
   * deployment, its bundle links, revision 1, the idempotency record, the DEPLOY job and, on a
   * SHARED pool, its GPU reservations (admit and the group commit both write exactly these).
   */
  private stage(ctx: Ctx, em: Stager, p: Prepared, id: string, pool: AdmissionPool, cluster: string, idem: IdempotencyScope | null, scope: QuotaScope): AppDeployment {
    const { project, spec } = p;
    const d = em.create(AppDeployment, {
      id,
      project: project.id,
      name: spec.name,
      activeName: spec.name,
      description: spec.description,
      links: spec.links,
      pool: pool.id,
      cluster,
      hubName: appHubName(project.name, spec.name),
      spec,
      resolvedVariables: { ...p.resolved },
      gpuRequests: p.gpuRequests,
      holdsAllocation: true,
      phase: DeploymentPhase.QUEUED,
    });
    p.bundles.forEach((b, position) => em.create(AppDeploymentBundle, { deployment: d, bundle: b.id, position }));
    recordRevision(em, id, 1, { bundleIds: spec.bundleIds, variables: spec.variables, resolvedVariables: { ...p.resolved }, gpuRequests: p.gpuRequests }, actorOf(ctx.viewer));
    if (idem) remember(em, idem, id);
    this.deps.jobs.create(em, DEPLOY_FLOW, id, project.id);
    // a shared pool: the deployment holds its own GPUs against the quota (a dedicated pool already holds all of its own)
    if (pool.mode === PoolMode.SHARED) recordReservations(em, scope, { kind: 'APP_DEPLOYMENT', id, poolId: pool.id }, p.gpuRequests);
    return d;
  }

  /**
   * The admission transaction. Statement order is what makes concurrent admissions fast: the rows
   * that EVERY admission of a project writes — the project's and tenant's quota rows, the chosen
   * cluster's GPU row and the project's event counter — are locked from their first write until
   * COMMIT, so they are written last, after all the inserts and reads (which touch only rows no
   * other admission writes). Concurrent admissions then serialise on a few statements each instead
   * of on the whole transaction. Refusals keep the order of before: name taken, dedicated pool in
   * use, quota, capacity; any refusal rolls everything back, so nothing is written.
   */
  private async admit(ctx: Ctx, em: Em, events: EventBatch, p: Prepared, idem: IdempotencyScope | null): Promise<AppDeployment> {
    const id = uuidv7();
    const { project, spec } = p;
    let pool: AdmissionPool;
    const target = spec.target;
    if (target.kind === 'NEW_DEDICATED_POOL') {
      // the deployment row can only be inserted once its pool exists (foreign key), so the name is
      // checked here, to refuse a taken name before anything the new pool would refuse
      if (await em.count(AppDeployment, { project: project.id, activeName: spec.name })) throw nameTakenError(spec.name, project.name);
      pool = await withFieldPrefix(['newDedicatedPool'], () => this.deps.pools.create(
        ctx,
        {
          projectId: project.id,
          name: target.poolName,
          description: target.description ?? `Dedicated pool of app deployment ${spec.name}`,
          mode: PoolMode.DEDICATED,
          clusterCount: 1,
          infrastructureBundleId: target.infrastructureBundleId,
          nodeRequirements: target.nodeRequirements,
          exposure: target.exposure?.mode,
          ingressHostSuffix: target.exposure?.ingressHostSuffix,
        },
        { em, events, ownerDeploymentId: id },
      ));
    } else {
      // loaded and checked (same project, RUNNING) by prepareDeployment, outside this transaction: a
      // delete may have committed since, or be under way — decided under the pool's row lock
      pool = p.pool ?? (await em.findOneOrFail(ComputePool, { id: target.poolId }));
      await lockRunningPool(em, pool, ['poolId']);
    }
    // where it would go now; the guarded UPDATE below decides (and may fall back to the next one)
    const ranked = rankClusters(await clusterFreeGpus(em, pool.id), p.gpuRequests);
    const scope = { tenantId: project.tenant.id, tenantName: p.tenantName, projectId: project.id, projectName: project.name, now: ctx.services.clock.now() };
    // An existing pool: the rows as plain inserts, one statement per table (db/plain-inserts.ts) —
    // no managed entities, no change sets (the unit of work's flush was the largest part of an
    // admission's CPU); the deployment handed back is a read-only row. A new dedicated pool was
    // created through this EntityManager, so its admission keeps the unit of work (one flush, in
    // the order the rows depend on each other).
    const rows = target.kind === 'EXISTING_POOL' ? new PlainInserts(em) : null;
    // (no cluster fits: the refusal below rolls these rows back)
    const d = this.stage(ctx, rows ?? em, p, id, pool, ranked[0]?.cluster.name ?? '', idem, scope);
    // All the inserts at once. A taken name fails here, on the unique index (project, active_name):
    // deploy() turns that into the ALREADY_EXISTS refusal.
    if (rows) await rows.insert();
    else await em.flush();

    // From here on: the hot rows, each a guarded UPDATE, then (in EventLog.commit) the project's event
    // counter; on PostgreSQL, for a shared pool, all of them in one statement as the final step.
    if (pool.mode === PoolMode.DEDICATED) {
      // a dedicated pool serves exactly one deployment: claim it, or lose to whoever did first
      const k = knexOf(em);
      const claimed = await run(em, k('compute_pool').where({ id: pool.id }).whereNull('serving_deployment_id').update({ serving_deployment_id: id }));
      if (claimed !== 1) throw poolServingError(pool.name);
    } else if (isPostgres(em) && p.gpuRequests.length === 1 && ranked.length) {
      // the common case on PostgreSQL: every hot row in one statement, the last before COMMIT
      events.finalStep = () => this.claimLast(em, d, pool, p, scope, ranked);
      return d;
    } else {
      await raiseQuota(em, scope, p.gpuRequests, ['bundleIds'], { recorded: true });
    }
    const cluster = await allocateOnRanked(em, ranked, p.gpuRequests);
    if (!cluster) throw noCapacityError(pool.name, p.gpuRequests, spec.target.kind === 'EXISTING_POOL' ? ['poolId'] : ['newDedicatedPool', 'nodeRequirements']);
    // a concurrent admission filled the first choice since it was read
    if (cluster.name !== d.cluster) await moveCluster(em, d, cluster.name);
    events.emit(admittedEvent(d, pool, p, cluster.name));
    return d;
  }

  /**
   * admit's final step on PostgreSQL (deployment.claim.ts): quota, cluster and the CREATED event in
   * one statement. The statement-at-a-time way instead for a project with a GPU-hour budget, and
   * for the cluster when every one that fit is full or held by a concurrent admission (it waits).
   */
  private async claimLast(em: Em, d: AppDeployment, pool: AdmissionPool, p: Prepared, scope: QuotaScope, ranked: ClusterFree[]): Promise<EventDto[]> {
    const [request] = p.gpuRequests;
    const created = admittedEvent(d, pool, p, '\u0000');
    const { cluster: _, ...details } = created.details!;
    const claim = await claimHotRows(em, {
      tenantId: scope.tenantId,
      projectId: scope.projectId,
      deploymentId: d.id,
      poolId: pool.id,
      request,
      rankedClusterIds: ranked.map((f) => f.cluster.id),
      now: new Date(),
      event: { ...created, id: uuidv7(), time: new Date(), stepId: null, stepIndex: null, stepCount: created.stepCount ?? null, percent: 0, messageAround: created.message.split('\u0000') as [string, string], details },
    });
    if (claim.kind === 'PROJECT_QUOTA' || claim.kind === 'TENANT_QUOTA') {
      throw await quotaRefusal(em, scope, claim.kind === 'PROJECT_QUOTA' ? QuotaLevel.PROJECT : QuotaLevel.TENANT, request, ['bundleIds']);
    }
    if (claim.kind === 'CLAIMED') {
      // the statement wrote the row's cluster already: only the row handed back follows it (a plain row: admit)
      d.cluster = claim.cluster;
      return [claim.event];
    }
    // BUDGETED: the budget is decided under its row lock; NO_FREE_CLUSTER: the quota is raised already
    if (claim.kind === 'BUDGETED') await raiseQuota(em, scope, p.gpuRequests, ['bundleIds'], { recorded: true });
    const cluster = await allocateOnRanked(em, ranked, p.gpuRequests);
    if (!cluster) throw noCapacityError(pool.name, p.gpuRequests, ['poolId']);
    if (cluster.name !== d.cluster) await moveCluster(em, d, cluster.name);
    return this.deps.events.append(em, [admittedEvent(d, pool, p, cluster.name)]);
  }

  private async requireDeployment(ctx: Ctx, id: string): Promise<AppDeployment> {
    const d = await this.byId(ctx, id);
    if (!d) throw new NotFoundError('App deployment', ['id']);
    const project = await ctx.services.projects.require(ctx, d.project.id, ['id']);
    assertProject(ctx.viewer, { id: project.id, tenantId: project.tenant.id, name: project.name }, 'deploy', ['id']);
    return d;
  }

  /**
   * Resumes a FAILED deployment at its failed step, re-admitting its GPUs first; one whose own
   * dedicated pool failed starts over on a new pool (deployment.retry-pool.ts).
   */
  async retry(ctx: Ctx, id: string): Promise<AppDeployment> {
    const d = await this.requireDeployment(ctx, id);
    if (d.phase !== DeploymentPhase.FAILED) throw new DomainError(ErrorCode.ILLEGAL_STATE, `app deployment ${d.name} is ${d.phase}; only FAILED deployments can be retried`, ['id']);
    const project = await ctx.services.projects.require(ctx, d.project.id, ['id']);
    const changed = () => new DomainError(ErrorCode.ILLEGAL_STATE, `app deployment ${d.name} changed while it was being retried`, ['id']);
    try {
      await this.deps.events.commit(ctx.em, (em, events) => this.retryIn(ctx, em, events, d, project));
    } catch (e) {
      // the one-ACTIVE-job index refused a second job: another retry got there first
      if (isSecondActiveJob(e)) throw changed();
      throw e;
    }
    this.deps.wake();
    return ctx.em.fork().findOneOrFail(AppDeployment, { id: d.id });
  }

  /**
   * The retry transaction. Its guarded update moves the phase out of FAILED (into the phase of the
   * step it resumes at), so a second retry of the same failure finds the deployment no longer FAILED
   * and is refused — it can neither start a second job nor reserve the GPUs twice (and the database
   * allows one ACTIVE job per subject besides).
   */
  private async retryIn(ctx: Ctx, em: Em, events: EventBatch, d: AppDeployment, project: { id: string; name: string; tenant: { id: string } }): Promise<void> {
    // refresh: the request's identity map holds the deployment as it was before this transaction
    const fresh = await em.findOneOrFail(AppDeployment, { id: d.id }, { refresh: true });
    if (fresh.phase !== DeploymentPhase.FAILED) throw new DomainError(ErrorCode.ILLEGAL_STATE, `app deployment ${d.name} is ${fresh.phase}`, ['id']);
    const failedJob = await em.findOne(WorkflowJob, { subjectId: d.id, flow: DEPLOY_FLOW, state: JobState.FAILED }, { orderBy: { id: 'desc' } });
    if (!failedJob) throw new DomainError(ErrorCode.ILLEGAL_STATE, `app deployment ${d.name} has no failed step to resume`, ['id']);
    // (a step this release no longer has — UNKNOWN_STEP — starts over: every step is idempotent)
    const failedStep: DeployStep = isDeployStep(failedJob.stepId) ? failedJob.stepId : DEPLOY_STEPS[0];
    const pool = await em.findOneOrFail(ComputePool, { id: fresh.pool.id });
    /** FAILED → the phase of `step`, or a refusal when something else moved it first. */
    const moveTo = async (step: DeployStep, extra: Record<string, unknown>) => {
      const phase = deployStepPhase(step, fresh.spec.target.kind);
      try {
        await deploymentMachine.apply(em, AppDeployment, d.id, DeploymentPhase.FAILED, phase, {
          ...extra,
          holdsAllocation: true,
          retries: fresh.retries + 1,
          failureReason: null,
          failureStep: null,
          failureMessage: null,
        });
      } catch (e) {
        if (e instanceof ConflictError) throw new DomainError(ErrorCode.ILLEGAL_STATE, `app deployment ${d.name} changed while it was being retried`, ['id']);
        throw e;
      }
      return phase;
    };
    const retried = (phase: DeploymentPhase, step: DeployStep, percent: number, message: string, details?: Record<string, unknown>) => {
      const at = { stepId: step, stepIndex: DEPLOY_STEPS.indexOf(step), stepCount: DEPLOY_STEPS.length, percent };
      events.emit({ ...subjectOf(d, project.id), ...at, type: EventType.RETRIED, phase, message, details });
      events.emit({ ...subjectOf(d, project.id), ...at, type: EventType.PHASE_CHANGED, phase, message: `App deployment ${d.name} is ${phase}` });
    };

    if (pool.phase === PoolPhase.FAILED && pool.ownerDeploymentId === d.id && fresh.spec.target.kind === 'NEW_DEDICATED_POOL') {
      // its own dedicated pool failed: a new pool replaces it, and the flow starts over
      const next = await replaceFailedPool(ctx, em, events, this.deps.pools, fresh, pool);
      const phase = await moveTo(DEPLOY_STEPS[0], { pool: next.pool.id, cluster: next.cluster });
      this.deps.jobs.create(em, DEPLOY_FLOW, d.id, project.id, {}, DEPLOY_STEPS[0]);
      await em.flush();
      retried(phase, DEPLOY_STEPS[0], 0, `Retry ${fresh.retries + 1} of ${d.name}: compute pool ${pool.name} failed and is being deleted; provisioning a new dedicated pool ${next.pool.name}`, {
        failedPool: pool.name,
        newPool: next.pool.name,
      });
      return;
    }
    // Another FAILED (or a deleted) pool is not retried from here: its Cluster API objects are
    // terminal. A pool still provisioning is waited for again from step 0.
    const poolGone = pool.phase === PoolPhase.FAILED || pool.phase === PoolPhase.DELETING || pool.phase === PoolPhase.DELETED;
    if (poolGone || (pool.phase !== PoolPhase.RUNNING && failedStep !== DEPLOY_STEPS[0])) {
      throw new DomainError(ErrorCode.ILLEGAL_STATE, `its compute pool ${pool.name} is ${pool.phase}; delete the deployment and deploy again`, ['id']);
    }
    // a RUNNING pool must stay so until this commits (a concurrent delete waits, then sees this deployment)
    if (pool.phase === PoolPhase.RUNNING) await lockRunningPool(em, pool, ['id']);
    if (pool.mode === PoolMode.SHARED) {
      const tenantName = (await em.findOneOrFail(Tenant, { id: project.tenant.id })).name;
      const scope = { tenantId: project.tenant.id, tenantName, projectId: project.id, projectName: project.name, now: ctx.services.clock.now() };
      await reserveGpus(em, scope, { kind: 'APP_DEPLOYMENT', id: d.id, poolId: pool.id }, fresh.gpuRequests, ['id']);
    }
    const cluster = await allocateGpus(em, pool.id, fresh.gpuRequests, fresh.cluster);
    if (!cluster) throw new DomainError(ErrorCode.INSUFFICIENT_CAPACITY, `no cluster of compute pool ${pool.name} has room for ${d.name} any more`, ['id']);
    // a different cluster means a new placement: resume from the placement step at the latest
    const moved = cluster.name !== fresh.cluster;
    const step = moved && DEPLOY_STEPS.indexOf(failedStep) > DEPLOY_STEPS.indexOf('place') ? 'place' : failedStep;
    // guarded: a delete or another retry that committed since our read wins, and this one rolls back
    const phase = await moveTo(step, { cluster: cluster.name });
    const checkpoint = { ...failedJob.checkpoint };
    delete checkpoint._wait;
    this.deps.jobs.create(em, DEPLOY_FLOW, d.id, project.id, checkpoint, step);
    await em.flush();
    retried(phase, step, fresh.percent, `Retry ${fresh.retries + 1} of ${d.name}: resuming at ${step}${moved ? ` on cluster ${cluster.name}` : ''}`);
  }

  /** Starts the teardown (idempotent while DELETING). */
  async requestDelete(ctx: Ctx, id: string): Promise<AppDeployment> {
    const d = await this.requireDeployment(ctx, id);
    if (d.phase === DeploymentPhase.DELETED) throw new DomainError(ErrorCode.ILLEGAL_STATE, `app deployment ${d.name} is already deleted`, ['id']);
    if (d.phase !== DeploymentPhase.DELETING) {
      // the flow may move the phase between our read and our guarded write: read again and retry
      for (let attempt = 0; ; attempt++) {
        try {
          await this.deps.events.commit(ctx.em, async (em, events) => {
            // refresh: the request's identity map holds the deployment as it was before this transaction
            const fresh = await em.findOneOrFail(AppDeployment, { id: d.id }, { refresh: true });
            if (fresh.phase === DeploymentPhase.DELETING || fresh.phase === DeploymentPhase.DELETED) return;
            // a runner may be inside a deploy step right now; a hub write it has in flight is taken
            // back by the step itself once it sees DELETING (deployment.flow.ts applyUnlessDeleted)
            await this.deps.jobs.cancelActive(em, d.id);
            await deploymentMachine.apply(em, AppDeployment, d.id, fresh.phase, DeploymentPhase.DELETING, { waitReason: null, waitMessage: null, waitingSince: null, currentStep: null });
            this.deps.jobs.create(em, UNDEPLOY_FLOW, d.id, fresh.project.id);
            await em.flush();
            events.emit({ ...subjectOf(d, fresh.project.id), type: EventType.DELETE_REQUESTED, phase: DeploymentPhase.DELETING, percent: fresh.percent, message: `Deletion of app deployment ${d.name} requested` });
            events.emit({ ...subjectOf(d, fresh.project.id), type: EventType.PHASE_CHANGED, phase: DeploymentPhase.DELETING, percent: fresh.percent, message: `App deployment ${d.name} is DELETING` });
          });
          break;
        } catch (e) {
          if (!(e instanceof ConflictError && e.code === ErrorCode.CONFLICT) || attempt >= PHASE_RACE_ATTEMPTS) throw e;
        }
      }
      this.deps.wake();
    }
    return ctx.em.fork().findOneOrFail(AppDeployment, { id: d.id });
  }
}

/** The CREATED event of an admission onto `cluster`. */
function admittedEvent(d: AppDeployment, pool: AdmissionPool, p: Prepared, cluster: string): NewEvent {
  const gpus = p.gpuRequests.length ? p.gpuRequests.map((g) => `${g.count} ${g.gpuFamily}`).join(', ') : 'no GPUs';
  return {
    ...subjectOf(d, p.project.id),
    type: EventType.CREATED,
    phase: DeploymentPhase.QUEUED,
    stepCount: DEPLOY_STEPS.length,
    message: `App deployment ${d.name} admitted on ${pool.mode} pool ${pool.name}, cluster ${cluster} (${gpus})`,
    details: { pool: pool.name, cluster, gpuRequests: p.gpuRequests, newPool: p.spec.target.kind === 'NEW_DEDICATED_POOL' },
  };
}

/**
 * Admission placed `d` on another cluster than the one it was staged with: a managed entity by the
 * unit of work, a plain row (PlainInserts, not managed) by its own UPDATE — the same columns the
 * flush writes (the cluster, and `updatedAt` by its onUpdate).
 */
async function moveCluster(em: Em, d: AppDeployment, cluster: string): Promise<void> {
  d.cluster = cluster;
  if (em.getUnitOfWork().getById<AppDeployment>(AppDeployment.name, d.id) === d) return void (await em.flush());
  d.updatedAt = new Date();
  await runBound(em, 'update "app_deployment" set "cluster" = ?, "updated_at" = ? where "id" = ?', [cluster, d.updatedAt, d.id]);
}

/** Whether `e` is the unique index on app_deployment (project_id, active_name) refusing an insert. */
function isActiveNameTaken(e: unknown): boolean {
  if (!(e instanceof UniqueConstraintViolationException)) return false;
  const constraint = (e as { constraint?: string }).constraint; // PostgreSQL names it
  return constraint === 'app_deployment_project_id_active_name_unique' || e.message.includes('app_deployment.project_id, app_deployment.active_name'); // SQLite lists the columns
}

/** Errors of the nested pool admission point into the deployment's input. */
async function withFieldPrefix<T>(prefix: string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError && e.field && e.field[0] !== prefix[0]) {
      const field = e.field[0] === 'name' ? [...prefix, 'name'] : [...prefix, ...e.field];
      throw new DomainError(e.code, e.message, field, e.details);
    }
    throw e;
  }
}

/** In a flow's transaction: what a deployment holds goes back (quota, cluster GPUs). Idempotent. */
export async function releaseDeployment(em: Em, deploymentId: string): Promise<void> {
  await releaseGpus(em, deploymentId);
  await releaseAllocation(em, deploymentId);
}
