import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt, type Ref } from '@mikro-orm/core';
import { ProfileBundle } from '../catalog/profile-bundle.entity.js';
import { BaseEntity } from '../db/base.entity.js';
import { AppDeployment } from './deployment.entity.js';
import type { GpuRequest } from './deployment.model.js';

/** How a revision's rollout ended (ROLLING_OUT until it does). */
export enum RevisionOutcome {
  ROLLING_OUT = 'ROLLING_OUT',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  /** the deployment was deleted while this revision rolled out */
  CANCELLED = 'CANCELLED',
}

/**
 * One revision of an App Deployment: exactly what was asked to run (bundle versions, values, GPUs),
 * by whom, and how its rollout ended. Revision 1 is what deployApp admitted; updateAppDeployment and
 * rollbackAppDeployment append the next number. Rows are never changed after their outcome.
 */
@Entity({ tableName: 'app_deployment_revision' })
@Unique({ properties: ['deployment', 'number'] })
export class AppDeploymentRevision extends BaseEntity {
  @ManyToOne(() => AppDeployment, { ref: true, deleteRule: 'cascade' })
  deployment!: Ref<AppDeployment>;

  @Property({ type: 'integer' })
  number!: number;

  /** The bundle versions, in order (also linked by app_deployment_revision_bundle, which keeps them from deletion). */
  @Property({ type: 'json' })
  bundleIds!: string[];

  /** The caller's variable values, as given. */
  @Property({ type: 'json' })
  variables: Opt<Record<string, unknown>> = {};

  /** Typed values after defaults and locks (what was rendered). */
  @Property({ type: 'json' })
  resolvedVariables: Opt<Record<string, unknown>> = {};

  @Property({ type: 'json' })
  gpuRequests: Opt<GpuRequest[]> = [];

  /** The API token that asked for it (null: admitted by the previous release, before revisions). */
  @Property({ type: 'string', length: 64, nullable: true })
  actorTokenId: string | null = null;

  /** The OIDC subject of the caller, when it signed in with one. */
  @Property({ type: 'string', length: 255, nullable: true })
  actorSubject: string | null = null;

  @Enum({ items: () => RevisionOutcome, type: 'string' })
  @Index()
  outcome: Opt<RevisionOutcome> = RevisionOutcome.ROLLING_OUT;

  /** The revision serving when this one was admitted: what a failure of this one goes back to. */
  @Property({ type: 'integer', nullable: true })
  replaces: number | null = null;

  /** Whether a failed rollout re-applies `replaces` by itself (as a new revision). */
  @Property({ type: 'boolean' })
  rollbackOnFailure: Opt<boolean> = false;

  /** Set when this revision re-applies an earlier one (rollbackAppDeployment, or automatic after a failure). */
  @Property({ type: 'integer', nullable: true })
  rollbackOf: number | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  failureStep: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  failureReason: string | null = null;

  @Property({ type: 'text', nullable: true })
  failureMessage: string | null = null;
}

/** The bundle versions a revision pins: refused deletion while the deployment lives (README "Bundle versions and revisions"). */
@Entity({ tableName: 'app_deployment_revision_bundle' })
export class AppDeploymentRevisionBundle {
  @ManyToOne(() => AppDeploymentRevision, { ref: true, primary: true, deleteRule: 'cascade' })
  revision!: Ref<AppDeploymentRevision>;

  @ManyToOne(() => ProfileBundle, { ref: true, primary: true, deleteRule: 'restrict' })
  bundle!: Ref<ProfileBundle>;

  /** The deployment (denormalised: the deletion refusal names deployments without a join through revisions). */
  @Property({ type: 'uuid' })
  @Index()
  deploymentId!: string;

  @Property({ type: 'integer' })
  position!: number;
}
