import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PoolExposure, PoolMode } from '../compute/pool.model.js';
import { NodeRequirementsInput } from '../compute/pool.type.js';
import { Payload, UserError } from '../graphql/payload.js';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { JSONScalar } from '../graphql/scalars.js';
import { GpuBudgetVerdict, QuotaLevelVerdict } from '../tenancy/quota.type.js';
import { Phase, PHASE_DESCRIPTIONS } from '../graphql/phase.type.js';
import { ProgressStatus } from '../graphql/progress.type.js';
import type { AppDeployment } from './deployment.entity.js';
import { DeploymentPhase } from './deployment.model.js';

registerEnumType(DeploymentPhase, {
  name: 'AppDeploymentPhase',
  description: 'Phase of an app deployment: QUEUED, PROVISIONING (only with a new dedicated pool), PLACING, DEPLOYING, then RUNNING; FAILED on a failed step; DELETING, DELETED when removed',
  valuesConfig: Object.fromEntries(Object.values(DeploymentPhase).map((v) => [v, PHASE_DESCRIPTIONS[v]])),
});

@ObjectType('Link', { description: 'A link shown with a deployment (docs, dashboards)' })
export class LinkType {
  @Field(() => String, { description: 'Text of the link' })
  title!: string;

  @Field(() => String, { description: 'An http(s) URL' })
  url!: string;
}

@ObjectType('GpuRequest', { description: 'GPUs of one family that a deployment requests (summed over its components)' })
export class GpuRequestType {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  gpuFamily!: string;

  @Field(() => Int, { description: 'Number of GPUs' })
  count!: number;
}

@ObjectType('AccessUrl', { description: 'Where an exposed component of a running deployment is reached' })
export class AccessUrlType {
  @Field(() => String, { description: 'The component (Helm release) it belongs to' })
  component!: string;

  @Field(() => String, { description: 'The URL, from the load-balancer address of its Service and the exposed path' })
  url!: string;

  @Field(() => Int, { description: 'The exposed port' })
  port!: number;
}

