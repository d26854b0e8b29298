/**
 * The validation a real API server (OpenAPI schema, CEL rules, OCM webhooks) would apply that the
 * gateway could plausibly get wrong, plus name rules and the Secret stringData fold. Not a CRD
 * schema validator: only these rules are checked.
 */
import { errors, type StatusCause } from './api.errors.js';
import { groupOf, isPlainObject, type KubeObject } from './kube.types.js';
import type { ObjectStore } from './object.store.js';
import type { ResourceType } from './resource.catalog.js';

const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function keyProblem(key: string): string | undefined {
  const [prefix, name] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : ['', key];
  if (!QUALIFIED.test(key) || name.length > 63 || prefix.length > 253) return `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters), with an optional DNS subdomain prefix and '/'`;
  return undefined;
}

function metadataCauses(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    const p = keyProblem(k);
    if (p) causes.push({ field: `metadata.labels`, message: p });
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      causes.push({ field: `metadata.labels`, message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)` });
  }
  let size = 0;
  for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
    const p = keyProblem(k);
    if (p) causes.push({ field: 'metadata.annotations', message: p });
    if (typeof v !== 'string') causes.push({ field: `metadata.annotations`, message: `Invalid value: annotation ${k} must be a string` });
    size += k.length + String(v).length;
  }
  if (size > 256 * 1024) causes.push({ field: 'metadata.annotations', message: 'Too long: must have at most 262144 bytes' });
  return causes;
}

type Rule = (obj: KubeObject, spec: Record<string, unknown>) => StatusCause[];

const RULES: Record<string, Rule> = {
  'cluster.open-cluster-management.io/ManagedClusterSetBinding': (o, spec) =>
    spec.clusterSet === o.metadata.name ? [] : [{ field: 'spec.clusterSet', message: `Invalid value: "${String(spec.clusterSet)}": must equal the binding name "${o.metadata.name}"` }],
  'cluster.open-cluster-management.io/Placement': (_o, spec) =>
    spec.numberOfClusters === undefined || (Number.isInteger(spec.numberOfClusters) && Number(spec.numberOfClusters) >= 0) ? [] : [{ field: 'spec.numberOfClusters', message: 'Invalid value: must be a non-negative integer' }],
  'work.open-cluster-management.io/ManifestWork': (_o, spec) => {
    const manifests = (spec.workload as { manifests?: unknown[] } | undefined)?.manifests ?? [];
    return manifests.flatMap((m, i) =>
      isPlainObject(m) && typeof m.apiVersion === 'string' && m.apiVersion && typeof m.kind === 'string' && m.kind && isPlainObject(m.metadata)
        ? []
        : [{ field: `spec.workload.manifests[${i}]`, message: 'Required value: an embedded resource needs apiVersion, kind and metadata' }],
    );
  },
  'helm.toolkit.fluxcd.io/HelmRelease': (_o, spec) => {
    const causes: StatusCause[] = [];
    if (Boolean(spec.chart) === Boolean(spec.chartRef)) causes.push({ field: 'spec', message: 'Invalid value: either chart or chartRef must be set, but not both' });
    if (!spec.interval) causes.push({ field: 'spec.interval', message: 'Required value' });
    return causes;
  },
  'source.toolkit.fluxcd.io/OCIRepository': (_o, spec) =>
    typeof spec.url === 'string' && spec.url.startsWith('oci://') ? [] : [{ field: 'spec.url', message: `Invalid value: "${String(spec.url)}": spec.url must match ^oci://.*$` }],
  'source.toolkit.fluxcd.io/HelmRepository': (_o, spec) =>
    typeof spec.url === 'string' && /^(http|https|oci):\/\//.test(spec.url) ? [] : [{ field: 'spec.url', message: `Invalid value: "${String(spec.url)}": spec.url must match ^(http|https|oci)://.*$` }],
  'cluster.x-k8s.io/MachineDeployment': (_o, spec) =>
    ['clusterName', 'selector', 'template'].filter((f) => spec[f] === undefined).map((f) => ({ field: `spec.${f}`, message: 'Required value' })),
};

export function validationAdmission(_op: 'create' | 'update', obj: KubeObject, _store: ObjectStore): void {
  const group = groupOf(obj.apiVersion);
  const rule = RULES[`${group}/${obj.kind}`];
  const causes = [...metadataCauses(obj), ...(rule ? rule(obj, isPlainObject(obj.spec) ? obj.spec : {}) : [])];
  if (causes.length) throw errors.invalid(obj.kind, group, obj.metadata.name ?? '', causes);
}

/** metadata.name rules: DNS subdomain, or DNS label for namespaces. */
export function validateName(r: ResourceType, name: string): void {
  if (!name)
    throw errors.invalid(r.kind, r.group, name, [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  const label = r.kind === 'Namespace';
  if (!(label ? DNS_LABEL : NAME).test(name) || name.length > (label ? 63 : 253))
    throw errors.invalid(r.kind, r.group, name, [
      { field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 ${label ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.'` },
    ]);
}

/** The API server folds stringData into data; clients never read stringData back. */
export function normalizeSecret(obj: KubeObject): void {
  const sd = obj.stringData as Record<string, string> | undefined;
  if (!sd) return;
  const data = { ...((obj.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  obj.data = data;
  delete obj.stringData;
}
