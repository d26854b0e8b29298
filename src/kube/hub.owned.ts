/**
 * The owned verbs of the hub adapter: every write and delete a flow makes goes through these, so no
 * flow can touch an object on the hub that is not its own (docs/hub-conventions.md "Ownership").
 *
 * - applyOwned reads the object first (one GET per apply). Absent: it is created. Ours, or the
 *   previous release's for the same owner names (adopted: the apply adds our id labels): it is applied
 *   with the resourceVersion just read as a precondition, so nothing can swap the object between the
 *   check and the write (a 409 reads again). Anyone else's: nothing is written and a HubError of kind
 *   NameConflict is thrown; the runner turns it into the wait reason HUB_NAME_CONFLICT.
 * - deleteOwned reads first and deletes only its own object, with the uid just read as a
 *   precondition. Another's object is left alone and reported as `foreign`: a teardown has nothing
 *   of its own there to remove, and must not wait for what it never made.
 * - ManagedClusters also claim the namespace of their name, which OCM creates and deletes with them
 *   (ownership.ts clusterNamespaceProblem): a cluster is neither registered over an existing
 *   namespace nor deleted when its namespace is a project's or was there before it.
 *
 * One window stays open: between a GET that finds nothing and the create, another party could create
 * the same name, and server-side apply has no create-only form. Derived names hold "--", which no user
 * name has, so only a writer outside spokegraph picking our exact name in that instant could hit it.
 */
import { HubError, HubErrorKind, type HubVerb } from './hub.errors.js';
import { ownerLabels, type Ownership } from './labels.js';
import type { KubeObject, ObjectRef } from './object.types.js';
import { clusterNamespaceProblem, describeRef, hasOwnerIds, judgeOwnership } from './ownership.js';
import type { KindName } from './resource.registry.js';

/** What the owned verbs need from the adapter underneath. */
export interface RawHub {
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | null>;
  /** server-side apply; with `resourceVersion`, conditional (409 when the object changed), and a 409 is not retried */
  applyAt<T extends KubeObject>(obj: T, resourceVersion?: string): Promise<T>;
  /** delete only the object with this uid (409 when it is another); absent counts as deleted */
  deleteUid(ref: ObjectRef, uid: string, propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'): Promise<void>;
}

export type DeleteOutcome =
  /** absent, or removed */
  | 'gone'
  /** deletion requested; finalizers still hold it */
  | 'deleting'
  /** an object of that name is not ours: left untouched */
  | 'foreign';

/** Reads that race a concurrent writer before giving up with a transient error (the runner retries). */
const ATTEMPTS = 5;

export function nameConflict(verb: HubVerb, ref: { kind: string; name: string; namespace?: string }, why: string): HubError {
  const message = `${describeRef(ref)} exists on the hub and ${why}: spokegraph leaves it untouched; remove or rename it on the hub to go on`;
  return new HubError(HubErrorKind.NameConflict, message, verb, { kind: ref.kind, name: ref.name, namespace: ref.namespace }, undefined, 'NameConflict');
}

const refOf = (obj: KubeObject): ObjectRef => ({ kind: obj.kind as KindName, name: obj.metadata.name, namespace: obj.metadata.namespace });

const isConflict = (e: unknown) => e instanceof HubError && e.status === 409;

async function clusterNamespace(hub: RawHub, verb: 'create' | 'delete', cluster: KubeObject | null, name: string): Promise<void> {
  const ns = await hub.get({ kind: 'Namespace', name });
  const problem = clusterNamespaceProblem(verb, cluster, ns);
  if (problem) throw nameConflict(verb === 'create' ? 'apply' : 'delete', { kind: 'ManagedCluster', name }, `cannot be ${verb === 'create' ? 'registered' : 'deleted'} safely (${problem})`);
}

export async function applyOwned<T extends KubeObject>(hub: RawHub, obj: T): Promise<T> {
  const want = obj.metadata.labels ?? {};
  // a bug, not a hub state: every object a flow writes names its owners
  const ref = refOf(obj);
  if (!hasOwnerIds(want)) throw new Error(`refusing to write ${describeRef(ref)} without owner ids`);
  for (let attempt = 1; ; attempt++) {
    const live = await hub.get(ref);
    const verdict = judgeOwnership(live, want);
    if (verdict.kind === 'foreign') throw nameConflict('apply', ref, verdict.why);
    if (ref.kind === 'ManagedCluster' && !live) await clusterNamespace(hub, 'create', null, ref.name);
    try {
      return await hub.applyAt(obj, live?.metadata.resourceVersion);
    } catch (e) {
      if (!isConflict(e) || attempt >= ATTEMPTS) throw e;
    }
  }
}

export async function deleteOwned(hub: RawHub, ref: ObjectRef, owner: Ownership): Promise<DeleteOutcome> {
  const want = ownerLabels(owner);
  if (!hasOwnerIds(want)) throw new Error(`refusing to delete ${describeRef(ref)} for an owner without ids`);
  for (let attempt = 1; ; attempt++) {
    const live = await hub.get(ref);
    const verdict = judgeOwnership(live, want);
    if (!live || verdict.kind === 'absent') return 'gone';
    if (verdict.kind === 'foreign') return 'foreign';
    if (live.metadata.deletionTimestamp) return 'deleting';
    if (ref.kind === 'ManagedCluster') await clusterNamespace(hub, 'delete', live, ref.name);
    try {
      await hub.deleteUid(ref, live.metadata.uid ?? '', 'Foreground');
    } catch (e) {
      // the object was replaced since we read it: judge the new one
      if (isConflict(e) && attempt < ATTEMPTS) continue;
      throw e;
    }
    const after = await hub.get(ref);
    return !after || after.metadata.uid !== live.metadata.uid ? 'gone' : 'deleting';
  }
}
