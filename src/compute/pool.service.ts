/**
 * Compute pools: admission (one transaction: validate, choose and reserve machines, reserve GPU quota
 * for DEDICATED pools, record the pool, its clusters, its job and its first event), reads, and the
 * delete request. The hub work itself is the workflow in pool.flow.ts.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { BundleType } from '../catalog/bundle.model.js';
import { ProfileBundle } from '../catalog/profile-bundle.entity.js';
import { MAX_DESCRIPTION, textProblem } from '../common/rules.js';
import type { Ctx } from '../context.js';
import { countChildren, loadChildPages } from '../db/child-pages.js';
import { idempotencyKeyProblem, remember, replayOf, requestHash, type IdempotencyScope } from '../db/idempotency.js';
import { byKey } from '../db/loaders.js';
import type { Em } from '../db/orm.js';
import { all, isPostgres, knexOf } from '../db/sql.js';
import { ConflictError, DomainError, ErrorCode, NotFoundError, Problems } from '../errors.js';
import { EventType, SubjectKind } from '../events/event.entity.js';
import type { EventBatch, EventLog } from '../events/event.log.js';
import { pageKey, toPage, type Page, type PageRequest } from '../graphql/relay/connection.js';
import { clusterSetName, spokeClusterName } from '../kube/index.js';
import { assertProject } from '../tenancy/access.policy.js';
import { Project } from '../tenancy/project.entity.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import type { ProjectService } from '../tenancy/project.service.js';
import type { JobStore } from '../workflow/job.store.js';
import { Machine } from './machine.entity.js';
import { availableMachines, MachineRace, reserveMachines, reservePoolGpus } from './pool.admission.js';
import { ComputePool, PoolCluster } from './pool.entity.js';
import { POOL_DELETE_FLOW, POOL_PROVISION_FLOW } from './pool.flow.names.js';
import { poolMachine } from './pool.machine.js';
import { PoolMode, PoolPhase, type ExposureSetting, type NodeRequirements, type PoolExposure } from './pool.model.js';
import { exposureOf } from './pool.exposure.js';
import { poolNameProblem, requirementProblems, selectMachines } from './pool.rules.js';
import { scalePool, type ScalePoolInput } from './pool.scale.js';
import { inSpan } from '../observability/tracing.js';

export interface CreatePoolInput {
  projectId: string;
  name: string;
  description?: string | null;
  mode: PoolMode;
  clusterCount?: number | null;
  infrastructureBundleId: string;
  nodeRequirements: NodeRequirements;
  /** default LOAD_BALANCER */
  exposure?: PoolExposure | null;
  /** INGRESS only (required there) */
  ingressHostSuffix?: string | null;
  idempotencyKey?: string | null;
}

/** Something that keeps a pool from being deleted (App Deployments placed on it): a message or null. */
export type PoolDependents = (em: Em, poolId: string) => Promise<string | null>;

export interface PoolServiceDeps {
  projects: ProjectService;
  events: EventLog;
  jobs: JobStore;
  /** wakes the workflow runner after a job was committed */
  wake: () => void;
}

/** One cluster's GPUs of one family: what the graph shows of a cluster_gpu row. */
export interface ClusterGpuView {
  clusterId: string;
  gpuFamily: string;
  capacity: number;
  allocated: number;
}

export class PoolService {
  private readonly dependents: PoolDependents[] = [];

  constructor(private readonly deps: PoolServiceDeps) {
    deps.projects.registerDependents(async (em, projectId) => {
      const n = await em.count(ComputePool, { project: projectId, phase: { $ne: PoolPhase.DELETED } });
      return n ? `has ${n} compute pool(s)` : null;
    });
    // a live spoke's cluster namespace (names of the previous release hold no "--")
    deps.projects.registerHubNames(async (em, name) => (await em.count(PoolCluster, { activeName: name })) > 0);
  }

  /** Flows that queue pool work (a deployment deleting its dedicated pool) wake the runner with it. */
  wakeRunner(): void {
    this.deps.wake();
  }

  registerDependents(check: PoolDependents): void {
    this.dependents.push(check);
  }

  async byId(ctx: Ctx, id: string): Promise<ComputePool | null> {
    const loader = ctx.loaders.get<string, ComputePool | null>('poolById', async (ids) => byKey(ids, await ctx.em.find(ComputePool, { id: { $in: [...ids] } }), (p) => p.id));
    const pool = await loader.load(id);
    if (!pool) return null;
    const project = await this.deps.projects.byId(ctx, pool.project.id);
    return project ? pool : null;
  }

