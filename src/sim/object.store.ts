/**
 * One Kubernetes object database: the hub has one, every spoke has its own. All API-server write
 * semantics live here (not in the HTTP layer) so controllers writing directly get the same
 * resourceVersion bumps, generation rules, finalizer handling and watch events as API clients.
 */
import { randomUUID } from 'node:crypto';
import { errors } from './api.errors.js';
import { recordUpdate } from './field.manager.js';
import { clone, deepEqual, groupOf, nowIso, type KubeObject } from './kube.types.js';
import { normalizeSecret, validateName } from './object.validation.js';
import { describeKind, type ResourceType } from './resource.catalog.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

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
}

export interface DeleteOptions {
  preconditionResourceVersion?: string;
  preconditionUid?: string;
  dryRun?: boolean;
}

export type Admission = (op: 'create' | 'update', obj: KubeObject, store: ObjectStore) => void;

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

export class ObjectStore {
  private rv = 0;
  private readonly byType = new Map<string, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  private compactedRv = 0;
  private readonly listeners = new Set<(ev: StoreEvent) => void>();

  constructor(
    readonly name: string,
    private readonly opts: { historyLimit?: number; admission?: Admission[] } = {},
  ) {}

  currentRv(): number {
    return this.rv;
  }

  subscribe(fn: (ev: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get(group: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.byType.get(`${group}|${kind}`)?.get(`${namespace ?? ''}/${name}`);
    return o ? clone(o) : undefined;
  }

  list(group: string, kind: string, namespace?: string): KubeObject[] {
    const m = this.byType.get(`${group}|${kind}`);
    if (!m) return [];
    return [...m.entries()]
      .filter(([, o]) => namespace === undefined || (o.metadata.namespace ?? '') === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => clone(o));
  }

  /** Every object, for persistence and test listings. */
  all(): KubeObject[] {
    return [...this.byType.values()].flatMap((m) => [...m.values()]).map(clone);
  }

  namespacePhase(ns: string): 'missing' | 'Active' | 'Terminating' {
    const o = this.byType.get('|Namespace')?.get(`/${ns}`);
    if (!o) return 'missing';
    return o.metadata.deletionTimestamp ? 'Terminating' : 'Active';
  }

  create(input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const obj = clone(input);
    obj.metadata = obj.metadata ?? {};
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
    for (const admit of this.opts.admission ?? []) admit('create', obj, this);

    const meta = obj.metadata;
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
    if (!opts.appliedFields) {
      delete meta.managedFields;
      const mf = opts.manager ? recordUpdate(undefined, obj, opts.manager, 'main', r.status) : undefined;
      if (mf) meta.managedFields = mf;
    }
    if (opts.dryRun) return { ...obj, metadata: { ...meta, resourceVersion: String(this.rv) } };
    meta.resourceVersion = String(++this.rv);
    this.put(r, obj);
    this.emit({ type: 'ADDED', object: obj, rv: this.rv });
    return clone(obj);
  }

  update(input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const r = resourceOf(input);
    const name = input.metadata?.name ?? '';
    const current = this.find(r, input.metadata?.namespace, name);
    if (!current) throw errors.notFound(r, name);
    const wantRv = input.metadata?.resourceVersion;
    if (wantRv && wantRv !== current.metadata.resourceVersion) throw errors.conflict(r, name);

    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = { ...clone(current), status: clone(input.status) };
      if (next.status === undefined) delete next.status;
    } else if (opts.subresource === 'finalize') {
      next = { ...clone(current), spec: { ...(current.spec as object), finalizers: clone((input.spec as { finalizers?: string[] })?.finalizers ?? []) } };
    } else {
      next = clone(input);
      next.metadata = { ...next.metadata };
      if (r.status) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      if (current.kind === 'Namespace') next.spec = clone(current.spec);
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
      next.metadata.managedFields = clone(input.metadata.managedFields);
      if (!next.metadata.managedFields) delete next.metadata.managedFields;
    } else {
      const scope = opts.subresource === 'status' ? 'status' : 'main';
      next.metadata.managedFields = opts.manager
        ? recordUpdate(current, next, opts.manager, scope, r.status)
        : current.metadata.managedFields;
      if (!next.metadata.managedFields) delete next.metadata.managedFields;
    }
    if (deepEqual(next, current)) return clone(current);
    for (const admit of this.opts.admission ?? []) admit('update', next, this);
    if (!deepEqual(specPart(next, r.status), specPart(current, r.status))) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    if (opts.dryRun) return next;

    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && pendingFinalizers(next) === 0) {
      this.drop(r, next);
      this.emit({ type: 'DELETED', object: next, old: current, rv: this.rv });
      return clone(next);
    }
    this.put(r, next);
    this.emit({ type: 'MODIFIED', object: next, old: current, rv: this.rv });
    return clone(next);
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
    if (current.metadata.deletionTimestamp) return { object: clone(current), removed: false };
    if (pendingFinalizers(current) > 0) {
      const next = clone(current);
      next.metadata.deletionTimestamp = nowIso();
      next.metadata.deletionGracePeriodSeconds = 0;
      // kube-apiserver bumps generation when it first sets deletionTimestamp: controllers must notice.
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
      if (next.kind === 'Namespace') next.status = { ...(next.status as object), phase: 'Terminating' };
      if (opts.dryRun) return { object: next, removed: false };
      next.metadata.resourceVersion = String(++this.rv);
      this.put(r, next);
      this.emit({ type: 'MODIFIED', object: next, old: current, rv: this.rv });
      return { object: clone(next), removed: false };
    }
    if (opts.dryRun) return { object: clone(current), removed: true };
    const gone = clone(current);
    gone.metadata.resourceVersion = String(++this.rv);
    this.drop(r, gone);
    this.emit({ type: 'DELETED', object: gone, old: current, rv: this.rv });
    return { object: clone(gone), removed: true };
  }

