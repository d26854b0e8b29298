import type { Ctx } from '../context.js';
import { keyValueProblem, MAX_DESCRIPTION, MAX_DISPLAY_NAME, MAX_TAGS, projectNameProblem, textProblem } from '../common/rules.js';
import { countChildren, loadChildRows, type SqlFilter } from '../db/child-pages.js';
import { byKey } from '../db/loaders.js';
import type { Em } from '../db/orm.js';
import { readRows } from '../db/read-rows.js';
import { inTransaction } from '../db/transaction.js';
import { ConflictError, ErrorCode, NotFoundError, Problems } from '../errors.js';
import { keysetWhere, pageKey, toPage, type Page, type PageRequest } from '../graphql/relay/connection.js';
import { noAccessNotifier, type AccessNotifier } from './access.change.js';
import { assertProject, assertTenant, canReadProject } from './access.policy.js';
import { GpuQuota } from './gpu-quota.entity.js';
import { Project, type Tag } from './project.entity.js';
import { PROJECT_COLUMNS, projectViewOf, type ProjectView } from './project.read.js';
import { budgetProblem, setBudget } from './quota.budget.js';
import { limitListProblems, type LimitInput } from './quota.rules.js';
import type { QuotaService } from './quota.service.js';
import type { TenantService } from './tenant.service.js';

export interface ComputeDefaultsInput {
  controlPlaneNodeCount: number;
  workerNodeEligible: boolean;
}

export interface CreateProjectInput {
  tenantId: string;
  name: string;
  displayName?: string | null;
  description?: string | null;
  tags?: Tag[] | null;
  gpuQuota?: LimitInput[] | null;
  computeDefaults?: ComputeDefaultsInput | null;
}

export interface UpdateProjectInput {
  id: string;
  displayName?: string | null;
  description?: string | null;
  tags?: Tag[] | null;
  gpuQuota?: LimitInput[] | null;
  computeDefaults?: ComputeDefaultsInput | null;
  /** GPU-hours per calendar month; null removes the budget, undefined keeps it */
  monthlyGpuHourBudget?: number | null;
}

/** Another feature's objects that keep a project alive (pools, deployments): a message, or null. */
export type ProjectDependents = (em: Em, projectId: string) => Promise<string | null>;

export function computeDefaultsProblem(d: ComputeDefaultsInput): string | null {
  if (![1, 3, 5].includes(d.controlPlaneNodeCount)) return 'controlPlaneNodeCount must be 1, 3 or 5';
  if (d.controlPlaneNodeCount === 1 && !d.workerNodeEligible) return 'a single-node control plane must be workerNodeEligible';
  return null;
}

/** Whether another feature already uses `name` as a hub namespace (e.g. a spoke's cluster namespace). */
export type HubNameClaim = (em: Em, name: string) => Promise<boolean>;

/** viewByName's statement in plain SQL (the small query's read): no query builder per request. */
const PROJECT_BY_NAME = `select ${PROJECT_COLUMNS.map((c) => `"${c}"`).join(', ')} from "project" where "name" = ? limit 1`;

/** viewWithTenantName's statement: the project's columns and its tenant's name. */
const PROJECT_WITH_TENANT = (n: number) =>
  `select ${PROJECT_COLUMNS.map((c) => `p."${c}"`).join(', ')}, t."name" as "tenant_name" from "project" p join "tenant" t on t."id" = p."tenant_id" where p."id" in (${Array(n).fill('?').join(', ')})`;

/** A project as a read model, with its tenant's name. */
export interface ProjectWithTenant {
  project: ProjectView;
  tenantName: string;
}

export class ProjectService {
  private readonly dependents: ProjectDependents[] = [];
  private readonly purges: ((em: Em, projectId: string) => Promise<void>)[] = [];
  private readonly hubNameClaims: HubNameClaim[] = [];

  constructor(
    private readonly tenants: TenantService,
    private readonly quotas: QuotaService,
    private readonly access: AccessNotifier = noAccessNotifier,
  ) {}

