import { Entity, Enum, Index, ManyToOne, Property, type Ref, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';
import { Tenant } from '../tenancy/tenant.entity.js';

export enum MachineState {
  AVAILABLE = 'AVAILABLE',
  RESERVED = 'RESERVED',
  IN_USE = 'IN_USE',
  UNHEALTHY = 'UNHEALTHY',
}

export enum MachineRole {
  CONTROL_PLANE = 'CONTROL_PLANE',
  WORKER = 'WORKER',
}

export enum Architecture {
  AMD64 = 'AMD64',
  ARM64 = 'ARM64',
}

/** One host of a tenant's compute inventory. */
@Entity({ tableName: 'machine' })
@Index({ properties: ['tenant', 'state'] })
export class Machine extends BaseEntity {
  @ManyToOne(() => Tenant, { ref: true, deleteRule: 'cascade' })
  tenant!: Ref<Tenant>;

  /** A physical host belongs to one inventory, so host ids are unique across tenants. */
  @Property({ type: 'string', length: 128, unique: true })
  hostId!: string;

  @Enum({ items: () => Architecture, type: 'string' })
  architecture: Opt<Architecture> = Architecture.AMD64;

  @Property({ type: 'integer' })
  cpuCount!: number;

  @Property({ type: 'integer' })
  memoryMiB!: number;

  @Property({ type: 'string', length: 63, nullable: true })
  @Index()
  gpuFamily: string | null = null;

  @Property({ type: 'integer' })
  gpuCount: Opt<number> = 0;

  @Property({ type: 'integer' })
  gpuMemoryMiB: Opt<number> = 0;

  /** Whether the host may serve as a control-plane node (usually the CPU-only hosts). */
  @Property({ type: 'boolean' })
  controlPlaneCandidate: Opt<boolean> = false;

  /** Whether the host may serve as a worker node (usually the GPU hosts). */
  @Property({ type: 'boolean' })
  workerCandidate: Opt<boolean> = true;

  @Property({ type: 'json' })
  resourceGroups: Opt<Record<string, string>> = {};

  @Enum({ items: () => MachineState, type: 'string' })
  state: Opt<MachineState> = MachineState.AVAILABLE;

  /** The compute pool this host serves while RESERVED or IN_USE. */
  @Property({ type: 'uuid', nullable: true })
  @Index()
  poolId: string | null = null;

  /** The pool cluster (spoke) this host is part of. */
  @Property({ type: 'uuid', nullable: true })
  clusterId: string | null = null;

  /** CONTROL_PLANE or WORKER while serving a pool. */
  @Enum({ items: () => MachineRole, type: 'string', nullable: true })
  poolRole: MachineRole | null = null;

  @Property({ type: 'integer', version: true })
  version: Opt<number> = 1;

  get roles(): Opt<MachineRole[]> {
    return [...(this.controlPlaneCandidate ? [MachineRole.CONTROL_PLANE] : []), ...(this.workerCandidate ? [MachineRole.WORKER] : [])];
  }
}
