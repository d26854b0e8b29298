/**
 * Server-side apply and field ownership, following structured-merge-diff's model with the kind's
 * schema: struct fields and map keys are granular (`f:`), lists are atomic unless the schema marks
 * them `x-kubernetes-list-type: map` (items owned per key, `k:{...}`) or `set` (values owned one
 * by one, `v:...`), and `x-kubernetes-map-type: atomic` maps are owned whole. Ownership lives in
 * metadata.managedFields as FieldsV1, so it survives restarts and is what clients see.
 *
 *   - a field another manager owns with a different value is a conflict (409, one cause per path)
 *     unless forced, which moves ownership to the applier;
 *   - applying the same value as another manager shares ownership;
 *   - a field (or list item) the applier owned and no longer applies is removed, unless another
 *     manager still owns it (or, for an item, anything inside it);
 *   - other writes (create, update, patch, controller writes) take ownership of what they change.
 */
import { errors, type ResourceRef } from './api.errors.js';
import { deepEqual, isPlainObject, nowIso, type KubeObject, type ManagedFieldsEntry } from './kube.types.js';
import type { ResourceType } from './resource.catalog.js';
import { META_NODE, rootNode } from './schema.registry.js';
import { ANY, typeNode, type TypeNode } from './schema.structural.js';

type Scope = 'main' | 'status';
/** A path: segments `f:<field>`, `k:<json of the key fields>`, `v:<json value>`. */
type Path = string[];

/**
 * One managedFields entry, decoded. The path set is shared with a per-entry cache until the first
 * change (copy on write), and an untouched owner is written back as the very entry it came from:
 * a write that changes one manager's fields leaves the other entries' objects (frozen, shared
 * with the previous version) alone.
 */
class Owner {
  private own = false;
  dirty = false;
  constructor(
    readonly manager: string,
    readonly operation: 'Apply' | 'Update',
    public apiVersion: string | undefined,
    public time: string | undefined,
    readonly subresource: string | undefined,
    private set: Set<string>,
    readonly entry?: ManagedFieldsEntry,
  ) {
    this.own = !entry;
    this.dirty = !entry;
  }

  get paths(): ReadonlySet<string> {
    return this.set;
  }

  private writable(): Set<string> {
    if (!this.own) {
      this.set = new Set(this.set);
      this.own = true;
    }
    this.dirty = true;
    return this.set;
  }

  delete(k: string): void {
    if (this.set.has(k)) this.writable().delete(k);
  }

  add(k: string): void {
    if (!this.set.has(k)) this.writable().add(k);
  }

  touch(apiVersion: string | undefined, time: string | undefined): void {
    if (apiVersion !== this.apiVersion || time !== this.time) this.dirty = true;
    this.apiVersion = apiVersion;
    this.time = time;
  }
}

const decodedCache = new WeakMap<ManagedFieldsEntry, Set<string>>();

const SEP = '\u0000';
const key = (p: Path) => p.join(SEP);
const unkey = (k: string): Path => (k ? k.split(SEP) : []);
const DEDUCED_ROOT = typeNode({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, true);
const META_TRACKED = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

function schemaRoot(r: ResourceType): TypeNode {
  return (r.versions.length ? rootNode(r) : undefined) ?? DEDUCED_ROOT;
}

/** The node of a field of an object node (metadata at a resource root is ObjectMeta). */
function childNode(n: TypeNode, field: string): TypeNode {
  if (n.resourceLike && field === 'metadata') return META_NODE;
  return n.child(field) ?? ANY;
}

const atomicList = (n: TypeNode) => n === ANY || n.listType === 'atomic' || (n.listType === 'map' && n.listKeys.length === 0);

/** The key segment of a map-list item: its key fields, sorted by name, as JSON. */
function itemSegment(item: unknown, keys: readonly string[]): string {
  const rec = isPlainObject(item) ? item : {};
  const fields = [...keys].sort().filter((k) => rec[k] !== undefined);
  return `k:${JSON.stringify(Object.fromEntries(fields.map((k) => [k, rec[k]])))}`;
}

function sameItem(a: unknown, seg: string, keys: readonly string[]): boolean {
  return itemSegment(a, keys) === seg;
}

/** Every owned path of `value` under `node`: leaves, atomic values, map-list items and set values. */
function collect(value: unknown, node: TypeNode, path: Path, out: Set<string>): void {
  if (isPlainObject(value) && node.mapType !== 'atomic') {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0 && path.length) out.add(key(path));
    for (const k of keys) collect(value[k], childNode(node, k), [...path, `f:${k}`], out);
    return;
  }
  if (Array.isArray(value) && !atomicList(node)) {
    if (value.length === 0) out.add(key(path));
    const items = node.items ?? ANY;
    for (const item of value) {
      if (node.listType === 'set') out.add(key([...path, `v:${JSON.stringify(item)}`]));
      else {
        const p = [...path, itemSegment(item, node.listKeys)];
        out.add(key(p));
        collect(item, items, p, out);
      }
    }
    return;
  }
  out.add(key(path));
}

