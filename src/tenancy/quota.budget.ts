/**
 * Monthly GPU-hour budgets of projects (README "GPU-hours and budgets"). Admission refuses a request
 * whose projected use would pass the project's budget:
 *
 *   projected = GPU-hours used so far this calendar month (UTC)
 *             + every open reservation's GPUs from now to the end of the month
 *             + the request's GPUs from now to the end of the month
 *
 * computed from the reservation intervals by ONE aggregate statement on the project's reservation
 * index. It runs inside the admission transaction after the project's budget row has been locked
 * (raiseQuota takes it before the quota rows), so concurrent admissions of a budgeted project are
 * checked one after the other, each seeing what the previous one committed: the budget is never
 * passed. A project without a budget costs one primary-key read.
 */
import type { Em } from '../db/orm.js';
import { all, isPostgres, run } from '../db/sql.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { GpuRequest, QuotaScope } from './quota.ledger.js';

export const MS_PER_HOUR = 3_600_000;
/** The largest budget accepted, in GPU-hours. */
export const MAX_BUDGET_HOURS = 1e9;

/** The UTC calendar month holding `now`: [start, end). */
export function monthOf(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

export interface BudgetVerdict {
  /** the project's monthly budget, GPU-hours */
  budgetGpuHours: number;
  /** used from the start of the month until now */
  usedGpuHours: number;
  /** used + open reservations to the end of the month (+ the request) */
  projectedGpuHours: number;
  /** the request's GPUs from now to the end of the month */
  requestedGpuHours: number;
  periodStart: Date;
  periodEnd: Date;
  allowed: boolean;
}

export class BudgetExceededError extends DomainError {
  constructor(
    readonly verdict: BudgetVerdict,
    projectName: string,
    field: string[] | null,
  ) {
    const h = (n: number) => `${Math.round(n * 100) / 100}`;
    super(
      ErrorCode.BUDGET_EXCEEDED,
      `Project ${projectName} monthly GPU-hour budget exceeded: budget ${h(verdict.budgetGpuHours)} h, used ${h(verdict.usedGpuHours)} h this month, ` +
        `projected ${h(verdict.projectedGpuHours)} h with this request (${h(verdict.requestedGpuHours)} h to the end of the month)`,
      field,
      {
        budgetGpuHours: verdict.budgetGpuHours,
        usedGpuHours: verdict.usedGpuHours,
        projectedGpuHours: verdict.projectedGpuHours,
        requestedGpuHours: verdict.requestedGpuHours,
      },
    );
  }
}


/** The project's budget, GPU-hours (null: none). `lock`: hold its row until COMMIT (PostgreSQL). */
export async function budgetOf(em: Em, projectId: string, lock = false): Promise<number | null> {
  const rows = await all<{ monthly_gpu_hours: number | string }>(
    em,
    `select monthly_gpu_hours from project_budget where project_id = ?${lock && isPostgres(em) ? ' for update' : ''}`,
    [projectId],
  );
  return rows.length ? Number(rows[0].monthly_gpu_hours) : null;
}

/** The budgets of several projects (those without one are absent). */
export async function budgetsOf(em: Em, projectIds: readonly string[]): Promise<Map<string, number>> {
  if (!projectIds.length) return new Map();
  const rows = await all<{ project_id: string; monthly_gpu_hours: number | string }>(
    em,
    `select project_id, monthly_gpu_hours from project_budget where project_id in (${projectIds.map(() => '?').join(', ')})`,
    [...projectIds],
  );
  return new Map(rows.map((r) => [r.project_id, Number(r.monthly_gpu_hours)]));
}

/** Inside the admission transaction: the budget, with its row locked until COMMIT. */
export function lockBudget(em: Em, projectId: string): Promise<number | null> {
  if (!em.isInTransaction()) throw new Error('a budget is locked inside the admission transaction');
  return budgetOf(em, projectId, true);
}

export interface MonthUsage {
  usedMs: number;
  projectedMs: number;
}

/**
 * GPU-milliseconds of the project's reservations within [start, end): `used` counts open reservations
 * up to `now`, `projected` up to `end`. One statement on gpu_reservation (project_id, released_at).
 */
export async function monthUsage(em: Em, projectId: string, start: Date, end: Date, now: Date): Promise<MonthUsage> {
  return (await monthUsageOf(em, [projectId], start, end, now)).get(projectId) ?? { usedMs: 0, projectedMs: 0 };
}

/** monthUsage of several projects in one statement (projects without reservations are absent). */
export async function monthUsageOf(em: Em, projectIds: readonly string[], start: Date, end: Date, now: Date): Promise<Map<string, MonthUsage>> {
  if (!projectIds.length) return new Map();
  const pg = isPostgres(em);
  // the length of [max(created, start), min(released ?? upTo, upTo)), never negative, in milliseconds
  const span = pg
    ? 'greatest(0, extract(epoch from least(coalesce(released_at, ?::timestamptz), ?::timestamptz) - greatest(created_at, ?::timestamptz)) * 1000)'
    : 'max(0, min(coalesce(released_at, ?), ?) - max(created_at, ?))';
  const t = (d: Date) => (pg ? d : d.getTime());
  const rows = await all<{ project_id: string; projected: number | string | null; used: number | string | null }>(
    em,
    `select project_id, coalesce(sum(count * ${span}), 0) as projected, coalesce(sum(count * ${span}), 0) as used from gpu_reservation ` +
      `where project_id in (${projectIds.map(() => '?').join(', ')}) and created_at < ? and (released_at is null or released_at > ?) group by project_id`,
    [t(end), t(end), t(start), t(now), t(now), t(start), ...projectIds, t(end), t(start)],
  );
  return new Map(rows.map((r) => [r.project_id, { usedMs: Number(r.used ?? 0), projectedMs: Number(r.projected ?? 0) }]));
}

/**
 * The verdict for `requests` (GPUs held from `now` to the end of the month); null when the project has
 * no budget. `recorded`: the requests' ledger rows are already in the ledger (this transaction's), so
 * the aggregate holds them.
 */
export async function budgetVerdict(em: Em, projectId: string, requests: GpuRequest[], now: Date, budget?: number | null, recorded = false): Promise<BudgetVerdict | null> {
  const hours = budget === undefined ? await budgetOf(em, projectId) : budget;
  if (hours === null) return null;
  const { start, end } = monthOf(now);
  const { usedMs, projectedMs } = await monthUsage(em, projectId, start, end, now);
  const gpus = requests.reduce((n, r) => n + Math.max(0, r.count), 0);
  const requestedMs = gpus * Math.max(0, end.getTime() - now.getTime());
  const projected = recorded ? projectedMs : projectedMs + requestedMs;
  return {
    budgetGpuHours: hours,
    usedGpuHours: usedMs / MS_PER_HOUR,
    projectedGpuHours: projected / MS_PER_HOUR,
    requestedGpuHours: requestedMs / MS_PER_HOUR,
    periodStart: start,
    periodEnd: end,
    // compared in milliseconds, where every term is an integer; a request that adds nothing is never refused
    allowed: requestedMs === 0 || projected <= hours * MS_PER_HOUR,
  };
}

/** Inside the admission transaction, after lockBudget: throws BudgetExceededError when the request would pass the budget. */
export async function assertWithinBudget(em: Em, scope: QuotaScope, budget: number, requests: GpuRequest[], field: string[] | null, recorded = false): Promise<void> {
  const v = await budgetVerdict(em, scope.projectId, requests, scope.now ?? new Date(), budget, recorded);
  if (v && !v.allowed) throw new BudgetExceededError(v, scope.projectName, field);
}

export function budgetProblem(hours: number | null | undefined): string | null {
  if (hours == null) return null;
  if (!Number.isFinite(hours) || hours < 0 || hours > MAX_BUDGET_HOURS) return `monthlyGpuHourBudget must be between 0 and ${MAX_BUDGET_HOURS} GPU-hours`;
  return null;
}

/**
 * Inside a transaction: sets (or, with null, removes) a project's budget. Call it before the
 * transaction touches quota rows: admission locks the budget row first, too.
 */
export async function setBudget(em: Em, projectId: string, hours: number | null): Promise<void> {
  if (hours === null) {
    await run(em, 'delete from project_budget where project_id = ?', [projectId]);
    return;
  }
  await run(
    em,
    'insert into project_budget (project_id, monthly_gpu_hours, updated_at) values (?, ?, ?) ' +
      'on conflict (project_id) do update set monthly_gpu_hours = excluded.monthly_gpu_hours, updated_at = excluded.updated_at',
    [projectId, hours, new Date()],
  );
}
