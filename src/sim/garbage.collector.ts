/**
 * The garbage collector of kube-controller-manager, for the hub store: ownerReferences by uid.
 *   - Background (the default): once every owner of an object is gone, the object is deleted;
 *     references to owners that are gone are dropped while another owner remains.
 *   - Foreground (`foregroundDeletion` finalizer on the owner): dependents are deleted first; the
 *     owner goes once no dependent with `blockOwnerDeletion: true` is left.
 *   - Orphan (`orphan` finalizer): dependents lose their reference to the owner, then it goes.
 * It reacts to store events and works in the next turn of the event loop, as a controller would,
 * so clients see deletionTimestamp and the finalizer before the owner disappears.
 */
import { ApiError } from './api.errors.js';
import { groupOf, type KubeObject } from './kube.types.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type ObjectStore, type StoreEvent } from './object.store.js';

const MANAGER = 'generic-garbage-collector';

interface Ref {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
}

const refOf = (o: KubeObject): Ref => ({ group: groupOf(o.apiVersion), kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name ?? '' });
const refKey = (r: Ref) => `${r.group}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
const ownerUids = (o: KubeObject | undefined) => (o?.metadata.ownerReferences ?? []).map((r) => String(r.uid ?? ''));

export class GarbageCollector {
  /** uid → object ref, for every live object. */
  private readonly byUid = new Map<string, Ref>();
  /** owner uid → dependents (by ref key). */
  private readonly dependents = new Map<string, Map<string, Ref>>();
  private readonly pendingOwners = new Set<string>();
  private readonly pendingDependents = new Map<string, Ref>();
  private scheduled?: NodeJS.Immediate;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: ObjectStore) {
    for (const o of store.all()) this.index(undefined, o);
    this.unsubscribe = store.subscribe((ev) => this.onEvent(ev));
    for (const o of store.all()) this.consider(o);
  }

  stop(): void {
    this.unsubscribe();
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
  }

  private index(old: KubeObject | undefined, now: KubeObject | undefined): void {
    const o = now ?? old!;
    const k = refKey(refOf(o));
    for (const uid of ownerUids(old)) this.dependents.get(uid)?.delete(k);
    if (now) {
      this.byUid.set(String(now.metadata.uid), refOf(now));
      for (const uid of ownerUids(now)) {
        let deps = this.dependents.get(uid);
        if (!deps) this.dependents.set(uid, (deps = new Map()));
        deps.set(k, refOf(now));
      }
    } else this.byUid.delete(String(old!.metadata.uid));
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.type === 'DELETED') {
      this.index(ev.object, undefined);
      this.pendingOwners.add(String(ev.object.metadata.uid));
      for (const uid of ownerUids(ev.object)) this.pendingOwners.add(uid);
    } else {
      this.index(ev.old, ev.object);
      this.consider(ev.object);
    }
    this.schedule();
  }

  private consider(o: KubeObject): void {
    const f = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp && (f.includes(FOREGROUND_FINALIZER) || f.includes(ORPHAN_FINALIZER))) this.pendingOwners.add(String(o.metadata.uid));
    if (o.metadata.ownerReferences?.length) this.pendingDependents.set(refKey(refOf(o)), refOf(o));
    for (const uid of ownerUids(o)) if (this.byUid.get(uid) === undefined || this.pendingOwners.has(uid)) this.pendingOwners.add(uid);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || (this.pendingOwners.size === 0 && this.pendingDependents.size === 0)) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.run();
    });
  }

  private get(r: Ref): KubeObject | undefined {
    return this.store.get(r.group, r.kind, r.namespace, r.name);
  }

  private byOwnerUid(uid: string): KubeObject | undefined {
    const r = this.byUid.get(uid);
    const o = r && this.get(r);
    return o && String(o.metadata.uid) === uid ? o : undefined;
  }

  private run(): void {
    const owners = [...this.pendingOwners];
    const deps = [...this.pendingDependents.values()];
    this.pendingOwners.clear();
    this.pendingDependents.clear();
    for (const uid of owners) {
      const owner = this.byOwnerUid(uid);
      const f = owner?.metadata.finalizers ?? [];
      if (owner?.metadata.deletionTimestamp && f.includes(ORPHAN_FINALIZER)) this.orphan(owner);
      else if (owner?.metadata.deletionTimestamp && f.includes(FOREGROUND_FINALIZER)) this.foreground(owner);
      else if (!owner) for (const d of this.dependents.get(uid)?.values() ?? []) deps.push(d);
    }
    for (const r of deps) this.collect(r);
  }

  /** A dependent: deleted when no owner is left; dangling references dropped when one is. */
  private collect(r: Ref): void {
    const o = this.get(r);
    if (!o || o.metadata.deletionTimestamp) return;
    const refs = o.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const alive = refs.filter((ref) => this.byOwnerUid(String(ref.uid ?? '')) !== undefined);
    if (alive.length === refs.length) return;
    this.safely(() => {
      if (alive.length === 0) this.store.delete(r.group, r.kind, r.namespace, r.name, { preconditionUid: String(o.metadata.uid) });
      else this.store.update({ ...o, metadata: { ...o.metadata, ownerReferences: alive } }, { manager: MANAGER });
    });
  }

  private foreground(owner: KubeObject): void {
    const uid = String(owner.metadata.uid);
    const mine = [...(this.dependents.get(uid)?.values() ?? [])];
    for (const r of mine) {
      const d = this.get(r);
      if (!d || d.metadata.deletionTimestamp) continue;
      if (!(d.metadata.ownerReferences ?? []).some((x) => String(x.uid) === uid)) continue;
      const others = (d.metadata.ownerReferences ?? []).filter((x) => String(x.uid) !== uid && this.byOwnerUid(String(x.uid ?? '')));
      // A dependent that has dependents of its own is deleted in the foreground too.
      const policy = this.dependents.get(String(d.metadata.uid))?.size ? 'Foreground' : 'Background';
      this.safely(() => {
        if (others.length) this.store.update({ ...d, metadata: { ...d.metadata, ownerReferences: d.metadata.ownerReferences!.filter((x) => String(x.uid) !== uid) } }, { manager: MANAGER });
        else this.store.delete(r.group, r.kind, r.namespace, r.name, { propagationPolicy: policy, preconditionUid: String(d.metadata.uid) });
      });
    }
    const blocked = mine.some((r) => this.get(r)?.metadata.ownerReferences?.some((x) => String(x.uid) === uid && x.blockOwnerDeletion === true));
    if (!blocked) this.dropFinalizer(owner, FOREGROUND_FINALIZER);
  }

  private orphan(owner: KubeObject): void {
    const uid = String(owner.metadata.uid);
    for (const r of [...(this.dependents.get(uid)?.values() ?? [])]) {
      const d = this.get(r);
      if (!d) continue;
      const refs = (d.metadata.ownerReferences ?? []).filter((x) => String(x.uid) !== uid);
      const metadata = { ...d.metadata, ownerReferences: refs };
      if (!refs.length) delete (metadata as { ownerReferences?: unknown }).ownerReferences;
      this.safely(() => this.store.update({ ...d, metadata }, { manager: MANAGER }));
    }
    this.dropFinalizer(owner, ORPHAN_FINALIZER);
  }

  private dropFinalizer(owner: KubeObject, finalizer: string): void {
    const current = this.get(refOf(owner));
    if (!current || String(current.metadata.uid) !== String(owner.metadata.uid)) return;
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const metadata = { ...current.metadata, finalizers };
    if (!finalizers.length) delete (metadata as { finalizers?: unknown }).finalizers;
    this.safely(() => this.store.update({ ...current, metadata }, { manager: MANAGER }));
  }

  /** Conflicts and vanished objects are retried by the next event, as the controller requeues. */
  private safely(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }
}
