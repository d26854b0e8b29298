import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt, type Ref, DateTimeType } from '@mikro-orm/core';
import { ProfileBundle } from '../catalog/profile-bundle.entity.js';
import { Project } from '../tenancy/project.entity.js';
import { TrackedEntity } from '../workflow/tracked.entity.js';
import { PoolMode, PoolPhase, type ExposureSetting, type NodeRequirements } from './pool.model.js';

/**
 * A Compute Pool: the cluster(s) where apps run. Deleted pools keep their row (and events) for audit;
 * `activeName` is the name while the pool exists and null once DELETED, so the unique index on
 * (project, activeName) frees the name without a partial index.
 */
@Entity({ tableName: 'compute_pool' })
@Unique({ properties: ['project', 'activeName'] })
export class ComputePool extends TrackedEntity {
  @ManyToOne(() => Project, { ref: true, deleteRule: 'restrict' })
  project!: Ref<Project>;

  @Property({ type: 'string', length: 33 })
  name!: string;

  @Property({ type: 'string', length: 33, nullable: true })
  activeName: string | null = null;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Enum({ items: () => PoolMode, type: 'string' })
  mode!: PoolMode;

  @Enum({ items: () => PoolPhase, type: 'string' })
  @Index()
  phase: Opt<PoolPhase> = PoolPhase.PENDING;

  @ManyToOne(() => ProfileBundle, { ref: true, deleteRule: 'restrict' })
  bundle!: Ref<ProfileBundle>;

  @Property({ type: 'integer' })
  clusterCount: Opt<number> = 1;

  @Property({ type: 'json' })
  nodeRequirements!: NodeRequirements;

  @Property({ type: 'string', length: 32 })
  kubernetesVersion!: string;

  /** The OCM ManagedClusterSet of the pool's spokes (the pool's Environment). */
  @Property({ type: 'string', length: 63 })
  clusterSet!: string;

  /** For a DEDICATED pool created by an App Deployment: that deployment. */
  @Property({ type: 'uuid', nullable: true })
  @Index()
  ownerDeploymentId: string | null = null;

  /**
   * The one App Deployment a DEDICATED pool serves; claimed by a guarded UPDATE (… WHERE
   * serving_deployment_id IS NULL) so two deployments can never share a dedicated pool.
   */
  @Property({ type: 'uuid', nullable: true })
  servingDeploymentId: string | null = null;

  @Property({ type: DateTimeType, nullable: true })
  deletedAt: Date | null = null;

  /** How the pool's apps are reached (pool.exposure.ts); null on rows older than the setting: LOAD_BALANCER. */
  @Property({ type: 'json', nullable: true })
  exposure: ExposureSetting | null = null;

  get projectId(): Opt<string> {
    return this.project.id;
  }
}

/** One spoke cluster of a pool. */
@Entity({ tableName: 'pool_cluster' })
export class PoolCluster {
  @Property({ type: 'uuid', primary: true })
  id!: string;

  @ManyToOne(() => ComputePool, { ref: true, deleteRule: 'cascade' })
  pool!: Ref<ComputePool>;

  /** Cluster API Cluster = ManagedCluster name */
  @Property({ type: 'string', length: 63 })
  @Index()
  name!: string;

  /**
   * `name` while the pool exists, null once it is DELETED: the unique index keeps two live pools from
   * sharing a spoke, and frees the spoke name with the pool name (like ComputePool.activeName).
   */
  @Property({ type: 'string', length: 63, nullable: true, unique: true })
  activeName: string | null = null;

  @Property({ type: 'integer' })
  index!: number;

  @Property({ type: 'integer' })
  nodeCount!: number;

}

/**
 * GPU capacity of a pool cluster per family, and what App Deployments hold of it (SHARED pools).
 * `allocated` only moves by guarded UPDATE (`allocated + n <= capacity`), like the quota ledger, so
 * concurrent admissions never oversubscribe a cluster.
 */
@Entity({ tableName: 'cluster_gpu' })
@Unique({ properties: ['clusterId', 'gpuFamily'] })
export class ClusterGpu {
  @Property({ type: 'uuid', primary: true })
  id!: string;

  @Property({ type: 'uuid' })
  @Index()
  poolId!: string;

  @Property({ type: 'uuid' })
  clusterId!: string;

  @Property({ type: 'string', length: 63 })
  gpuFamily!: string;

  @Property({ type: 'integer' })
  capacity!: number;

  @Property({ type: 'integer' })
  allocated: Opt<number> = 0;
}
