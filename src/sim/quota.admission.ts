/**
 * ResourceQuota admission and usage for what the simulator counts: `pods` and integer extended
 * resources requested by containers (`requests.nvidia.com/gpu`). CPU and memory quotas are not
 * enforced (their quantities would need full Quantity arithmetic the flows never rely on).
 */
import { errors } from './api.errors.js';
import type { KubeObject } from './kube.types.js';
import type { ObjectStore } from './object.store.js';

interface Container {
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

const terminal = (pod: KubeObject) => ['Succeeded', 'Failed'].includes(String((pod.status as { phase?: string } | undefined)?.phase));

/** Quota keys a pod consumes: `pods` and `requests.<extended resource>` (limits stand in for missing requests). */
export function podUsage(pod: KubeObject): Record<string, number> {
  const spec = pod.spec as { containers?: Container[]; initContainers?: Container[] } | undefined;
  const out: Record<string, number> = { pods: 1 };
  for (const c of spec?.containers ?? []) {
    const names = new Set([...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})]);
    for (const res of names) {
      if (!res.includes('/')) continue;
      const v = Number(c.resources?.requests?.[res] ?? c.resources?.limits?.[res]);
      if (Number.isFinite(v)) out[`requests.${res}`] = (out[`requests.${res}`] ?? 0) + v;
    }
  }
  return out;
}

/** Current usage of the given quota keys in a namespace, from the pods that exist (not terminal). */
export function namespaceUsage(store: ObjectStore, namespace: string, keys: string[], excludePod?: string): Record<string, number> {
  const used: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const pod of store.list('', 'Pod', namespace)) {
    if (terminal(pod) || pod.metadata.name === excludePod || pod.metadata.deletionTimestamp) continue;
    const u = podUsage(pod);
    for (const k of keys) used[k] += u[k] ?? 0;
  }
  return used;
}

export function countedKeys(hard: Record<string, unknown>): string[] {
  return Object.keys(hard).filter((k) => k === 'pods' || (k.startsWith('requests.') && k.includes('/')));
}

export function quotaAdmission(op: 'create' | 'update', obj: KubeObject, store: ObjectStore): void {
  if (op !== 'create' || obj.kind !== 'Pod' || obj.apiVersion !== 'v1') return;
  const ns = obj.metadata.namespace ?? '';
  const want = podUsage(obj);
  for (const q of store.list('', 'ResourceQuota', ns)) {
    const hard = ((q.spec as { hard?: Record<string, unknown> } | undefined)?.hard ?? {}) as Record<string, unknown>;
    const keys = countedKeys(hard).filter((k) => (want[k] ?? 0) > 0);
    if (!keys.length) continue;
    const used = namespaceUsage(store, ns, keys, obj.metadata.name);
    const over = keys.filter((k) => used[k] + want[k] > Number(hard[k]));
    if (over.length) {
      const fmt = (f: (k: string) => unknown) => over.map((k) => `${k}=${String(f(k))}`).join(',');
      throw errors.forbidden(
        `pods "${obj.metadata.name}" is forbidden: exceeded quota: ${q.metadata.name}, requested: ${fmt((k) => want[k])}, used: ${fmt((k) => used[k])}, limited: ${fmt((k) => hard[k])}`,
        { name: obj.metadata.name, kind: 'pods' },
      );
    }
  }
}
