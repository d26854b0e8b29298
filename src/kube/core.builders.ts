/**
 * Builders for the core objects the flows write: on the hub (the import Secret) and inside a
 * ManifestWork for the spoke (app Namespace, GPU ResourceQuota, the Service of an exposed component). Pure and
 * deterministic: the same input gives the same object, so server-side apply is a no-op on repeat.
 */
import { GPU_RESOURCE, Label, ownerLabels, type Ownership } from './labels.js';
import { GPU_QUOTA_NAME, IMPORT_SECRET_KEY, IMPORT_SECRET_NAME } from './naming.js';
import type { KubeObject } from './object.types.js';
import { apiVersionOf, Resources } from './resource.registry.js';

export type NamespaceObject = KubeObject<Record<string, never>>;
export type SecretObject = KubeObject & { type: string; data: Record<string, string> };
export type ResourceQuotaObject = KubeObject<{ hard: Record<string, string> }>;
export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
  protocol: 'TCP';
}
export type ServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';
export type ServiceObject = KubeObject<{
  type: ServiceType;
  selector: Record<string, string>;
  ports: ServicePort[];
}>;

export function buildNamespace(p: { name: string; owner: Ownership }): NamespaceObject {
  return {
    apiVersion: apiVersionOf(Resources.Namespace),
    kind: Resources.Namespace.kind,
    metadata: { name: p.name, labels: ownerLabels(p.owner) },
  };
}

/**
 * `auto-import-secret` in the cluster namespace: the spoke kubeconfig the hub uses to bootstrap the
 * klusterlet. `data` (base64) rather than `stringData`, because stringData is write-only and would make
 * every apply look like a change.
 */
export function buildImportSecret(p: { cluster: string; kubeconfig: string; owner: Ownership }): SecretObject {
  return {
    apiVersion: apiVersionOf(Resources.Secret),
    kind: Resources.Secret.kind,
    metadata: {
      name: IMPORT_SECRET_NAME,
      namespace: p.cluster,
      labels: ownerLabels({ ...p.owner, cluster: p.cluster }),
    },
    type: 'Opaque',
    data: { [IMPORT_SECRET_KEY]: Buffer.from(p.kubeconfig, 'utf8').toString('base64') },
  };
}

/**
 * The deployment's GPU reservation as a quota. Extended resources only allow the `requests.` prefix
 * (they cannot be overcommitted), so this is the whole cap.
 */
export function buildGpuResourceQuota(p: { namespace: string; gpuCount: number; owner: Ownership }): ResourceQuotaObject {
  return {
    apiVersion: apiVersionOf(Resources.ResourceQuota),
    kind: Resources.ResourceQuota.kind,
    metadata: { name: GPU_QUOTA_NAME, namespace: p.namespace, labels: ownerLabels(p.owner) },
    spec: { hard: { [`requests.${GPU_RESOURCE}`]: String(p.gpuCount) } },
  };
}

/**
 * A Service in front of a Helm release's pods, selected by Helm's standard instance label: charts
 * expose ClusterIP Services of their own naming, and the access URL needs one we name (LoadBalancer
 * for an external address, NodePort on spokes without a load balancer, ClusterIP behind an Ingress).
 */
export function buildLoadBalancerService(p: {
  name: string;
  namespace: string;
  releaseName: string;
  port: number;
  owner: Ownership;
  /** default LoadBalancer */
  type?: ServiceType;
}): ServiceObject {
  return {
    apiVersion: apiVersionOf(Resources.Service),
    kind: Resources.Service.kind,
    metadata: { name: p.name, namespace: p.namespace, labels: ownerLabels(p.owner) },
    spec: {
      type: p.type ?? 'LoadBalancer',
      selector: { [Label.HelmInstance]: p.releaseName },
      ports: [{ name: 'http', port: p.port, targetPort: p.port, protocol: 'TCP' }],
    },
  };
}