  async pageForProject(ctx: Ctx, projectId: string, page: PageRequest, phase: PoolPhase | null): Promise<Page<ComputePool>> {
    const where = (qb: Knex.QueryBuilder) => {
      if (phase) qb.where('phase', phase);
    };
    const key = `${pageKey(page)}|${phase ?? ''}`;
    const loader = ctx.loaders.get<string, ComputePool[]>(`poolsByProject:${key}`, async (ids) => {
      const m = await loadChildPages(ctx.em, ComputePool, { parentColumn: 'project_id', parentIds: [...ids], limit: page.first + 1, afterId: page.afterId, beforeId: page.beforeId, backward: page.backward, where });
      return ids.map((id) => m.get(id) ?? []);
    });
    const counter = ctx.loaders.get<string, number>(`poolCount:${key}`, async (ids) => {
      const c = await countChildren(ctx.em, ComputePool, 'project_id', [...ids], where);
      return ids.map((id) => c.get(id) ?? 0);
    });
    return toPage(await loader.load(projectId), page, () => counter.load(projectId));
  }

  async clusters(ctx: Ctx, poolId: string): Promise<PoolCluster[]> {
    const loader = ctx.loaders.get<string, PoolCluster[]>('clustersByPool', async (ids) => {
      const rows = await ctx.em.find(PoolCluster, { pool: { $in: [...ids] } }, { orderBy: { index: 'asc' } });
      return ids.map((id) => rows.filter((r) => r.pool.id === id));
    });
    return loader.load(poolId);
  }

  /** GPU capacity and allocation of each of a pool's clusters per family, as plain rows; batched across pools. */
  async clusterGpus(ctx: Ctx, poolId: string): Promise<ClusterGpuView[]> {
    const loader = ctx.loaders.get<string, ClusterGpuView[]>('clusterGpusByPool', async (ids) => {
      const rows = await all<{ pool_id: string; cluster_id: string; gpu_family: string; capacity: number; allocated: number }>(
        ctx.em,
        knexOf(ctx.em)('cluster_gpu').select('pool_id', 'cluster_id', 'gpu_family', 'capacity', 'allocated').whereIn('pool_id', [...ids]).orderBy('gpu_family'),
      );
      const byPool = new Map<string, ClusterGpuView[]>(ids.map((id) => [id, []]));
      for (const r of rows) byPool.get(r.pool_id)?.push({ clusterId: r.cluster_id, gpuFamily: r.gpu_family, capacity: Number(r.capacity), allocated: Number(r.allocated) });
      return ids.map((id) => byPool.get(id) ?? []);
    });
    return loader.load(poolId);
  }

  /** The hosts serving a pool, in registration (id) order; batched across pools per page shape. */
  async machinePage(ctx: Ctx, poolId: string, page: PageRequest): Promise<Page<Machine>> {
    const loader = ctx.loaders.get<string, Machine[]>(`machinesByPool:${pageKey(page)}`, async (ids) => {
      const m = await loadChildPages(ctx.em, Machine, { parentColumn: 'pool_id', parentIds: [...ids], limit: page.first + 1, afterId: page.afterId, beforeId: page.beforeId, backward: page.backward });
      return ids.map((id) => m.get(id) ?? []);
    });
    const counter = ctx.loaders.get<string, number>('machineCountByPool', async (ids) => {
      const c = await countChildren(ctx.em, Machine, 'pool_id', [...ids]);
      return ids.map((id) => c.get(id) ?? 0);
    });
    return toPage(await loader.load(poolId), page, () => counter.load(poolId));
  }

  private async loadBundle(ctx: Ctx, bundleId: string, projectId: string): Promise<ProfileBundle> {
    const bundle = await ctx.em.findOne(ProfileBundle, { id: bundleId });
    if (!bundle || bundle.project.id !== projectId) throw new NotFoundError('Profile bundle', ['infrastructureBundleId']);
    if (bundle.type === BundleType.APPLICATION || !bundle.clusterProfile) {
      throw new DomainError(ErrorCode.INVALID_INPUT, `bundle ${bundle.name} v${bundle.version} is ${bundle.type}; a pool needs an INFRASTRUCTURE or FULLSTACK bundle`, ['infrastructureBundleId']);
    }
    return bundle;
  }

