/**
 * The kinds the simulator knows: what the hub serves (discovery + REST) and what may live in spoke
 * stores. Unknown kinds inside ManifestWorks still work on spokes through `describeKind`'s fallback.
 * Custom resources are served from the upstream CRDs in crds/ (schemas, printer columns, scale
 * paths); the scope, versions and subresources listed here are checked against them by
 * test/hub/sim/crd.catalog.test.ts.
 */
export interface ResourceType {
  group: string;
  /** Served versions, highest priority (the preferred version) first, as discovery orders them. */
  versions: string[];
  /** The version objects are stored at. */
  storage: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  /** Has a /status subresource: main writes ignore .status, /status writes touch only .status. */
  status: boolean;
  /** Has a /scale subresource (paths from the CRD). */
  scale?: boolean;
  /** Served by the hub API (discovery and REST). */
  served: boolean;
  /** Custom resource (CRD-backed): PUT needs a resourceVersion and strategic merge patch is refused. */
  custom: boolean;
  shortNames?: string[];
}

type Def = Omit<ResourceType, 'singular' | 'served' | 'custom' | 'storage' | 'versions'> & { versions: string[]; served?: boolean; custom?: boolean };

const OCM_CLUSTER = 'cluster.open-cluster-management.io';

const DEFS: Def[] = [
  { group: '', versions: ['v1'], kind: 'Namespace', plural: 'namespaces', namespaced: false, status: true, custom: false, shortNames: ['ns'] },
  { group: '', versions: ['v1'], kind: 'Secret', plural: 'secrets', namespaced: true, status: false, custom: false },
  { group: '', versions: ['v1'], kind: 'ConfigMap', plural: 'configmaps', namespaced: true, status: false, custom: false, shortNames: ['cm'] },
  { group: '', versions: ['v1'], kind: 'Service', plural: 'services', namespaced: true, status: true, custom: false, shortNames: ['svc'] },
  { group: '', versions: ['v1'], kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, status: true, custom: false, shortNames: ['quota'] },
  { group: '', versions: ['v1'], kind: 'Pod', plural: 'pods', namespaced: true, status: true, custom: false, shortNames: ['po'] },
  { group: '', versions: ['v1'], kind: 'Event', plural: 'events', namespaced: true, status: false, custom: false, shortNames: ['ev'] },
  { group: 'certificates.k8s.io', versions: ['v1'], kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', namespaced: false, status: true, custom: false, shortNames: ['csr'] },
  { group: 'coordination.k8s.io', versions: ['v1'], kind: 'Lease', plural: 'leases', namespaced: true, status: false, custom: false },
  { group: OCM_CLUSTER, versions: ['v1'], kind: 'ManagedCluster', plural: 'managedclusters', namespaced: false, status: true, shortNames: ['mcl', 'mcls'] },
  { group: OCM_CLUSTER, versions: ['v1beta2'], kind: 'ManagedClusterSet', plural: 'managedclustersets', namespaced: false, status: true, shortNames: ['mclset', 'mclsets'] },
  { group: OCM_CLUSTER, versions: ['v1beta2'], kind: 'ManagedClusterSetBinding', plural: 'managedclustersetbindings', namespaced: true, status: true, shortNames: ['mclsetbinding', 'mclsetbindings'] },
  { group: OCM_CLUSTER, versions: ['v1beta1'], kind: 'Placement', plural: 'placements', namespaced: true, status: true },
  { group: OCM_CLUSTER, versions: ['v1beta1'], kind: 'PlacementDecision', plural: 'placementdecisions', namespaced: true, status: true },
  { group: OCM_CLUSTER, versions: ['v1alpha1'], kind: 'AddOnPlacementScore', plural: 'addonplacementscores', namespaced: true, status: true },
  { group: 'work.open-cluster-management.io', versions: ['v1'], kind: 'ManifestWork', plural: 'manifestworks', namespaced: true, status: true },
  // Listed storage version first (v1alpha1 stores installNamespace); discovery prefers v1beta1.
  { group: 'addon.open-cluster-management.io', versions: ['v1alpha1', 'v1beta1'], kind: 'ManagedClusterAddOn', plural: 'managedclusteraddons', namespaced: true, status: true, shortNames: ['mca', 'mcas'] },
  // What an operator applies once (deploy/addons/flux-addon.yaml): the add-on manager renders it per cluster.
  { group: 'addon.open-cluster-management.io', versions: ['v1alpha1', 'v1beta1'], kind: 'ClusterManagementAddOn', plural: 'clustermanagementaddons', namespaced: false, status: true, shortNames: ['cma', 'cmas'] },
  { group: 'addon.open-cluster-management.io', versions: ['v1alpha1'], kind: 'AddOnTemplate', plural: 'addontemplates', namespaced: false, status: false },
  { group: 'source.toolkit.fluxcd.io', versions: ['v1'], kind: 'HelmRepository', plural: 'helmrepositories', namespaced: true, status: true, shortNames: ['helmrepo'] },
  { group: 'source.toolkit.fluxcd.io', versions: ['v1'], kind: 'OCIRepository', plural: 'ocirepositories', namespaced: true, status: true, shortNames: ['ocirepo'] },
  { group: 'helm.toolkit.fluxcd.io', versions: ['v2'], kind: 'HelmRelease', plural: 'helmreleases', namespaced: true, status: true, shortNames: ['hr'] },
  { group: 'cluster.x-k8s.io', versions: ['v1beta2', 'v1beta1'], kind: 'Cluster', plural: 'clusters', namespaced: true, status: true, shortNames: ['cl'] },
  { group: 'cluster.x-k8s.io', versions: ['v1beta2', 'v1beta1'], kind: 'MachineDeployment', plural: 'machinedeployments', namespaced: true, status: true, scale: true, shortNames: ['md'] },
  // Cluster API add-ons: how the klusterlet bootstrap reaches a spoke on stock OCM (HUB_REGISTRATION=klusterlet).
  { group: 'addons.cluster.x-k8s.io', versions: ['v1beta2', 'v1beta1'], kind: 'ClusterResourceSet', plural: 'clusterresourcesets', namespaced: true, status: true },
  // Spoke-only kinds: never served by the hub, but the work agent and spoke controllers use them.
  { group: 'apps', versions: ['v1'], kind: 'Deployment', plural: 'deployments', namespaced: true, status: true, served: false, custom: false },
  { group: 'apps', versions: ['v1'], kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, status: true, served: false, custom: false },
  { group: 'networking.k8s.io', versions: ['v1'], kind: 'Ingress', plural: 'ingresses', namespaced: true, status: true, served: false, custom: false, shortNames: ['ing'] },
  { group: 'batch', versions: ['v1'], kind: 'Job', plural: 'jobs', namespaced: true, status: true, served: false, custom: false },
  { group: 'operator.open-cluster-management.io', versions: ['v1'], kind: 'Klusterlet', plural: 'klusterlets', namespaced: false, status: true, served: false },
  { group: 'work.open-cluster-management.io', versions: ['v1'], kind: 'AppliedManifestWork', plural: 'appliedmanifestworks', namespaced: false, status: true, served: false },
];

/**
 * Kubernetes version priority (as discovery sorts versions): GA before beta before alpha, higher
 * numbers first; anything else last, alphabetically.
 */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a.localeCompare(b);
  return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2];
}

