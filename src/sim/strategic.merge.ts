/**
 * Strategic merge patch for built-in kinds, driven by the patch strategies and merge keys of their
 * schemas (builtin.schemas.ts; the Go types' `patchStrategy`/`patchMergeKey` tags): lists with
 * strategy `merge` merge items by their merge key (Service ports by `port`, containers and env by
 * `name`, ...) or, for primitives, as a union; other lists are replaced. Directives: `$patch:
 * replace|delete|merge` on maps and list items, `$retainKeys`, `$deleteFromPrimitiveList/<field>`
 * and `$setElementOrder/<field>`. Custom resources do not support it (the handler answers 415).
 */
import { errors } from './api.errors.js';
import { clone, deepEqual, isPlainObject } from './kube.types.js';
import { ANY, type TypeNode } from './schema.structural.js';

const DELETE_FROM = '$deleteFromPrimitiveList/';
const ORDER = '$setElementOrder/';

function child(node: TypeNode, k: string): TypeNode {
  return node.child(k) ?? ANY;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(isPlainObject(x) && x.$patch !== undefined && Object.keys(x).length === 1)).map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

/** Applies a strategic merge patch to `original` (not changed) under `node`; undefined = delete. */
export function strategicMerge(original: unknown, patch: unknown, node: TypeNode): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const directive = patch.$patch;
  if (directive === 'replace') return stripDirectives(patch);
  if (directive === 'delete') return undefined;
  if (directive !== undefined && directive !== 'merge') throw errors.badRequest(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  const out: Record<string, unknown> = isPlainObject(original) ? { ...original } : {};
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw errors.badRequest('$retainKeys must be a list of field names');
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_FROM)) {
      const field = k.slice(DELETE_FROM.length);
      if (!Array.isArray(v)) throw errors.badRequest(`${k} must be a list`);
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const cn = child(node, k);
    let merged: unknown;
    if (Array.isArray(v)) merged = mergeList(out[k], v, cn);
    // Maps merge key by key unless their patch strategy is replace (x-kubernetes-map-type is apply's, not SMP's).
    else if (isPlainObject(v)) merged = (cn.patchStrategy ?? '').split(',').includes('replace') ? stripDirectives(v) : strategicMerge(out[k], v, cn);
    else merged = v;
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  for (const [k, v] of Object.entries(patch)) if (k.startsWith(ORDER) && Array.isArray(v)) order(out, k.slice(ORDER.length), v, child(node, k.slice(ORDER.length)));
  return out;
}

function mergeList(original: unknown, patch: unknown[], node: TypeNode): unknown[] {
  const strategies = (node.patchStrategy ?? '').split(',');
  const orig = Array.isArray(original) ? original : [];
  if (patch.some((x) => isPlainObject(x) && x.$patch === 'replace')) return stripDirectives(patch) as unknown[];
  if (!strategies.includes('merge')) return stripDirectives(patch) as unknown[];
  const key = node.patchMergeKey;
  if (!key) {
    const out = [...orig];
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(clone(v));
    return out;
  }
  const items = node.items ?? ANY;
  const out = [...orig];
  for (const p of patch) {
    if (!isPlainObject(p)) throw errors.badRequest(`a strategic merge patch list item of ${key}-keyed list must be an object, got ${JSON.stringify(p)}`);
    if (p[key] === undefined) throw errors.badRequest(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
    const at = out.findIndex((x) => isPlainObject(x) && deepEqual(x[key], p[key]));
    if (p.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) {
      const merged = strategicMerge(out[at], p, items);
      if (merged === undefined) out.splice(at, 1);
      else out[at] = merged;
    } else out.push(stripDirectives(p));
  }
  return out;
}

/** $setElementOrder: the listed elements (by merge key or value) first, in that order. */
function order(obj: Record<string, unknown>, field: string, wanted: unknown[], node: TypeNode): void {
  const list = obj[field];
  if (!Array.isArray(list)) return;
  const key = node.patchMergeKey;
  const id = (x: unknown) => JSON.stringify(key && isPlainObject(x) ? x[key] : x);
  const rank = new Map(wanted.map((w, i) => [id(w), i]));
  const indexed = list.map((x, i) => ({ x, i, r: rank.get(id(x)) ?? Number.MAX_SAFE_INTEGER }));
  indexed.sort((a, b) => a.r - b.r || a.i - b.i);
  obj[field] = indexed.map((e) => e.x);
}
