/**
 * The GVR registry: every kind the gateway reads or writes on the hub (or embeds in a ManifestWork),
 * with the group/version/plural/scope needed to build API paths without discovery. A real API server
 * and the simulator both serve these; keeping the table here means no request ever depends on a
 * discovery round-trip or on client-node's typed models.
 */

/** One API resource: how a kind is addressed on the wire. */
export interface ResourceType {
  /** '' for the core group */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** lower-case plural, the path segment */
  readonly plural: string;
  readonly namespaced: boolean;
}

const rt = (group: string, version: string, kind: string, plural: string, namespaced: boolean): ResourceType =>
  ({ group, version, kind, plural, namespaced });

const OCM_CLUSTER = 'cluster.open-cluster-management.io';

/** Kinds by name. The version is the one we write (the storage version where upstream has several). */
export const Resources = {
  Namespace: rt('', 'v1', 'Namespace', 'namespaces', false),
  Secret: rt('', 'v1', 'Secret', 'secrets', true),
  ConfigMap: rt('', 'v1', 'ConfigMap', 'configmaps', true),
  /** What a registration agent files to get its hub client certificate (klusterlet registration). */
  CertificateSigningRequest: rt('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', false),
  /** Cluster API add-ons: applies Secrets/ConfigMaps to selected workload clusters (the klusterlet bootstrap). */
  ClusterResourceSet: rt('addons.cluster.x-k8s.io', 'v1beta2', 'ClusterResourceSet', 'clusterresourcesets', true),
  ResourceQuota: rt('', 'v1', 'ResourceQuota', 'resourcequotas', true),
  Service: rt('', 'v1', 'Service', 'services', true),
  /** only inside ManifestWorks (pools with exposure INGRESS) */
  Ingress: rt('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true),
  /** Cluster API v1beta2 is the storage version since CAPI v1.11; v1beta1 is deprecated. */
  Cluster: rt('cluster.x-k8s.io', 'v1beta2', 'Cluster', 'clusters', true),
  MachineDeployment: rt('cluster.x-k8s.io', 'v1beta2', 'MachineDeployment', 'machinedeployments', true),
  ManagedCluster: rt(OCM_CLUSTER, 'v1', 'ManagedCluster', 'managedclusters', false),
  ManagedClusterSet: rt(OCM_CLUSTER, 'v1beta2', 'ManagedClusterSet', 'managedclustersets', false),
  ManagedClusterSetBinding: rt(OCM_CLUSTER, 'v1beta2', 'ManagedClusterSetBinding', 'managedclustersetbindings', true),
  Placement: rt(OCM_CLUSTER, 'v1beta1', 'Placement', 'placements', true),
  PlacementDecision: rt(OCM_CLUSTER, 'v1beta1', 'PlacementDecision', 'placementdecisions', true),
  /** v1alpha1 is the storage version (v1beta1 is served too but drops installNamespace). */
  ManagedClusterAddOn: rt('addon.open-cluster-management.io', 'v1alpha1', 'ManagedClusterAddOn', 'managedclusteraddons', true),
  ManifestWork: rt('work.open-cluster-management.io', 'v1', 'ManifestWork', 'manifestworks', true),
  HelmRepository: rt('source.toolkit.fluxcd.io', 'v1', 'HelmRepository', 'helmrepositories', true),
  OCIRepository: rt('source.toolkit.fluxcd.io', 'v1', 'OCIRepository', 'ocirepositories', true),
  HelmRelease: rt('helm.toolkit.fluxcd.io', 'v2', 'HelmRelease', 'helmreleases', true),
} as const satisfies Record<string, ResourceType>;

export type KindName = keyof typeof Resources;

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The registry entry for an object's apiVersion + kind; throws for kinds the gateway does not handle. */
export function resourceForObject(obj: { apiVersion?: string; kind?: string }): ResourceType {
  const r = (Resources as Record<string, ResourceType | undefined>)[obj.kind ?? ''];
  if (!r || apiVersionOf(r) !== obj.apiVersion) {
    throw new Error(`no hub resource registered for ${obj.apiVersion ?? '?'} ${obj.kind ?? '?'}`);
  }
  return r;
}

/** The collection path (`/api/v1/...` or `/apis/<g>/<v>/...`), namespaced when a namespace is given. */
export function collectionPath(r: ResourceType, namespace?: string): string {
  const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${r.plural}`;
}