export const RESOURCES: ResourceType[] = DEFS.map((d) => ({
  ...d,
  versions: [...d.versions].sort(compareVersions),
  storage: d.versions[0],
  singular: d.kind.toLowerCase(),
  served: d.served ?? true,
  custom: d.custom ?? true,
}));

const byGroupKind = new Map(RESOURCES.map((r) => [`${r.group}/${r.kind}`, r]));
const byGroupPlural = new Map(RESOURCES.map((r) => [`${r.group}/${r.plural}`, r]));

/** Served resource for a REST path segment, or undefined (→ 404). */
export function servedResource(group: string, version: string, plural: string): ResourceType | undefined {
  const r = byGroupPlural.get(`${group}/${plural}`);
  return r && r.served && r.versions.includes(version) ? r : undefined;
}

export function servedGroupVersions(): Array<{ group: string; versions: string[] }> {
  const groups = new Map<string, string[]>();
  for (const r of RESOURCES.filter((x) => x.served)) {
    const vs = groups.get(r.group) ?? [];
    for (const v of r.versions) if (!vs.includes(v)) vs.push(v);
    groups.set(r.group, vs);
  }
  return [...groups].map(([group, versions]) => ({ group, versions: versions.sort(compareVersions) }));
}

/** Kind lookup with a fallback for kinds the catalog does not list (spoke manifests can hold anything). */
export function describeKind(group: string, kind: string, namespacedHint = true): ResourceType {
  const known = byGroupKind.get(`${group}/${kind}`);
  if (known) return known;
  return {
    group,
    versions: [],
    storage: '',
    kind,
    plural: guessPlural(kind),
    singular: kind.toLowerCase(),
    namespaced: namespacedHint,
    status: true,
    served: false,
    custom: group !== '' && !group.endsWith('.k8s.io') && !['apps', 'batch', 'policy'].includes(group),
  };
}

export function resourceByPlural(group: string, plural: string): ResourceType | undefined {
  return byGroupPlural.get(`${group}/${plural}`);
}

function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}
