/** GraphQL inputs and payloads of the catalog mutations; they mirror the output types in bundle.type.ts. */
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Payload } from '../graphql/payload.js';
import { JSONScalar } from '../graphql/scalars.js';
import { BundleType, VariableType, WorkloadProfileType } from './bundle.model.js';
import { ProfileBundleNode } from './bundle.type.js';

@InputType('ClusterAddonInput')
export class ClusterAddonInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  version!: string;
}

@InputType('ClusterProfileInput')
export class ClusterProfileInput {
  @Field(() => String, { description: 'e.g. 1.31.4' })
  kubernetesVersion!: string;

  @Field(() => String, { description: 'e.g. calico, cilium' })
  cni!: string;

  @Field(() => String, { description: 'e.g. longhorn' })
  csi!: string;

  @Field(() => [ClusterAddonInput], { nullable: true })
  addons?: ClusterAddonInput[] | null;
}

@InputType('HelmChartInput')
export class HelmChartInput {
  @Field(() => String, { description: 'https:// (or http://) Helm repository URL, or oci://registry/path' })
  repository!: string;

  @Field(() => String)
  chart!: string;

  @Field(() => String, { description: 'Exact version or semver range' })
  version!: string;
}

@InputType('ComponentGpuInput')
export class ComponentGpuInput {
  @Field(() => String, { description: 'e.g. NVIDIA-H100' })
  family!: string;

  @Field(() => Int, { description: '1-64' })
  count!: number;
}

@InputType('ComponentExposeInput')
export class ComponentExposeInput {
  @Field(() => Int, { description: '1-65535' })
  port!: number;

  @Field(() => String, { nullable: true, description: 'Starts with "/" (default "/")' })
  path?: string | null;
}

@InputType('WorkloadComponentInput')
export class WorkloadComponentInput {
  @Field(() => String, { description: 'DNS label, 1-53 characters, unique in the bundle (it names the Helm release)' })
  name!: string;

  @Field(() => HelmChartInput)
  chart!: HelmChartInput;

  @Field(() => JSONScalar, { nullable: true, description: 'A JSON object of at most 64 KiB; strings may hold {{ .var.NAME }} macros' })
  values?: unknown;

  @Field(() => ComponentGpuInput, { nullable: true })
  gpu?: ComponentGpuInput | null;

  @Field(() => ComponentExposeInput, { nullable: true })
  expose?: ComponentExposeInput | null;
}

@InputType('WorkloadProfileInput')
export class WorkloadProfileInput {
  @Field(() => String, { description: 'Lowercase letters, digits, "-" and "."; unique in the bundle' })
  name!: string;

  @Field(() => WorkloadProfileType)
  type!: WorkloadProfileType;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [WorkloadComponentInput])
  components!: WorkloadComponentInput[];
}

@InputType('VariableDefinitionInput')
export class VariableDefinitionInput {
  @Field(() => String, { description: '[A-Za-z_][A-Za-z0-9_-]*, at most 63 characters' })
  name!: string;

  @Field(() => VariableType)
  type!: VariableType;

  @Field(() => JSONScalar, { nullable: true, description: 'Must match the type; INT64 may be a decimal string' })
  default?: unknown;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  required?: boolean | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Needs a default; excludes required' })
  locked?: boolean | null;

  @Field(() => String, { nullable: true, description: 'At most 1024 characters' })
  description?: string | null;
}

@InputType('CreateProfileBundleInput')
export class CreateProfileBundleInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => String, { description: '3-63 characters: lowercase letters, digits, "-"; unique in the project' })
  name!: string;

  @Field(() => BundleType)
  type!: BundleType;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ClusterProfileInput, { nullable: true, description: 'Required for INFRASTRUCTURE and FULLSTACK, absent for APPLICATION' })
  clusterProfile?: ClusterProfileInput | null;

  @Field(() => [WorkloadProfileInput], { nullable: true })
  workloadProfiles?: WorkloadProfileInput[] | null;

  @Field(() => [VariableDefinitionInput], { nullable: true })
  variables?: VariableDefinitionInput[] | null;
}

@InputType('CreateProfileBundleVersionInput', {
  description: 'The next version of a bundle. Fields left out are copied from the given version; null clears. The type stays.',
})
export class CreateProfileBundleVersionInput {
  @Field(() => ID, { description: 'Any version of the bundle' })
  profileBundleId!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ClusterProfileInput, { nullable: true })
  clusterProfile?: ClusterProfileInput | null;

  @Field(() => [WorkloadProfileInput], { nullable: true })
  workloadProfiles?: WorkloadProfileInput[] | null;

  @Field(() => [VariableDefinitionInput], { nullable: true })
  variables?: VariableDefinitionInput[] | null;
}

@InputType('DeleteProfileBundleInput')
export class DeleteProfileBundleInput {
  @Field(() => ID, { description: 'The version to delete' })
  id!: string;
}

@ObjectType('ProfileBundlePayload')
export class ProfileBundlePayload extends Payload {
  @Field(() => ProfileBundleNode, { nullable: true })
  profileBundle: ProfileBundleNode | null = null;
}
