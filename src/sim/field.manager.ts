/**
 * Field ownership for server-side apply, at leaf granularity: nested maps are walked, lists are atomic
 * (what a CRD list without x-kubernetes-list-type is), metadata.finalizers is a set. Ownership lives
 * in metadata.managedFields as FieldsV1, so it survives restarts and is what clients see.
 */
import { errors, type ResourceRef, type StatusCause } from './api.errors.js';
import { clone, deepEqual, isPlainObject, nowIso, type KubeObject, type ManagedFieldsEntry } from './kube.types.js';

type Path = string[];
type Scope = 'main' | 'status';

interface Owner {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  subresource?: string;
  paths: Set<string>;
}

const key = (p: Path) => JSON.stringify(p);
const unkey = (k: string) => JSON.parse(k) as Path;

/** Leaf paths of an object within a scope (the main resource or its status). */
export function leafPaths(obj: Record<string, unknown>, scope: Scope, hasStatus: boolean): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: Path) => {
    if (isPlainObject(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) if (child !== undefined) walk(child, [...path, k]);
    } else out.add(key(path));
  };
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      if (scope !== 'main' || !isPlainObject(v)) continue;
      for (const m of ['labels', 'annotations'] as const) {
        const map = v[m];
        if (isPlainObject(map)) for (const lk of Object.keys(map)) out.add(key(['metadata', m, lk]));
      }
      if (Array.isArray(v.finalizers)) for (const f of v.finalizers) out.add(key(['metadata', 'finalizers', `v:${JSON.stringify(f)}`]));
      if (Array.isArray(v.ownerReferences)) out.add(key(['metadata', 'ownerReferences']));
      continue;
    }
    const isStatus = k === 'status';
    if (hasStatus && (scope === 'status') !== isStatus) continue;
    if (!hasStatus && scope === 'status') continue;
    walk(v, [k]);
  }
  return out;
}

function getAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (seg.startsWith('v:') && Array.isArray(cur)) {
      const want = JSON.parse(seg.slice(2)) as unknown;
      return cur.some((x) => deepEqual(x, want)) ? want : undefined;
    }
    if (!isPlainObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function deleteAt(obj: Record<string, unknown>, path: Path): void {
  const rec = (node: unknown, i: number): void => {
    if (!isPlainObject(node)) return;
    const seg = path[i];
    const list = node[seg];
    if (i === path.length - 2 && path[i + 1].startsWith('v:') && Array.isArray(list)) {
      const want = JSON.parse(path[i + 1].slice(2)) as unknown;
      const rest = list.filter((x) => !deepEqual(x, want));
      if (rest.length) node[seg] = rest;
      else delete node[seg];
      return;
    }
    if (i === path.length - 1) {
      delete node[seg];
      return;
    }
    const child = node[seg];
    rec(child, i + 1);
    // Prune maps the removal emptied, but keep top-level fields (an emptied spec stays `{}`).
    if (i >= 1 && isPlainObject(child) && Object.keys(child).length === 0) delete node[seg];
  };
  rec(obj, 0);
}

/** Applied values win; maps merge recursively; finalizers are a union; other lists are replaced. */
function mergeApplied(live: unknown, applied: unknown, path: Path): unknown {
  if (path.length === 2 && path[0] === 'metadata' && path[1] === 'finalizers' && Array.isArray(applied)) {
    const base = Array.isArray(live) ? [...live] : [];
    for (const f of applied) if (!base.includes(f)) base.push(f);
    return base;
  }
  if (!isPlainObject(applied) || !isPlainObject(live)) return clone(applied);
  const out: Record<string, unknown> = { ...live };
  for (const [k, v] of Object.entries(applied)) if (v !== undefined) out[k] = mergeApplied(live[k], v, [...path, k]);
  return out;
}

function decode(entries: ManagedFieldsEntry[] | undefined): Owner[] {
  return (entries ?? []).map((e) => {
    const paths = new Set<string>();
    const walk = (node: unknown, path: Path) => {
      const children = isPlainObject(node) ? Object.keys(node).filter((k) => k !== '.') : [];
      if (children.length === 0 && path.length) paths.add(key(path));
      for (const c of children) walk((node as Record<string, unknown>)[c], [...path, c.startsWith('f:') ? c.slice(2) : c]);
    };
    walk(e.fieldsV1 ?? {}, []);
    return { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, subresource: e.subresource, paths };
  });
}

function encode(owners: Owner[]): ManagedFieldsEntry[] {
  return owners
    .filter((o) => o.paths.size > 0)
    .map((o) => {
      const root: Record<string, unknown> = {};
      for (const k of [...o.paths].sort()) {
        let node = root;
        for (const seg of unkey(k)) {
          const f = seg.startsWith('v:') ? seg : `f:${seg}`;
          node[f] = (node[f] as Record<string, unknown>) ?? {};
          node = node[f] as Record<string, unknown>;
        }
      }
      const e: ManagedFieldsEntry = { manager: o.manager, operation: o.operation, apiVersion: o.apiVersion, time: o.time, fieldsType: 'FieldsV1', fieldsV1: root };
      if (o.subresource) e.subresource = o.subresource;
      return e;
    });
}

/**
 * The path whose value decides a conflict between my leaf `p` and another manager's leaf `q`, or
 * undefined when they cannot clash: same leaf, or one is an ancestor holding a non-map (atomic) value.
 * An empty map is mergeable, so owning `spec: {}` never contests `spec.x`.
 */
function contested(live: unknown, applied: unknown, p: Path, q: Path): Path | undefined {
  if (p.length === q.length) return p.every((s, i) => s === q[i]) ? p : undefined;
  if (!overlaps(p, q)) return undefined;
  if (q.length < p.length) return isPlainObject(getAt(live, q)) ? undefined : q;
  return isPlainObject(getAt(applied, p)) ? undefined : q;
}

const overlaps = (a: Path, b: Path) => a.length <= b.length ? a.every((s, i) => s === b[i]) : b.every((s, i) => s === a[i]);
const display = (p: Path) => p.map((s) => (s.startsWith('v:') ? `[${s.slice(2)}]` : `.${s}`)).join('');

export interface ApplyOptions {
  resource: ResourceRef;
  manager: string;
  force: boolean;
  hasStatus: boolean;
  scope: Scope;
}

/**
 * Server-side apply of `applied` onto `live` (absent = create). Returns the merged object with its
 * managedFields; when nothing changes the result deep-equals `live`, so the store writes nothing.
 */
export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  const subresource = opts.scope === 'status' ? 'status' : undefined;
  const scoped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(applied)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      const m = v as Record<string, unknown>;
      scoped.metadata = Object.fromEntries(['labels', 'annotations', 'finalizers', 'ownerReferences'].filter((f) => m[f] !== undefined).map((f) => [f, m[f]]));
      continue;
    }
    if (opts.hasStatus && (k === 'status') !== (opts.scope === 'status')) continue;
    scoped[k] = v;
  }
  const newPaths = leafPaths(scoped, opts.scope, opts.hasStatus);
  const owners = decode(live?.metadata.managedFields);
  const isMe = (o: Owner) => o.manager === opts.manager && o.operation === 'Apply' && o.subresource === subresource;
  const mine = owners.find(isMe);
  const causes: StatusCause[] = [];
  if (live) {
    for (const pk of newPaths) {
      const p = unkey(pk);
      for (const o of owners) {
        if (isMe(o) || o.subresource !== subresource) continue;
        for (const qk of [...o.paths]) {
          const at = contested(live, scoped, p, unkey(qk));
          if (!at || deepEqual(getAt(live, at), getAt(scoped, at))) continue;
          const message = `conflict with "${o.manager}"${o.operation === 'Update' ? ` using ${o.apiVersion ?? 'v1'}` : ''}`;
          if (opts.force) o.paths.delete(qk);
          else if (!causes.some((c) => c.message === message && c.field === display(at))) causes.push({ type: 'FieldManagerConflict', message, field: display(at) });
        }
      }
    }
  }
  if (causes.length) throw errors.applyConflict(opts.resource, applied.metadata.name ?? '', causes);

  const base: KubeObject = live ? clone(live) : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { ...applied.metadata } };
  let merged = mergeApplied(base, scoped, []) as KubeObject;
  merged = { ...merged, apiVersion: base.apiVersion, kind: base.kind };
  const othersOwn = (k: string) => owners.some((o) => !isMe(o) && o.paths.has(k));
  for (const old of mine?.paths ?? []) if (!newPaths.has(old) && !othersOwn(old)) deleteAt(merged, unkey(old));

  const changed = !mine || mine.paths.size !== newPaths.size || [...newPaths].some((p) => !mine.paths.has(p));
  const next = owners.filter((o) => !isMe(o));
  const entry: Owner = { manager: opts.manager, operation: 'Apply', apiVersion: applied.apiVersion, time: changed ? nowIso() : mine?.time, subresource, paths: newPaths };
  const at = owners.findIndex(isMe);
  next.splice(at >= 0 ? at : next.length, 0, entry);
  const encoded = encode(next);
  if (encoded.length) merged.metadata.managedFields = encoded;
  else delete merged.metadata.managedFields;
  return merged;
}