/** The owned paths of an object within a scope (main resource or status subresource). */
function fieldSet(obj: Record<string, unknown>, root: TypeNode, scope: Scope, hasStatus: boolean): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      if (scope !== 'main' || !isPlainObject(v)) continue;
      for (const m of META_TRACKED) if (v[m] !== undefined && v[m] !== null) collect(v[m], META_NODE.child(m) ?? ANY, ['f:metadata', `f:${m}`], out);
      continue;
    }
    const isStatus = k === 'status';
    if (hasStatus ? (scope === 'status') !== isStatus : scope === 'status') continue;
    collect(v, childNode(root, k), [`f:${k}`], out);
  }
  return out;
}

/** The value at a path (undefined when absent). */
function getAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (seg.startsWith('f:')) {
      if (!isPlainObject(cur)) return undefined;
      cur = cur[seg.slice(2)];
    } else if (seg.startsWith('v:')) {
      if (!Array.isArray(cur)) return undefined;
      const want = JSON.parse(seg.slice(2)) as unknown;
      return cur.some((x) => deepEqual(x, want)) ? want : undefined;
    } else {
      if (!Array.isArray(cur)) return undefined;
      const want = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      const keys = Object.keys(want);
      cur = cur.find((x) => sameItem(x, seg, keys));
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The value a path owns, for comparing: an item or object compares by presence, leaves by value. */
function ownedValue(obj: unknown, path: Path): unknown {
  const v = getAt(obj, path);
  const last = path[path.length - 1] ?? '';
  if (last.startsWith('k:') && v !== undefined) return true;
  return v;
}

const emptied = (v: unknown) => (isPlainObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);

/**
 * `node` without the value at `path` (copying only along the path; frozen inputs are fine),
 * dropping maps and lists the removal emptied below the top level (an emptied spec stays `{}`).
 */
function without(node: unknown, path: Path, i = 0): unknown {
  const seg = path[i];
  const last = i === path.length - 1;
  if (seg.startsWith('f:')) {
    if (!isPlainObject(node)) return node;
    const k = seg.slice(2);
    if (!(k in node)) return node;
    const out: Record<string, unknown> = { ...node };
    if (last) delete out[k];
    else {
      const child = without(node[k], path, i + 1);
      if (child === node[k]) return node;
      if (i >= 1 && emptied(child)) delete out[k];
      else out[k] = child;
    }
    return out;
  }
  if (!Array.isArray(node)) return node;
  const at = seg.startsWith('v:')
    ? node.findIndex((x) => deepEqual(x, JSON.parse(seg.slice(2))))
    : node.findIndex((x) => sameItem(x, seg, Object.keys(JSON.parse(seg.slice(2)) as object)));
  if (at < 0) return node;
  if (last) return [...node.slice(0, at), ...node.slice(at + 1)];
  const child = without(node[at], path, i + 1);
  if (child === node[at]) return node;
  const out = [...node];
  out[at] = child;
  return out;
}

/** Applied values win; objects merge per field; map lists per key, sets by value; atomic values are replaced. */
function mergeValue(live: unknown, applied: unknown, node: TypeNode): unknown {
  if (isPlainObject(applied) && isPlainObject(live) && node.mapType !== 'atomic') {
    const out: Record<string, unknown> = { ...live };
    for (const [k, v] of Object.entries(applied)) if (v !== undefined) out[k] = mergeValue(live[k], v, childNode(node, k));
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && !atomicList(node)) {
    const out = [...live];
    if (node.listType === 'set') {
      for (const v of applied) if (!out.some((x) => deepEqual(x, v))) out.push(v);
      return out;
    }
    const items = node.items ?? ANY;
    for (const item of applied) {
      const seg = itemSegment(item, node.listKeys);
      const at = out.findIndex((x) => itemSegment(x, node.listKeys) === seg);
      if (at >= 0) out[at] = mergeValue(out[at], item, items);
      else out.push(item);
    }
    return out;
  }
  // Shared, not copied: nothing changes a merge result in place (removal copies along its path).
  return applied;
}

function pathsOf(e: ManagedFieldsEntry): Set<string> {
  const cached = decodedCache.get(e);
  if (cached) return cached;
  const paths = new Set<string>();
  const walk = (node: unknown, path: Path) => {
    const children = isPlainObject(node) ? Object.keys(node).filter((k) => k !== '.') : [];
    if (path.length && (children.length === 0 || (isPlainObject(node) && '.' in node))) paths.add(key(path));
    for (const c of children) walk((node as Record<string, unknown>)[c], [...path, c]);
  };
  walk(e.fieldsV1 ?? {}, []);
  if (Object.isFrozen(e)) decodedCache.set(e, paths);
  return paths;
}

function decode(entries: ManagedFieldsEntry[] | undefined): Owner[] {
  return (entries ?? []).map((e) => new Owner(e.manager, e.operation, e.apiVersion, e.time, e.subresource, pathsOf(e), e));
}

/** FieldsV1 of a path set: nested objects, a member that also has owned children marked with "." first. */
function fieldsV1(paths: ReadonlySet<string>): Record<string, unknown> {
  type Node = { member: boolean; children: Map<string, Node> };
  const root: Node = { member: false, children: new Map() };
  for (const k of paths) {
    let node = root;
    for (const seg of unkey(k)) {
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { member: false, children: new Map() }));
      node = next;
    }
    node.member = true;
  }
  const out = (n: Node): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    if (n.member && n.children.size) o['.'] = {};
    for (const k of [...n.children.keys()].sort()) o[k] = out(n.children.get(k)!);
    return o;
  };
  return out(root);
}

