import type { Ctx } from '../context.js';
import { MAX_DESCRIPTION, MAX_DISPLAY_NAME, nameProblem, textProblem } from '../common/rules.js';
import { byKey } from '../db/loaders.js';
import { inTransaction } from '../db/transaction.js';
import { ConflictError, ErrorCode, NotFoundError, Problems } from '../errors.js';
import { toPage, type Page, type PageRequest } from '../graphql/relay/connection.js';
import { idWindow } from '../db/child-pages.js';
import { readRows } from '../db/read-rows.js';
import { TENANT_COLUMNS, tenantViewOf, type TenantView } from './tenant.read.js';
import { noAccessNotifier, type AccessNotifier } from './access.change.js';
import { assertPlatformAdmin, assertTenant } from './access.policy.js';
import { Project } from './project.entity.js';
import { limitListProblems, type LimitInput } from './quota.rules.js';
import type { QuotaService } from './quota.service.js';
import { Tenant } from './tenant.entity.js';

const TENANT_VIEW_LOADER = 'tenantViewById';

export interface CreateTenantInput {
  name: string;
  displayName?: string | null;
  description?: string | null;
  gpuQuota?: LimitInput[] | null;
}

export interface UpdateTenantInput {
  id: string;
  displayName?: string | null;
  description?: string | null;
  gpuQuota?: LimitInput[] | null;
}

/** The columns of the tenant read model, for plain SQL. */
const TENANT_SELECT = TENANT_COLUMNS.map((c) => `"${c}"`).join(', ');
/** Tenants as read models by id, one statement per batch. */
const viewBatch =
  (ctx: Ctx) =>
  async (ids: readonly string[]): Promise<(TenantView | null)[]> =>
    byKey(ids, (await readRows(ctx.em, `select ${TENANT_SELECT} from "tenant" where "id" in (${ids.map(() => '?').join(', ')})`, [...ids])).map((r) => tenantViewOf(ctx.em, r)), (t) => t.id);

export class TenantService {
  constructor(
    private readonly quotas: QuotaService,
    private readonly access: AccessNotifier = noAccessNotifier,
  ) {}

  /** The tenants the viewer may see, as read models, in creation (id) order. */
  async list(ctx: Ctx, page: PageRequest): Promise<Page<TenantView>> {
    const visible = ctx.viewer.visibleTenantIds();
    // plain SQL (a read of every page): visibility, then the keyset bounds
    const scope = !visible ? [] : [visible.length ? `"id" in (${visible.map(() => '?').join(', ')})` : '1 = 0'];
    const scopeParams = visible ?? [];
    const conds = [...scope];
    const params: unknown[] = [...scopeParams];
    idWindow(conds, params, page.afterId, page.beforeId);
    const where = (c: string[]) => (c.length ? ` where ${c.join(' and ')}` : '');
    const rows = await readRows(ctx.em, `select ${TENANT_SELECT} from "tenant"${where(conds)} order by "id" ${page.backward ? 'desc' : 'asc'} limit ?`, [...params, page.first + 1]);
    const count = async () => Number((await readRows<{ n: number | string }>(ctx.em, `select count(*) as "n" from "tenant"${where(scope)}`, scopeParams))[0]?.n ?? 0);
    const views = rows.map((r) => tenantViewOf(ctx.em, r));
    // the listed tenants are what `Project.tenant` of their projects asks for next (a page's every
    // project names its tenant): the same rows, read in this request, so not read again by id
    const byId = this.viewLoader(ctx);
    for (const v of views) byId.prime(v.id, v);
    return toPage(views, page, count);
  }

  /** A tenant as a read model (what the graph shows), batched by id; null when absent or invisible to the viewer; a plain value once this request has loaded it (a prefetched page). */
  viewById(ctx: Ctx, id: string): TenantView | null | Promise<TenantView | null> {
    if (!ctx.viewer.canSeeTenant(id)) return null;
    return ctx.loaders.value(TENANT_VIEW_LOADER, id, viewBatch(ctx));
  }

  private viewLoader(ctx: Ctx) {
    return ctx.loaders.get(TENANT_VIEW_LOADER, viewBatch(ctx));
  }

