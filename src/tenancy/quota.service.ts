/**
 * Quota limits (set on Tenants and Projects) and quota reads for the graph. The ledger itself is in
 * quota.ledger.ts; this file keeps the limits consistent with the design's rule and with usage.
 */
import type { Ctx } from '../context.js';
import { gpuCountProblem, gpuFamilyProblem } from '../common/rules.js';
import type { Em } from '../db/orm.js';
import { all, isPostgres, knexOf, run } from '../db/sql.js';
import { readRows } from '../db/read-rows.js';
import { DomainError, ErrorCode, Problems } from '../errors.js';
import { GpuQuota, QuotaLevel } from './gpu-quota.entity.js';
import { whatIf, type LevelVerdict, type QuotaScope } from './quota.ledger.js';
import { limitListProblems, projectWithinTenantProblems, tenantAboveProjectsProblems, type LimitInput } from './quota.rules.js';

const QUOTA_LOADER = 'quotaByScope';

export interface QuotaRow {
  gpuFamily: string;
  limit: number;
  used: number;
}

async function currentRows(em: Em, scopeId: string): Promise<GpuQuota[]> {
  return em.find(GpuQuota, { scopeId }, { orderBy: { gpuFamily: 'asc' } });
}

/**
 * Replaces a scope's limits. Families missing from `limits` drop to 0. Each write is guarded by
 * `used <= new limit` so a concurrent admission can't slip usage above a limit being lowered.
 */
async function writeLimits(em: Em, level: QuotaLevel, scope: { tenantId: string; projectId: string | null }, limits: LimitInput[], field: string[]): Promise<void> {
  const scopeId = scope.projectId ?? scope.tenantId;
  const existing = new Map((await currentRows(em, scopeId)).map((r) => [r.gpuFamily, r]));
  const wanted = new Map(limits.map((l) => [l.gpuFamily, l.limit]));
  for (const [family] of existing) if (!wanted.has(family)) wanted.set(family, 0);
  const k = knexOf(em);
  for (const [family, limit] of [...wanted.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const row = existing.get(family);
    if (!row) {
      if (limit === 0) continue;
      em.create(GpuQuota, { scopeId, level, tenant: scope.tenantId, project: scope.projectId, gpuFamily: family, hardLimit: limit, used: 0 });
      continue;
    }
    const ok = await run(em, k('gpu_quota').where({ id: row.id }).andWhere('used', '<=', limit).update({ hard_limit: limit, updated_at: new Date() }));
    if (!ok) {
      const [cur] = await all<{ used: number }>(em, k('gpu_quota').select('used').where({ id: row.id }));
      const i = limits.findIndex((l) => l.gpuFamily === family);
      throw new DomainError(ErrorCode.CONFLICT, `limit ${limit} for ${family} is below the ${cur?.used ?? '?'} GPUs in use`, i >= 0 ? [...field, String(i), 'limit'] : field);
    }
  }
  await em.flush();
}

/**
 * Inside a limit-changing transaction, before anything is read: the tenant's row, locked. "A project's
 * limit may not exceed its tenant's" spans two levels' rows, so a tenant limit being lowered and a
 * project limit being raised, each checking the other's committed value, could both pass; every
 * limit change of a tenant (its own or any of its projects') takes this lock first, so they run one
 * after the other. SQLite serialises writers by itself.
 */
async function lockTenantLimits(em: Em, tenantId: string): Promise<void> {
  if (!isPostgres(em)) return;
  await all(em, knexOf(em)('tenant').select('id').where('id', tenantId).forUpdate());
}

export class QuotaService {
  validateList(limits: LimitInput[], field: string[]): void {
    const p = new Problems();
    limitListProblems(limits, field).forEach((e) => p.push(e));
    p.throwIfAny();
  }

  /** Inside a transaction: set a tenant's limits, refusing to drop below any project's limit. */
  async setTenantLimits(em: Em, tenantId: string, limits: LimitInput[], field = ['gpuQuota']): Promise<void> {
    this.validateList(limits, field);
    await lockTenantLimits(em, tenantId);
    const k = knexOf(em);
    const rows = await all<{ gpu_family: string; hard_limit: number; name: string }>(
      em,
      k('gpu_quota as q')
        .join('project as p', 'p.id', 'q.project_id')
        .select('q.gpu_family', 'q.hard_limit', 'p.name')
        .where('q.tenant_id', tenantId)
        .andWhere('q.level', QuotaLevel.PROJECT)
        .andWhere('q.hard_limit', '>', 0),
    );
    const projectMax = new Map<string, { limit: number; projectName: string }>();
    for (const r of rows) {
      const cur = projectMax.get(r.gpu_family);
      if (!cur || Number(r.hard_limit) > cur.limit) projectMax.set(r.gpu_family, { limit: Number(r.hard_limit), projectName: r.name });
    }
    const p = new Problems();
    tenantAboveProjectsProblems(limits, projectMax, field).forEach((e) => p.push(e));
    p.throwIfAny();
    await writeLimits(em, QuotaLevel.TENANT, { tenantId, projectId: null }, limits, field);
  }

  /** Inside a transaction: set a project's limits, each within its tenant's. */
  async setProjectLimits(em: Em, tenantId: string, projectId: string, limits: LimitInput[], field = ['gpuQuota']): Promise<void> {
    this.validateList(limits, field);
    await lockTenantLimits(em, tenantId);
    const tenantRows = await currentRows(em, tenantId);
    const p = new Problems();
    projectWithinTenantProblems(limits, new Map(tenantRows.map((r) => [r.gpuFamily, r.hardLimit])), field).forEach((e) => p.push(e));
    p.throwIfAny();
    await writeLimits(em, QuotaLevel.PROJECT, { tenantId, projectId }, limits, field);
  }

  /** Quota rows of a tenant or project, batched per request; a plain value once this request has loaded them (a prefetched page). */
  forScope(ctx: Ctx, scopeId: string): QuotaRow[] | Promise<QuotaRow[]> {
    // plain rows of the three columns the graph shows: a read needs no entity
    return ctx.loaders.value<string, QuotaRow[]>(QUOTA_LOADER, scopeId, async (ids) => {
      const rows = await readRows<{ scope_id: string; gpu_family: string; hard_limit: number; used: number }>(
        ctx.em,
        // plain SQL: no query builder per page (this runs once per level of a nested page)
        `select "scope_id", "gpu_family", "hard_limit", "used" from "gpu_quota" where "scope_id" in (${ids.map(() => '?').join(', ')}) order by "gpu_family" asc`,
        [...ids],
      );
      const grouped = new Map<string, QuotaRow[]>();
      for (const r of rows) {
        const list = grouped.get(r.scope_id) ?? [];
        list.push({ gpuFamily: r.gpu_family, limit: Number(r.hard_limit), used: Number(r.used) });
        grouped.set(r.scope_id, list);
      }
      return ids.map((id) => grouped.get(id) ?? []);
    });
  }

  /** quotaWhatIf: the verdict per level for `count` GPUs of a family in a project, reserving nothing. */
  async whatIf(ctx: Ctx, scope: QuotaScope, gpuFamily: string, count: number): Promise<LevelVerdict[]> {
    const p = new Problems();
    const fp = gpuFamilyProblem(gpuFamily);
    if (fp) p.add(fp, ['gpuFamily']);
    const cp = gpuCountProblem(count, 'count');
    if (cp) p.add(cp, ['count']);
    p.throwIfAny();
    return whatIf(ctx.em, scope, gpuFamily, count);
  }
}
