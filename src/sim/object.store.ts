/**
 * One Kubernetes object database: the hub has one, every spoke has its own. All API-server write
 * semantics live here (not in the HTTP layer) so controllers writing directly get the same
 * resourceVersion bumps, generation rules, finalizer handling and watch events as API clients.
 *
 * Stored objects are deep-frozen (see frozenCopy) and handed out as they are: `get`, `list`, watch
 * events and history never copy. A caller that wants to change an object builds a new one (spread,
 * or `clone` for a deep mutable copy) and writes it; a write copies only the parts of its input that
 * are not already frozen, so a new version shares every unchanged subtree with the previous one.
 */
import { randomUUID } from 'node:crypto';
import { errors } from './api.errors.js';
import { recordUpdate } from './field.manager.js';
import { deepEqual, frozenCopy, groupOf, nowIso, type KubeObject } from './kube.types.js';
import { normalizeSecret, validateName } from './object.validation.js';
import { describeKind, type ResourceType } from './resource.catalog.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change, as listeners and watch history see it; the event and its objects are frozen. */
export interface StoreEvent {
  type: EventType;
  object: KubeObject;
  /** The object before this change (MODIFIED/DELETED), to tell selector transitions apart. */
  old?: KubeObject;
  rv: number;
}

export interface WriteOptions {
  /** Field manager recorded in managedFields; omit to leave ownership untouched. */
  manager?: string;
  /** 'status' writes only .status; 'finalize' writes only a Namespace's spec.finalizers. */
  subresource?: 'status' | 'finalize';
  dryRun?: boolean;
  /** managedFields were computed by server-side apply; store them as given. */
  appliedFields?: boolean;
  /**
   * The API version of the request (API writes): admission validates the object as served at it.
   * Absent for controllers writing directly, whose objects are pruned, defaulted and validated at
   * the storage version, as their writes through a real API server would be.
   */
  requestVersion?: string;
}