  /** Lets later features (compute pools, app deployments) veto a project's deletion. */
  registerDependents(check: ProjectDependents): void {
    this.dependents.push(check);
  }

  /**
   * Lets later features reserve the hub namespaces they use, so no project is named like one. Names
   * derived today hold "--", which project names cannot; this catches names of the previous release.
   */
  registerHubNames(claim: HubNameClaim): void {
    this.hubNameClaims.push(claim);
  }

  /**
   * Lets later features remove what they keep of a project for audit (DELETED pools and
   * deployments, their events and jobs) when the project itself is deleted.
   */
  registerPurge(purge: (em: Em, projectId: string) => Promise<void>): void {
    this.purges.push(purge);
  }

  async byId(ctx: Ctx, id: string): Promise<Project | null> {
    const loader = ctx.loaders.get<string, Project | null>('projectById', async (ids) => byKey(ids, await ctx.em.find(Project, { id: { $in: [...ids] } }), (p) => p.id));
    const p = await loader.load(id);
    return p && canReadProject(ctx.viewer, { id: p.id, tenantId: p.tenant.id }) ? p : null;
  }

  /**
   * A project as a read model with its tenant's name (what admission needs: deployApp reads it in
   * its resolver and again in prepareDeployment, one statement per request between them, and writes
   * nothing of it); null when absent or invisible, the rule of byId.
   */
  async viewWithTenantName(ctx: Ctx, id: string): Promise<ProjectWithTenant | null> {
    const loader = ctx.loaders.get<string, ProjectWithTenant | null>('projectWithTenant', async (ids) => {
      // shared: visibility is decided below, per viewer; the rows are the same for every caller
      const rows = await readRows(ctx.em, PROJECT_WITH_TENANT(ids.length), [...ids], { shared: true });
      return byKey(ids, rows.map((r) => ({ project: projectViewOf(ctx.em, r), tenantName: String(r.tenant_name) })), (p) => p.project.id);
    });
    const p = await loader.load(id);
    return p && canReadProject(ctx.viewer, { id: p.project.id, tenantId: p.project.tenant.id }) ? p : null;
  }

  /** A project by name as a read model (what the graph shows); null when absent or invisible. */
  async viewByName(ctx: Ctx, name: string): Promise<ProjectView | null> {
    const [row] = await readRows(ctx.em, PROJECT_BY_NAME, [name]);
    const p = row ? projectViewOf(ctx.em, row) : null;
    return p && canReadProject(ctx.viewer, { id: p.id, tenantId: p.tenant.id }) ? p : null;
  }

  async byName(ctx: Ctx, name: string): Promise<Project | null> {
    const p = await ctx.em.findOne(Project, { name });
    return p && canReadProject(ctx.viewer, { id: p.id, tenantId: p.tenant.id }) ? p : null;
  }

  async require(ctx: Ctx, id: string, field: string[]): Promise<Project> {
    const p = await this.byId(ctx, id);
    if (!p) throw new NotFoundError('Project', field);
    return p;
  }

  /** Every project the viewer may see, across tenants, in creation (id) order. */
  async list(ctx: Ctx, page: PageRequest): Promise<Page<Project>> {
    const scope = ctx.viewer.visibleProjectScope();
    const where: Record<string, unknown> = scope ? { $or: [{ tenant: { $in: scope.tenantIds } }, { id: { $in: scope.projectIds } }] } : {};
    const rows = await ctx.em.find(Project, { $and: [where, ...keysetWhere(page)] }, { orderBy: { id: page.backward ? 'desc' : 'asc' }, limit: page.first + 1 });
    return toPage(rows, page, () => ctx.em.count(Project, where));
  }