/**
 * Ownership after a non-apply write (create, PUT, patch, controller write): the writer takes every
 * leaf it changed, and other managers lose those leaves, without conflicts (as kube-apiserver does).
 */
export function recordUpdate(
  live: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  scope: Scope,
  hasStatus: boolean,
): ManagedFieldsEntry[] | undefined {
  const subresource = scope === 'status' ? 'status' : undefined;
  const before = live ? leafPaths(live, scope, hasStatus) : new Set<string>();
  const after = leafPaths(next, scope, hasStatus);
  const changed = [...after].filter((k) => !before.has(k) || !deepEqual(getAt(live, unkey(k)), getAt(next, unkey(k))));
  const removed = [...before].filter((k) => !after.has(k));
  const owners = decode(live?.metadata.managedFields);
  if (changed.length === 0 && removed.length === 0) return live?.metadata.managedFields;
  for (const o of owners) {
    for (const k of [...changed, ...removed]) o.paths.delete(k);
    // A changed leaf also ends ownership of any atomic ancestor or descendant another manager held.
    for (const k of changed) for (const q of [...o.paths]) if (overlaps(unkey(k), unkey(q))) o.paths.delete(q);
  }
  let mine = owners.find((o) => o.manager === manager && o.operation === 'Update' && o.subresource === subresource);
  if (!mine) {
    mine = { manager, operation: 'Update', apiVersion: next.apiVersion, subresource, paths: new Set() };
    owners.push(mine);
  }
  for (const k of changed) mine.paths.add(k);
  mine.time = nowIso();
  mine.apiVersion = next.apiVersion;
  const encoded = encode(owners);
  return encoded.length ? encoded : undefined;
}

/** Field manager name kube-apiserver derives from a User-Agent when none is given. */
export function managerFromUserAgent(ua: string | undefined): string {
  const first = (ua ?? '').split('/')[0].trim();
  return first || 'unknown';
}