  /** Validates and admits a pool; returns it (or the first result for a repeated idempotency key). */
  async create(ctx: Ctx, input: CreatePoolInput, opts: { ownerDeploymentId?: string; em?: Em; events?: EventBatch } = {}): Promise<ComputePool> {
    const project = await this.deps.projects.require(ctx, input.projectId, ['projectId']);
    assertProject(ctx.viewer, { id: project.id, tenantId: project.tenant.id, name: project.name }, 'managePools', ['projectId']);
    const clusterCount = input.clusterCount ?? 1;
    const p = new Problems();
    const np = poolNameProblem(input.name);
    if (np) p.add(np, ['name'], ErrorCode.INVALID_NAME);
    const dp = textProblem(input.description, MAX_DESCRIPTION, 'description');
    if (dp) p.add(dp, ['description']);
    requirementProblems(input.mode, clusterCount, input.nodeRequirements).forEach((e) => p.push(e));
    const exposure = exposureOf(input);
    if (exposure instanceof DomainError) p.push(exposure);
    if (input.idempotencyKey != null) {
      const kp = idempotencyKeyProblem(input.idempotencyKey);
      if (kp) p.add(kp, ['idempotencyKey']);
    }
    p.throwIfAny();
    const bundle = await this.loadBundle(ctx, input.infrastructureBundleId, project.id);

    const idem: IdempotencyScope | null = input.idempotencyKey
      ? { tokenId: ctx.viewer.tokenId, operation: 'createComputePool', key: input.idempotencyKey, hash: requestHash({ ...input, idempotencyKey: undefined }) }
      : null;
    if (idem && !opts.em) {
      const prior = await replayOf(ctx.em, idem);
      if (prior) return ctx.em.findOneOrFail(ComputePool, { id: prior });
    }

    const admit = async (em: Em, events: EventBatch): Promise<ComputePool> => {
      if (await em.count(ComputePool, { project: project.id, activeName: input.name })) {
        throw new ConflictError(`compute pool ${input.name} already exists in project ${project.name}`, ['name'], ErrorCode.ALREADY_EXISTS);
      }
      // Derived names are distinct by construction ("--" joins names that cannot hold it); names of
      // the previous release were not (project "a--b" was allowed), so a live pool's names, or a
      // project's namespace, may still equal ours: sharing them would let one owner touch the
      // other's objects on the hub. Refuse instead.
      const set = clusterSetName(project.name, input.name);
      const spokes = Array.from({ length: clusterCount }, (_, i) => spokeClusterName(project.name, input.name, clusterCount > 1 ? i : undefined));
      if (
        (await em.count(ComputePool, { clusterSet: set, activeName: { $ne: null } })) ||
        (await em.count(PoolCluster, { activeName: { $in: spokes } })) ||
        (await em.count(Project, { name: { $in: spokes } }))
      ) {
        throw new ConflictError(`the hub names of compute pool ${input.name} (${set}) are taken; choose another name`, ['name'], ErrorCode.ALREADY_EXISTS);
      }
      const selection = selectMachines(input.nodeRequirements, clusterCount, await availableMachines(em, project.tenant.id));
      if (!selection.ok) throw new DomainError(ErrorCode.INSUFFICIENT_CAPACITY, selection.problems.join('; '), ['nodeRequirements']);
      const pool = em.create(ComputePool, {
        project: project.id,
        name: input.name,
        activeName: input.name,
        description: input.description ?? null,
        mode: input.mode,
        bundle: bundle.id,
        clusterCount,
        nodeRequirements: input.nodeRequirements,
        kubernetesVersion: bundle.clusterProfile!.kubernetesVersion,
        clusterSet: set,
        ownerDeploymentId: opts.ownerDeploymentId ?? null,
        exposure: exposure as ExposureSetting,
        phase: PoolPhase.PENDING,
      });
      await em.flush();
      const tenant = await em.findOneOrFail(Tenant, { id: project.tenant.id });
      await reserveMachines(em, pool, project.name, selection.clusters);
      const scope = { tenantId: project.tenant.id, tenantName: tenant.name, projectId: project.id, projectName: project.name, now: ctx.services.clock.now() };
      await reservePoolGpus(em, pool, scope, selection.clusters);
      if (idem) remember(em, idem, pool.id);
      this.deps.jobs.create(em, POOL_PROVISION_FLOW, pool.id, project.id);
      await em.flush();
      const hosts = selection.clusters.reduce((n, c) => n + c.hosts.length, 0);
      events.emit({
        subjectKind: SubjectKind.COMPUTE_POOL,
        subjectId: pool.id,
        subjectName: pool.name,
        projectId: project.id,
        type: EventType.CREATED,
        phase: PoolPhase.PENDING,
        message: `${pool.mode} pool ${pool.name} admitted: ${clusterCount} cluster(s), ${hosts} machine(s) reserved`,
        details: { mode: pool.mode, clusterCount, machines: hosts },
      });
      return pool;
    };

    if (opts.em && opts.events) return admit(opts.em, opts.events);
    for (let attempt = 0; ; attempt++) {
      try {
        // the provisioning job created inside remembers this span, so its steps join the request's trace
        const pool = await inSpan('pool admission', { 'spokegraph.project.id': project.id, 'spokegraph.admission.attempt': attempt }, () => this.deps.events.commit(ctx.em, admit));
        this.deps.wake();
        return pool;
      } catch (e) {
        if (e instanceof MachineRace && attempt < 5) continue;
        if (e instanceof MachineRace) throw new DomainError(ErrorCode.CONFLICT, 'machines were taken concurrently; try again', ['nodeRequirements']);
        if (e instanceof UniqueConstraintViolationException && idem) {
          const prior = await replayOf(ctx.em.fork() as Em, idem);
          if (prior) return (ctx.em.fork() as Em).findOneOrFail(ComputePool, { id: prior });
        }
        throw e;
      }
    }
  }

