/**
 * Open Cluster Management objects: spoke registration (ManagedCluster), controllers on the spoke
 * (ManagedClusterAddOn), the pool's Environment (ManagedClusterSet + Binding) and an App Deployment's
 * Placement. Pure and deterministic (maps are emitted in sorted key order).
 */
import type { HostReservation } from './capi.builders.js';
import { gpuLabel, Label, ownerLabels, type OwnerIds, type Ownership } from './labels.js';
import { placementName } from './naming.js';
import type { KubeObject } from './object.types.js';
import { apiVersionOf, Resources } from './resource.registry.js';

/** The add-ons the gateway requests per spoke, with the namespace they install into. */
export const AddOns = {
  /** Flux (source + helm controllers) installs the apps' HelmReleases */
  Flux: { name: 'flux', installNamespace: 'flux-system' },
  /**
   * No longer requested: the work agent ships inside the klusterlet and its readiness is the
   * ManagedCluster's. Earlier versions created this add-on; pool teardown still removes it.
   */
  LegacyWorkAgent: { name: 'work-agent', installNamespace: 'open-cluster-management-agent' },
} as const;
export type AddOn = (typeof AddOns)[keyof typeof AddOns];

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export type ManagedClusterObject = KubeObject<{ hubAcceptsClient: boolean }>;
export type ManagedClusterAddOnObject = KubeObject<{ installNamespace: string }>;
export type ManagedClusterSetObject = KubeObject<{ clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } }>;
export type ManagedClusterSetBindingObject = KubeObject<{ clusterSet: string }>;
export type PlacementObject = KubeObject<{
  clusterSets: string[];
  numberOfClusters: number;
  predicates?: Array<{
    requiredClusterSelector: {
      labelSelector: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] };
    };
  }>;
}>;

const sortedRecord = (r: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));

/** GPUs per family over the hosts (families with no GPU left out). */
export function gpuCountsByFamily(hosts: readonly HostReservation[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const h of hosts) {
    if (h.gpuFamily && h.gpuCount > 0) counts[h.gpuFamily] = (counts[h.gpuFamily] ?? 0) + h.gpuCount;
  }
  return counts;
}

/**
 * The spoke's registration. `hubAcceptsClient: true` makes the hub create the cluster namespace; the
 * clusterset label puts it in the pool's set; GPU labels let Placements select by family.
 */
export function buildManagedCluster(p: {
  cluster: string;
  clusterSet: string;
  gpus: Record<string, number>;
  owner: Ownership;
}): ManagedClusterObject {
  const gpuLabels: Record<string, string> = {};
  for (const [family, n] of Object.entries(p.gpus)) if (n > 0) gpuLabels[gpuLabel(family)] = String(n);
  return {
    apiVersion: apiVersionOf(Resources.ManagedCluster),
    kind: Resources.ManagedCluster.kind,
    metadata: {
      name: p.cluster,
      labels: {
        ...ownerLabels({ ...p.owner, cluster: p.cluster }),
        [Label.ClusterSet]: p.clusterSet,
        ...sortedRecord(gpuLabels),
      },
    },
    spec: { hubAcceptsClient: true },
  };
}

export function buildManagedClusterAddOn(p: { cluster: string; addOn: AddOn; owner: Ownership }): ManagedClusterAddOnObject {
  return {
    apiVersion: apiVersionOf(Resources.ManagedClusterAddOn),
    kind: Resources.ManagedClusterAddOn.kind,
    metadata: { name: p.addOn.name, namespace: p.cluster, labels: ownerLabels(p.owner) },
    spec: { installNamespace: p.addOn.installNamespace },
  };
}

export function buildManagedClusterSet(p: { name: string; owner: Ownership }): ManagedClusterSetObject {
  return {
    apiVersion: apiVersionOf(Resources.ManagedClusterSet),
    kind: Resources.ManagedClusterSet.kind,
    metadata: { name: p.name, labels: ownerLabels(p.owner) },
    spec: { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } },
  };
}

/** OCM requires the binding's name to equal `spec.clusterSet`; a Placement only sees sets bound into its namespace. */
export function buildManagedClusterSetBinding(p: {
  namespace: string;
  clusterSet: string;
  owner: Ownership;
}): ManagedClusterSetBindingObject {
  return {
    apiVersion: apiVersionOf(Resources.ManagedClusterSetBinding),
    kind: Resources.ManagedClusterSetBinding.kind,
    metadata: { name: p.clusterSet, namespace: p.namespace, labels: ownerLabels(p.owner) },
    spec: { clusterSet: p.clusterSet },
  };
}

export interface PlacementParams {
  project: string;
  deployment: string;
  clusterSets: readonly string[];
  /** default 1 */
  numberOfClusters?: number;
  /** require clusters labelled with every one of these GPU families (a deployment may request several) */
  gpuFamilies?: readonly string[];
  /** restrict to these clusters (e.g. the shared-pool clusters with enough free GPUs) */
  candidateClusters?: readonly string[];
  /** extra label equality requirements from the Environment */
  matchLabels?: Record<string, string>;
  /** the owning tenant, project and deployment (labels; see Ownership) */
  ids?: OwnerIds;
}

/** An App Deployment's Placement. All requirements go into one predicate, so they are ANDed. */
export function buildPlacement(p: PlacementParams): PlacementObject {
  const expressions: LabelSelectorRequirement[] = [];
  for (const family of [...new Set(p.gpuFamilies ?? [])].sort()) expressions.push({ key: gpuLabel(family), operator: 'Exists' });
  if (p.candidateClusters) expressions.push({ key: Label.Cluster, operator: 'In', values: [...p.candidateClusters].sort() });
  const matchLabels = p.matchLabels && Object.keys(p.matchLabels).length ? sortedRecord(p.matchLabels) : undefined;

  const spec: PlacementObject['spec'] & object = {
    clusterSets: [...p.clusterSets].sort(),
    numberOfClusters: p.numberOfClusters ?? 1,
  };
  if (expressions.length || matchLabels) {
    const labelSelector: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] } = {};
    if (matchLabels) labelSelector.matchLabels = matchLabels;
    if (expressions.length) labelSelector.matchExpressions = expressions;
    spec.predicates = [{ requiredClusterSelector: { labelSelector } }];
  }
  return {
    apiVersion: apiVersionOf(Resources.Placement),
    kind: Resources.Placement.kind,
    metadata: {
      name: placementName(p.deployment),
      namespace: p.project,
      labels: ownerLabels({ project: p.project, deployment: p.deployment, ids: p.ids }),
    },
    spec,
  };
}
