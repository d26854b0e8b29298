import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Payload } from '../graphql/payload.js';
import { ProjectNode } from './project.type.js';
import { GpuQuotaInput } from './quota.type.js';
import { TenantNode } from './tenant.type.js';

@InputType('TagInput')
export class TagInput {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@InputType('ComputeDefaultsInput')
export class ComputeDefaultsInput {
  @Field(() => Int)
  controlPlaneNodeCount!: number;

  @Field(() => Boolean)
  workerNodeEligible!: boolean;
}

@InputType('CreateTenantInput')
export class CreateTenantInput {
  @Field(() => String, { description: '3-33 chars: lowercase letters, digits, "-"' })
  name!: string;

  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [GpuQuotaInput], { nullable: true })
  gpuQuota?: GpuQuotaInput[] | null;
}

@InputType('UpdateTenantInput')
export class UpdateTenantInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [GpuQuotaInput], { nullable: true, description: 'Replaces the whole quota; families left out drop to 0' })
  gpuQuota?: GpuQuotaInput[] | null;
}

@InputType('DeleteTenantInput')
export class DeleteTenantInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType('TenantPayload')
export class TenantPayload extends Payload {
  @Field(() => TenantNode, { nullable: true })
  tenant: TenantNode | null = null;
}

@ObjectType('DeletePayload')
export class DeletePayload extends Payload {
  @Field(() => ID, { nullable: true })
  deletedId: string | null = null;
}

@InputType('CreateProjectInput')
export class CreateProjectInput {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => String, { description: 'Also the hub namespace: unique across tenants' })
  name!: string;

  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [TagInput], { nullable: true })
  tags?: TagInput[] | null;

  @Field(() => [GpuQuotaInput], { nullable: true })
  gpuQuota?: GpuQuotaInput[] | null;

  @Field(() => ComputeDefaultsInput, { nullable: true })
  computeDefaults?: ComputeDefaultsInput | null;
}

@InputType('UpdateProjectInput')
export class UpdateProjectInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [TagInput], { nullable: true, description: 'Replaces all tags' })
  tags?: TagInput[] | null;

  @Field(() => [GpuQuotaInput], { nullable: true, description: 'Replaces the whole quota (tenant admins only)' })
  gpuQuota?: GpuQuotaInput[] | null;

  @Field(() => ComputeDefaultsInput, { nullable: true })
  computeDefaults?: ComputeDefaultsInput | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Monthly GPU-hour budget (calendar month, UTC) that admission enforces; null removes it, absent keeps it (tenant admins only)',
  })
  monthlyGpuHourBudget?: number | null;
}

@InputType('DeleteProjectInput')
export class DeleteProjectInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType('ProjectPayload')
export class ProjectPayload extends Payload {
  @Field(() => ProjectNode, { nullable: true })
  project: ProjectNode | null = null;
}
