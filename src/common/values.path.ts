/**
 * Dotted paths into Helm values (`resources.limits`, `server.pods.0.resources.limits`): where a
 * component's chart takes its GPU limit. The catalog checks a path against the component's values
 * when a bundle version is created; the hub adapter sets the GPU count there when it renders the
 * HelmRelease. A numeric segment indexes an array that the values already hold; every other segment
 * is a map key, created when absent.
 */

/** The extended resource a GPU limit names (NVIDIA device plugin / GPU Operator). */
export const GPU_LIMIT_KEY = 'nvidia.com/gpu';
/** Where `nvidia.com/gpu` goes when a component names no path: the common chart convention. */
export const DEFAULT_GPU_VALUES_PATH = 'resources.limits';
export const MAX_VALUES_PATH_LENGTH = 256;
const SEGMENT = /^[A-Za-z0-9_-]{1,63}$/;
const INDEX = /^(0|[1-9][0-9]{0,5})$/;
/** Keys that would reach an object's prototype rather than the values. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export function valuesPathSyntaxProblem(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0 || path.length > MAX_VALUES_PATH_LENGTH) return `values path must be 1-${MAX_VALUES_PATH_LENGTH} characters`;
  const segments = path.split('.');
  if (segments.some((s) => !SEGMENT.test(s))) return 'values path must be keys of letters, digits, "_" or "-" separated by "." (e.g. resources.limits)';
  if (segments.some((s) => FORBIDDEN.has(s))) return 'values path must not name __proto__, constructor or prototype';
  return null;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Why `key` cannot be set at `path` inside `values` (null when it can): everything the path passes
 * through must be a map (or an array, for a numeric segment within its bounds), and `key` must not
 * already be there — the count comes from the component's GPU request, never from two places.
 * Macros render strings into scalars only, so a path valid on the bundle's values is valid on every
 * rendering of them.
 */
export function valuesPathProblem(values: Record<string, unknown>, path: string, key: string): string | null {
  const syntax = valuesPathSyntaxProblem(path);
  if (syntax) return syntax;
  const segments = path.split('.');
  let node: unknown = values;
  for (const [i, s] of segments.entries()) {
    const at = segments.slice(0, i + 1).join('.');
    if (Array.isArray(node)) {
      if (!INDEX.test(s) || Number(s) >= node.length) return `values path ${path}: ${at} indexes an array of ${node.length} items`;
      node = node[Number(s)];
    } else if (isMap(node)) {
      if (!Object.hasOwn(node, s)) return null; // the rest is created
      node = node[s];
    } else return `values path ${path}: the values hold a ${node === null ? 'null' : typeof node} before ${at}, not a map`;
  }
  if (!isMap(node)) return `values path ${path} must lead to a map, not ${Array.isArray(node) ? 'an array' : node === null ? 'null' : `a ${typeof node}`}`;
  if (Object.hasOwn(node, key)) return `values already set ${key} at ${path}: remove it, the GPU request sets it`;
  return null;
}

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of `values` with `key: value` set at `path`, creating the maps on the way. Throws an Error
 * naming the problem when valuesPathProblem would refuse it.
 */
export function withValueAt(values: Readonly<Record<string, unknown>>, path: string, key: string, value: unknown): Record<string, unknown> {
  const problem = valuesPathProblem(values as Record<string, unknown>, path, key);
  if (problem) throw new Error(problem);
  const out = structuredClone(values) as Record<string, unknown>;
  let node: Record<string, unknown> | unknown[] = out;
  for (const s of path.split('.')) {
    if (Array.isArray(node)) node = node[Number(s)] as Record<string, unknown> | unknown[];
    else {
      if (!Object.hasOwn(node, s)) setOwn(node, s, {});
      node = node[s] as Record<string, unknown> | unknown[];
    }
  }
  setOwn(node as Record<string, unknown>, key, value);
  return out;
}
