/**
 * What every pool step sees: the pool, its project and clusters with their reserved hosts, read
 * fresh on each attempt, and the guarded apply every step writes with.
 */
import type { CapiInfrastructure, HostReservation, KubeObject, OwnerIds, Ownership } from '../kube/index.js';
import type { Em } from '../db/orm.js';
import { Project } from '../tenancy/project.entity.js';
import { applyUnlessDeleted } from '../workflow/apply.guard.js';
import { wait, WaitReason, type StepContext, type StepResult } from '../workflow/flow.js';
import { Machine } from './machine.entity.js';
import { ComputePool, PoolCluster } from './pool.entity.js';
import { PoolPhase } from './pool.model.js';

/** How spokes join the hub (HUB_REGISTRATION; see config.ts). */
export type RegistrationOptions =
  | { mode: 'auto-import' }
  | {
      mode: 'klusterlet';
      /** deploy/klusterlet/klusterlet-operator.yaml, as read at start */
      operatorManifests: string;
      /** the kubeconfig the spokes' registration agents bootstrap with */
      bootstrapKubeconfig: string;
      imageTag: string;
    };

export interface PoolFlowOptions {
  capi: CapiInfrastructure;
  /** how often a waiting step looks again when nothing nudges it */
  pollMs: number;
  /** default auto-import */
  registration?: RegistrationOptions;
  /** clusters still not provisioned, registered and with add-ons this long after they were requested fail the pool; default 1 hour */
  provisionDeadlineMs?: number;
  /** chart the spokes of GPU pools get so nodes advertise nvidia.com/gpu */
  gpuDevicePlugin?: { repoUrl: string; chart: string; version: string };
}

export interface PoolView {
  pool: ComputePool;
  project: string;
  /** the marks of the project namespace */
  projectIds: OwnerIds;
  /** the marks of every pool object */
  ids: OwnerIds;
  clusters: { row: PoolCluster; hosts: HostReservation[] }[];
}

export async function loadPoolView(em: Em, pool: ComputePool): Promise<PoolView> {
  const project = await em.findOneOrFail(Project, { id: pool.project.id });
  const rows = await em.find(PoolCluster, { pool: pool.id }, { orderBy: { index: 'asc' } });
  const machines = await em.find(Machine, { poolId: pool.id }, { orderBy: { hostId: 'asc' } });
  const projectIds = { tenantId: project.tenant.id, projectId: project.id };
  return {
    pool,
    project: project.name,
    projectIds,
    ids: { ...projectIds, poolId: pool.id },
    clusters: rows.map((row) => ({
      row,
      hosts: machines
        .filter((m) => m.clusterId === row.id)
        .map((m) => ({
          hostId: m.hostId,
          role: m.poolRole === 'CONTROL_PLANE' ? 'CONTROL_PLANE' : 'WORKER',
          architecture: m.architecture,
          cpuCount: m.cpuCount,
          memoryMiB: m.memoryMiB,
          gpuFamily: m.gpuFamily,
          gpuCount: m.gpuCount,
          gpuMemoryMiB: m.gpuMemoryMiB,
        })),
    })),
  };
}

/** Applies (owned) unless the pool is being deleted meanwhile (see workflow/apply.guard.ts). */
export async function applyGuarded<T extends KubeObject>(ctx: StepContext<ComputePool>, obj: T): Promise<T | null> {
  return applyUnlessDeleted(ctx.hub, obj, async () => {
    const fresh = await ctx.em.fork().findOne(ComputePool, { id: ctx.subject.id });
    return !fresh || fresh.phase === PoolPhase.DELETING || fresh.phase === PoolPhase.DELETED;
  }, ctx.log);
}

export const deletedMeanwhile = () => wait(WaitReason.WAITING_FOR_DELETION, 'The compute pool is being deleted', { retryAfterMs: 1000 });

export const owner = (v: PoolView, cluster?: string): Ownership => ({ project: v.project, pool: v.pool.name, ...(cluster ? { cluster } : {}), ids: v.ids });
export const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export type PoolStep = (ctx: StepContext<ComputePool>, view: PoolView, opts: PoolFlowOptions) => Promise<StepResult>;
