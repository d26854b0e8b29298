/**
 * Everything admission can decide before taking a lock: the caller's access, the input rules, the
 * bundle versions and what they deploy, typed variables, the GPU request and the target. Used by
 * deployApp, its dry run, and clone — so a dry run judges exactly what a real deploy would.
 */
import { BUNDLE_CONTENT_COLUMNS, contentColumnsOf, contentOf, type BundleContentSource } from '../catalog/bundle.content.js';
import { BundleType } from '../catalog/bundle.model.js';
import { resolveVariables, type ResolvedVariables } from '../catalog/variables.js';
import { ProfileBundle } from '../catalog/profile-bundle.entity.js';
import { exposureOf } from '../compute/pool.exposure.js';
import { PoolMode, PoolPhase, type ExposureSetting, type NodeRequirements, type PoolExposure } from '../compute/pool.model.js';
import { poolNameProblem, requirementProblems } from '../compute/pool.rules.js';
import type { Ctx } from '../context.js';
import { idempotencyKeyProblem } from '../db/idempotency.js';
import type { Em } from '../db/orm.js';
import { jsonOf, readRows } from '../db/read-rows.js';
import { DomainError, ErrorCode, NotFoundError, Problems } from '../errors.js';
import { assertProject } from '../tenancy/access.policy.js';
import type { ProjectView } from '../tenancy/project.read.js';
import type { DeploymentSpec, DeploymentTarget, GpuRequest, Link } from './deployment.model.js';
import { basicProblems } from './deployment.input.rules.js';
import { collectComponents, gpuRequestsOf, mergeVariables, type PlanBundle, type PlannedComponent } from './deployment.plan.js';

export interface DeployInput {
  projectId: string;
  name: string;
  description?: string | null;
  links?: Link[] | null;
  bundleIds: string[];
  poolId?: string | null;
  newDedicatedPool?: {
    name?: string | null;
    description?: string | null;
    infrastructureBundleId: string;
    nodeRequirements: NodeRequirements;
    exposure?: PoolExposure | null;
    ingressHostSuffix?: string | null;
  } | null;
  variables?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
}

export interface Prepared {
  project: ProjectView;
  tenantName: string;
  spec: DeploymentSpec;
  bundles: AdmissionBundle[];
  components: PlannedComponent[];
  resolved: ResolvedVariables;
  gpuRequests: GpuRequest[];
  /** the existing target pool (null for a new dedicated pool) */
  pool: AdmissionPool | null;
  /** the new pool's infrastructure bundle */
  infraBundle: ProfileBundle | null;
}

const notFound = (what: string, field: string[]) => new NotFoundError(what, field);

/**
 * What admission reads of a bundle version (a ProfileBundle entity has this shape too): a plain row,
 * since admission writes nothing of it — no entity, identity map or snapshot of its JSON content on
 * every admission and dry run.
 */
export interface AdmissionBundle extends BundleContentSource {
  id: string;
  project: { id: string };
  name: string;
  version: number;
}

const BUNDLE_COLUMNS = ['"id"', '"project_id"', '"name"', '"version"', ...BUNDLE_CONTENT_COLUMNS.map((c) => `"${c}"`)].join(', ');

/** The bundle versions named (their content, names, ids), as read-only rows. */
async function readBundles(em: Em, ids: string[]): Promise<AdmissionBundle[]> {
  if (!ids.length) return [];
  const rows = await readRows(em, `select ${BUNDLE_COLUMNS} from "profile_bundle" where "id" in (${ids.map(() => '?').join(', ')})`, ids, { shared: true });
  return rows.map((r) => ({ id: String(r.id), project: { id: String(r.project_id) }, name: String(r.name), version: Number(r.version), ...contentColumnsOf(r) }));
}

/**
 * What admission needs of an existing target pool (a ComputePool entity has this shape too): read as
 * a plain row, since admission writes nothing of the pool (its lock and RUNNING check are statements).
 */
export interface AdmissionPool {
  id: string;
  project: { id: string };
  name: string;
  mode: PoolMode;
  phase: PoolPhase;
  clusterSet: string;
  servingDeploymentId: string | null;
  exposure: ExposureSetting | null;
}

const POOL_FOR_ADMISSION = 'select "id", "project_id", "name", "mode", "phase", "cluster_set", "serving_deployment_id", "exposure" from "compute_pool" where "id" = ?';

/** The pool when it belongs to the project (whose visibility the caller decided, the rule of pools.byId); else null. */
async function readPool(em: Em, id: string, projectId: string): Promise<AdmissionPool | null> {
  const [r] = await readRows(em, POOL_FOR_ADMISSION, [id], { shared: true });
  if (!r || String(r.project_id) !== projectId) return null;
  return {
    id: String(r.id),
    project: { id: String(r.project_id) },
    name: String(r.name),
    mode: r.mode as PoolMode,
    phase: r.phase as PoolPhase,
    clusterSet: String(r.cluster_set),
    servingDeploymentId: (r.serving_deployment_id as string | null) ?? null,
    exposure: r.exposure == null ? null : jsonOf<ExposureSetting>(r.exposure),
  };
}

