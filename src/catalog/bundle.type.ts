/** GraphQL output types of the catalog: `ProfileBundle` (one immutable version) and its content. */
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { cachedField, derivedField } from '../graphql/lazy.js';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { DEFAULT_GPU_VALUES_PATH } from '../common/values.path.js';
import { JSONScalar } from '../graphql/scalars.js';
import { BundleType, VariableType, WorkloadProfileType, type ComponentSpec, type VariableSpec, type VariableValue, type WorkloadProfileSpec } from './bundle.model.js';
import { later, type BundleView, type Later } from './bundle.read.js';

registerEnumType(BundleType, {
  name: 'BundleType',
  description: 'What a profile bundle packages, which decides what it can be used for',
  valuesConfig: {
    APPLICATION: { description: 'Workload profiles only: what app deployments run (one of their bundles must hold an APPLICATION workload profile)' },
    INFRASTRUCTURE: { description: 'A cluster profile only: what compute pool clusters are built from' },
    FULLSTACK: { description: 'A cluster profile and workload profiles: usable for pools and for deployments' },
  },
});
registerEnumType(WorkloadProfileType, {
  name: 'WorkloadProfileType',
  description: 'What a workload profile runs',
  valuesConfig: {
    APPLICATION: { description: 'An application (the kind every app deployment needs)' },
    MODEL: { description: 'A model server' },
    INFRASTRUCTURE: { description: 'Cluster software that apps rely on' },
  },
});
registerEnumType(VariableType, {
  name: 'VariableType',
  description: 'Type of a bundle variable; values are given as JSON',
  valuesConfig: {
    STRING: { description: 'Text of at most 4096 characters' },
    BOOL: { description: 'A JSON true or false' },
    INT32: { description: 'An integer from -2147483648 to 2147483647' },
    INT64: { description: 'A 64-bit integer: a JSON number below 2^53 in magnitude, or a decimal string' },
    FLOAT32: { description: 'A finite number, stored as single precision' },
    FLOAT64: { description: 'A finite number' },
  },
});

@ObjectType('ClusterAddon', { description: 'A cluster add-on (pack) installed on every cluster built from the profile' })
export class ClusterAddonType {
  @Field(() => String, { description: 'Name of the add-on, e.g. nvidia-gpu-operator' })
  name!: string;

  @Field(() => String, { description: 'Version of the add-on, e.g. 24.9.0' })
  version!: string;
}

@ObjectType('ClusterProfile', { description: 'What a compute pool cluster is built from' })
export class ClusterProfileType {
  @Field(() => String, { description: 'Kubernetes version of the clusters, e.g. 1.31.4' })
  kubernetesVersion!: string;

  @Field(() => String, { description: 'Network plugin, e.g. calico' })
  cni!: string;

  @Field(() => String, { description: 'Storage plugin, e.g. longhorn' })
  csi!: string;

  @Field(() => [ClusterAddonType], { description: 'Further add-ons of the clusters' })
  addons!: ClusterAddonType[];
}

@ObjectType('HelmChart', { description: "Where a component's Helm chart comes from" })
export class HelmChartType {
  @Field(() => String, { description: 'Helm repository URL (https:// or http://) or oci:// reference' })
  repository!: string;

  @Field(() => String, { description: 'Chart name in the repository (for oci:// the last path part)' })
  chart!: string;

  @Field(() => String, { description: 'Exact version or semver range' })
  version!: string;
}

@ObjectType('ComponentGpu', { description: 'GPUs one component requests' })
export class ComponentGpuType {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  family!: string;

  @Field(() => Int, { description: 'Number of GPUs, 1-64' })
  count!: number;

  @Field(() => String, { description: 'Dotted path of the map in the Helm values that receives `nvidia.com/gpu: <count>` when the component is deployed, e.g. "resources.limits"' })
  valuesPath!: string;
}

@ObjectType('ComponentExpose', { description: 'The port (and path) under which a component is reachable' })
export class ComponentExposeType {
  @Field(() => Int, { description: 'Service port, 1-65535' })
  port!: number;

  @Field(() => String, { description: 'URL path under which it is served, starting with "/"' })
  path!: string;
}

@ObjectType('WorkloadComponent', { description: 'One Helm release of a workload profile' })
export class WorkloadComponentType {
  @Field(() => String, { description: 'Component name; also the name of its Helm release' })
  name!: string;

  @Field(() => HelmChartType, { description: 'The Helm chart installed' })
  chart!: HelmChartType;

  @Field(() => JSONScalar, { description: 'Helm values; strings may hold {{ .var.NAME }} macros' })
  values!: Record<string, unknown>;

  @Field(() => ComponentGpuType, { nullable: true, description: 'GPUs the component requests; null for none' })
  gpu!: ComponentGpuType | null;

  @Field(() => ComponentExposeType, { nullable: true, description: 'How the component is reached from outside; null if it is not exposed' })
  expose!: ComponentExposeType | null;

  static of(c: ComponentSpec): WorkloadComponentType {
    return Object.assign(new WorkloadComponentType(), {
      name: c.name,
      chart: Object.assign(new HelmChartType(), c.chart),
      values: c.values,
      gpu: c.gpu ? Object.assign(new ComponentGpuType(), { family: c.gpu.family, count: c.gpu.count, valuesPath: c.gpu.valuesPath ?? DEFAULT_GPU_VALUES_PATH }) : null,
      expose: c.expose ? Object.assign(new ComponentExposeType(), c.expose) : null,
    });
  }
}

