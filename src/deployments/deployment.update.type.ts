import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AuditActorType } from '../audit/audit.type.js';
import { Payload, UserError } from '../graphql/payload.js';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { JSONScalar } from '../graphql/scalars.js';
import '../graphql/progress.type.js';
import { FailureReason } from '../workflow/flow.js';
import { GpuBudgetVerdict, QuotaLevelVerdict } from '../tenancy/quota.type.js';
import { AppDeploymentNode, GpuRequestType, PlanStep, VariableValueInput } from './deployment.type.js';
import { RevisionOutcome, type AppDeploymentRevision } from './deployment.revision.entity.js';

registerEnumType(RevisionOutcome, {
  name: 'RevisionOutcome',
  description: 'How the rollout of a revision ended',
  valuesConfig: {
    ROLLING_OUT: { description: 'Being rolled out; the previous revision serves meanwhile' },
    SUCCEEDED: { description: 'Rolled out and ready' },
    FAILED: { description: 'The rollout failed (see failure); the previous revision kept serving' },
    CANCELLED: { description: 'The deployment was deleted during the rollout' },
  },
});

@ObjectType('RevisionFailure', { description: 'Why the rollout of a revision failed' })
export class RevisionFailureType {
  @Field(() => String, { description: 'The step that failed (apply-work or rollout)' })
  step!: string;

  @Field(() => FailureReason, { description: 'Machine-readable cause, e.g. RELEASE_FAILED' })
  reason!: FailureReason;

  @Field(() => String, { description: 'What happened, for people' })
  message!: string;
}

@ObjectType('AppDeploymentRevision', { description: 'One revision of an app deployment: exactly what was asked to run, by whom, and how it ended' })
export class AppDeploymentRevisionNode {
  @Field(() => Int, { description: 'Revision number: 1 is what deployApp admitted, each update or rollback adds one' })
  number!: number;

  @Field(() => [ID], { description: 'The profile bundle versions pinned, in order (kept from deletion while the deployment lives)' })
  bundleIds!: string[];

  @Field(() => JSONScalar, { description: "The caller's variable values, by name" })
  variables!: Record<string, unknown>;

  @Field(() => JSONScalar, { description: 'Typed variable values after defaults and locks, by name (what was rendered)' })
  variableValues!: Record<string, unknown>;

  @Field(() => [GpuRequestType], { description: 'The GPUs this revision asks for' })
  gpuRequests!: GpuRequestType[];

  @Field(() => AuditActorType, { description: 'Who asked for it (both null: admitted before revisions were recorded)' })
  actor!: AuditActorType;

  @Field(() => Date, { description: 'When it was admitted' })
  createdAt!: Date;

  @Field(() => RevisionOutcome, { description: 'How its rollout ended' })
  outcome!: RevisionOutcome;

  @Field(() => RevisionFailureType, { nullable: true, description: 'Set when outcome is FAILED' })
  failure!: RevisionFailureType | null;

  @Field(() => Int, { nullable: true, description: 'The revision whose content this one re-applies (a rollback), if any' })
  rollbackOf!: number | null;

  @Field(() => Int, { nullable: true, description: 'The revision that served when this one was admitted' })
  replaces!: number | null;

  static from(r: AppDeploymentRevision): AppDeploymentRevisionNode {
    return Object.assign(new AppDeploymentRevisionNode(), {
      number: r.number,
      bundleIds: r.bundleIds.map((id) => toGlobalId(NodeKind.ProfileBundle, id)),
      variables: r.variables,
      variableValues: r.resolvedVariables,
      gpuRequests: r.gpuRequests.map((g) => Object.assign(new GpuRequestType(), g)),
      actor: Object.assign(new AuditActorType(), { tokenId: r.actorTokenId && toGlobalId(NodeKind.ApiToken, r.actorTokenId), subject: r.actorSubject }),
      createdAt: r.createdAt,
      outcome: r.outcome,
      failure: r.failureReason ? Object.assign(new RevisionFailureType(), { step: r.failureStep ?? '', reason: r.failureReason as FailureReason, message: r.failureMessage ?? '' }) : null,
      rollbackOf: r.rollbackOf,
      replaces: r.replaces,
    });
  }
}

@ObjectType({ description: connectionDescription('AppDeploymentRevision') })
export class AppDeploymentRevisionConnection extends Connection(AppDeploymentRevisionNode, 'AppDeploymentRevision') {}

