import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt, type Ref, DateTimeType } from '@mikro-orm/core';
import { ProfileBundle } from '../catalog/profile-bundle.entity.js';
import { ComputePool } from '../compute/pool.entity.js';
import { Project } from '../tenancy/project.entity.js';
import { TrackedEntity } from '../workflow/tracked.entity.js';
import { DeploymentPhase, type AccessUrl, type DeploymentSpec, type GpuRequest, type Link } from './deployment.model.js';

/**
 * An App Deployment. Changed by revisions (deployment.update.ts), removed by delete; deleted ones keep
 * their row and events for audit, and `activeName` frees the name (null once DELETED).
 */
@Entity({ tableName: 'app_deployment' })
@Unique({ properties: ['project', 'activeName'] })
export class AppDeployment extends TrackedEntity {
  @ManyToOne(() => Project, { ref: true, deleteRule: 'restrict' })
  project!: Ref<Project>;

  @Property({ type: 'string', length: 33 })
  name!: string;

  @Property({ type: 'string', length: 33, nullable: true })
  activeName: string | null = null;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'json' })
  links: Opt<Link[]> = [];

  @Enum({ items: () => DeploymentPhase, type: 'string' })
  @Index()
  phase: Opt<DeploymentPhase> = DeploymentPhase.QUEUED;

  @ManyToOne(() => ComputePool, { ref: true, deleteRule: 'restrict' })
  pool!: Ref<ComputePool>;

  /** The pool cluster chosen at admission (its GPUs are allocated there). */
  @Property({ type: 'string', length: 63 })
  cluster!: string;

  @Property({ type: 'json' })
  spec!: DeploymentSpec;

  /** Typed variable values after defaults, locks and the caller's values. */
  @Property({ type: 'json' })
  resolvedVariables: Opt<Record<string, unknown>> = {};

  @Property({ type: 'json' })
  gpuRequests: Opt<GpuRequest[]> = [];

  @Property({ type: 'json' })
  accessUrls: Opt<AccessUrl[]> = [];

  /** Whether gpuRequests are currently allocated on `cluster` (cleared, once, on release). */
  @Property({ type: 'boolean' })
  holdsAllocation: Opt<boolean> = false;

  /** Bumped by retry; rendered as Flux's reconcile.fluxcd.io/requestedAt so a failed release is retried. */
  @Property({ type: 'integer' })
  retries: Opt<number> = 0;

  @Property({ type: DateTimeType, nullable: true })
  deletedAt: Date | null = null;

  /**
   * Its ManifestWork's name and its app namespace on the spoke (appHubName), fixed at admission. Null
   * on deployments admitted by the previous release, which keep their names (legacyAppHubName).
   * (Last, like the column a migration appended.)
   */
  @Property({ type: 'string', length: 63, nullable: true })
  hubName: string | null = null;

  /**
   * The revision whose bundles, values and GPUs this row holds: the one serving, or the one rolling
   * out during an upgrade (app_deployment_revision). Revision 1 is what deployApp admitted.
   */
  @Property({ type: 'integer' })
  revision: Opt<number> = 1;

  get projectId(): Opt<string> {
    return this.project.id;
  }
}

/** Which bundle versions a deployment uses (a deployment keeps its bundle versions from deletion). */
@Entity({ tableName: 'app_deployment_bundle' })
export class AppDeploymentBundle {
  @ManyToOne(() => AppDeployment, { ref: true, primary: true, deleteRule: 'cascade' })
  deployment!: Ref<AppDeployment>;

  @ManyToOne(() => ProfileBundle, { ref: true, primary: true, deleteRule: 'restrict' })
  bundle!: Ref<ProfileBundle>;

  @Property({ type: 'integer' })
  position!: number;
}
