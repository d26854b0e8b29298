/**
 * Object names on the hub and on spokes (docs/hub-conventions.md "Names"). Every generated name is a
 * DNS-1035 label (lower-case alphanumerics and '-', letter first, ≤ 63 chars) so it is valid for every
 * kind we write, Services included. Names that would be too long or that needed cleaning get a short
 * stable hash of the original text, so two different inputs never collapse onto one name.
 *
 * Names made of several owners (project + pool, project + deployment) join them with "--", which no
 * user name may contain (common/rules.ts): such a name never equals a project namespace, and splits
 * back into its owners in one way only. Too long, it keeps a prefix and ends in "---" + a hash of
 * the owners; no untruncated name contains "---", so a shortened name never equals a whole one.
 */
import { createHash } from 'node:crypto';
import { OWNER_SEPARATOR } from '../common/rules.js';

/** Kubernetes' label length limit, which most of our names are bound by. */
export const MAX_NAME_LENGTH = 63;
/** Helm's release-name limit (Flux refuses longer release names). */
export const MAX_RELEASE_NAME_LENGTH = 53;

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const HASH_LENGTH = 8;

export function isDnsLabel(name: string, max = MAX_NAME_LENGTH): boolean {
  return name.length <= max && DNS_1035_LABEL.test(name);
}

/** First `length` hex digits of sha256(text): stable across processes and releases. */
export function shortHash(text: string, length = HASH_LENGTH): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `parts` joined by '-' when that is already a valid name within `max`; otherwise a cleaned,
 * truncated form plus '-' and the hash of the joined original.
 */
export function dnsName(parts: readonly string[], max = MAX_NAME_LENGTH): string {
  const joined = parts.join('-');
  if (isDnsLabel(joined, max)) return joined;
  let base = joined
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(base)) base = `x${base}`;
  const head = base.slice(0, max - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${shortHash(joined)}`;
}

/** Ends a name that had to be shortened, before its hash; whole owner names never contain it. */
export const TRUNCATION_MARK = '---';

const PART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A name made of owner names (`parts`, first one a project name): `a--b[--c]` when that fits in 63
 * characters, else its first characters + "---" + the hash of the parts. A part the rules of today
 * would refuse (a name with "--" from an earlier release) also gets the hashed form, which keeps it
 * apart from every whole name.
 */
export function ownedName(parts: readonly string[]): string {
  const joined = parts.join(OWNER_SEPARATOR);
  const clean = parts.every((p) => PART.test(p) && !p.includes(OWNER_SEPARATOR)) && /^[a-z]/.test(joined);
  if (clean && joined.length <= MAX_NAME_LENGTH) return joined;
  let head = joined
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, MAX_NAME_LENGTH - TRUNCATION_MARK.length - HASH_LENGTH)
    .replace(/-+$/, '');
  if (!/^[a-z]/.test(head)) head = `x${head}`.slice(0, MAX_NAME_LENGTH - TRUNCATION_MARK.length - HASH_LENGTH).replace(/-+$/, '');
  return `${head}${TRUNCATION_MARK}${shortHash(JSON.stringify(parts))}`;
}

/** The spoke (Cluster API Cluster = ManagedCluster = cluster namespace) of a pool; `index` for shared pools. */
export function spokeClusterName(project: string, pool: string, index?: number): string {
  return ownedName(index === undefined ? [project, pool] : [project, pool, String(index)]);
}

/** The worker MachineDeployment of a spoke. */
export function machineDeploymentName(cluster: string): string {
  return dnsName([cluster, 'workers']);
}

/** Written by Cluster API, so it must match CAPI's naming exactly (no truncation: Secret names allow 253). */
export function kubeconfigSecretName(cluster: string): string {
  return `${cluster}-kubeconfig`;
}

/** The auto-import Secret in a cluster namespace (ACM/OCM convention). */
export const IMPORT_SECRET_NAME = 'auto-import-secret';

/** Key of the kubeconfig in the CAPI kubeconfig Secret (also Flux's kubeConfig.secretRef default). */
export const KUBECONFIG_SECRET_KEY = 'value';

/** Key of the kubeconfig in the auto-import Secret. */
export const IMPORT_SECRET_KEY = 'kubeconfig';

/** The ManagedClusterSet (and ManagedClusterSetBinding) of a pool: cluster-scoped, so project-qualified. */
export function clusterSetName(project: string, pool: string): string {
  return ownedName([project, pool]);
}

/** The Placement of an App Deployment (Project namespace). */
export function placementName(deployment: string): string {
  return dnsName([deployment]);
}

/**
 * An App Deployment's name on the hub and its spoke: its ManifestWork (in the cluster namespace) and
 * the app namespace on the spoke. Fixed at admission and stored (AppDeployment.hubName).
 */
export function appHubName(project: string, deployment: string): string {
  return ownedName([project, deployment]);
}

/** What the previous release named a deployment's ManifestWork and app namespace (rows without a hubName). */
export function legacyAppHubName(project: string, deployment: string): string {
  return dnsName([project, deployment]);
}

/** The ManifestWork of an App Deployment, in the chosen cluster's namespace. */
export function manifestWorkName(project: string, deployment: string): string {
  return appHubName(project, deployment);
}

/** The App Deployment's own namespace on the spoke. */
export function appNamespaceName(project: string, deployment: string): string {
  return appHubName(project, deployment);
}

/** ResourceQuota holding the deployment's GPU reservation in its spoke namespace. */
export const GPU_QUOTA_NAME = 'gpu-quota';

/** HelmRelease (and Helm release) of a component. */
export function helmReleaseName(component: string): string {
  return dnsName([component], MAX_RELEASE_NAME_LENGTH);
}

/** One HelmRepository per distinct repository URL, so components sharing a repository share the source. */
export function helmRepositoryName(url: string): string {
  return `helm-${shortHash(url)}`;
}

/** One OCIRepository per OCI component (an OCI artifact holds exactly one chart). */
export function ociRepositoryName(component: string): string {
  return dnsName([component, 'chart']);
}

/** The LoadBalancer Service in front of an exposed component. */
export function exposedServiceName(component: string): string {
  return dnsName([component, 'lb']);
}