@ObjectType('AppDeployment', { implements: Node, description: 'An application deployed from profile bundles onto a compute pool; changed in place by revisions (updateAppDeployment, rollbackAppDeployment)' })
export class AppDeploymentNode extends Node {
  @Field(() => String, { description: 'Name, unique in the project among deployments not deleted (3-33 lowercase letters, digits and "-")' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text (at most 2048 characters)' })
  description!: string | null;

  @Field(() => [LinkType], { description: 'Links shown with the deployment' })
  links!: LinkType[];

  @Field(() => Phase, { description: 'One of the AppDeploymentPhase values' })
  phase!: DeploymentPhase;

  @Field(() => ProgressStatus, { description: 'Progress of the flow, what it waits on, why it failed' })
  status!: ProgressStatus;

  @Field(() => String, { description: 'The pool cluster (OCM ManagedCluster) the app runs on' })
  cluster!: string;

  @Field(() => JSONScalar, { description: 'Typed variable values after defaults and locks, by name' })
  variableValues!: Record<string, unknown>;

  @Field(() => [GpuRequestType], { description: 'GPUs reserved for the deployment, per family' })
  gpuRequests!: GpuRequestType[];

  @Field(() => [AccessUrlType], { description: 'URLs of the exposed components; published once RUNNING, empty before' })
  accessUrls!: AccessUrlType[];

  @Field(() => Int, { description: 'How many times the deployment was retried' })
  retries!: number;

  @Field(() => Date, { description: 'When the deployment was admitted' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the deployment last changed' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the deployment reached DELETED; null before' })
  deletedAt!: Date | null;

  uuid!: string;
  /** (exposed as `revision` by deployment.update.resolver.ts) */
  revisionNumber!: number;
  projectUuid!: string;
  poolUuid!: string;

  static from(d: AppDeployment): AppDeploymentNode {
    return Object.assign(new AppDeploymentNode(), {
      id: toGlobalId(NodeKind.AppDeployment, d.id),
      uuid: d.id,
      revisionNumber: d.revision,
      projectUuid: d.project.id,
      poolUuid: d.pool.id,
      name: d.name,
      description: d.description,
      links: d.links.map((l) => Object.assign(new LinkType(), l)),
      phase: d.phase,
      status: ProgressStatus.of(d),
      cluster: d.cluster,
      variableValues: d.resolvedVariables,
      gpuRequests: d.gpuRequests.map((g) => Object.assign(new GpuRequestType(), g)),
      accessUrls: d.accessUrls.map((u) => Object.assign(new AccessUrlType(), u)),
      retries: d.retries,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      deletedAt: d.deletedAt,
    });
  }
}

@ObjectType({ description: connectionDescription('AppDeployment') })
export class AppDeploymentConnection extends Connection(AppDeploymentNode, 'AppDeployment') {}

/** No `id`: a plan is not an object of the graph, and clients' caches key objects by id. */
@ObjectType('PlanPool', { description: 'The compute pool a deployment would use' })
export class PlanPool {
  @Field(() => String, { description: 'Name of the pool (existing or to be created)' })
  name!: string;

  @Field(() => PoolMode, { description: 'DEDICATED or SHARED' })
  mode!: PoolMode;

  @Field(() => Boolean, { description: 'Whether the pool would be created by this deployment' })
  isNew!: boolean;

  @Field(() => String, { nullable: true, description: 'The cluster the deployment would land on' })
  cluster!: string | null;

  @Field(() => [String], { description: 'Hosts a new dedicated pool would reserve' })
  machines!: string[];

  /** the existing pool's row id (null for a new pool), for the computePool field */
  poolUuid!: string | null;
}

@ObjectType('PlanStep', { description: 'A step the deployment would run, in order' })
export class PlanStep {
  @Field(() => String, { description: 'As in DeploymentEvent.step and ProgressStatus.currentStep' })
  step!: string;

  @Field(() => String, { description: 'What the step does, for people' })
  title!: string;
}

@ObjectType('DeploymentPlan', { description: 'What deployApp would do (dryRun): nothing was written' })
export class DeploymentPlanType {
  @Field(() => Boolean, { description: 'Whether deployApp would admit this input now' })
  allowed!: boolean;

  @Field(() => [UserError], { description: 'Why it would be refused' })
  refusals!: UserError[];

  @Field(() => [QuotaLevelVerdict], { description: 'Admission verdict per quota level and GPU family' })
  quota!: QuotaLevelVerdict[];

  @Field(() => GpuBudgetVerdict, { nullable: true, description: "The project's monthly GPU-hour budget with what the deployment would hold (null: no budget)" })
  budget!: GpuBudgetVerdict | null;

  @Field(() => [GpuRequestType], { description: 'GPUs that would be reserved, per family' })
  gpuRequests!: GpuRequestType[];

  @Field(() => JSONScalar, { description: 'Typed variable values after defaults and locks, by name' })
  variableValues!: Record<string, unknown>;

  @Field(() => PlanPool, { description: 'The pool the deployment would use' })
  pool!: PlanPool;

  @Field(() => [PlanStep], { description: 'The steps of the flow, in order' })
  steps!: PlanStep[];

  @Field(() => [JSONScalar], { description: 'The rendered hub objects: Placement and ManifestWork' })
  hubObjects!: unknown[];
}

@InputType('LinkInput', { description: 'A link to show with a deployment' })
export class LinkInput {
  @Field(() => String, { description: 'Text of the link, 1-100 characters' })
  title!: string;

  @Field(() => String, { description: 'An http(s) URL, at most 2048 characters' })
  url!: string;
}

@InputType('VariableValueInput', { description: 'A value for a variable of the bundles' })
export class VariableValueInput {
  @Field(() => String, { description: 'Name of a variable defined by one of the bundles; locked variables cannot be given' })
  name!: string;

  @Field(() => JSONScalar, { description: 'A value of the variable\'s type (INT64 may be a decimal string)' })
  value!: unknown;
}

@InputType('NewDedicatedPoolInput', { description: 'A DEDICATED compute pool to provision for the deployment in the same flow' })
export class NewDedicatedPoolInput {
  @Field(() => String, { nullable: true, description: "Name of the pool (default: the deployment's name)" })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Free text, at most 2048 characters' })
  description?: string | null;

  @Field(() => ID, { description: 'Global ID of an INFRASTRUCTURE or FULLSTACK bundle version of the project' })
  infrastructureBundleId!: string;

  @Field(() => NodeRequirementsInput, { description: "The shape of the pool's cluster; its worker GPUs must cover the deployment's GPU requests" })
  nodeRequirements!: NodeRequirementsInput;

  @Field(() => PoolExposure, { nullable: true, description: 'How the app is reached: LOAD_BALANCER (default), NODE_PORT (spokes without a load balancer) or INGRESS (needs ingressHostSuffix), as in createComputePool' })
  exposure?: PoolExposure | null;

  @Field(() => String, { nullable: true, description: 'Required with exposure INGRESS, refused otherwise: the DNS suffix the app hosts are made under (e.g. apps.example.com)' })
  ingressHostSuffix?: string | null;
}

@InputType('DeployAppInput', { description: 'Input of deployApp' })
export class DeployAppInput {
  @Field(() => ID, { description: 'Global ID of the project' })
  projectId!: string;

  @Field(() => String, { description: '3-33 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit; unique in the project' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text, at most 2048 characters' })
  description?: string | null;

  @Field(() => [LinkInput], { nullable: true, description: 'Links to show with the deployment, at most 10' })
  links?: LinkInput[] | null;

  @Field(() => [ID], { description: 'Global IDs of profile bundle versions of the project, at most 10; together they must hold an APPLICATION workload profile' })
  bundleIds!: string[];

  @Field(() => ID, { nullable: true, description: 'A RUNNING compute pool of the project; give this or newDedicatedPool, not both' })
  poolId?: string | null;

  @Field(() => NewDedicatedPoolInput, { nullable: true, description: 'Provision a new DEDICATED pool for this deployment in the same flow; give this or poolId, not both' })
  newDedicatedPool?: NewDedicatedPoolInput | null;

  @Field(() => [VariableValueInput], { nullable: true, description: 'Values for the variables of the bundles, at most 100 and 64 KiB of JSON; required variables without a default must be given' })
  variables?: VariableValueInput[] | null;

  @Field(() => String, { nullable: true, description: 'Your key for this request (1-255 printable ASCII characters): the same key and input return the first result; the same key with another input is refused' })
  idempotencyKey?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Admit nothing and write nothing: return in `plan` what would happen' })
  dryRun?: boolean | null;
}

@ObjectType('DeployAppPayload', { description: 'Result of deployApp' })
export class DeployAppPayload extends Payload {
  @Field(() => AppDeploymentNode, { nullable: true, description: 'The admitted deployment (phase QUEUED); null for a dry run or when refused' })
  appDeployment: AppDeploymentNode | null = null;

  @Field(() => DeploymentPlanType, { nullable: true, description: 'What would happen; set only for dryRun' })
  plan: DeploymentPlanType | null = null;
}

@InputType('AppDeploymentIdInput', { description: 'Names one app deployment' })
export class AppDeploymentIdInput {
  @Field(() => ID, { description: 'Global ID of the app deployment' })
  id!: string;
}

@ObjectType('AppDeploymentPayload', { description: 'Result of an app deployment mutation' })
export class AppDeploymentPayload extends Payload {
  @Field(() => AppDeploymentNode, { nullable: true, description: 'The deployment as it is now; null when the mutation was refused' })
  appDeployment: AppDeploymentNode | null = null;
}

@InputType('CloneAppDeploymentInput', { description: 'Input of cloneAppDeployment: a new deployment from the bundles and values of another, with changes' })
export class CloneAppDeploymentInput {
  @Field(() => ID, { description: 'The deployment to copy' })
  id!: string;

  @Field(() => String, { description: 'Name of the new deployment: 3-33 lowercase letters, digits and "-"; unique in the project' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Description of the new deployment (default: the source one)' })
  description?: string | null;

  @Field(() => [VariableValueInput], { nullable: true, description: 'Overrides on top of the source values' })
  variables?: VariableValueInput[] | null;

  @Field(() => ID, { nullable: true, description: 'Another RUNNING pool (default: the same target as the source)' })
  poolId?: string | null;

  @Field(() => String, { nullable: true, description: 'Your key for this request (1-255 printable ASCII characters): the same key and input return the first result; the same key with another input is refused' })
  idempotencyKey?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Return the plan in `plan`; write nothing' })
  dryRun?: boolean | null;
}
