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
import { clone, deepEqual, isPlainObject, nowIso, type KubeObject, type ManagedFieldsEntry } from './kube.types.js';
import type { ResourceType } from './resource.catalog.js';
import { META_NODE, rootNode } from './schema.registry.js';
import { ANY, typeNode, type TypeNode } from './schema.structural.js';

type Scope = 'main' | 'status';
/** A path: segments `f:<field>`, `k:<json of the key fields>`, `v:<json value>`. */
type Path = string[];

interface Owner {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  subresource?: string;
  paths: Set<string>;
}

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

/** Removes a path from a mutable object, dropping maps and lists the removal emptied (below the top level). */
function removeAt(obj: Record<string, unknown>, path: Path): void {
  const rec = (node: unknown, i: number): void => {
    const seg = path[i];
    const last = i === path.length - 1;
    if (seg.startsWith('f:')) {
      if (!isPlainObject(node)) return;
      const k = seg.slice(2);
      if (last) delete node[k];
      else {
        rec(node[k], i + 1);
        const child = node[k];
        if (i >= 1 && ((isPlainObject(child) && Object.keys(child).length === 0) || (Array.isArray(child) && child.length === 0))) delete node[k];
      }
      return;
    }
    if (!Array.isArray(node)) return;
    const at = seg.startsWith('v:')
      ? node.findIndex((x) => deepEqual(x, JSON.parse(seg.slice(2))))
      : node.findIndex((x) => sameItem(x, seg, Object.keys(JSON.parse(seg.slice(2)) as object)));
    if (at < 0) return;
    if (last) node.splice(at, 1);
    else rec(node[at], i + 1);
  };
  rec(obj, 0);
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
      for (const v of applied) if (!out.some((x) => deepEqual(x, v))) out.push(clone(v));
      return out;
    }
    const items = node.items ?? ANY;
    for (const item of applied) {
      const seg = itemSegment(item, node.listKeys);
      const at = out.findIndex((x) => itemSegment(x, node.listKeys) === seg);
      if (at >= 0) out[at] = mergeValue(out[at], item, items);
      else out.push(clone(item));
    }
    return out;
  }
  return clone(applied);
}

function decode(entries: ManagedFieldsEntry[] | undefined): Owner[] {
  return (entries ?? []).map((e) => {
    const paths = new Set<string>();
    const walk = (node: unknown, path: Path) => {
      const children = isPlainObject(node) ? Object.keys(node).filter((k) => k !== '.') : [];
      if (path.length && (children.length === 0 || (isPlainObject(node) && '.' in node))) paths.add(key(path));
      for (const c of children) walk((node as Record<string, unknown>)[c], [...path, c]);
    };
    walk(e.fieldsV1 ?? {}, []);
    return { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, subresource: e.subresource, paths };
  });
}

/** FieldsV1 of a path set: nested objects, a member that also has owned children marked with "." first. */
function fieldsV1(paths: Set<string>): Record<string, unknown> {
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
        if (opts.force) o.paths.delete(pk);
        else conflicts.push({ manager: printManager(o), path: displayPath(p) });
      }
    }
  }
  // structured-merge-diff lists conflicts by manager, then path.
  conflicts.sort((x, y) => (x.manager < y.manager ? -1 : x.manager > y.manager ? 1 : x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  if (conflicts.length) throw errors.applyConflict(conflicts);

  const base: KubeObject = live ? clone(live) : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { ...applied.metadata } };
  const merged = { ...(mergeValue(base, scoped, root) as KubeObject), apiVersion: base.apiVersion, kind: base.kind };
  if (!live) merged.metadata = { ...applied.metadata, ...merged.metadata };

  // Fields I owned and no longer apply go, unless another manager owns them (or, for a list item,
  // anything inside it). Items first: their removal takes their fields along.
  const othersOwn = (k: string) => owners.some((o) => !isMe(o) && o.paths.has(k));
  const othersOwnBelow = (k: string) => owners.some((o) => !isMe(o) && [...o.paths].some((q) => q.startsWith(k + SEP)));
  const dropped = [...(mine?.paths ?? [])].filter((k) => !newPaths.has(k) && !othersOwn(k));
  const isItem = (k: string) => unkey(k).at(-1)?.startsWith('k:') ?? false;
  for (const k of dropped.filter(isItem).sort((a, b) => b.length - a.length)) if (!othersOwnBelow(k)) removeAt(merged, unkey(k));
  for (const k of dropped.filter((x) => !isItem(x))) removeAt(merged, unkey(k));

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
 * path it changed, and other managers lose those, without conflicts (as kube-apiserver does).
 */
export function recordUpdate(live: KubeObject | undefined, next: KubeObject, manager: string, scope: Scope, r: ResourceType): ManagedFieldsEntry[] | undefined {
  const root = schemaRoot(r);
  const subresource = scope === 'status' ? 'status' : undefined;
  const before = live ? fieldSet(live, root, scope, r.status) : new Set<string>();
  const after = fieldSet(next, root, scope, r.status);
  const changed = [...after].filter((k) => !before.has(k) || !deepEqual(ownedValue(live, unkey(k)), ownedValue(next, unkey(k))));
  const removed = [...before].filter((k) => !after.has(k));
  if (changed.length === 0 && removed.length === 0) return live?.metadata.managedFields;
  const owners = decode(live?.metadata.managedFields);
  for (const o of owners) {
    for (const k of [...changed, ...removed]) o.paths.delete(k);
    // A removed list item or map takes what other managers owned inside it along.
    for (const k of removed) for (const q of [...o.paths]) if (q.startsWith(k + SEP)) o.paths.delete(q);
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
