import type { Knex } from '@mikro-orm/knex';
import type { Ctx } from '../context.js';
import { countChildren, loadChildPages } from '../db/child-pages.js';
import { byKey } from '../db/loaders.js';
import { inTransaction } from '../db/transaction.js';
import { DomainError, ErrorCode, NotFoundError, Problems } from '../errors.js';
import { emptyPage, pageKey, toPage, type Page, type PageRequest } from '../graphql/relay/connection.js';
import { assertTenant } from '../tenancy/access.policy.js';
import type { TenantService } from '../tenancy/tenant.service.js';
import { Architecture, Machine, MachineRole, MachineState } from './machine.entity.js';
import { registrationProblems, resourceGroupProblems, type MachineInput } from './machine.rules.js';

export interface MachineFilter {
  state?: MachineState | null;
  gpuFamily?: string | null;
  role?: MachineRole | null;
}

export interface UpdateMachineInput {
  id: string;
  state?: MachineState | null;
  resourceGroups?: { key: string; value: string }[] | null;
}

/** States an operator may set by hand; RESERVED and IN_USE belong to the pool flows. */
const MANUAL_STATES = new Set([MachineState.AVAILABLE, MachineState.UNHEALTHY]);

export class MachineService {
  constructor(private readonly tenants: TenantService) {}

  async byId(ctx: Ctx, id: string): Promise<Machine | null> {
    const loader = ctx.loaders.get<string, Machine | null>('machineById', async (ids) => byKey(ids, await ctx.em.find(Machine, { id: { $in: [...ids] } }), (m) => m.id));
    const m = await loader.load(id);
    return m && ctx.viewer.canSeeTenant(m.tenant.id) ? m : null;
  }

  async pageForTenant(ctx: Ctx, tenantId: string, page: PageRequest, filter: MachineFilter): Promise<Page<Machine>> {
    if (!ctx.viewer.canSeeTenant(tenantId)) return emptyPage();
    const where = (qb: Knex.QueryBuilder) => {
      if (filter.state) qb.where('state', filter.state);
      if (filter.gpuFamily) qb.where('gpu_family', filter.gpuFamily);
      if (filter.role === MachineRole.CONTROL_PLANE) qb.where('control_plane_candidate', true);
      if (filter.role === MachineRole.WORKER) qb.where('worker_candidate', true);
    };
    const key = `${pageKey(page)}|${filter.state ?? ''}|${filter.gpuFamily ?? ''}|${filter.role ?? ''}`;
    const loader = ctx.loaders.get<string, Machine[]>(`machinesByTenant:${key}`, async (ids) => {
      const m = await loadChildPages(ctx.em, Machine, { parentColumn: 'tenant_id', parentIds: [...ids], limit: page.first + 1, afterId: page.afterId, beforeId: page.beforeId, backward: page.backward, where });
      return ids.map((id) => m.get(id) ?? []);
    });
    const counter = ctx.loaders.get<string, number>(`machineCount:${key}`, async (ids) => {
      const c = await countChildren(ctx.em, Machine, 'tenant_id', [...ids], where);
      return ids.map((id) => c.get(id) ?? 0);
    });
    return toPage(await loader.load(tenantId), page, () => counter.load(tenantId));
  }

  /** All-or-nothing: one invalid or duplicate host refuses the whole batch. */
  async register(ctx: Ctx, tenantId: string, machines: MachineInput[]): Promise<Machine[]> {
    const tenant = await this.tenants.require(ctx, tenantId, ['tenantId']);
    assertTenant(ctx.viewer, tenant.id, 'administer', null, `register machines in tenant ${tenant.name}`);
    const p = new Problems();
    registrationProblems(machines).forEach((e) => p.push(e));
    p.throwIfAny();
    return inTransaction(ctx.em, async (em) => {
      const existing = await em.find(Machine, { hostId: { $in: machines.map((m) => m.hostId) } }, { fields: ['hostId'] });
      if (existing.length) {
        const taken = new Set(existing.map((m) => m.hostId));
        const dup = new Problems();
        machines.forEach((m, i) => {
          if (taken.has(m.hostId)) dup.add(`hostId ${m.hostId} is already registered`, ['machines', String(i), 'hostId'], ErrorCode.ALREADY_EXISTS);
        });
        dup.throwIfAny();
      }
      const created = machines.map((m) =>
        em.create(Machine, {
          tenant: tenant.id,
          hostId: m.hostId,
          architecture: m.architecture ?? Architecture.AMD64,
          cpuCount: m.cpuCount,
          memoryMiB: m.memoryMiB,
          gpuFamily: m.gpu?.family ?? null,
          gpuCount: m.gpu?.count ?? 0,
          gpuMemoryMiB: m.gpu?.memoryMiB ?? 0,
          controlPlaneCandidate: m.roles.includes(MachineRole.CONTROL_PLANE),
          workerCandidate: m.roles.includes(MachineRole.WORKER),
          resourceGroups: Object.fromEntries((m.resourceGroups ?? []).map((g) => [g.key, g.value])),
          state: MachineState.AVAILABLE,
        }),
      );
      await em.flush();
      return created;
    });
  }

  async update(ctx: Ctx, input: UpdateMachineInput): Promise<Machine> {
    const machine = await this.byId(ctx, input.id);
    if (!machine) throw new NotFoundError('Machine', ['id']);
    assertTenant(ctx.viewer, machine.tenant.id, 'administer', null, `change machine ${machine.hostId}`);
    const p = new Problems();
    if (input.resourceGroups) resourceGroupProblems(input.resourceGroups, ['resourceGroups']).forEach((e) => p.push(e));
    if (input.state && !MANUAL_STATES.has(input.state)) p.add(`state ${input.state} is set by compute pools, not by hand`, ['state']);
    p.throwIfAny();
    return inTransaction(ctx.em, async (em) => {
      const m = await em.findOneOrFail(Machine, { id: machine.id });
      if (input.state && input.state !== m.state) {
        if (m.poolId || !MANUAL_STATES.has(m.state)) {
          throw new DomainError(ErrorCode.ILLEGAL_STATE, `machine ${m.hostId} is ${m.state} in a compute pool; delete the pool to free it`, ['state']);
        }
        m.state = input.state;
      }
      if (input.resourceGroups) m.resourceGroups = Object.fromEntries(input.resourceGroups.map((g) => [g.key, g.value]));
      await em.flush();
      return m;
    });
  }
}