  /** Events after `rv`, or 'expired' when history no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compactedRv) return 'expired';
    return this.history.filter((e) => e.rv > rv);
  }

  /** Forget all history: the next watch from an older resourceVersion gets 410 Expired. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  compactedResourceVersion(): number {
    return this.compactedRv;
  }

  snapshot(): StoreSnapshot {
    return { rv: this.rv, objects: this.all() };
  }

  load(snap: StoreSnapshot): void {
    this.byType.clear();
    for (const o of snap.objects) this.put(resourceOf(o), clone(o));
    this.rv = snap.rv;
    this.compact();
  }

  private find(r: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byType.get(`${r.group}|${r.kind}`)?.get(`${r.namespaced ? (namespace ?? '') : ''}/${name}`);
  }

  private put(r: ResourceType, obj: KubeObject): void {
    const k = `${r.group}|${r.kind}`;
    let m = this.byType.get(k);
    if (!m) this.byType.set(k, (m = new Map()));
    m.set(`${r.namespaced ? (obj.metadata.namespace ?? '') : ''}/${obj.metadata.name}`, obj);
  }

  private drop(r: ResourceType, obj: KubeObject): void {
    this.byType.get(`${r.group}|${r.kind}`)?.delete(`${r.namespaced ? (obj.metadata.namespace ?? '') : ''}/${obj.metadata.name}`);
  }

  private emit(ev: StoreEvent): void {
    const frozen: StoreEvent = { ...ev, object: clone(ev.object) };
    this.history.push(frozen);
    const limit = this.opts.historyLimit ?? 5000;
    if (this.history.length > limit) {
      const dropped = this.history.splice(0, this.history.length - limit);
      this.compactedRv = dropped[dropped.length - 1].rv;
    }
    for (const fn of [...this.listeners]) {
      try {
        fn(frozen);
      } catch {
        // A broken listener must not fail the write that triggered it.
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
