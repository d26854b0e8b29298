/** GraphQL inputs and payloads of the catalog mutations; they mirror the output types in bundle.type.ts. */
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Payload } from '../graphql/payload.js';
import { JSONScalar } from '../graphql/scalars.js';
import { BundleType, VariableType, WorkloadProfileType } from './bundle.model.js';
import { ProfileBundleNode } from './bundle.type.js';

@InputType('ClusterAddonInput', { description: 'A cluster add-on (pack) to install on every cluster built from the profile' })
export class ClusterAddonInput {
  @Field(() => String, { description: 'Name: 1-63 letters, digits, ".", "_" or "-"' })
  name!: string;

  @Field(() => String, { description: 'Version such as 1.16.1 or v0.6.0' })
  version!: string;
}

@InputType('ClusterProfileInput', { description: 'What compute pool clusters are built from (INFRASTRUCTURE and FULLSTACK bundles)' })
export class ClusterProfileInput {
  @Field(() => String, { description: 'Kubernetes version, e.g. 1.31.4 or v1.30' })
  kubernetesVersion!: string;

  @Field(() => String, { description: 'Network plugin: 1-63 letters, digits, ".", "_" or "-" (e.g. calico, cilium)' })
  cni!: string;

  @Field(() => String, { description: 'Storage plugin: 1-63 letters, digits, ".", "_" or "-" (e.g. longhorn)' })
  csi!: string;

  @Field(() => [ClusterAddonInput], { nullable: true, description: 'Further add-ons, at most 50' })
  addons?: ClusterAddonInput[] | null;
}

@InputType('HelmChartInput', { description: "Where a component's Helm chart comes from" })
export class HelmChartInput {
  @Field(() => String, { description: 'Helm repository URL (https:// or http://), or oci://registry/path (no tag: the version is the tag); at most 512 characters' })
  repository!: string;

  @Field(() => String, { description: 'Chart name: 1-128 letters, digits, ".", "_" or "-", starting and ending with a letter or digit' })
  chart!: string;

  @Field(() => String, { description: 'Exact version or semver range, at most 128 characters (e.g. 1.2.3, ~1.2)' })
  version!: string;
}

@InputType('ComponentGpuInput', { description: 'GPUs one component requests' })
export class ComponentGpuInput {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  family!: string;

  @Field(() => Int, { description: 'Number of GPUs, 1-64' })
  count!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Where the chart takes its GPU limit: the dotted path of a map in the Helm values that receives `nvidia.com/gpu: <count>` (default "resources.limits"; a numeric segment indexes an array the values hold, e.g. "servers.0.resources.limits"). The values must not set nvidia.com/gpu there themselves',
  })
  valuesPath?: string | null;
}

@InputType('ComponentExposeInput', { description: 'Makes a component reachable from outside; its URL is published as an access URL' })
export class ComponentExposeInput {
  @Field(() => Int, { description: 'Service port, 1-65535' })
  port!: number;

  @Field(() => String, { nullable: true, description: 'URL path, starting with "/", at most 256 characters (default "/")' })
  path?: string | null;
}

@InputType('WorkloadComponentInput', { description: 'One Helm release of a workload profile' })
export class WorkloadComponentInput {
  @Field(() => String, { description: 'DNS label: 1-53 lowercase letters, digits and "-", unique in the bundle (it names the Helm release)' })
  name!: string;

  @Field(() => HelmChartInput, { description: 'The Helm chart to install' })
  chart!: HelmChartInput;

  @Field(() => JSONScalar, { nullable: true, description: 'Helm values: a JSON object of at most 64 KiB and depth 32; strings may hold {{ .var.NAME }} macros naming variables of the bundle' })
  values?: unknown;

  @Field(() => ComponentGpuInput, { nullable: true, description: 'GPUs the component requests; none if absent' })
  gpu?: ComponentGpuInput | null;

  @Field(() => ComponentExposeInput, { nullable: true, description: 'Expose the component from outside; not exposed if absent' })
  expose?: ComponentExposeInput | null;
}

@InputType('WorkloadProfileInput', { description: 'What runs: Helm components of one type' })
export class WorkloadProfileInput {
  @Field(() => String, { description: '1-63 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit; unique in the bundle' })
  name!: string;

