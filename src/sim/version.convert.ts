/**
 * Multi-version kinds are stored at their storage version. Most served versions are relabels; CAPI
 * v1beta1 reads also get the v1beta1 status layout (v1beta2 conditions under status.v1beta2, the old
 * condition list and booleans at the top) so a v1beta1 reader sees what CAPI v1.11+ would serve.
 * ManagedClusterAddOn converts as OCM's conversion webhook does: v1beta1 has no
 * spec.installNamespace, it travels in the `addon.open-cluster-management.io/v1alpha1-install-namespace`
 * annotation.
 */
import { apiVersionOf, isPlainObject, versionOf, type KubeObject } from './kube.types.js';
import type { ResourceType } from './resource.catalog.js';

const ADDON_GROUP = 'addon.open-cluster-management.io';
export const INSTALL_NAMESPACE_ANNOTATION = 'addon.open-cluster-management.io/v1alpha1-install-namespace';

export function toStorage(obj: KubeObject, r: ResourceType): KubeObject {
  const storage = apiVersionOf(r.group, r.storage);
  if (r.group === ADDON_GROUP && r.kind === 'ManagedClusterAddOn' && versionOf(obj.apiVersion) === 'v1beta1' && r.storage === 'v1alpha1') return addonToV1alpha1(obj, storage);
  return obj.apiVersion === storage ? obj : { ...obj, apiVersion: storage };
}

function addonToV1alpha1(obj: KubeObject, apiVersion: string): KubeObject {
  const { [INSTALL_NAMESPACE_ANNOTATION]: ns, ...annotations } = obj.metadata.annotations ?? {};
  if (ns === undefined) return { ...obj, apiVersion };
  const metadata: KubeObject['metadata'] = { ...obj.metadata, annotations };
  if (!Object.keys(annotations).length) delete metadata.annotations;
  return { ...obj, apiVersion, metadata, spec: { ...(isPlainObject(obj.spec) ? obj.spec : {}), installNamespace: ns } };
}

function addonToV1beta1(obj: KubeObject, apiVersion: string): KubeObject {
  const spec = isPlainObject(obj.spec) ? obj.spec : undefined;
  if (!spec || spec.installNamespace === undefined) return { ...obj, apiVersion };
  const { installNamespace, ...rest } = spec;
  const metadata = { ...obj.metadata, annotations: { ...obj.metadata.annotations, [INSTALL_NAMESPACE_ANNOTATION]: String(installNamespace) } };
  return { ...obj, apiVersion, metadata, spec: rest };
}

/**
 * The object as served at `version`. Shares the (frozen) stored object's parts, or is the stored
 * object itself when nothing changes: the result is for serialising, never for mutating.
 */
export function fromStorage(obj: KubeObject, r: ResourceType, version: string): KubeObject {
  const apiVersion = apiVersionOf(r.group, version);
  const v1beta1Status = r.group === 'cluster.x-k8s.io' && version === 'v1beta1' && Boolean(obj.status);
  if (obj.apiVersion === apiVersion && obj.kind === r.kind && !v1beta1Status) return obj;
  if (r.group === ADDON_GROUP && r.kind === 'ManagedClusterAddOn' && version === 'v1beta1' && versionOf(obj.apiVersion) === 'v1alpha1') return { ...addonToV1beta1(obj, apiVersion), kind: r.kind };
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
