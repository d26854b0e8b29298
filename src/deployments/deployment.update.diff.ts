/**
 * The difference between two renderings of a hub object, as JSON paths with the value before and
 * after: what the dry run of an update shows. ManifestWork manifests are keyed by kind/namespace/name
 * (not list position), so a change of one HelmRelease reads as that release's change.
 */
import type { KubeObject } from '../kube/index.js';

export interface ObjectChange {
  /** kind/namespace/name of the hub object */
  object: string;
  /** JSON path inside it (manifests by kind/namespace/name) */
  path: string;
  /** null: added */
  before: unknown;
  /** null: removed */
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A manifest's key: list position is meaningless to the work agent. */
function manifestKey(m: unknown, i: number): string {
  if (!isObject(m) || !isObject(m.metadata)) return String(i);
  const meta = m.metadata as { namespace?: string; name?: string };
  return `${String(m.kind)}/${meta.namespace ?? ''}/${meta.name ?? i}`;
}

function walk(before: unknown, after: unknown, path: string, out: { path: string; before: unknown; after: unknown }[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (path.endsWith('.manifests') && Array.isArray(before) && Array.isArray(after)) {
    const b = new Map(before.map((m, i) => [manifestKey(m, i), m]));
    const a = new Map(after.map((m, i) => [manifestKey(m, i), m]));
    for (const k of new Set([...b.keys(), ...a.keys()])) walk(b.get(k) ?? null, a.get(k) ?? null, `${path}[${k}]`, out);
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) walk(before[k] ?? null, after[k] ?? null, path ? `${path}.${k}` : k, out);
    return;
  }
  out.push({ path, before, after });
}

export function objectDiff(before: KubeObject, after: KubeObject): ObjectChange[] {
  const object = `${after.kind}/${after.metadata.namespace ?? ''}/${after.metadata.name}`;
  const out: { path: string; before: unknown; after: unknown }[] = [];
  walk(before, after, '', out);
  return out.map((c) => ({ object, ...c }));
}
