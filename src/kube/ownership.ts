/**
 * Whether an object on the hub is ours to overwrite or delete (docs/hub-conventions.md "Ownership").
 * Pure: the hub adapter reads the object and asks here before every owned write and delete
 * (hub.owned.ts). Ownership is decided by the owner ids in our labels, never by names alone: names
 * are user-chosen and reused (a pool deleted and made again under the same name is another owner).
 */
import { Label, MANAGED_BY } from './labels.js';
import type { KubeObject, ObjectRef } from './object.types.js';

const ID_KEYS = [Label.TenantId, Label.ProjectId, Label.PoolId, Label.DeploymentId] as const;
/** What the previous release marked its objects with (it had no ids). */
const NAME_KEYS = [Label.Project, Label.Pool, Label.Deployment] as const;

export type OwnershipVerdict =
  | { kind: 'absent' }
  | { kind: 'ours' }
  /** written by the previous release for owners of the same names, without ids: ours; the next write marks it */
  | { kind: 'adoptable' }
  /** `why` is shown to the user: it never names the other owner */
  | { kind: 'foreign'; why: string };

/** Whether `labels` carry the marks every object we write must carry (tenant and project ids). */
export function hasOwnerIds(labels: Record<string, string> | undefined): boolean {
  return labels?.[Label.ManagedBy] === MANAGED_BY && Boolean(labels[Label.TenantId]) && Boolean(labels[Label.ProjectId]);
}

/**
 * `live` is the object on the hub (null when absent); `want` the owner labels of the object we would
 * write (ownerLabels). Ours means: managed by spokegraph and exactly our ids (tenant, project, and
 * pool or deployment as the kind of object has them); a mark missing or different is someone else's.
 */
export function judgeOwnership(live: KubeObject | null, want: Record<string, string>): OwnershipVerdict {
  if (!live) return { kind: 'absent' };
  const have = live.metadata.labels ?? {};
  if (have[Label.ManagedBy] !== MANAGED_BY) return { kind: 'foreign', why: 'it was not created by spokegraph' };
  if (ID_KEYS.some((k) => have[k] !== undefined)) {
    return ID_KEYS.every((k) => have[k] === want[k]) ? { kind: 'ours' } : { kind: 'foreign', why: 'it belongs to another owner' };
  }
  return NAME_KEYS.every((k) => have[k] === want[k]) ? { kind: 'adoptable' } : { kind: 'foreign', why: 'it was created for another owner' };
}

/**
 * A ManagedCluster's namespace on the hub (same name) is made by OCM when the cluster is accepted and
 * removed with it. So registering a cluster would take over a namespace of its name that already
 * exists, and deleting one would delete a namespace it did not cause: a project namespace (our
 * marks), or one older than the cluster (there before it, e.g. `kube-system` under a cluster of the
 * previous release). Either is refused; null when the namespace is the cluster's own (or absent).
 */
export function clusterNamespaceProblem(verb: 'create' | 'delete', cluster: KubeObject | null, namespace: KubeObject | null): string | null {
  if (!namespace) return null;
  const name = namespace.metadata.name;
  if (verb === 'create') return cluster ? null : `Namespace ${name} already exists on the hub: registering cluster ${name} would take it over`;
  if (!cluster) return null;
  const marked = namespace.metadata.labels?.[Label.ManagedBy] === MANAGED_BY;
  const nsTime = Date.parse(namespace.metadata.creationTimestamp ?? '');
  const mcTime = Date.parse(cluster.metadata.creationTimestamp ?? '');
  const older = Number.isFinite(nsTime) && Number.isFinite(mcTime) && nsTime < mcTime;
  return marked || older ? `deleting ManagedCluster ${name} would delete Namespace ${name}, which the hub did not create for it` : null;
}

/** `Kind namespace/name` for messages. */
export function describeRef(ref: Pick<ObjectRef, 'name' | 'namespace'> & { kind: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
