/**
 * Multi-version kinds are stored at their storage version. Most served versions are relabels; CAPI
 * v1beta1 reads also get the v1beta1 status layout (v1beta2 conditions under status.v1beta2, the old
 * condition list and booleans at the top) so a v1beta1 reader sees what CAPI v1.11+ would serve.
 */
import { apiVersionOf, type KubeObject } from './kube.types.js';
import type { ResourceType } from './resource.catalog.js';

export function toStorage(obj: KubeObject, r: ResourceType): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(r.group, r.versions[0]) };
}

/**
 * The object as served at `version`. Shares the (frozen) stored object's parts, or is the stored
 * object itself when nothing changes: the result is for serialising, never for mutating.
 */
export function fromStorage(obj: KubeObject, r: ResourceType, version: string): KubeObject {
  const apiVersion = apiVersionOf(r.group, version);
  const v1beta1Status = r.group === 'cluster.x-k8s.io' && version === 'v1beta1' && Boolean(obj.status);
  if (obj.apiVersion === apiVersion && obj.kind === r.kind && !v1beta1Status) return obj;
  const out: KubeObject = { ...obj, apiVersion, kind: r.kind };
  if (v1beta1Status) out.status = capiV1beta1Status(r.kind, out.status as Record<string, unknown>);
  return out;
}

function capiV1beta1Status(kind: string, s: Record<string, unknown>): Record<string, unknown> {
  const { conditions, deprecated, initialization, ...rest } = s as {
    conditions?: unknown;
    deprecated?: { v1beta1?: Record<string, unknown> };
    initialization?: { infrastructureProvisioned?: boolean; controlPlaneInitialized?: boolean };
  } & Record<string, unknown>;
  const old = deprecated?.v1beta1 ?? {};
  const out: Record<string, unknown> = { ...rest, ...old, v1beta2: { conditions } };
  if (kind === 'Cluster') {
    out.infrastructureReady = initialization?.infrastructureProvisioned ?? false;
    out.controlPlaneReady = initialization?.controlPlaneInitialized ?? false;
  }
  if (kind === 'MachineDeployment') {
    const replicas = Number(s.replicas ?? 0);
    out.updatedReplicas = s.upToDateReplicas ?? 0;
    out.unavailableReplicas = Math.max(0, replicas - Number(s.availableReplicas ?? 0));
    delete out.upToDateReplicas;
  }
  return out;
}