  /** Batched by id; null when absent or invisible to the viewer. */
  async byId(ctx: Ctx, id: string): Promise<Tenant | null> {
    if (!ctx.viewer.canSeeTenant(id)) return null;
    const loader = ctx.loaders.get<string, Tenant | null>('tenantById', async (ids) => byKey(ids, await ctx.em.find(Tenant, { id: { $in: [...ids] } }), (t) => t.id));
    return loader.load(id);
  }

  async byName(ctx: Ctx, name: string): Promise<Tenant | null> {
    const t = await ctx.em.findOne(Tenant, { name });
    return t && ctx.viewer.canSeeTenant(t.id) ? t : null;
  }

  async require(ctx: Ctx, id: string, field: string[]): Promise<Tenant> {
    const t = await this.byId(ctx, id);
    if (!t) throw new NotFoundError('Tenant', field);
    return t;
  }

  private fieldProblems(p: Problems, input: { displayName?: string | null; description?: string | null }): void {
    const d = textProblem(input.displayName, MAX_DISPLAY_NAME, 'displayName');
    if (d) p.add(d, ['displayName']);
    const s = textProblem(input.description, MAX_DESCRIPTION, 'description');
    if (s) p.add(s, ['description']);
  }

  async create(ctx: Ctx, input: CreateTenantInput): Promise<Tenant> {
    assertPlatformAdmin(ctx.viewer, 'create tenants');
    const p = new Problems();
    const np = nameProblem(input.name);
    if (np) p.add(np, ['name'], ErrorCode.INVALID_NAME);
    this.fieldProblems(p, input);
    // every quota problem joins the others (validateList would throw them as one DomainErrors)
    if (input.gpuQuota) limitListProblems(input.gpuQuota, ['gpuQuota']).forEach((e) => p.push(e));
    p.throwIfAny();
    if (await ctx.em.findOne(Tenant, { name: input.name })) {
      throw new ConflictError(`tenant ${input.name} already exists`, ['name'], ErrorCode.ALREADY_EXISTS);
    }
    return inTransaction(ctx.em, async (em) => {
      const t = em.create(Tenant, { name: input.name, displayName: input.displayName?.trim() || input.name, description: input.description ?? null });
      await em.flush();
      if (input.gpuQuota?.length) await this.quotas.setTenantLimits(em, t.id, input.gpuQuota);
      return t;
    });
  }

  async update(ctx: Ctx, input: UpdateTenantInput): Promise<Tenant> {
    const tenant = await this.require(ctx, input.id, ['id']);
    if (input.gpuQuota) assertTenant(ctx.viewer, tenant.id, 'platform', null, `change the GPU quota of tenant ${tenant.name}`);
    else assertTenant(ctx.viewer, tenant.id, 'administer', null, `change tenant ${tenant.name}`);
    const p = new Problems();
    this.fieldProblems(p, input);
    p.throwIfAny();
    return inTransaction(ctx.em, async (em) => {
      const t = await em.findOneOrFail(Tenant, { id: tenant.id });
      if (input.displayName != null) t.displayName = input.displayName.trim() || t.name;
      if (input.description !== undefined) t.description = input.description;
      if (input.gpuQuota) await this.quotas.setTenantLimits(em, t.id, input.gpuQuota);
      await em.flush();
      return t;
    });
  }

  async delete(ctx: Ctx, id: string): Promise<string> {
    const tenant = await this.require(ctx, id, ['id']);
    assertPlatformAdmin(ctx.viewer, 'delete tenants');
    const deleted = await inTransaction(ctx.em, async (em) => {
      const projects = await em.count(Project, { tenant: tenant.id });
      if (projects > 0) throw new ConflictError(`tenant ${tenant.name} still has ${projects} project(s); delete them first`, ['id'], ErrorCode.IN_USE);
      // role bindings on the tenant cascade with it
      await em.nativeDelete(Tenant, { id: tenant.id });
      return tenant.id;
    });
    this.access.changed({ kind: 'tenant', tenantId: deleted });
    return deleted;
  }
}
