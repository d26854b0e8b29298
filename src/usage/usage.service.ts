/**
 * GPU usage reports (gpuUsage): the reservation intervals of a tenant, project, pool or deployment
 * inside a time range, clipped and summed exactly (usage.intervals.ts). What a scope covers:
 *   tenant      every reservation of its projects (also of projects deleted since: the ledger keeps them)
 *   project     its dedicated pools' GPUs and its shared-pool deployments' GPUs
 *   pool        a dedicated pool's GPUs, or what the deployments on a shared pool hold
 *   deployment  what it holds on a shared pool, or the GPUs of the dedicated pool(s) it brought
 * Who may ask: tenant admins for a tenant; anyone who reads the project for the others.
 */
import type { Clock } from '../common/clock.js';
import type { Ctx } from '../context.js';
import { all, epochMs, knexOf } from '../db/sql.js';
import { forbidden, Problems } from '../errors.js';
import { NodeKind, type DecodedId } from '../graphql/relay/global-id.js';
import { aggregate, DAY_MS, type GroupKey, type Reservation, type Usage } from './usage.intervals.js';

/** The longest range asked at once; with DAY groups, the most days. */
export const MAX_RANGE_DAYS = 3660;
export const MAX_DAY_GROUPS = 400;

export interface UsageQuery {
  scope: DecodedId;
  from: Date;
  to: Date;
  gpuFamily?: string | null;
  groupBy: GroupKey[];
}

export interface UsageReport extends Usage {
  /** "now" for reservations still held */
  asOf: Date;
}

const COLUMN: Partial<Record<NodeKind, string>> = {
  [NodeKind.Tenant]: 'tenant_id',
  [NodeKind.Project]: 'project_id',
  [NodeKind.ComputePool]: 'pool_id',
  [NodeKind.AppDeployment]: 'deployment_id',
};

export class UsageService {
  constructor(private readonly clock: Clock) {}

  private validate(q: UsageQuery): void {
    const p = new Problems();
    const span = q.to.getTime() - q.from.getTime();
    if (!COLUMN[q.scope.kind]) p.add('scope must be a Tenant, Project, ComputePool or AppDeployment ID', ['scope'], 'INVALID_ID');
    if (!(span > 0)) p.add('from must be before to', ['from']);
    else if (span > MAX_RANGE_DAYS * DAY_MS) p.add(`the range may span at most ${MAX_RANGE_DAYS} days`, ['to']);
    else if (q.groupBy.includes('DAY') && span > MAX_DAY_GROUPS * DAY_MS) p.add(`grouped by DAY, the range may span at most ${MAX_DAY_GROUPS} days`, ['to']);
    if (q.gpuFamily != null && (q.gpuFamily.length < 1 || q.gpuFamily.length > 63)) p.add('gpuFamily must be 1-63 characters', ['gpuFamily']);
    p.throwIfAny();
  }

  /** Whether the viewer may see the scope (null: it is invisible to them, answered like a missing one). */
  private async visible(ctx: Ctx, scope: DecodedId): Promise<boolean> {
    switch (scope.kind) {
      case NodeKind.Tenant: {
        if (!(await ctx.services.tenants.byId(ctx, scope.id))) return false;
        if (!ctx.viewer.isTenantAdmin(scope.id)) throw forbidden('read the GPU usage of this tenant', 'that takes the tenant admin role of this tenant');
        return true;
      }
      case NodeKind.Project:
        return !!(await ctx.services.projects.byId(ctx, scope.id));
      case NodeKind.ComputePool:
        return !!(await ctx.services.pools.byId(ctx, scope.id));
      case NodeKind.AppDeployment:
        return !!(await ctx.services.deployments.byId(ctx, scope.id));
      default:
        return false;
    }
  }

  /** null when the scope does not exist or is invisible to the viewer. */
  async usage(ctx: Ctx, q: UsageQuery): Promise<UsageReport | null> {
    this.validate(q);
    if (!(await this.visible(ctx, q.scope))) return null;
    const asOf = this.clock.now();
    const query = knexOf(ctx.em)('gpu_reservation')
      .select('gpu_family', 'project_id', 'pool_id', 'deployment_id', 'count', 'created_at', 'released_at')
      .where(COLUMN[q.scope.kind]!, q.scope.id)
      .andWhere('created_at', '<', q.to)
      .andWhere((w) => w.whereNull('released_at').orWhere('released_at', '>', q.from));
    if (q.gpuFamily) query.andWhere('gpu_family', q.gpuFamily);
    const rows = await all<{ gpu_family: string; project_id: string; pool_id: string | null; deployment_id: string | null; count: number; created_at: unknown; released_at: unknown }>(ctx.em, query);
    const reservations: Reservation[] = rows.map((r) => ({
      gpuFamily: r.gpu_family,
      projectId: r.project_id,
      poolId: r.pool_id,
      deploymentId: r.deployment_id,
      count: Number(r.count),
      start: epochMs(r.created_at),
      end: r.released_at == null ? null : epochMs(r.released_at),
    }));
    return { asOf, ...aggregate(reservations, q.from.getTime(), q.to.getTime(), asOf.getTime(), q.groupBy) };
  }
}