function encode(owners: Owner[]): ManagedFieldsEntry[] {
  return owners
    .filter((o) => o.paths.size > 0)
    .map((o) => {
      if (!o.dirty && o.entry) return o.entry;
      const e: ManagedFieldsEntry = { manager: o.manager, operation: o.operation, apiVersion: o.apiVersion, time: o.time, fieldsType: 'FieldsV1', fieldsV1: fieldsV1(o.paths) };
      if (o.subresource) e.subresource = o.subresource;
      return e;
    });
}

/** A path as structured-merge-diff prints it: `.spec.ports[port=80,protocol="TCP"].name`, `.metadata.finalizers[="x"]`. */
export function displayPath(p: Path): string {
  return p
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('v:')) return `[=${seg.slice(2)}]`;
      const fields = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(fields).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}

/** How a conflict names a manager (kube-apiserver's printManager; the identifier carries no time). */
function printManager(o: Owner): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`;
  if (o.operation === 'Update') s += ` using ${o.apiVersion ?? 'v1'}`;
  return s;
}

export interface ApplyOptions {
  resource: ResourceType & ResourceRef;
  manager: string;
  force: boolean;
  scope: Scope;
}

/**
 * Server-side apply of `applied` onto `live` (absent = create), both at the storage version.
 * Returns the merged object with its managedFields; when nothing changes the result deep-equals
 * `live`, so the store writes nothing.
 */
export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  const r = opts.resource;
  const root = schemaRoot(r);
  const subresource = opts.scope === 'status' ? 'status' : undefined;
  const scoped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(applied)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      const m = v as Record<string, unknown>;
      scoped.metadata = Object.fromEntries(META_TRACKED.filter((f) => m[f] !== undefined && m[f] !== null).map((f) => [f, m[f]]));
      continue;
    }
    if (r.status && (k === 'status') !== (opts.scope === 'status')) continue;
    scoped[k] = v;
  }
  const newPaths = fieldSet(scoped, root, opts.scope, r.status);
  const owners = decode(live?.metadata.managedFields);
  const isMe = (o: Owner) => o.manager === opts.manager && o.operation === 'Apply' && o.subresource === subresource;
  const mine = owners.find(isMe);

  const conflicts: Array<{ manager: string; path: string }> = [];
  if (live) {
    for (const pk of newPaths) {
      const p = unkey(pk);
      for (const o of owners) {
        if (isMe(o) || !o.paths.has(pk)) continue;
        if (deepEqual(ownedValue(live, p), ownedValue(scoped, p))) continue;
        if (opts.force) o.delete(pk);
        else conflicts.push({ manager: printManager(o), path: displayPath(p) });
      }
    }
  }
  // structured-merge-diff lists conflicts by manager, then path.
  conflicts.sort((x, y) => (x.manager < y.manager ? -1 : x.manager > y.manager ? 1 : x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  if (conflicts.length) throw errors.applyConflict(conflicts);

  // Merged copy-on-write: the result shares every subtree the apply does not touch with `live`.
  const base: KubeObject = live ?? { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { ...applied.metadata } };
  let merged = { ...(mergeValue(base, scoped, root) as KubeObject), apiVersion: base.apiVersion, kind: base.kind };

  // Fields I owned and no longer apply go, unless another manager owns them (or, for a list item,
  // anything inside it). Items first: their removal takes their fields along.
  const othersOwn = (k: string) => owners.some((o) => !isMe(o) && o.paths.has(k));
  const othersOwnBelow = (k: string) => owners.some((o) => !isMe(o) && [...o.paths].some((q) => q.startsWith(k + SEP)));
  const dropped = [...(mine?.paths ?? [])].filter((k) => !newPaths.has(k) && !othersOwn(k));
  const isItem = (k: string) => unkey(k).at(-1)?.startsWith('k:') ?? false;
  for (const k of dropped.filter(isItem).sort((a, b) => b.length - a.length)) if (!othersOwnBelow(k)) merged = without(merged, unkey(k)) as KubeObject;
  for (const k of dropped.filter((x) => !isItem(x))) merged = without(merged, unkey(k)) as KubeObject;
  merged = { ...merged, metadata: { ...merged.metadata } };

  const changed = !mine || mine.paths.size !== newPaths.size || [...newPaths].some((p) => !mine.paths.has(p));
  const next = owners.filter((o) => !isMe(o));
  const entry = changed || !mine ? new Owner(opts.manager, 'Apply', applied.apiVersion, nowIso(), subresource, newPaths) : mine;
  entry.touch(applied.apiVersion, entry.time);
  const at = owners.findIndex(isMe);
  next.splice(at >= 0 ? at : next.length, 0, entry);
  const encoded = encode(next);
  if (encoded.length) merged.metadata.managedFields = encoded;
  else delete merged.metadata.managedFields;
  return merged;
}

/**
 * Ownership after a non-apply write (create, PUT, patch, controller write): the writer takes every
 * path it changed, and other managers lose those, without conflicts (as kube-apiserver does).
 */
export function recordUpdate(live: KubeObject | undefined, next: KubeObject, manager: string, scope: Scope, r: ResourceType): ManagedFieldsEntry[] | undefined {
  const root = schemaRoot(r);
  const subresource = scope === 'status' ? 'status' : undefined;
  const changed: string[] = [];
  const removed: string[] = [];
  diffRoot(live, next, root, scope, r.status, changed, removed);
  if (changed.length === 0 && removed.length === 0) return live?.metadata.managedFields;
  const owners = decode(live?.metadata.managedFields);
  for (const o of owners) {
    for (const k of changed) o.delete(k);
    for (const k of removed) o.delete(k);
    // A removed list item or map takes what other managers owned inside it along.
    if (removed.length) for (const q of [...o.paths]) if (removed.some((k) => q.startsWith(k + SEP))) o.delete(q);
  }
  let mine = owners.find((o) => o.manager === manager && o.operation === 'Update' && o.subresource === subresource);
  if (!mine) {
    mine = new Owner(manager, 'Update', next.apiVersion, undefined, subresource, new Set());
    owners.push(mine);
  }
  for (const k of changed) mine.add(k);
  mine.touch(next.apiVersion, nowIso());
  const encoded = encode(owners);
  return encoded.length ? encoded : undefined;
}

/** The root of a diff: only the scope's fields, and only the tracked parts of metadata. */
function diffRoot(live: KubeObject | undefined, next: KubeObject, root: TypeNode, scope: Scope, hasStatus: boolean, changed: string[], removed: string[]): void {
  const keys = new Set([...Object.keys(live ?? {}), ...Object.keys(next)]);
  for (const k of keys) {
    if (k === 'apiVersion' || k === 'kind') continue;
    const a = live?.[k];
    const b = next[k];
    if (k === 'metadata') {
      if (scope !== 'main') continue;
      const am = (a ?? {}) as Record<string, unknown>;
      const bm = (b ?? {}) as Record<string, unknown>;
      for (const m of META_TRACKED) diff(am[m] ?? undefined, bm[m] ?? undefined, META_NODE.child(m) ?? ANY, ['f:metadata', `f:${m}`], changed, removed);
      continue;
    }
    if (hasStatus ? (scope === 'status') !== (k === 'status') : scope === 'status') continue;
    diff(a, b, childNode(root, k), [`f:${k}`], changed, removed);
  }
}

function pathsBelow(v: unknown, node: TypeNode, path: Path): string[] {
  const out = new Set<string>();
  collect(v, node, path, out);
  return [...out];
}

/**
 * The paths a write changed (new, or with another value) and removed, comparing only the subtrees
 * that differ: an unchanged subtree is the very same (frozen) object in both versions.
 */
function diff(a: unknown, b: unknown, node: TypeNode, path: Path, changed: string[], removed: string[]): void {
  if (a === b) return;
  if (a === undefined) {
    if (b !== undefined) changed.push(...pathsBelow(b, node, path));
    return;
  }
  if (b === undefined) {
    removed.push(...pathsBelow(a, node, path));
    return;
  }
  const granular = (v: unknown) => isPlainObject(v) && node.mapType !== 'atomic';
  if (granular(a) && granular(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
    const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
    if (ak.length === 0 || bk.length === 0) {
      // An empty map is a leaf of its own.
      if (ak.length === 0 && bk.length === 0) return;
      if (ak.length === 0) removed.push(key(path));
      else removed.push(...pathsBelow(a, node, path));
      if (bk.length === 0) changed.push(key(path));
      else changed.push(...pathsBelow(b, node, path));
      return;
    }
    for (const k of new Set([...ak, ...bk])) diff(ao[k], bo[k], childNode(node, k), [...path, `f:${k}`], changed, removed);
    return;
  }
  const list = (v: unknown) => Array.isArray(v) && !atomicList(node);
  if (list(a) && list(b)) {
    const al = a as unknown[];
    const bl = b as unknown[];
    if (al.length === 0 || bl.length === 0) {
      if (al.length === 0 && bl.length === 0) return;
      if (al.length === 0) removed.push(key(path));
      else removed.push(...pathsBelow(a, node, path));
      if (bl.length === 0) changed.push(key(path));
      else changed.push(...pathsBelow(b, node, path));
      return;
    }
    if (node.listType === 'set') {
      const enc = (x: unknown) => `v:${JSON.stringify(x)}`;
      const as = new Set(al.map(enc));
      const bs = new Set(bl.map(enc));
      for (const v of bs) if (!as.has(v)) changed.push(key([...path, v]));
      for (const v of as) if (!bs.has(v)) removed.push(key([...path, v]));
      return;
    }
    const items = node.items ?? ANY;
    const byKey = new Map(al.map((x) => [itemSegment(x, node.listKeys), x]));
    const seen = new Set<string>();
    for (const x of bl) {
      const seg = itemSegment(x, node.listKeys);
      seen.add(seg);
      const before = byKey.get(seg);
      if (before === undefined) changed.push(...pathsBelow(x, items, [...path, seg]));
      else diff(before, x, items, [...path, seg], changed, removed);
    }
    for (const [seg, x] of byKey) if (!seen.has(seg)) removed.push(...pathsBelow(x, items, [...path, seg]));
    return;
  }
  if (deepEqual(a, b)) return;
  // A leaf, an atomic value, or a change of shape: the old paths go, the new ones are changed.
  const before = pathsBelow(a, node, path);
  const after = new Set(pathsBelow(b, node, path));
  changed.push(...after);
  for (const k of before) if (!after.has(k)) removed.push(k);
}

/** Field manager name kube-apiserver derives from a User-Agent when none is given. */
export function managerFromUserAgent(ua: string | undefined): string {
  const first = (ua ?? '').split('/')[0].trim();
  return first || 'unknown';
}
