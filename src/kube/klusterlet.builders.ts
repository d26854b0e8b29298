/**
 * The stock-OCM registration path (HUB_REGISTRATION=klusterlet): the klusterlet reaches the spoke as a
 * Cluster API ClusterResourceSet in the project namespace, so only the hub is ever written to. CAPI
 * already holds the workload cluster's credentials and network reach; the gateway needs neither
 * (edge spokes are often unreachable from it). The set carries two resources, applied in order:
 * a ConfigMap with the klusterlet operator (deploy/klusterlet/klusterlet-operator.yaml: CRD first,
 * so the Klusterlet can be created) and a Secret per cluster with the Klusterlet CR and the
 * `bootstrap-hub-kubeconfig` the registration agent uses to file its CSR on the hub.
 */
import { Label, ownerLabels, type Ownership } from './labels.js';
import type { KubeObject } from './object.types.js';
import { apiVersionOf, Resources } from './resource.registry.js';
import type { SecretObject } from './core.builders.js';

/** Namespace of the registration and work agents on the spoke (Klusterlet default mode). */
export const KLUSTERLET_AGENT_NAMESPACE = 'open-cluster-management-agent';
/** Secret the registration agent bootstraps from (OCM's fixed name). */
export const BOOTSTRAP_HUB_KUBECONFIG = 'bootstrap-hub-kubeconfig';
/** The project-namespace ConfigMap holding the operator manifests (one per project, shared by its clusters). */
export const KLUSTERLET_OPERATOR_CONFIGMAP = 'spokegraph-klusterlet-operator';
/** Key of that ConfigMap, and of the per-cluster Secret's document. */
export const KLUSTERLET_OPERATOR_KEY = 'klusterlet-operator.yaml';
export const KLUSTERLET_BOOTSTRAP_KEY = 'klusterlet.yaml';
/** Type Cluster API requires of Secrets a ClusterResourceSet applies. */
export const RESOURCE_SET_SECRET_TYPE = 'addons.cluster.x-k8s.io/resource-set';
/** OCM's label on a registration agent's CSR. */
export const CSR_CLUSTER_LABEL = 'open-cluster-management.io/cluster-name';
/** Signer of the agent's hub client certificate. */
export const CSR_SIGNER = 'kubernetes.io/kube-apiserver-client';

export const klusterletBootstrapSecretName = (cluster: string) => `${cluster}-klusterlet-bootstrap`;
export const klusterletResourceSetName = (cluster: string) => `${cluster}-klusterlet`;

export type ConfigMapObject = KubeObject & { data: Record<string, string> };
export type ClusterResourceSetObject = KubeObject<{
  clusterSelector: { matchLabels: Record<string, string> };
  resources: Array<{ kind: 'Secret' | 'ConfigMap'; name: string }>;
  strategy: 'ApplyOnce';
}>;

export function buildKlusterletOperatorConfigMap(p: { namespace: string; manifests: string; owner: Ownership }): ConfigMapObject {
  return {
    apiVersion: apiVersionOf(Resources.ConfigMap),
    kind: Resources.ConfigMap.kind,
    metadata: { name: KLUSTERLET_OPERATOR_CONFIGMAP, namespace: p.namespace, labels: ownerLabels(p.owner) },
    data: { [KLUSTERLET_OPERATOR_KEY]: p.manifests },
  };
}

/** The spoke-side objects of one cluster, as the YAML stream CAPI applies (JSON is valid YAML). */
export function klusterletBootstrapObjects(p: { cluster: string; bootstrapKubeconfig: string; imageTag: string }): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KLUSTERLET_AGENT_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: BOOTSTRAP_HUB_KUBECONFIG, namespace: KLUSTERLET_AGENT_NAMESPACE },
      type: 'Opaque',
      data: { kubeconfig: Buffer.from(p.bootstrapKubeconfig, 'utf8').toString('base64') },
    } as SecretObject,
    {
      apiVersion: 'operator.open-cluster-management.io/v1',
      kind: 'Klusterlet',
      metadata: { name: 'klusterlet' },
      spec: {
        clusterName: p.cluster,
        namespace: KLUSTERLET_AGENT_NAMESPACE,
        deployOption: { mode: 'Default' },
        registrationImagePullSpec: `quay.io/open-cluster-management/registration:${p.imageTag}`,
        workImagePullSpec: `quay.io/open-cluster-management/work:${p.imageTag}`,
      },
    },
  ];
}

export function buildKlusterletBootstrapSecret(p: { namespace: string; cluster: string; bootstrapKubeconfig: string; imageTag: string; owner: Ownership }): SecretObject {
  const doc = klusterletBootstrapObjects(p).map((o) => `---\n${JSON.stringify(o)}\n`).join('');
  return {
    apiVersion: apiVersionOf(Resources.Secret),
    kind: Resources.Secret.kind,
    metadata: { name: klusterletBootstrapSecretName(p.cluster), namespace: p.namespace, labels: ownerLabels({ ...p.owner, cluster: p.cluster }) },
    type: RESOURCE_SET_SECRET_TYPE,
    data: { [KLUSTERLET_BOOTSTRAP_KEY]: Buffer.from(doc, 'utf8').toString('base64') },
  };
}

/** Selects the one Cluster by our cluster label (the Cluster builder sets it); operator first, then the Klusterlet. */
export function buildKlusterletResourceSet(p: { namespace: string; cluster: string; owner: Ownership }): ClusterResourceSetObject {
  return {
    apiVersion: apiVersionOf(Resources.ClusterResourceSet),
    kind: Resources.ClusterResourceSet.kind,
    metadata: { name: klusterletResourceSetName(p.cluster), namespace: p.namespace, labels: ownerLabels({ ...p.owner, cluster: p.cluster }) },
    spec: {
      clusterSelector: { matchLabels: { [Label.Cluster]: p.cluster } },
      resources: [
        { kind: 'ConfigMap', name: KLUSTERLET_OPERATOR_CONFIGMAP },
        { kind: 'Secret', name: klusterletBootstrapSecretName(p.cluster) },
      ],
      strategy: 'ApplyOnce',
    },
  };
}

export interface CsrObject extends KubeObject {
  spec?: { signerName?: string; username?: string; groups?: string[]; usages?: string[]; request?: string };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string }> };
}

/** Approved or Denied already (a decision is final), or still pending. */
export function csrDecision(csr: CsrObject): 'Approved' | 'Denied' | 'Pending' {
  const c = csr.status?.conditions ?? [];
  if (c.some((x) => x.type === 'Denied' && x.status === 'True')) return 'Denied';
  if (c.some((x) => x.type === 'Approved' && x.status === 'True')) return 'Approved';
  return 'Pending';
}

/**
 * The CSR with an Approved condition appended, for PUT .../approval. Like `clusteradm accept`, only a
 * request for this cluster's agent certificate from the kube-apiserver-client signer qualifies.
 */
export function approvedCsr(csr: CsrObject, cluster: string): CsrObject | null {
  if (csr.metadata.labels?.[CSR_CLUSTER_LABEL] !== cluster || csr.spec?.signerName !== CSR_SIGNER) return null;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    ...csr,
    status: {
      ...csr.status,
      conditions: [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'SpokegraphApprove', message: `Approved by spokegraph for pool cluster ${cluster}`, lastUpdateTime: now }],
    },
  };
}
