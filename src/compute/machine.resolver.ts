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
  @FieldResolver(() => MachineConnection, { description: 'The compute inventory' })
  async machines(
    @Root() t: TenantNode,
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => MachineFilterInput, { nullable: true }) filter: MachineFilterInput | null,
    @Ctx() ctx: Context,
  ): Promise<MachineConnection> {
    const page = await ctx.services.machines.pageForTenant(ctx, t.uuid, pageRequest(args), filter ?? {});
    return connectionOf(MachineConnection, page, MachineNode.from);
  }
}

@Resolver(() => MachineNode)
export class MachineResolver {
  @FieldResolver(() => TenantNode)
  async tenant(@Root() m: MachineNode, @Ctx() ctx: Context): Promise<TenantNode> {
    return TenantNode.from((await ctx.services.tenants.byId(ctx, m.tenantUuid))!);
  }

  @Mutation(() => RegisterMachinesPayload, { description: 'Tenant admins; all-or-nothing' })
  registerMachines(@Arg('input', () => RegisterMachinesInput) input: RegisterMachinesInput, @Ctx() ctx: Context): Promise<RegisterMachinesPayload> {
    return mutate(RegisterMachinesPayload, async () => {
      const tenantId = fromGlobalId(input.tenantId, NodeKind.Tenant, ['tenantId']);
      return { machines: (await ctx.services.machines.register(ctx, tenantId, input.machines)).map(MachineNode.from) };
    }, ctx);
  }

  @Mutation(() => MachinePayload, { description: 'Tenant admins' })
  updateMachine(@Arg('input', () => UpdateMachineInput) input: UpdateMachineInput, @Ctx() ctx: Context): Promise<MachinePayload> {
    return mutate(MachinePayload, async () => {
      const id = fromGlobalId(input.id, NodeKind.Machine, ['id']);
      return { machine: MachineNode.from(await ctx.services.machines.update(ctx, { ...input, id })) };
    }, ctx);
  }
}
