import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Payload } from '../graphql/payload.js';
import { ProjectNode } from './project.type.js';
import { GpuQuotaInput } from './quota.type.js';
import { TenantNode } from './tenant.type.js';

@InputType('TagInput', { description: 'A key/value label for a project' })
export class TagInput {
  @Field(() => String, { description: 'Label-like key: 1-63 letters, digits, ".", "_", "/" or "-", starting and ending with a letter or digit; unique per project' })
  key!: string;

  @Field(() => String, { description: 'Value, at most 256 printable characters' })
  value!: string;
}

@InputType('ComputeDefaultsInput', { description: 'Cluster defaults for pools provisioned in a project' })
export class ComputeDefaultsInput {
  @Field(() => Int, { description: 'Control-plane nodes per cluster: 1, 3 or 5' })
  controlPlaneNodeCount!: number;

  @Field(() => Boolean, { description: 'Whether control-plane nodes also run workloads; must be true when controlPlaneNodeCount is 1' })
  workerNodeEligible!: boolean;
}

@InputType('CreateTenantInput', { description: 'Input of createTenant' })
export class CreateTenantInput {
  @Field(() => String, { description: 'Unique tenant name: 3-33 characters, lowercase letters, digits and "-", starting with a letter and ending with a letter or digit; the hub namespace is tenant-<name>' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Name shown to people, at most 128 characters (default: the name)' })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'Free text, at most 2048 characters' })
  description?: string | null;

  @Field(() => [GpuQuotaInput], { nullable: true, description: 'GPU quota per family, at most 64 families (families left out have limit 0)' })
  gpuQuota?: GpuQuotaInput[] | null;
}

@InputType('UpdateTenantInput', { description: 'Input of updateTenant: fields left out keep their value' })
export class UpdateTenantInput {
  @Field(() => ID, { description: 'Global ID of the tenant' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'New display name, at most 128 characters' })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'New description, at most 2048 characters' })
  description?: string | null;

  @Field(() => [GpuQuotaInput], { nullable: true, description: "Replaces the whole quota; families left out drop to 0. Not below any project's limit or the GPUs in use (platform admins only)" })
  gpuQuota?: GpuQuotaInput[] | null;
}

@InputType('DeleteTenantInput', { description: 'Input of deleteTenant' })
export class DeleteTenantInput {
  @Field(() => ID, { description: 'Global ID of the tenant; it must have no projects left' })
  id!: string;
}

@ObjectType('TenantPayload', { description: 'Result of a tenant mutation' })
export class TenantPayload extends Payload {
  @Field(() => TenantNode, { nullable: true, description: 'The tenant as it is now; null when the mutation was refused' })
  tenant: TenantNode | null = null;
}

@ObjectType('DeletePayload', { description: 'Result of a delete mutation' })
export class DeletePayload extends Payload {
  @Field(() => ID, { nullable: true, description: 'Global ID of the removed object; null when the mutation was refused' })
  deletedId: string | null = null;
}

@InputType('CreateProjectInput', { description: 'Input of createProject' })
export class CreateProjectInput {
  @Field(() => ID, { description: 'Global ID of the tenant that owns the project' })
  tenantId!: string;

  @Field(() => String, { description: 'Unique name across all tenants, also its hub namespace: 3-33 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit; no "--", and not a namespace the hub keeps for itself (kube-*, *-system, tenant-*, default …)' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Name shown to people, at most 128 characters (default: the name)' })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'Free text, at most 2048 characters' })
  description?: string | null;

  @Field(() => [TagInput], { nullable: true, description: 'Key/value labels, at most 50' })
  tags?: TagInput[] | null;

  @Field(() => [GpuQuotaInput], { nullable: true, description: "GPU quota per family, at most 64 families; each limit at most the tenant's limit for that family" })
  gpuQuota?: GpuQuotaInput[] | null;

  @Field(() => ComputeDefaultsInput, { nullable: true, description: 'Cluster defaults for new pools (default: 1 control-plane node, worker-eligible)' })
  computeDefaults?: ComputeDefaultsInput | null;
}

@InputType('UpdateProjectInput', { description: 'Input of updateProject: fields left out keep their value' })
export class UpdateProjectInput {
  @Field(() => ID, { description: 'Global ID of the project' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'New display name, at most 128 characters' })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'New description, at most 2048 characters' })
  description?: string | null;

  @Field(() => [TagInput], { nullable: true, description: 'Replaces all tags' })
  tags?: TagInput[] | null;

  @Field(() => [GpuQuotaInput], { nullable: true, description: "Replaces the whole quota; families left out drop to 0. Each limit at most the tenant's and not below the GPUs in use (tenant admins only)" })
  gpuQuota?: GpuQuotaInput[] | null;

  @Field(() => ComputeDefaultsInput, { nullable: true, description: 'New cluster defaults; pools already created keep theirs' })
  computeDefaults?: ComputeDefaultsInput | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Monthly GPU-hour budget (calendar month, UTC) that admission enforces; null removes it, absent keeps it (tenant admins only)',
  })
  monthlyGpuHourBudget?: number | null;
}

@InputType('DeleteProjectInput', { description: 'Input of deleteProject' })
export class DeleteProjectInput {
  @Field(() => ID, { description: 'Global ID of the project; it must have no live pools or deployments left' })
  id!: string;
}

@ObjectType('ProjectPayload', { description: 'Result of a project mutation' })
export class ProjectPayload extends Payload {
  @Field(() => ProjectNode, { nullable: true, description: 'The project as it is now; null when the mutation was refused' })
  project: ProjectNode | null = null;
}