/** A read started early and awaited later (or never, when something before it refuses): no unhandled rejection meanwhile. */
function early<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export async function prepareDeployment(ctx: Ctx, input: DeployInput): Promise<Prepared> {
  // the bundle versions and the pool are read in the same turn as the project (one statement on
  // PostgreSQL), and used only once the project's access and the input rules have passed
  const bundlesRead = early(readBundles(ctx.em as Em, input.bundleIds));
  const poolRead = input.poolId ? early(readPool(ctx.em as Em, input.poolId, input.projectId)) : null;
  const known = await ctx.services.projects.viewWithTenantName(ctx, input.projectId);
  if (!known) throw new NotFoundError('Project', ['projectId']);
  const { project, tenantName } = known;
  assertProject(ctx.viewer, { id: project.id, tenantId: project.tenant.id, name: project.name }, 'deploy', ['projectId']);
  const p = new Problems();
  basicProblems(input).forEach((e) => p.push(e));
  if (input.idempotencyKey != null) {
    const kp = idempotencyKeyProblem(input.idempotencyKey);
    if (kp) p.add(kp, ['idempotencyKey']);
  }
  const hasPool = input.poolId != null;
  const hasNew = input.newDedicatedPool != null;
  // (the field names an input field a client can highlight: the schema has no `target`)
  if (hasPool === hasNew) p.add('give exactly one target: poolId (a RUNNING pool) or newDedicatedPool', [hasPool ? 'newDedicatedPool' : 'poolId']);
  let poolName: string | null = null;
  if (input.newDedicatedPool) {
    poolName = input.newDedicatedPool.name ?? input.name;
    const pp = poolNameProblem(poolName);
    if (pp && input.newDedicatedPool.name) p.add(pp, ['newDedicatedPool', 'name'], ErrorCode.INVALID_NAME);
    requirementProblems(PoolMode.DEDICATED, 1, input.newDedicatedPool.nodeRequirements, ['newDedicatedPool', 'nodeRequirements']).forEach((e) => p.push(e));
    const exposure = exposureOf(input.newDedicatedPool);
    if (exposure instanceof DomainError) p.add(exposure.message, ['newDedicatedPool', 'ingressHostSuffix']);
  }
  p.throwIfAny();

  const bundles = await bundlesRead;
  const byId = new Map(bundles.map((b) => [b.id, b]));
  input.bundleIds.forEach((id, i) => {
    const b = byId.get(id);
    if (!b || b.project.id !== project.id) p.push(notFound('Profile bundle', ['bundleIds', String(i)]));
  });
  p.throwIfAny();
  const ordered = input.bundleIds.map((id) => byId.get(id)!);
  const planBundles: PlanBundle[] = ordered.map((b) => ({ ...contentOf(b), id: b.id, name: b.name, version: b.version }));
  const { components, problems: cp } = collectComponents(planBundles);
  const { defs, problems: vp } = mergeVariables(planBundles);
  [...cp, ...vp].forEach((e) => p.push(e));
  const resolution = resolveVariables(defs, input.variables ?? {}, ['variables']);
  if (!resolution.ok) resolution.problems.forEach((e) => p.push(e));
  p.throwIfAny();
  const gpuRequests = gpuRequestsOf(components);

  let pool: AdmissionPool | null = null;
  let infraBundle: ProfileBundle | null = null;
  let target: DeploymentTarget;
  if (input.poolId) {
    pool = await poolRead!;
    if (!pool) throw notFound('Compute pool', ['poolId']);
    if (pool.phase !== PoolPhase.RUNNING) throw new DomainError(ErrorCode.ILLEGAL_STATE, `compute pool ${pool.name} is ${pool.phase}; deployments need a RUNNING pool`, ['poolId']);
    // whether a dedicated pool is free is decided by admission's guarded claim (and reported by the
    // dry run): refusing here would also refuse the idempotent replay of the deployment it serves
    target = { kind: 'EXISTING_POOL', poolId: pool.id };
  } else {
    const np = input.newDedicatedPool!;
    // pools.create reads the project through projects.require inside admission's transaction: read
    // here, outside it, the request's loader answers it there (on SQLite, whose one connection the
    // transaction holds, a read outside the transaction would wait for it for good)
    await ctx.services.projects.require(ctx, project.id, ['projectId']);
    infraBundle = await ctx.em.findOne(ProfileBundle, { id: np.infrastructureBundleId });
    if (!infraBundle || infraBundle.project.id !== project.id) throw notFound('Profile bundle', ['newDedicatedPool', 'infrastructureBundleId']);
    // input validation, so that the dry run refuses it too (pool admission checks it again)
    if (infraBundle.type === BundleType.APPLICATION || !infraBundle.clusterProfile) {
      throw new DomainError(ErrorCode.INVALID_INPUT, `bundle ${infraBundle.name} v${infraBundle.version} is ${infraBundle.type}; a pool needs an INFRASTRUCTURE or FULLSTACK bundle`, ['newDedicatedPool', 'infrastructureBundleId']);
    }
    const exposure = np.exposure || np.ingressHostSuffix ? (exposureOf(np) as ExposureSetting) : undefined;
    target = { kind: 'NEW_DEDICATED_POOL', poolName: poolName!, description: np.description ?? null, infrastructureBundleId: infraBundle.id, nodeRequirements: np.nodeRequirements, ...(exposure ? { exposure } : {}) };
  }
  return {
    project,
    tenantName,
    spec: { name: input.name, description: input.description ?? null, links: input.links ?? [], bundleIds: input.bundleIds, target, variables: input.variables ?? {} },
    bundles: ordered,
    components,
    resolved: resolution.ok ? resolution.values : {},
    gpuRequests,
    pool,
    infraBundle,
  };
}