  /** Admits a scale of a RUNNING pool's worker pools and queues its flow (pool.scale.ts). */
  async scale(ctx: Ctx, input: ScalePoolInput): Promise<ComputePool> {
    const pool = await this.byId(ctx, input.id);
    if (!pool) throw new NotFoundError('Compute pool', ['id']);
    return scalePool(ctx, this.deps, input, pool);
  }

  /** Starts tearing a pool down (idempotent while DELETING). */
  async requestDelete(ctx: Ctx, poolId: string): Promise<ComputePool> {
    const pool = await this.byId(ctx, poolId);
    if (!pool) throw new NotFoundError('Compute pool', ['id']);
    const project = await this.deps.projects.require(ctx, pool.project.id, ['id']);
    assertProject(ctx.viewer, { id: project.id, tenantId: project.tenant.id, name: project.name }, 'managePools', ['id']);
    if (pool.phase === PoolPhase.DELETING) return pool;
    if (pool.phase === PoolPhase.DELETED) throw new DomainError(ErrorCode.ILLEGAL_STATE, `compute pool ${pool.name} is already deleted`, ['id']);
    await this.deps.events.commit(ctx.em, async (em, events) => {
      // the pool's row first: an admission onto it (which holds it until commit) either committed
      // and is counted below, or waits and then finds the pool DELETING (lockRunningPool)
      const lock = knexOf(em)('compute_pool').select('id').where('id', pool.id);
      await all(em, isPostgres(em) ? lock.forUpdate() : lock);
      for (const check of this.dependents) {
        const why = await check(em, pool.id);
        if (why) throw new ConflictError(`compute pool ${pool.name} ${why}`, ['id'], ErrorCode.IN_USE);
      }
      await this.startDeletion(em, events, pool, 'delete requested');
    });
    this.deps.wake();
    return ctx.em.fork().findOneOrFail(ComputePool, { id: pool.id });
  }

  /** Inside a transaction: cancel whatever runs for the pool and queue its teardown. */
  async startDeletion(em: Em, events: EventBatch, pool: ComputePool, why: string): Promise<void> {
    let fresh: ComputePool;
    // The runner may move the phase between our read and our update (its step started meanwhile):
    // read again and retry rather than refuse the user's delete with a conflict.
    for (let attempt = 0; ; attempt++) {
      fresh = await em.findOneOrFail(ComputePool, { id: pool.id }, { refresh: true });
      if (fresh.phase === PoolPhase.DELETING || fresh.phase === PoolPhase.DELETED) return;
      await this.deps.jobs.cancelActive(em, pool.id);
      try {
        await poolMachine.apply(em, ComputePool, pool.id, fresh.phase, PoolPhase.DELETING, { waitReason: null, waitMessage: null, waitingSince: null, currentStep: null });
        break;
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= 10) throw e;
      }
    }
    this.deps.jobs.create(em, POOL_DELETE_FLOW, pool.id, fresh.project.id);
    await em.flush();
    const base = { subjectKind: SubjectKind.COMPUTE_POOL, subjectId: pool.id, subjectName: pool.name, projectId: fresh.project.id };
    events.emit({ ...base, type: EventType.DELETE_REQUESTED, phase: PoolPhase.DELETING, percent: fresh.percent, message: `Deletion of compute pool ${pool.name}: ${why}` });
    events.emit({ ...base, type: EventType.PHASE_CHANGED, phase: PoolPhase.DELETING, percent: fresh.percent, message: `Compute pool ${pool.name} is DELETING` });
  }
}