@ObjectType('WorkloadProfile', { description: 'What runs: Helm components of one type' })
export class WorkloadProfileObject {
  @Field(() => String, { description: 'Name, unique in the bundle' })
  name!: string;

  @Field(() => WorkloadProfileType, { description: 'What the profile runs' })
  type!: WorkloadProfileType;

  @Field(() => String, { nullable: true, description: 'Free text (at most 1024 characters)' })
  description!: string | null;

  @Field(() => [WorkloadComponentType], { description: 'The Helm releases of the profile, installed in this order' })
  components!: WorkloadComponentType[];

  static of(w: WorkloadProfileSpec): WorkloadProfileObject {
    return Object.assign(new WorkloadProfileObject(), { name: w.name, type: w.type, description: w.description, components: w.components.map(WorkloadComponentType.of) });
  }
}

@ObjectType('VariableDefinition', { description: 'A typed input of a bundle, used in values as {{ .var.NAME }}' })
export class VariableDefinitionType {
  @Field(() => String, { description: 'Name used in macros: {{ .var.NAME }}' })
  name!: string;

  @Field(() => VariableType, { description: 'Type every value must have' })
  type!: VariableType;

  @Field(() => JSONScalar, { nullable: true, description: 'Matches the type; INT64 beyond 2^53 is a decimal string' })
  default!: VariableValue | null;

  @Field(() => Boolean, { description: 'A deployment must provide a value unless there is a default' })
  required!: boolean;

  @Field(() => Boolean, { description: 'Always the default; deployments cannot override it' })
  locked!: boolean;

  @Field(() => String, { nullable: true, description: 'What the variable is for (at most 1024 characters)' })
  description!: string | null;

  static of(v: VariableSpec): VariableDefinitionType {
    return Object.assign(new VariableDefinitionType(), v);
  }
}

@ObjectType('ProfileBundle', { simpleResolvers: true, implements: Node, description: 'One immutable version of a Profile Bundle' })
export class ProfileBundleNode extends Node {
  @Field(() => String, { description: 'Shared by all versions of the bundle in its project' })
  name!: string;

  @Field(() => Int, { description: 'Version number: 1, 2, … (each version is immutable once created)' })
  version!: number;

  @Field(() => String, { description: 'The version for people: v1, v2, …' })
  versionLabel!: string;

  @Field(() => BundleType, { description: 'What the bundle packages: decides whether pools, deployments or both can use it' })
  bundleType!: BundleType;

  @Field(() => String, { nullable: true, description: 'Free text (at most 2048 characters)' })
  description!: string | null;

  // The content (cluster profile, workload profiles, variables) is JSON in the database: turned into
  // objects when a query asks for it, not for every version of a page that shows names only.
  @Field(() => ClusterProfileType, { nullable: true, description: 'What pool clusters are built from (INFRASTRUCTURE and FULLSTACK bundles); null for APPLICATION bundles' })
  get clusterProfile(): Later<ClusterProfileType | null> {
    return later(this.content.clusterProfile, (cp) => (cp ? Object.assign(new ClusterProfileType(), { ...cp, addons: cp.addons.map((a) => Object.assign(new ClusterAddonType(), a)) }) : null));
  }

  @Field(() => [WorkloadProfileObject], { description: 'What runs: the workload profiles of this version' })
  get workloadProfiles(): Later<WorkloadProfileObject[]> {
    return later(this.content.workloadProfiles, (w) => w.map(WorkloadProfileObject.of));
  }

  @Field(() => [VariableDefinitionType], { description: 'Typed inputs that deployments give values for' })
  get variables(): Later<VariableDefinitionType[]> {
    return later(this.content.variables, (v) => v.map(VariableDefinitionType.of));
  }

  @Field(() => Date, { description: 'When this version was created' })
  createdAt!: Date;

  uuid!: string;
  projectUuid!: string;
  /** the read model or entity: content and timestamp are read from it when a query asks (not a GraphQL field) */
  content!: Pick<BundleView, 'clusterProfile' | 'workloadProfiles' | 'variables' | 'createdAt'>;

  /** From the entity or the read model (the entity has the read model's shape). */
  static from(b: BundleView): ProfileBundleNode {
    const n = new ProfileBundleNode();
    n.uuid = b.id;
    n.projectUuid = b.project.id;
    n.name = b.name;
    n.version = b.version;
    n.versionLabel = `v${b.version}`;
    n.bundleType = b.type;
    n.description = b.description;
    n.content = b;
    return n;
  }
}

// the global ID is encoded when read (a page of versions often does not ask for it)
derivedField(ProfileBundleNode, 'id', (n) => toGlobalId(NodeKind.ProfileBundle, n.uuid));
cachedField(ProfileBundleNode, 'createdAt', (n) => n.content.createdAt);

@ObjectType({ simpleResolvers: true, description: connectionDescription('ProfileBundle') })
export class ProfileBundleConnection extends Connection(ProfileBundleNode, 'ProfileBundle') {}
