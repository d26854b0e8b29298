import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Payload } from '../graphql/payload.js';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { Architecture, MachineRole, MachineState, type Machine } from './machine.entity.js';

registerEnumType(MachineState, {
  name: 'MachineState',
  description: 'Whether a machine can be given to a compute pool',
  valuesConfig: {
    AVAILABLE: { description: 'Healthy and free: admission may reserve it for a pool' },
    RESERVED: { description: 'Reserved for a compute pool that is being provisioned' },
    IN_USE: { description: 'A node of a running compute pool' },
    UNHEALTHY: { description: 'Taken out of service by an operator; never reserved' },
  },
});
registerEnumType(MachineRole, {
  name: 'MachineRole',
  description: 'A role a machine may take in a cluster',
  valuesConfig: {
    CONTROL_PLANE: { description: 'May be a control-plane node (usually a CPU-only host)' },
    WORKER: { description: 'May be a worker node (usually a GPU host)' },
  },
});
registerEnumType(Architecture, {
  name: 'Architecture',
  description: 'CPU architecture of a machine',
  valuesConfig: {
    AMD64: { description: 'The x86-64 architecture' },
    ARM64: { description: 'The 64-bit ARM architecture (aarch64)' },
  },
});

@ObjectType('KeyValue', { description: 'A key/value pair (a resource group of a machine)' })
export class KeyValue {
  @Field(() => String, { description: 'The key' })
  key!: string;

  @Field(() => String, { description: 'The value' })
  value!: string;
}

@ObjectType('MachineGpu', { description: 'The GPUs of a machine (all of one family)' })
export class MachineGpu {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  family!: string;

  @Field(() => Int, { description: 'Number of GPUs in the machine' })
  count!: number;

  @Field(() => Int, { description: 'Memory of each GPU, in MiB (0 when unknown)' })
  memoryMiB!: number;
}

@ObjectType('Machine', { implements: Node, description: "A host of a tenant's compute inventory" })
export class MachineNode extends Node {
  @Field(() => String, { description: 'Host identifier, unique in the inventory (e.g. edge-3f2a)' })
  hostId!: string;

  @Field(() => Architecture, { description: 'CPU architecture' })
  architecture!: Architecture;

  @Field(() => Int, { description: 'Number of CPU cores' })
  cpuCount!: number;

  @Field(() => Int, { description: 'Main memory, in MiB' })
  memoryMiB!: number;

  @Field(() => MachineGpu, { nullable: true, description: 'Its GPUs; null for a CPU-only machine' })
  gpu!: MachineGpu | null;

  @Field(() => [MachineRole], { description: 'Roles the machine may take in a cluster' })
  roles!: MachineRole[];

  @Field(() => [KeyValue], { description: 'Key/value labels that pools can select machines by' })
  resourceGroups!: KeyValue[];

  @Field(() => MachineState, { description: 'Whether the machine is free, reserved, in use or out of service' })
  state!: MachineState;

  @Field(() => Date, { description: 'When the machine was registered' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the machine last changed (state included)' })
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

@ObjectType({ description: connectionDescription('Machine') })
export class MachineConnection extends Connection(MachineNode, 'Machine') {}

@InputType('MachineFilter', { description: 'Narrows a machine list; every field given must match' })
export class MachineFilterInput {
  @Field(() => MachineState, { nullable: true, description: 'Only machines in this state' })
  state?: MachineState | null;

  @Field(() => String, { nullable: true, description: 'Only machines with GPUs of this family' })
  gpuFamily?: string | null;

  @Field(() => MachineRole, { nullable: true, description: 'Only machines that may take this role' })
  role?: MachineRole | null;
}

@InputType('KeyValueInput', { description: 'A key/value pair (a resource group of a machine)' })
export class KeyValueInput {
  @Field(() => String, { description: 'Label-like key: 1-63 letters, digits, ".", "_", "/" or "-", starting and ending with a letter or digit' })
  key!: string;

  @Field(() => String, { description: 'Value, at most 256 printable characters' })
  value!: string;
}

@InputType('MachineGpuInput', { description: 'The GPUs of a machine (all of one family)' })
export class MachineGpuInput {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  family!: string;

  @Field(() => Int, { description: 'Number of GPUs, 1-64' })
  count!: number;

  @Field(() => Int, { nullable: true, description: 'Memory of each GPU in MiB, 0-1048576 (default 0: unknown)' })
  memoryMiB?: number | null;
}

@InputType('MachineInput', { description: 'A host to add to the compute inventory' })
export class MachineInput {
  @Field(() => String, { description: '1-128 letters, digits, ".", "_", ":" or "-", starting and ending with a letter or digit; unique in the tenant' })
  hostId!: string;

  @Field(() => Architecture, { nullable: true, defaultValue: Architecture.AMD64, description: 'CPU architecture (default AMD64)' })
  architecture?: Architecture | null;

  @Field(() => Int, { description: 'Number of CPU cores, 1-4096' })
  cpuCount!: number;

  @Field(() => Int, { description: 'Main memory in MiB, 256-67108864' })
  memoryMiB!: number;

  @Field(() => MachineGpuInput, { nullable: true, description: 'Its GPUs; absent for a CPU-only machine' })
  gpu?: MachineGpuInput | null;

  @Field(() => [MachineRole], { description: 'Roles the machine may take in a cluster (at least one)' })
  roles!: MachineRole[];

  @Field(() => [KeyValueInput], { nullable: true, description: 'Key/value labels, at most 32' })
  resourceGroups?: KeyValueInput[] | null;
}

@InputType('RegisterMachinesInput', { description: 'Input of registerMachines' })
export class RegisterMachinesInput {
  @Field(() => ID, { description: 'Global ID of the tenant whose inventory receives the machines' })
  tenantId!: string;

  @Field(() => [MachineInput], { description: 'The machines, 1-500 per call; all are added or none' })
  machines!: MachineInput[];
}

@ObjectType('RegisterMachinesPayload', { description: 'Result of registerMachines' })
export class RegisterMachinesPayload extends Payload {
  @Field(() => [MachineNode], { description: 'The machines added (in input order); empty when the mutation was refused' })
  machines: MachineNode[] = [];
}

@InputType('UpdateMachineInput', { description: 'Input of updateMachine: fields left out keep their value' })
export class UpdateMachineInput {
  @Field(() => ID, { description: 'Global ID of the machine' })
  id!: string;

  @Field(() => MachineState, { nullable: true, description: 'AVAILABLE or UNHEALTHY, only while the machine is in no pool (RESERVED and IN_USE are set by pools)' })
  state?: MachineState | null;

  @Field(() => [KeyValueInput], { nullable: true, description: 'Replaces all resource groups (at most 32)' })
  resourceGroups?: KeyValueInput[] | null;
}

@ObjectType('MachinePayload', { description: 'Result of updateMachine' })
export class MachinePayload extends Payload {
  @Field(() => MachineNode, { nullable: true, description: 'The machine as it is now; null when the mutation was refused' })
  machine: MachineNode | null = null;
}