export interface DeleteOptions {
  preconditionResourceVersion?: string;
  preconditionUid?: string;
  dryRun?: boolean;
  /** Foreground and Orphan add the garbage collector's finalizer; Background (the default) does not. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
}

/** The garbage collector's finalizers (metav1.FinalizerDeleteDependents / FinalizerOrphanDependents). */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** Checks (throws ApiError) and may return a replacement object (pruned, defaulted). */
export type Admission = (op: 'create' | 'update', obj: KubeObject, store: ObjectStore, opts: WriteOptions, current?: KubeObject) => KubeObject | void;

export interface StoreSnapshot {
  rv: number;
  objects: KubeObject[];
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function resourceOf(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): ResourceType {
  return describeKind(groupOf(obj.apiVersion), obj.kind, Boolean(obj.metadata?.namespace));
}

function pendingFinalizers(obj: KubeObject): number {
  const spec = obj.spec as { finalizers?: string[] } | undefined;
  return (obj.metadata.finalizers?.length ?? 0) + (obj.kind === 'Namespace' ? (spec?.finalizers?.length ?? 0) : 0);
}

/** Everything but metadata (and status when it is a subresource): what generation tracks. */
function specPart(obj: KubeObject, hasStatus: boolean): Record<string, unknown> {
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return hasStatus ? rest : { ...rest, status };
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The objects of one kind: by `<namespace>/<name>` (the key list order, kept sorted lazily) and by
 * namespace, so a namespaced list does not scan (or sort) the whole kind.
 */
class KindTable {
  readonly objects = new Map<string, KubeObject>();
  private sorted?: string[];
  private readonly byNs = new Map<string, { objects: Map<string, KubeObject>; sorted?: string[] }>();

  get(ns: string, name: string): KubeObject | undefined {
    return this.objects.get(`${ns}/${name}`);
  }

  put(ns: string, name: string, obj: KubeObject): void {
    const key = `${ns}/${name}`;
    if (!this.objects.has(key)) this.sorted = undefined;
    this.objects.set(key, obj);
    let bucket = this.byNs.get(ns);
    if (!bucket) this.byNs.set(ns, (bucket = { objects: new Map() }));
    if (!bucket.objects.has(name)) bucket.sorted = undefined;
    bucket.objects.set(name, obj);
  }

  drop(ns: string, name: string): void {
    if (!this.objects.delete(`${ns}/${name}`)) return;
    this.sorted = undefined;
    const bucket = this.byNs.get(ns);
    if (!bucket) return;
    bucket.objects.delete(name);
    bucket.sorted = undefined;
    if (bucket.objects.size === 0) this.byNs.delete(ns);
  }

  /** Sorted by `<namespace>/<name>`, as the API lists them (pagination relies on that order). */
  list(ns?: string): KubeObject[] {
    if (ns === undefined) {
      this.sorted ??= [...this.objects.keys()].sort(byKey);
      return this.sorted.map((k) => this.objects.get(k) as KubeObject);
    }
    const bucket = this.byNs.get(ns);
    if (!bucket) return [];
    // Within one namespace, `<ns>/<name>` order is name order.
    bucket.sorted ??= [...bucket.objects.keys()].sort(byKey);
    return bucket.sorted.map((n) => bucket.objects.get(n) as KubeObject);
  }
}

export class ObjectStore {
  private rv = 0;
  private readonly byType = new Map<string, KindTable>();
  /** Watch history: the live events are history[head..], oldest first (rv ascending); dropped slots are cleared. */
  private history: Array<StoreEvent | undefined> = [];
  private head = 0;
  private compactedRv = 0;
  private readonly historyLimit: number;
  private readonly listeners = new Set<(ev: StoreEvent) => void>();

  constructor(
    readonly name: string,
    private readonly opts: {
      /** Events kept for watches resuming from a resourceVersion (default 5000; 0 keeps none, for stores nobody watches). */
      historyLimit?: number;
      admission?: Admission[];
    } = {},
  ) {
    this.historyLimit = opts.historyLimit ?? 5000;
  }

  currentRv(): number {
    return this.rv;
  }

  subscribe(fn: (ev: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The stored object itself: deep-frozen, never to be mutated (copy it to change it). */
  get(group: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byType.get(`${group}|${kind}`)?.get(namespace ?? '', name);
  }

  /** Stored (frozen) objects sorted by namespace/name, in a new array. */
  list(group: string, kind: string, namespace?: string): KubeObject[] {
    return this.byType.get(`${group}|${kind}`)?.list(namespace) ?? [];
  }

  /** Every object (frozen), for persistence and test listings. */
  all(): KubeObject[] {
    const out: KubeObject[] = [];
    for (const t of this.byType.values()) for (const o of t.objects.values()) out.push(o);
    return out;
  }

  namespacePhase(ns: string): 'missing' | 'Active' | 'Terminating' {
    const o = this.byType.get('|Namespace')?.get('', ns);
    if (!o) return 'missing';
    return o.metadata.deletionTimestamp ? 'Terminating' : 'Active';
  }

  create(input: KubeObject, opts: WriteOptions = {}): KubeObject {
    // Only the top level and metadata are changed below; the rest is copied by frozenCopy at the end.
    let obj: KubeObject = { ...input, metadata: { ...(input.metadata ?? {}) } };
    const r = resourceOf(obj);
    if (!obj.metadata.name && obj.metadata.generateName) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
      obj.metadata.name = obj.metadata.generateName + suffix;
    }
    const name = obj.metadata.name ?? '';
    validateName(r, name);
    if (r.namespaced) this.checkNamespace(obj.metadata.namespace);
    else delete obj.metadata.namespace;
    if (this.find(r, obj.metadata.namespace, name)) throw errors.alreadyExists(r, name);

    let meta = obj.metadata;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowIso();
    meta.generation = 1;
    if (r.status) delete obj.status;
    if (obj.kind === 'Secret') normalizeSecret(obj);
    if (obj.kind === 'Namespace') {
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
      meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': name };
    }
    obj = this.admit('create', obj, opts);
    meta = obj.metadata;
    if (!opts.appliedFields) {
      delete meta.managedFields;
      const mf = opts.manager ? recordUpdate(undefined, obj, opts.manager, 'main', r) : undefined;
      if (mf) meta.managedFields = mf;
    }
    if (opts.dryRun) return frozenCopy({ ...obj, metadata: { ...meta, resourceVersion: String(this.rv) } });
    meta.resourceVersion = String(++this.rv);
    const stored = frozenCopy(obj);
    this.put(r, stored);
    this.emit({ type: 'ADDED', object: stored, rv: this.rv });
    return stored;
  }

  update(input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const r = resourceOf(input);
    const name = input.metadata?.name ?? '';
    const current = this.find(r, input.metadata?.namespace, name);
    if (!current) throw errors.notFound(r, name);
    const wantRv = input.metadata?.resourceVersion;
    if (wantRv && wantRv !== current.metadata.resourceVersion) throw errors.conflict(r, name);

    // `next` gets a new top level and a new metadata; everything else is shared (frozen parts of
    // `current`) or the caller's, copied by frozenCopy once the write is decided.
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = { ...current, metadata: { ...current.metadata }, status: input.status };
      if (next.status === undefined) delete next.status;
    } else if (opts.subresource === 'finalize') {
      next = { ...current, metadata: { ...current.metadata }, spec: { ...(current.spec as object), finalizers: (input.spec as { finalizers?: string[] })?.finalizers ?? [] } };
    } else {
      next = { ...input, metadata: { ...input.metadata } };
      if (r.status) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      if (current.kind === 'Namespace') next.spec = current.spec;
      for (const k of ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name'] as const) {
        if (current.metadata[k] === undefined) delete next.metadata[k];
        else (next.metadata as Record<string, unknown>)[k] = current.metadata[k];
      }
      if (current.metadata.deletionTimestamp) {
        const added = (next.metadata.finalizers ?? []).filter((f) => !(current.metadata.finalizers ?? []).includes(f));
        if (added.length)
          throw errors.invalid(r.kind, r.group, name, [{ field: 'metadata.finalizers', message: 'Forbidden: no new finalizers can be added if the object is being deleted' }]);
      }
    }
    next.apiVersion = current.apiVersion;
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (next.kind === 'Secret' && !opts.subresource) normalizeSecret(next);
    if (opts.appliedFields) {
      next.metadata.managedFields = input.metadata.managedFields;
      if (!next.metadata.managedFields) delete next.metadata.managedFields;
      if (deepEqual(next, current)) return current;
      next = this.admit('update', next, opts, current);
    } else {
      // A write that changes nothing leaves ownership as it is: look for that before working out
      // managedFields (controllers rewrite unchanged status all the time). Admission prunes and
      // defaults, so a write that differs only by what defaulting adds is a no-op too (as in
      // kube-apiserver, whose no-op updates leave the resourceVersion alone).
      next.metadata.managedFields = current.metadata.managedFields;
      if (!next.metadata.managedFields) delete next.metadata.managedFields;
      if (deepEqual(next, current)) return current;
      next = this.admit('update', next, opts, current);
      next.metadata.managedFields = current.metadata.managedFields;
      if (!next.metadata.managedFields) delete next.metadata.managedFields;
      if (deepEqual(next, current)) return current;
      const scope = opts.subresource === 'status' ? 'status' : 'main';
      next.metadata.managedFields = opts.manager
        ? recordUpdate(current, next, opts.manager, scope, r)
        : current.metadata.managedFields;
      if (!next.metadata.managedFields) delete next.metadata.managedFields;
    }
    if (!deepEqual(specPart(next, r.status), specPart(current, r.status))) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    if (opts.dryRun) return frozenCopy(next);

    next.metadata.resourceVersion = String(++this.rv);
    const stored = frozenCopy(next);
    if (stored.metadata.deletionTimestamp && pendingFinalizers(stored) === 0) {
      this.drop(r, stored);
      this.emit({ type: 'DELETED', object: stored, old: current, rv: this.rv });
      return stored;
    }
    this.put(r, stored);
    this.emit({ type: 'MODIFIED', object: stored, old: current, rv: this.rv });
    return stored;
  }

  /** Delete, or mark for deletion while finalizers remain. Returns the object and whether it is gone. */
  delete(group: string, kind: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): { object: KubeObject; removed: boolean } {
    const r = describeKind(group, kind, Boolean(namespace));
    const current = this.find(r, namespace, name);
    if (!current) throw errors.notFound(r, name);
    if (opts.preconditionUid && opts.preconditionUid !== current.metadata.uid)
      throw errors.conflict(r, name, `Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${current.metadata.uid}`);
    if (opts.preconditionResourceVersion && opts.preconditionResourceVersion !== current.metadata.resourceVersion)
      throw errors.conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditionResourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    if (current.metadata.deletionTimestamp) return { object: current, removed: false };
    const gcFinalizer = opts.propagationPolicy === 'Foreground' ? FOREGROUND_FINALIZER : opts.propagationPolicy === 'Orphan' ? ORPHAN_FINALIZER : undefined;
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
    if (gcFinalizer) finalizers.push(gcFinalizer);
    if (pendingFinalizers(current) > 0 || gcFinalizer) {
      // kube-apiserver bumps generation when it first sets deletionTimestamp: controllers must notice.
      const next: KubeObject = {
        ...current,
        metadata: { ...current.metadata, deletionTimestamp: nowIso(), deletionGracePeriodSeconds: 0, generation: (current.metadata.generation ?? 0) + 1 },
      };
      if (finalizers.length) next.metadata.finalizers = finalizers;
      else delete next.metadata.finalizers;
      if (next.kind === 'Namespace') next.status = { ...(next.status as object), phase: 'Terminating' };
      if (opts.dryRun) return { object: frozenCopy(next), removed: false };
      next.metadata.resourceVersion = String(++this.rv);
      const stored = frozenCopy(next);
      this.put(r, stored);
      this.emit({ type: 'MODIFIED', object: stored, old: current, rv: this.rv });
      return { object: stored, removed: false };
    }
    if (opts.dryRun) return { object: current, removed: true };
    const gone = frozenCopy({ ...current, metadata: { ...current.metadata, resourceVersion: String(++this.rv) } });
    this.drop(r, gone);
    this.emit({ type: 'DELETED', object: gone, old: current, rv: this.rv });
    return { object: gone, removed: true };
  }

  /** Events after `rv` (frozen, oldest first), or 'expired' when history no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compactedRv) return 'expired';
    const h = this.history;
    let lo = this.head;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((h[mid] as StoreEvent).rv > rv) hi = mid;
      else lo = mid + 1;
    }
    return h.slice(lo) as StoreEvent[];
  }

  /**
   * The objects of a kind as they were at resourceVersion `rv` (sorted as list sorts them), rebuilt
   * from the current state by undoing the newer events; 'expired' when history no longer reaches
   * back that far. What a continue token or resourceVersionMatch=Exact reads.
   */
  listAt(group: string, kind: string, namespace: string | undefined, rv: number): KubeObject[] | 'expired' {
    if (rv >= this.rv) return this.list(group, kind, namespace);
    const newer = this.eventsSince(rv);
    if (newer === 'expired') return 'expired';
    const r = describeKind(group, kind);
    const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const at = new Map<string, KubeObject | undefined>();
    for (let i = newer.length - 1; i >= 0; i--) {
      const ev = newer[i];
      const o = ev.object;
      if (o.kind !== kind || groupOf(o.apiVersion) !== group) continue;
      if (r.namespaced && namespace !== undefined && o.metadata.namespace !== namespace) continue;
      at.set(keyOf(o), ev.type === 'ADDED' ? undefined : ev.old);
    }
    if (at.size === 0) return this.list(group, kind, namespace);
    const out = this.list(group, kind, namespace).filter((o) => !at.has(keyOf(o)));
    for (const o of at.values()) if (o) out.push(o);
    return out.sort((a, b) => byKey(keyOf(a), keyOf(b)));
  }

  /** Forget all history: the next watch from an older resourceVersion gets 410 Expired. */
  compact(): void {
    this.history = [];
    this.head = 0;
    this.compactedRv = this.rv;
  }

  compactedResourceVersion(): number {
    return this.compactedRv;
  }

  /** The current state; its objects are the stored (frozen) ones. */
  snapshot(): StoreSnapshot {
    return { rv: this.rv, objects: this.all() };
  }

  load(snap: StoreSnapshot): void {
    this.byType.clear();
    for (const o of snap.objects) this.put(resourceOf(o), frozenCopy(o));
    this.rv = snap.rv;
    this.compact();
  }

  /** Runs admission; a replacement keeps its own top level and metadata (callers change those). */
  private admit(op: 'create' | 'update', obj: KubeObject, opts: WriteOptions, current?: KubeObject): KubeObject {
    let out = obj;
    for (const admit of this.opts.admission ?? []) {
      const replaced = admit(op, out, this, opts, current);
      if (replaced && replaced !== out) out = { ...replaced, metadata: { ...replaced.metadata } };
    }
    return out;
  }

  private find(r: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byType.get(`${r.group}|${r.kind}`)?.get(r.namespaced ? (namespace ?? '') : '', name);
  }

  private put(r: ResourceType, obj: KubeObject): void {
    const k = `${r.group}|${r.kind}`;
    let t = this.byType.get(k);
    if (!t) this.byType.set(k, (t = new KindTable()));
    t.put(r.namespaced ? (obj.metadata.namespace ?? '') : '', obj.metadata.name ?? '', obj);
  }

  private drop(r: ResourceType, obj: KubeObject): void {
    this.byType.get(`${r.group}|${r.kind}`)?.drop(r.namespaced ? (obj.metadata.namespace ?? '') : '', obj.metadata.name ?? '');
  }

  private emit(ev: StoreEvent): void {
    // The objects are the stored, frozen ones: history and listeners share them, nobody copies.
    const frozen = Object.freeze(ev);
    this.remember(frozen);
    for (const fn of [...this.listeners]) {
      try {
        fn(frozen);
      } catch {
        // A broken listener must not fail the write that triggered it.
      }
    }
  }

  private remember(ev: StoreEvent): void {
    const limit = this.historyLimit;
    if (limit <= 0) {
      this.compactedRv = ev.rv;
      return;
    }
    this.history.push(ev);
    const excess = this.history.length - this.head - limit;
    if (excess > 0) {
      for (let i = this.head; i < this.head + excess; i++) {
        this.compactedRv = (this.history[i] as StoreEvent).rv;
        this.history[i] = undefined;
      }
      this.head += excess;
      // Reclaim the dropped prefix now and then, so trimming stays O(1) per event on average.
      if (this.head >= 1024 && this.head * 2 >= this.history.length) {
        this.history = this.history.slice(this.head);
        this.head = 0;
      }
    }
  }

  private checkNamespace(ns: string | undefined): void {
    if (!ns) throw errors.badRequest('the namespace of the object must be set');
    const phase = this.namespacePhase(ns);
    if (phase === 'missing') throw errors.notFound({ group: '', plural: 'namespaces' }, ns);
    if (phase === 'Terminating')
      throw errors.forbidden(`unable to create new content in namespace ${ns} because it is being terminated`, { name: ns, kind: 'namespaces' });
  }
}