@ObjectType('ObjectChange', { description: 'One difference between the hub objects of the current revision and of the new one' })
export class ObjectChangeType {
  @Field(() => String, { description: 'The hub object, as kind/namespace/name' })
  object!: string;

  @Field(() => String, { description: 'JSON path inside it; manifests of a ManifestWork are keyed [kind/namespace/name]' })
  path!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'The value now (null: added)' })
  before!: unknown;

  @Field(() => JSONScalar, { nullable: true, description: 'The value with the new revision (null: removed)' })
  after!: unknown;
}

@ObjectType('UpdatePlan', { description: 'What updateAppDeployment would do (dryRun): nothing was written' })
export class UpdatePlanType {
  @Field(() => Boolean, { description: 'Whether it would be admitted now' })
  allowed!: boolean;

  @Field(() => [UserError], { description: 'Why it would be refused' })
  refusals!: UserError[];

  @Field(() => Int, { description: 'The number the new revision would get' })
  revision!: number;

  @Field(() => [GpuRequestType], { description: 'The GPUs the new revision asks for' })
  gpuRequests!: GpuRequestType[];

  @Field(() => [GpuRequestType], { description: 'Per family, what it asks beyond the current revision: admitted like a new request' })
  gpuIncrease!: GpuRequestType[];

  @Field(() => [GpuRequestType], { description: 'Per family, what it asks less than the current revision: released once it runs' })
  gpuDecrease!: GpuRequestType[];

  @Field(() => [QuotaLevelVerdict], { description: 'Quota verdict per level and GPU family for the increase only' })
  quota!: QuotaLevelVerdict[];

  @Field(() => GpuBudgetVerdict, { nullable: true, description: "The project's monthly GPU-hour budget with the increase (null: no budget, or no increase on a shared pool)" })
  budget!: GpuBudgetVerdict | null;

  @Field(() => JSONScalar, { description: 'Typed variable values of the new revision, by name' })
  variableValues!: Record<string, unknown>;

  @Field(() => [PlanStep], { description: 'The steps of the rollout' })
  steps!: PlanStep[];

  @Field(() => [JSONScalar], { description: 'The new revision rendered: its ManifestWork' })
  hubObjects!: unknown[];

  @Field(() => [ObjectChangeType], { description: 'What changes on the hub, current revision against the new one' })
  changes!: ObjectChangeType[];
}

@InputType('UpdateAppDeploymentInput', { description: 'A new revision of a RUNNING deployment, rolled out in place (same id, name, pool, cluster and URLs)' })
export class UpdateAppDeploymentInput {
  @Field(() => ID, { description: 'The deployment' })
  id!: string;

  @Field(() => [ID], { nullable: true, description: 'Profile bundle versions of the project (default: the current ones)' })
  bundleIds?: string[] | null;

  @Field(() => [VariableValueInput], { nullable: true, description: 'Values merged over the current ones (GPU counts are variables of the bundles)' })
  variables?: VariableValueInput[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Return the plan and the hub-object diff; write nothing' })
  dryRun?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Same key and input returns the first result' })
  idempotencyKey?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'When the rollout fails, re-apply the previous revision by itself (as a new revision)' })
  rollbackOnFailure?: boolean | null;
}

@InputType('RollbackAppDeploymentInput', { description: 'A new revision pinning exactly the bundle versions and values of an earlier one' })
export class RollbackAppDeploymentInput {
  @Field(() => ID, { description: 'The deployment' })
  id!: string;

  @Field(() => Int, { description: 'The revision number to go back to' })
  toRevision!: number;

  @Field(() => String, { nullable: true, description: 'Same key and input returns the first result' })
  idempotencyKey?: string | null;
}

@ObjectType('UpdateAppDeploymentPayload', { description: 'The deployment and its new revision, or the plan of a dry run' })
export class UpdateAppDeploymentPayload extends Payload {
  @Field(() => AppDeploymentNode, { nullable: true, description: 'The deployment (its revision field is the new one)' })
  appDeployment!: AppDeploymentNode | null;

  @Field(() => AppDeploymentRevisionNode, { nullable: true, description: 'The revision admitted' })
  revision!: AppDeploymentRevisionNode | null;

  @Field(() => UpdatePlanType, { nullable: true, description: 'Set for dryRun' })
  plan!: UpdatePlanType | null;
}