  @Field(() => WorkloadProfileType, { description: 'What the profile runs; app deployments need an APPLICATION profile in one of their bundles' })
  type!: WorkloadProfileType;

  @Field(() => String, { nullable: true, description: 'Free text, at most 1024 characters' })
  description?: string | null;

  @Field(() => [WorkloadComponentInput], { description: 'The Helm releases, 1-20, installed in this order' })
  components!: WorkloadComponentInput[];
}

@InputType('VariableDefinitionInput', { description: 'A typed input of a bundle, used in Helm values as {{ .var.NAME }}' })
export class VariableDefinitionInput {
  @Field(() => String, { description: 'A letter or "_", then letters, digits, "_" or "-"; at most 63 characters' })
  name!: string;

  @Field(() => VariableType, { description: 'Type every value must have' })
  type!: VariableType;

  @Field(() => JSONScalar, { nullable: true, description: 'Default value, matching the type; INT64 may be a decimal string' })
  default?: unknown;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'A deployment must give a value (unless there is a default); excludes locked' })
  required?: boolean | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Always the default: deployments cannot override it. Needs a default; excludes required' })
  locked?: boolean | null;

  @Field(() => String, { nullable: true, description: 'What the variable is for, at most 1024 characters' })
  description?: string | null;
}

@InputType('CreateProfileBundleInput', { description: 'Input of createProfileBundle: version 1 of a new bundle' })
export class CreateProfileBundleInput {
  @Field(() => ID, { description: 'Global ID of the project the bundle belongs to' })
  projectId!: string;

  @Field(() => String, { description: '3-63 characters: lowercase letters, digits and "-"; unique in the project (later versions share it)' })
  name!: string;

  @Field(() => BundleType, { description: 'What the bundle packages' })
  type!: BundleType;

  @Field(() => String, { nullable: true, description: 'Free text, at most 2048 characters' })
  description?: string | null;

  @Field(() => ClusterProfileInput, { nullable: true, description: 'Required for INFRASTRUCTURE and FULLSTACK, absent for APPLICATION' })
  clusterProfile?: ClusterProfileInput | null;

  @Field(() => [WorkloadProfileInput], { nullable: true, description: 'Workload profiles, at most 20 (APPLICATION bundles need at least one)' })
  workloadProfiles?: WorkloadProfileInput[] | null;

  @Field(() => [VariableDefinitionInput], { nullable: true, description: 'Variable definitions, at most 100, names unique' })
  variables?: VariableDefinitionInput[] | null;
}

@InputType('CreateProfileBundleVersionInput', {
  description: 'The next version of a bundle. Fields left out are copied from the given version; null clears. The type stays.',
})
export class CreateProfileBundleVersionInput {
  @Field(() => ID, { description: 'Any version of the bundle' })
  profileBundleId!: string;

  @Field(() => String, { nullable: true, description: 'Description of the new version, at most 2048 characters' })
  description?: string | null;

  @Field(() => ClusterProfileInput, { nullable: true, description: 'Cluster profile of the new version (INFRASTRUCTURE and FULLSTACK only)' })
  clusterProfile?: ClusterProfileInput | null;

  @Field(() => [WorkloadProfileInput], { nullable: true, description: 'Workload profiles of the new version, at most 20' })
  workloadProfiles?: WorkloadProfileInput[] | null;

  @Field(() => [VariableDefinitionInput], { nullable: true, description: 'Variable definitions of the new version, at most 100' })
  variables?: VariableDefinitionInput[] | null;
}

@InputType('DeleteProfileBundleInput', { description: 'Input of deleteProfileBundle' })
export class DeleteProfileBundleInput {
  @Field(() => ID, { description: 'The version to delete' })
  id!: string;
}

@ObjectType('ProfileBundlePayload', { description: 'Result of a profile bundle mutation' })
export class ProfileBundlePayload extends Payload {
  @Field(() => ProfileBundleNode, { nullable: true, description: 'The bundle version created; null when the mutation was refused' })
  profileBundle: ProfileBundleNode | null = null;
}
