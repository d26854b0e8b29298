import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PoolMode } from '../compute/pool.model.js';
import { NodeRequirementsInput } from '../compute/pool.type.js';
import { Payload, UserError } from '../graphql/payload.js';
import { Connection } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { JSONScalar } from '../graphql/scalars.js';
import { GpuBudgetVerdict, QuotaLevelVerdict } from '../tenancy/quota.type.js';
import { Phase } from '../workflow/phase.type.js';
import { ProgressStatus } from '../workflow/progress.type.js';
import type { AppDeployment } from './deployment.entity.js';
import { DeploymentPhase } from './deployment.model.js';

registerEnumType(DeploymentPhase, { name: 'AppDeploymentPhase' });

@ObjectType('Link')
export class LinkType {
  @Field(() => String)
  title!: string;

  @Field(() => String)
  url!: string;
}

@ObjectType('GpuRequest')
export class GpuRequestType {
  @Field(() => String)
  gpuFamily!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('AccessUrl')
export class AccessUrlType {
  @Field(() => String)
  component!: string;

  @Field(() => String)
  url!: string;

  @Field(() => Int)
  port!: number;
}

@ObjectType('AppDeployment', { implements: Node, description: 'An application deployed from profile bundles onto a compute pool; changed in place by revisions (updateAppDeployment, rollbackAppDeployment)' })
export class AppDeploymentNode extends Node {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [LinkType])
  links!: LinkType[];

  @Field(() => Phase, { description: 'One of the AppDeploymentPhase values' })
  phase!: DeploymentPhase;

  @Field(() => ProgressStatus)
  status!: ProgressStatus;

  @Field(() => String, { description: 'The pool cluster (OCM ManagedCluster) the app runs on' })
  cluster!: string;

  @Field(() => JSONScalar, { description: 'Typed variable values after defaults and locks, by name' })
  variableValues!: Record<string, unknown>;

  @Field(() => [GpuRequestType])
  gpuRequests!: GpuRequestType[];

  @Field(() => [AccessUrlType], { description: 'Published once RUNNING' })
  accessUrls!: AccessUrlType[];

  @Field(() => Int, { description: 'How many times the deployment was retried' })
  retries!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
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

@ObjectType()
export class AppDeploymentConnection extends Connection(AppDeploymentNode, 'AppDeployment') {}

/** No `id`: a plan is not an object of the graph, and clients' caches key objects by id. */
@ObjectType('PlanPool', { description: 'The compute pool a deployment would use' })
export class PlanPool {
  @Field(() => String)
  name!: string;

  @Field(() => PoolMode)
  mode!: PoolMode;

  @Field(() => Boolean)
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

  @Field(() => String)
  title!: string;
}

@ObjectType('DeploymentPlan', { description: 'What deployApp would do (dryRun): nothing was written' })
export class DeploymentPlanType {
  @Field(() => Boolean)
  allowed!: boolean;

  @Field(() => [UserError], { description: 'Why it would be refused' })
  refusals!: UserError[];

  @Field(() => [QuotaLevelVerdict], { description: 'Admission verdict per quota level and GPU family' })
  quota!: QuotaLevelVerdict[];

  @Field(() => GpuBudgetVerdict, { nullable: true, description: "The project's monthly GPU-hour budget with what the deployment would hold (null: no budget)" })
  budget!: GpuBudgetVerdict | null;

  @Field(() => [GpuRequestType])
  gpuRequests!: GpuRequestType[];

  @Field(() => JSONScalar, { description: 'Typed variable values after defaults and locks, by name' })
  variableValues!: Record<string, unknown>;

  @Field(() => PlanPool)
  pool!: PlanPool;

  @Field(() => [PlanStep])
  steps!: PlanStep[];

  @Field(() => [JSONScalar], { description: 'The rendered hub objects: Placement and ManifestWork' })
  hubObjects!: unknown[];
}

@InputType('LinkInput')
export class LinkInput {
  @Field(() => String)
  title!: string;

  @Field(() => String)
  url!: string;
}

@InputType('VariableValueInput')
export class VariableValueInput {
  @Field(() => String)
  name!: string;

  @Field(() => JSONScalar, { description: 'A value of the variable\'s type (INT64 may be a decimal string)' })
  value!: unknown;
}

@InputType('NewDedicatedPoolInput')
export class NewDedicatedPoolInput {
  @Field(() => String, { nullable: true, description: "Default: the deployment's name" })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ID, { description: 'INFRASTRUCTURE or FULLSTACK bundle version of the project' })
  infrastructureBundleId!: string;

  @Field(() => NodeRequirementsInput)
  nodeRequirements!: NodeRequirementsInput;
}

@InputType('DeployAppInput')
export class DeployAppInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [LinkInput], { nullable: true })
  links?: LinkInput[] | null;

  @Field(() => [ID], { description: 'Profile bundle versions; one must hold an APPLICATION workload profile' })
  bundleIds!: string[];

  @Field(() => ID, { nullable: true, description: 'A RUNNING compute pool of the project (or give newDedicatedPool)' })
  poolId?: string | null;

  @Field(() => NewDedicatedPoolInput, { nullable: true, description: 'Provision a new DEDICATED pool in the same flow' })
  newDedicatedPool?: NewDedicatedPoolInput | null;

  @Field(() => [VariableValueInput], { nullable: true })
  variables?: VariableValueInput[] | null;

  @Field(() => String, { nullable: true, description: 'Same key and input returns the first result' })
  idempotencyKey?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Return the plan; write nothing' })
  dryRun?: boolean | null;
}

@ObjectType('DeployAppPayload')
export class DeployAppPayload extends Payload {
  @Field(() => AppDeploymentNode, { nullable: true })
  appDeployment: AppDeploymentNode | null = null;

  @Field(() => DeploymentPlanType, { nullable: true, description: 'Set for dryRun' })
  plan: DeploymentPlanType | null = null;
}

@InputType('AppDeploymentIdInput')
export class AppDeploymentIdInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType('AppDeploymentPayload')
export class AppDeploymentPayload extends Payload {
  @Field(() => AppDeploymentNode, { nullable: true })
  appDeployment: AppDeploymentNode | null = null;
}

@InputType('CloneAppDeploymentInput')
export class CloneAppDeploymentInput {
  @Field(() => ID, { description: 'The deployment to copy' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [VariableValueInput], { nullable: true, description: 'Overrides on top of the source values' })
  variables?: VariableValueInput[] | null;

  @Field(() => ID, { nullable: true, description: 'Another RUNNING pool (default: the same target as the source)' })
  poolId?: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;

  @Field(() => Boolean, { nullable: true })
  dryRun?: boolean | null;
}
