/**
 * Shapes and small pure helpers shared by the simulated API server, its store and its controllers.
 * Objects are plain JSON (what the wire carries); nothing here knows about HTTP.
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<Record<string, unknown>>;
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Group of an apiVersion: '' for the core group ("v1"). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep, mutable copy of plain JSON-like data (a frozen input gives an unfrozen copy). Hand-rolled
 * because structuredClone is several times slower on small object trees; anything that is not a
 * plain object or array (none expected) goes through structuredClone.
 */
export function clone<T>(v: T): T {
  return copyDeep(v) as T;
}

function setOwn(out: Record<string, unknown>, k: string, v: unknown): void {
  // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype instead.
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

function isPlainRecord(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function copyDeep(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyDeep(v[i]);
    return out;
  }
  if (!isPlainRecord(v)) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setOwn(out, k, copyDeep((v as Record<string, unknown>)[k]));
  return out;
}

/**
 * A deep-frozen value equal to `v`. Frozen parts of `v` are shared as they are (in the simulator
 * every frozen object is deep-frozen: the stores hold nothing else), the rest is copied, so `v`
 * itself and whatever its caller still holds are never frozen. Stores keep only such values, which
 * lets reads, watch history and persistence hand out the stored object itself instead of a copy,
 * and lets consecutive versions of an object share every unchanged subtree.
 */
export function frozenCopy<T>(v: T): T {
  return freezeDeep(v) as T;
}

function freezeDeep(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = freezeDeep(v[i]);
    return Object.freeze(out);
  }
  if (!isPlainRecord(v)) return Object.freeze(structuredClone(v));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setOwn(out, k, freezeDeep((v as Record<string, unknown>)[k]));
  return Object.freeze(out);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function nowIso(): string {
  // Kubernetes metav1.Time has second precision; clients compare these strings.
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Upsert a condition, keeping lastTransitionTime when the status does not change (as meta.SetStatusCondition does). */
export function setCondition(
  conditions: Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const merged: Condition = {
    ...next,
    lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : nowIso(),
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export function findCondition(obj: KubeObject | undefined, type: string): Condition | undefined {
  const conds = (obj?.status as { conditions?: Condition[] } | undefined)?.conditions;
  return Array.isArray(conds) ? conds.find((c) => c.type === type) : undefined;
}

export function isConditionTrue(obj: KubeObject | undefined, type: string): boolean {
  return findCondition(obj, type)?.status === 'True';
}
