/** GraphQL output types of the catalog: `ProfileBundle` (one immutable version) and its content. */
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { JSONScalar } from '../graphql/scalars.js';
import { BundleType, VariableType, WorkloadProfileType, type ComponentSpec, type VariableSpec, type VariableValue, type WorkloadProfileSpec } from './bundle.model.js';
import type { ProfileBundle } from './profile-bundle.entity.js';

registerEnumType(BundleType, {
  name: 'BundleType',
  description: 'APPLICATION: workloads only; INFRASTRUCTURE: a cluster profile for compute pools; FULLSTACK: both',
});
registerEnumType(WorkloadProfileType, { name: 'WorkloadProfileType' });
registerEnumType(VariableType, { name: 'VariableType' });

@ObjectType('ClusterAddon')
export class ClusterAddonType {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  version!: string;
}

@ObjectType('ClusterProfile', { description: 'What a compute pool cluster is built from' })
export class ClusterProfileType {
  @Field(() => String)
  kubernetesVersion!: string;

  @Field(() => String)
  cni!: string;

  @Field(() => String)
  csi!: string;

  @Field(() => [ClusterAddonType])
  addons!: ClusterAddonType[];
}

@ObjectType('HelmChart')
export class HelmChartType {
  @Field(() => String, { description: 'https:// Helm repository URL or oci:// reference' })
  repository!: string;

  @Field(() => String)
  chart!: string;

  @Field(() => String, { description: 'Exact version or semver range' })
  version!: string;
}

@ObjectType('ComponentGpu', { description: 'GPUs one component requests' })
export class ComponentGpuType {
  @Field(() => String)
  family!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('ComponentExpose', { description: 'The port (and path) under which a component is reachable' })
export class ComponentExposeType {
  @Field(() => Int)
  port!: number;

  @Field(() => String)
  path!: string;
}

@ObjectType('WorkloadComponent', { description: 'One Helm release of a workload profile' })
export class WorkloadComponentType {
  @Field(() => String)
  name!: string;

  @Field(() => HelmChartType)
  chart!: HelmChartType;

  @Field(() => JSONScalar, { description: 'Helm values; strings may hold {{ .var.NAME }} macros' })
  values!: Record<string, unknown>;

  @Field(() => ComponentGpuType, { nullable: true })
  gpu!: ComponentGpuType | null;

  @Field(() => ComponentExposeType, { nullable: true })
  expose!: ComponentExposeType | null;

  static of(c: ComponentSpec): WorkloadComponentType {
    return Object.assign(new WorkloadComponentType(), {
      name: c.name,
      chart: Object.assign(new HelmChartType(), c.chart),
      values: c.values,
      gpu: c.gpu ? Object.assign(new ComponentGpuType(), c.gpu) : null,
      expose: c.expose ? Object.assign(new ComponentExposeType(), c.expose) : null,
    });
  }
}

@ObjectType('WorkloadProfile', { description: 'What runs: Helm components of one type' })
export class WorkloadProfileObject {
  @Field(() => String)
  name!: string;

  @Field(() => WorkloadProfileType)
  type!: WorkloadProfileType;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [WorkloadComponentType])
  components!: WorkloadComponentType[];

  static of(w: WorkloadProfileSpec): WorkloadProfileObject {
    return Object.assign(new WorkloadProfileObject(), { name: w.name, type: w.type, description: w.description, components: w.components.map(WorkloadComponentType.of) });
  }
}

@ObjectType('VariableDefinition', { description: 'A typed input of a bundle, used in values as {{ .var.NAME }}' })
export class VariableDefinitionType {
  @Field(() => String)
  name!: string;

  @Field(() => VariableType)
  type!: VariableType;

  @Field(() => JSONScalar, { nullable: true, description: 'Matches the type; INT64 beyond 2^53 is a decimal string' })
  default!: VariableValue | null;

  @Field(() => Boolean, { description: 'A deployment must provide a value unless there is a default' })
  required!: boolean;

  @Field(() => Boolean, { description: 'Always the default; deployments cannot override it' })
  locked!: boolean;

  @Field(() => String, { nullable: true })
  description!: string | null;

  static of(v: VariableSpec): VariableDefinitionType {
    return Object.assign(new VariableDefinitionType(), v);
  }
}

@ObjectType('ProfileBundle', { implements: Node, description: 'One immutable version of a Profile Bundle' })
export class ProfileBundleNode extends Node {
  @Field(() => String, { description: 'Shared by all versions of the bundle in its project' })
  name!: string;

  @Field(() => Int, { description: '1, 2, …' })
  version!: number;

  @Field(() => String, { description: 'The version for people: v1, v2, …' })
  versionLabel!: string;

  @Field(() => BundleType)
  bundleType!: BundleType;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => ClusterProfileType, { nullable: true, description: 'INFRASTRUCTURE and FULLSTACK bundles' })
  clusterProfile!: ClusterProfileType | null;

  @Field(() => [WorkloadProfileObject])
  workloadProfiles!: WorkloadProfileObject[];

  @Field(() => [VariableDefinitionType])
  variables!: VariableDefinitionType[];

  @Field(() => Date)
  createdAt!: Date;

  uuid!: string;
  projectUuid!: string;

  static from(b: ProfileBundle): ProfileBundleNode {
    const cp = b.clusterProfile;
    return Object.assign(new ProfileBundleNode(), {
      id: toGlobalId(NodeKind.ProfileBundle, b.id),
      uuid: b.id,
      projectUuid: b.project.id,
      name: b.name,
      version: b.version,
      versionLabel: `v${b.version}`,
      bundleType: b.type,
      description: b.description,
      clusterProfile: cp
        ? Object.assign(new ClusterProfileType(), { ...cp, addons: cp.addons.map((a) => Object.assign(new ClusterAddonType(), a)) })
        : null,
      workloadProfiles: b.workloadProfiles.map(WorkloadProfileObject.of),
      variables: b.variables.map(VariableDefinitionType.of),
      createdAt: b.createdAt,
    });
  }
}

@ObjectType()
export class ProfileBundleConnection extends Connection(ProfileBundleNode, 'ProfileBundle') {}