  /** The projects of a tenant the viewer may see, as read models; batched across tenants (one query per page shape). */
  async pageForTenant(ctx: Ctx, tenantId: string, page: PageRequest): Promise<Page<ProjectView>> {
    // Visibility differs per tenant only for viewers without tenant-wide rights, who see exactly the
    // projects they hold a role in: one statement per group, whatever the number of tenants.
    const restriction = (group: string[]): SqlFilter => {
      const visible = group.flatMap((t) => ctx.viewer.visibleProjectIds(t) ?? []);
      // `in ()` is no SQL: an empty list matches nothing
      return visible.length ? { sql: `"id" in (${visible.map(() => '?').join(', ')})`, params: visible } : { sql: '1 = 0', params: [] };
    };
    const groups = (ids: readonly string[]) => partition(ids, (id) => ctx.viewer.visibleProjectIds(id) !== null).filter(([, group]) => group.length > 0);
    const key = `${pageKey(page)}`;
    const loader = ctx.loaders.get<string, ProjectView[]>(`projectsByTenant:${key}`, async (ids) => {
      const m = new Map<string, ProjectView[]>();
      for (const [restricted, group] of groups(ids)) {
        const r = await loadChildRows(ctx.em, 'project', PROJECT_COLUMNS, {
          parentColumn: 'tenant_id',
          parentIds: group,
          limit: page.first + 1,
          afterId: page.afterId,
          beforeId: page.beforeId,
          backward: page.backward,
          filter: restricted ? restriction(group) : undefined,
        }, (row) => projectViewOf(ctx.em, row));
        for (const [k, v] of r) m.set(k, v);
      }
      return ids.map((id) => m.get(id) ?? []);
    });
    const counter = ctx.loaders.get<string, number>('projectCountByTenant', async (ids) => {
      const m = new Map<string, number>();
      for (const [restricted, group] of groups(ids)) {
        for (const [k, v] of await countChildren(ctx.em, Project, 'tenant_id', group, restricted ? restriction(group) : undefined)) m.set(k, v);
      }
      return ids.map((id) => m.get(id) ?? 0);
    });
    const rows = await loader.load(tenantId);
    return toPage(rows, page, () => counter.load(tenantId));
  }

  private problems(input: Partial<CreateProjectInput>): Problems {
    const p = new Problems();
    const d = textProblem(input.displayName, MAX_DISPLAY_NAME, 'displayName');
    if (d) p.add(d, ['displayName']);
    const s = textProblem(input.description, MAX_DESCRIPTION, 'description');
    if (s) p.add(s, ['description']);
    if (input.tags) {
      if (input.tags.length > MAX_TAGS) p.add(`at most ${MAX_TAGS} tags`, ['tags']);
      const keys = new Set<string>();
      input.tags.forEach((t, i) => {
        const kp = keyValueProblem(t.key, t.value);
        if (kp) p.add(kp, ['tags', String(i)]);
        else if (keys.has(t.key)) p.add(`tag key ${t.key} is listed twice`, ['tags', String(i), 'key']);
        keys.add(t.key);
      });
    }
    if (input.computeDefaults) {
      const c = computeDefaultsProblem(input.computeDefaults);
      if (c) p.add(c, ['computeDefaults']);
    }
    // every quota problem joins the others (validateList would throw them as one DomainErrors)
    if (input.gpuQuota) limitListProblems(input.gpuQuota, ['gpuQuota']).forEach((e) => p.push(e));
    return p;
  }

