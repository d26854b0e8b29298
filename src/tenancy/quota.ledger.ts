/**
 * The GPU reservation ledger and the one admission function every flow calls (design §1, "GPU quota").
 *
 * reserveGpus() must run inside the caller's transaction: it raises `used` on the Project row and then
 * on the Tenant row of each family with a guarded UPDATE (`used + n <= hard_limit`) and records one
 * ledger row per family. Admission uses its two halves separately (recordReservations with its cold
 * inserts, raiseQuota last), so that it holds the quota rows for as short a time as possible.
 *
 * A guarded UPDATE locks its row on PostgreSQL and re-checks the guard against the committed value,
 * so concurrent admissions can never pass a limit; families are visited in sorted order, project
 * before tenant, so two admissions never wait on each other in a cycle.
 */
import { DomainError, ErrorCode } from '../errors.js';
import type { Em } from '../db/orm.js';
import type { Stager } from '../db/plain-inserts.js';
import { all, knexOf, run } from '../db/sql.js';
import { GpuReservation } from './gpu-reservation.entity.js';
import { QuotaLevel } from './gpu-quota.entity.js';
import { assertWithinBudget, lockBudget } from './quota.budget.js';

export interface GpuRequest {
  gpuFamily: string;
  count: number;
}

export interface QuotaScope {
  tenantId: string;
  tenantName: string;
  projectId: string;
  projectName: string;
  /**
   * The admission's reading of the clock (services.clock): reservations recorded under this scope
   * start then, and the budget check projects from it. Default: the system clock.
   */
  now?: Date;
}

/** What holds GPUs, and what usage reports attribute them to (gpu_reservation pool_id, deployment_id). */
export type Holder =
  /** a DEDICATED pool holds every GPU of its machines; `deploymentId`: the deployment that made it, if any */
  | { kind: 'COMPUTE_POOL'; id: string; deploymentId: string | null }
  /** a deployment on a SHARED pool holds what it requests */
  | { kind: 'APP_DEPLOYMENT'; id: string; poolId: string };

export interface QuotaExceededDetails {
  level: QuotaLevel;
  gpuFamily: string;
  requested: number;
  used: number;
  limit: number;
}

export class QuotaExceededError extends DomainError {
  constructor(
    readonly quota: QuotaExceededDetails,
    scopeName: string,
    field: string[] | null = null,
  ) {
    super(
      ErrorCode.QUOTA_EXCEEDED,
      `${quota.level === QuotaLevel.PROJECT ? 'Project' : 'Tenant'} ${scopeName} GPU quota exceeded for ${quota.gpuFamily}: ` +
        `requested ${quota.requested}, used ${quota.used}, limit ${quota.limit}`,
      field,
      { ...quota },
    );
  }
}

/** Sums requests per family, drops zero counts, and sorts (the lock order). */
export function normaliseRequests(requests: GpuRequest[]): GpuRequest[] {
  const m = new Map<string, number>();
  for (const r of requests) if (r.count > 0) m.set(r.gpuFamily, (m.get(r.gpuFamily) ?? 0) + r.count);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([gpuFamily, count]) => ({ gpuFamily, count }));
}

async function readQuota(em: Em, scopeId: string, family: string): Promise<{ used: number; limit: number }> {
  const rows = await all<{ used: number; hard_limit: number }>(
    em,
    knexOf(em)('gpu_quota').select('used', 'hard_limit').where({ scope_id: scopeId, gpu_family: family }),
  );
  return rows[0] ? { used: Number(rows[0].used), limit: Number(rows[0].hard_limit) } : { used: 0, limit: 0 };
}

/**
 * THE quota decision, as SQL: one scope's row of one family raised by n only if it stays within its
 * limit. Parameters: n, now, scopeId, family, n. Every admission path runs this statement — alone
 * (raise below) or as a part of admission's one-statement claim on PostgreSQL (admission.claim.ts).
 */
export const GUARDED_QUOTA_RAISE = 'update gpu_quota set used = used + ?, updated_at = ? where scope_id = ? and gpu_family = ? and used + ? <= hard_limit';

export const quotaRaiseParams = (scopeId: string, family: string, n: number, now: Date) => [n, now, scopeId, family, n];

/** The guarded raise: one row, only if it stays within the limit (plain SQL: it runs on the hottest rows). */
async function raise(em: Em, scopeId: string, family: string, n: number): Promise<boolean> {
  return (await run(em, GUARDED_QUOTA_RAISE, quotaRaiseParams(scopeId, family, n, new Date()))) === 1;
}

/** The refusal when the guarded raise of `level` refused `r`: names the level with what it holds now. */
export async function quotaRefusal(em: Em, scope: QuotaScope, level: QuotaLevel, r: GpuRequest, field: string[] | null): Promise<QuotaExceededError> {
  const [scopeId, scopeName] = level === QuotaLevel.PROJECT ? [scope.projectId, scope.projectName] : [scope.tenantId, scope.tenantName];
  const q = await readQuota(em, scopeId, r.gpuFamily);
  return new QuotaExceededError({ level, gpuFamily: r.gpuFamily, requested: r.count, used: q.used, limit: q.limit }, scopeName, field);
}

async function lower(em: Em, scopeId: string, family: string, n: number): Promise<void> {
  const k = knexOf(em);
  await run(
    em,
    k('gpu_quota')
      .where({ scope_id: scopeId, gpu_family: family })
      .andWhere('used', '>=', n)
      .update({ used: k.raw('used - ?', [n]), updated_at: new Date() }),
  );
}

