import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Payload } from '../graphql/payload.js';
import { Connection } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { Architecture, MachineRole, MachineState, type Machine } from './machine.entity.js';

registerEnumType(MachineState, { name: 'MachineState' });
registerEnumType(MachineRole, { name: 'MachineRole' });
registerEnumType(Architecture, { name: 'Architecture' });

@ObjectType('KeyValue')
export class KeyValue {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType('MachineGpu')
export class MachineGpu {
  @Field(() => String, { description: 'e.g. NVIDIA-H100' })
  family!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Int)
  memoryMiB!: number;
}

@ObjectType('Machine', { implements: Node, description: "A host of a tenant's compute inventory" })
export class MachineNode extends Node {
  @Field(() => String)
  hostId!: string;

  @Field(() => Architecture)
  architecture!: Architecture;

  @Field(() => Int)
  cpuCount!: number;

  @Field(() => Int)
  memoryMiB!: number;

  @Field(() => MachineGpu, { nullable: true })
  gpu!: MachineGpu | null;

  @Field(() => [MachineRole], { description: 'Roles the host may take in a cluster' })
  roles!: MachineRole[];

  @Field(() => [KeyValue])
  resourceGroups!: KeyValue[];

  @Field(() => MachineState)
  state!: MachineState;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  uuid!: string;
  tenantUuid!: string;
  poolUuid!: string | null;

  static from(m: Machine): MachineNode {
    return Object.assign(new MachineNode(), {
      id: toGlobalId(NodeKind.Machine, m.id),
      uuid: m.id,
      tenantUuid: m.tenant.id,
      poolUuid: m.poolId,
      hostId: m.hostId,
      architecture: m.architecture,
      cpuCount: m.cpuCount,
      memoryMiB: m.memoryMiB,
      gpu: m.gpuFamily ? Object.assign(new MachineGpu(), { family: m.gpuFamily, count: m.gpuCount, memoryMiB: m.gpuMemoryMiB }) : null,
      roles: m.roles,
      resourceGroups: Object.entries(m.resourceGroups).map(([key, value]) => Object.assign(new KeyValue(), { key, value })),
      state: m.state,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    });
  }
}

@ObjectType()
export class MachineConnection extends Connection(MachineNode, 'Machine') {}

@InputType('MachineFilter')
export class MachineFilterInput {
  @Field(() => MachineState, { nullable: true })
  state?: MachineState | null;

  @Field(() => String, { nullable: true })
  gpuFamily?: string | null;

  @Field(() => MachineRole, { nullable: true })
  role?: MachineRole | null;
}

@InputType('KeyValueInput')
export class KeyValueInput {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@InputType('MachineGpuInput')
export class MachineGpuInput {
  @Field(() => String)
  family!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Int, { nullable: true })
  memoryMiB?: number | null;
}

@InputType('MachineInput')
export class MachineInput {
  @Field(() => String)
  hostId!: string;

  @Field(() => Architecture, { nullable: true, defaultValue: Architecture.AMD64 })
  architecture?: Architecture | null;

  @Field(() => Int)
  cpuCount!: number;

  @Field(() => Int)
  memoryMiB!: number;

  @Field(() => MachineGpuInput, { nullable: true })
  gpu?: MachineGpuInput | null;

  @Field(() => [MachineRole])
  roles!: MachineRole[];

  @Field(() => [KeyValueInput], { nullable: true })
  resourceGroups?: KeyValueInput[] | null;
}

@InputType('RegisterMachinesInput')
export class RegisterMachinesInput {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => [MachineInput])
  machines!: MachineInput[];
}

@ObjectType('RegisterMachinesPayload')
export class RegisterMachinesPayload extends Payload {
  @Field(() => [MachineNode])
  machines: MachineNode[] = [];
}

@InputType('UpdateMachineInput')
export class UpdateMachineInput {
  @Field(() => ID)
  id!: string;

  @Field(() => MachineState, { nullable: true, description: 'AVAILABLE or UNHEALTHY; pool states are managed by pools' })
  state?: MachineState | null;

  @Field(() => [KeyValueInput], { nullable: true, description: 'Replaces all resource groups' })
  resourceGroups?: KeyValueInput[] | null;
}

@ObjectType('MachinePayload')
export class MachinePayload extends Payload {
  @Field(() => MachineNode, { nullable: true })
  machine: MachineNode | null = null;
}