  async create(ctx: Ctx, input: CreateProjectInput): Promise<Project> {
    const tenant = await this.tenants.require(ctx, input.tenantId, ['tenantId']);
    assertTenant(ctx.viewer, tenant.id, 'administer', null, `create projects in tenant ${tenant.name}`);
    const p = this.problems(input);
    const np = projectNameProblem(input.name);
    if (np) p.add(np, ['name'], ErrorCode.INVALID_NAME);
    p.throwIfAny();
    const claimed = async () => {
      for (const claim of this.hubNameClaims) if (await claim(ctx.em, input.name)) return true;
      return false;
    };
    if ((await ctx.em.findOne(Project, { name: input.name })) || (await claimed())) {
      // Project names are hub namespaces, unique across tenants; don't reveal which tenant has it.
      throw new ConflictError(`project name ${input.name} is already taken`, ['name'], ErrorCode.ALREADY_EXISTS);
    }
    return inTransaction(ctx.em, async (em) => {
      const project = em.create(Project, {
        tenant: tenant.id,
        name: input.name,
        displayName: input.displayName?.trim() || input.name,
        description: input.description ?? null,
        tags: input.tags ?? [],
        controlPlaneNodeCount: input.computeDefaults?.controlPlaneNodeCount ?? 1,
        workerNodeEligible: input.computeDefaults?.workerNodeEligible ?? true,
      });
      await em.flush();
      if (input.gpuQuota?.length) await this.quotas.setProjectLimits(em, tenant.id, project.id, input.gpuQuota);
      return project;
    });
  }

  async update(ctx: Ctx, input: UpdateProjectInput): Promise<Project> {
    const project = await this.require(ctx, input.id, ['id']);
    const scope = { id: project.id, tenantId: project.tenant.id, name: project.name };
    const budgetGiven = input.monthlyGpuHourBudget !== undefined;
    // the quota and the budget are the tenant's say over the project
    if (input.gpuQuota || budgetGiven) {
      const what = input.gpuQuota ? `change the GPU quota of project ${project.name}` : `set the monthly GPU-hour budget of project ${project.name}`;
      assertTenant(ctx.viewer, scope.tenantId, 'administer', null, what);
    }
    else assertProject(ctx.viewer, scope, 'update');
    const problems = this.problems(input);
    const bp = budgetProblem(input.monthlyGpuHourBudget);
    if (bp) problems.add(bp, ['monthlyGpuHourBudget']);
    problems.throwIfAny();
    return inTransaction(ctx.em, async (em) => {
      const pr = await em.findOneOrFail(Project, { id: project.id });
      // before the quota rows: admission locks the budget row first, too
      if (budgetGiven) await setBudget(em, pr.id, input.monthlyGpuHourBudget ?? null);
      if (input.displayName != null) pr.displayName = input.displayName.trim() || pr.name;
      if (input.description !== undefined) pr.description = input.description;
      if (input.tags) pr.tags = input.tags;
      if (input.computeDefaults) {
        pr.controlPlaneNodeCount = input.computeDefaults.controlPlaneNodeCount;
        pr.workerNodeEligible = input.computeDefaults.workerNodeEligible;
      }
      if (input.gpuQuota) await this.quotas.setProjectLimits(em, scope.tenantId, pr.id, input.gpuQuota);
      await em.flush();
      return pr;
    });
  }

  async delete(ctx: Ctx, id: string): Promise<string> {
    const project = await this.require(ctx, id, ['id']);
    assertTenant(ctx.viewer, project.tenant.id, 'administer', null, `delete project ${project.name}`);
    const deleted = await inTransaction(ctx.em, async (em) => {
      for (const check of this.dependents) {
        const why = await check(em, project.id);
        if (why) throw new ConflictError(`project ${project.name} ${why}; delete them first`, ['id'], ErrorCode.IN_USE);
      }
      for (const purge of this.purges) await purge(em, project.id);
      // Profile bundles go with the project (as in PaletteAI); quotas cascade in the database.
      await em.getConnection().execute('delete from profile_bundle where project_id = ?', [project.id], 'run', em.getTransactionContext());
      await em.nativeDelete(GpuQuota, { project: project.id });
      // role bindings on the project cascade with it
      await em.nativeDelete(Project, { id: project.id });
      return project.id;
    });
    this.access.changed({ kind: 'project', projectId: deleted });
    return deleted;
  }
}

function partition<T>(items: readonly T[], pred: (t: T) => boolean): [boolean, T[]][] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const i of items) (pred(i) ? yes : no).push(i);
  return [
    [true, yes],
    [false, no],
  ];
}
