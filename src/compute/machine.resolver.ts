import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { mutate } from '../graphql/payload.js';
import { connectionOf, PageArgs, pageRequest } from '../graphql/relay/connection.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { TenantNode } from '../tenancy/tenant.type.js';
import {
  MachineConnection,
  MachineFilterInput,
  MachineNode,
  MachinePayload,
  RegisterMachinesInput,
  RegisterMachinesPayload,
  UpdateMachineInput,
} from './machine.type.js';

@Resolver(() => TenantNode)
export class TenantMachinesResolver {
  @FieldResolver(() => MachineConnection, { description: "The tenant's compute inventory, oldest first. Who may see it: anyone with a role in the tenant" })
  async machines(
    @Root() t: TenantNode,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => MachineFilterInput, { nullable: true, description: 'Narrows the list; none: every machine' }) filter: MachineFilterInput | null,
    @Ctx() ctx: Context,
  ): Promise<MachineConnection> {
    const page = await ctx.services.machines.pageForTenant(ctx, t.uuid, pageRequest(args), filter ?? {});
    return connectionOf(MachineConnection, page, MachineNode.from);
  }
}

@Resolver(() => MachineNode)
export class MachineResolver {
  @FieldResolver(() => TenantNode, { description: 'The tenant whose inventory holds the machine' })
  async tenant(@Root() m: MachineNode, @Ctx() ctx: Context): Promise<TenantNode> {
    return TenantNode.from((await ctx.services.tenants.byId(ctx, m.tenantUuid))!);
  }

  @Mutation(() => RegisterMachinesPayload, { description: "Adds machines to a tenant's compute inventory; all or nothing. Who may call: tenant admins of the tenant" })
  registerMachines(@Arg('input', () => RegisterMachinesInput, { description: 'The tenant and its new machines' }) input: RegisterMachinesInput, @Ctx() ctx: Context): Promise<RegisterMachinesPayload> {
    return mutate(RegisterMachinesPayload, async () => {
      const tenantId = fromGlobalId(input.tenantId, NodeKind.Tenant, ['tenantId']);
      return { machines: (await ctx.services.machines.register(ctx, tenantId, input.machines)).map(MachineNode.from) };
    }, ctx);
  }

  @Mutation(() => MachinePayload, { description: "Takes a machine out of service (UNHEALTHY) or back (AVAILABLE), or changes its resource groups. Who may call: tenant admins of the machine's tenant" })
  updateMachine(@Arg('input', () => UpdateMachineInput, { description: 'The machine and what to change' }) input: UpdateMachineInput, @Ctx() ctx: Context): Promise<MachinePayload> {
    return mutate(MachinePayload, async () => {
      const id = fromGlobalId(input.id, NodeKind.Machine, ['id']);
      return { machine: MachineNode.from(await ctx.services.machines.update(ctx, { ...input, id })) };
    }, ctx);
  }
}