/**
 * Raises `used` for each family (sorted), on the Project row and then on the Tenant row, each with a
 * guarded UPDATE, or throws QuotaExceededError naming the binding level. Records nothing: see
 * recordReservations. Inside a transaction: on a throw the caller's rollback undoes the raises.
 *
 * The rows it locks are the hottest of an admission (every admission of the project and of the
 * tenant writes them, and holds them until COMMIT), so admission calls this last, after its inserts.
 */
export interface RaiseOptions {
  /**
   * The caller already recorded the ledger rows of these requests in this transaction (admission
   * inserts first, locks last): the budget check finds them in the ledger instead of adding them.
   */
  recorded?: boolean;
}

export async function raiseQuota(em: Em, scope: QuotaScope, requests: GpuRequest[], field: string[] | null = null, opts: RaiseOptions = {}): Promise<void> {
  if (!em.isInTransaction()) throw new Error('raiseQuota must run inside a transaction');
  const wanted = normaliseRequests(requests);
  // A budgeted project's budget row first (locked until COMMIT): its quota rows are per family, so
  // they alone would not serialise two admissions of different families against the one budget.
  const budget = wanted.length ? await lockBudget(em, scope.projectId) : null;
  for (const r of wanted) {
    for (const [level, scopeId] of [
      [QuotaLevel.PROJECT, scope.projectId],
      [QuotaLevel.TENANT, scope.tenantId],
    ] as const) {
      if (!(await raise(em, scopeId, r.gpuFamily, r.count))) throw await quotaRefusal(em, scope, level, r, field);
    }
  }
  if (budget !== null) await assertWithinBudget(em, scope, budget, wanted, field, opts.recorded ?? false);
}

/**
 * The ledger rows for what `holder` holds, one per family. Only staged (in the EntityManager, or as
 * a group commit's plain rows): the caller's next flush (or insert) writes them, in the transaction
 * that also raises the quota (raiseQuota).
 */
export function recordReservations(em: Stager, scope: QuotaScope, holder: Holder, requests: GpuRequest[]): GpuReservation[] {
  const at = scope.now ?? new Date();
  return normaliseRequests(requests).map((r) =>
    em.create(GpuReservation, {
      createdAt: at,
      updatedAt: at,
      tenantId: scope.tenantId,
      projectId: scope.projectId,
      gpuFamily: r.gpuFamily,
      count: r.count,
      holderKind: holder.kind,
      holderId: holder.id,
      poolId: holder.kind === 'COMPUTE_POOL' ? holder.id : holder.poolId,
      deploymentId: holder.kind === 'APP_DEPLOYMENT' ? holder.id : holder.deploymentId,
    }),
  );
}

/**
 * Reserves GPUs for `holder` (raiseQuota, then its ledger rows) or throws QuotaExceededError naming
 * the binding level. Must be called inside a transaction: on a throw the caller's rollback undoes
 * the rows already raised.
 */
export async function reserveGpus(em: Em, scope: QuotaScope, holder: Holder, requests: GpuRequest[], field: string[] | null = null): Promise<GpuReservation[]> {
  if (!em.isInTransaction()) throw new Error('reserveGpus must run inside a transaction');
  await raiseQuota(em, scope, requests, field);
  const made = recordReservations(em, scope, holder, requests);
  await em.flush();
  return made;
}

/**
 * Releases everything `holderId` holds. Idempotent: each ledger row is stamped once (guarded UPDATE),
 * and only the call that stamps it gives the GPUs back.
 */
export async function releaseGpus(em: Em, holderId: string): Promise<number> {
  if (!em.isInTransaction()) throw new Error('releaseGpus must run inside a transaction');
  const k = knexOf(em);
  const rows = await all<{ id: string; tenant_id: string; project_id: string; gpu_family: string; count: number }>(
    em,
    k('gpu_reservation').select('id', 'tenant_id', 'project_id', 'gpu_family', 'count').where({ holder_id: holderId }).whereNull('released_at').orderBy('gpu_family'),
  );
  let released = 0;
  for (const row of rows) {
    const stamped = await run(em, k('gpu_reservation').where({ id: row.id }).whereNull('released_at').update({ released_at: new Date(), updated_at: new Date() }));
    if (stamped !== 1) continue;
    await lower(em, row.project_id, row.gpu_family, Number(row.count));
    await lower(em, row.tenant_id, row.gpu_family, Number(row.count));
    released += Number(row.count);
  }
  return released;
}

export interface LevelVerdict extends QuotaExceededDetails {
  available: number;
  allowed: boolean;
}

/** What reserve() would answer now, without reserving (quotaWhatIf, dry runs). */
export async function whatIf(em: Em, scope: QuotaScope, gpuFamily: string, count: number): Promise<LevelVerdict[]> {
  const out: LevelVerdict[] = [];
  for (const [level, scopeId] of [
    [QuotaLevel.PROJECT, scope.projectId],
    [QuotaLevel.TENANT, scope.tenantId],
  ] as const) {
    const q = await readQuota(em, scopeId, gpuFamily);
    out.push({ level, gpuFamily, requested: count, used: q.used, limit: q.limit, available: Math.max(0, q.limit - q.used), allowed: q.used + count <= q.limit });
  }
  return out;
}
