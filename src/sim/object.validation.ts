/**
 * Admission validation of every write: the kind's schema (CRD openAPIV3Schema or built-in schema;
 * see schema.structural.ts), ObjectMeta's rules (names, labels, annotations, owner references,
 * finalizers), and by hand the CEL rules and OCM/CAPI webhook checks the gateway could plausibly
 * break (a CEL engine is not modelled). Also the name rules and the Secret stringData fold.
 */
import { errors, type StatusCause } from './api.errors.js';
import { groupOf, isPlainObject, type KubeObject } from './kube.types.js';
import type { ObjectStore, WriteOptions } from './object.store.js';
import { describeKind, type ResourceType } from './resource.catalog.js';
import { rootNode } from './schema.registry.js';
import { walkSchema } from './schema.structural.js';
import { fromStorage } from './version.convert.js';

const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function keyProblem(key: string): string | undefined {
  const [prefix, name] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : ['', key];
  if (!QUALIFIED.test(key) || name.length > 63 || prefix.length > 253) return `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters), with an optional DNS subdomain prefix and '/'`;
  return undefined;
}

/** ObjectMeta rules (apimachinery ValidateObjectMeta) for the metadata at `path`. */
export function metadataCauses(meta: unknown, path = 'metadata'): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!isPlainObject(meta)) return causes;
  const stringMap = (field: 'labels' | 'annotations') => {
    const m = meta[field];
    if (m === undefined || m === null) return {};
    if (!isPlainObject(m)) {
      causes.push({ type: 'FieldValueTypeInvalid', field: `${path}.${field}`, message: `Invalid value: ${JSON.stringify(m)}: must be a map of strings` });
      return {};
    }
    return m;
  };
  for (const [k, v] of Object.entries(stringMap('labels'))) {
    const p = keyProblem(k);
    if (p) causes.push({ field: `${path}.labels`, message: p });
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      causes.push({ field: `${path}.labels`, message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)` });
  }
  let size = 0;
  for (const [k, v] of Object.entries(stringMap('annotations'))) {
    const p = keyProblem(k);
    if (p) causes.push({ field: `${path}.annotations`, message: p });
    if (typeof v !== 'string') causes.push({ type: 'FieldValueTypeInvalid', field: `${path}.annotations`, message: `Invalid value: annotation ${k} must be a string` });
    size += k.length + String(v).length;
  }
  if (size > 256 * 1024) causes.push({ type: 'FieldValueTooLong', field: `${path}.annotations`, message: 'Too long: must have at most 262144 bytes' });
  const finalizers = meta.finalizers;
  if (finalizers !== undefined && finalizers !== null) {
    if (!Array.isArray(finalizers)) causes.push({ type: 'FieldValueTypeInvalid', field: `${path}.finalizers`, message: 'Invalid value: must be a list of strings' });
    else
      finalizers.forEach((f, i) => {
        if (typeof f !== 'string' || !QUALIFIED.test(f) || f.length > 317)
          causes.push({ field: `${path}.finalizers[${i}]`, message: `Invalid value: ${JSON.stringify(f)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'` });
      });
  }
  const owners = meta.ownerReferences;
  if (owners !== undefined && owners !== null) {
    if (!Array.isArray(owners)) causes.push({ type: 'FieldValueTypeInvalid', field: `${path}.ownerReferences`, message: 'Invalid value: must be a list' });
    else {
      let controllers = 0;
      owners.forEach((o, i) => {
        const at = `${path}.ownerReferences[${i}]`;
        if (!isPlainObject(o)) return void causes.push({ type: 'FieldValueTypeInvalid', field: at, message: 'Invalid value: must be an object' });
        for (const f of ['apiVersion', 'kind', 'name', 'uid'])
          if (typeof o[f] !== 'string' || !o[f]) causes.push({ type: 'FieldValueInvalid', field: `${at}.${f}`, message: `Invalid value: ${JSON.stringify(o[f] ?? '')}: ${f} must not be empty` });
        if (o.controller === true) controllers++;
      });
      if (controllers > 1) causes.push({ type: 'FieldValueInvalid', field: `${path}.ownerReferences`, message: 'Invalid value: only one reference can have Controller set to true' });
    }
  }
  const gen = meta.generateName;
  if (typeof gen === 'string' && gen && !meta.name && !NAME.test(gen.replace(/-$/, 'x')))
    causes.push({ field: `${path}.generateName`, message: `Invalid value: ${JSON.stringify(gen)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'` });
  return causes;
}

type Rule = (obj: KubeObject, spec: Record<string, unknown>) => StatusCause[];

const RULES: Record<string, Rule> = {
  'cluster.open-cluster-management.io/ManagedClusterSetBinding': (o, spec) =>
    spec.clusterSet === o.metadata.name ? [] : [{ field: 'spec.clusterSet', message: `Invalid value: "${String(spec.clusterSet)}": must equal the binding name "${o.metadata.name}"` }],
  // The OCM work webhook decodes every manifest as an object with metadata (apiVersion and kind are
  // the CRD's x-kubernetes-embedded-resource, checked by the schema).
  'work.open-cluster-management.io/ManifestWork': (_o, spec) => {
    const manifests = (spec.workload as { manifests?: unknown[] } | undefined)?.manifests ?? [];
    return manifests.flatMap((m, i) =>
      isPlainObject(m) && isPlainObject(m.metadata) ? [] : [{ type: 'FieldValueRequired', field: `spec.workload.manifests[${i}].metadata`, message: 'Required value: an embedded resource needs metadata' }],
    );
  },
  // The CRD's x-kubernetes-validations rule (CEL is not evaluated generically).
  'helm.toolkit.fluxcd.io/HelmRelease': (_o, spec) =>
    Boolean(spec.chart) === Boolean(spec.chartRef) ? [{ field: 'spec', message: 'Invalid value: "object": either chart or chartRef must be set' }] : [],
};

/**
 * The admission step: an API write (opts.requestVersion) was pruned and defaulted when its body was
 * decoded, and is validated here as served at the request's version; a controller's direct write
 * is pruned, defaulted and validated at the storage version (as its write through a real API server
 * would be) and the cleaned object replaces it. Kinds without a schema get metadata rules only.
 */
export function validationAdmission(_op: 'create' | 'update', obj: KubeObject, _store: ObjectStore, opts: WriteOptions, current?: KubeObject): KubeObject | void {
  const group = groupOf(obj.apiVersion);
  const r = describeKind(group, obj.kind, Boolean(obj.metadata.namespace));
  const causes: StatusCause[] = [];
  let replacement: KubeObject | undefined;
  if (r.versions.length) {
    const version = opts.requestVersion ?? r.storage;
    const node = rootNode(r, version);
    if (node) {
      const view = opts.requestVersion ? fromStorage(obj, r, version) : obj;
      // What the stored version shares with this one was admitted under the same schema already.
      const previous = version === r.storage ? current : undefined;
      const res = walkSchema(view, node, { prune: !opts.requestVersion, defaults: !opts.requestVersion, validate: true }, '', previous);
      causes.push(...res.errors);
      if (!opts.requestVersion && res.value !== obj) replacement = res.value as KubeObject;
    }
  }
  const checked = replacement ?? obj;
  const rule = RULES[`${group}/${obj.kind}`];
  const m = checked.metadata;
  const c = current?.metadata;
  const metaChanged = !c || m.labels !== c.labels || m.annotations !== c.annotations || m.finalizers !== c.finalizers || m.ownerReferences !== c.ownerReferences || m.generateName !== c.generateName;
  if (metaChanged) causes.push(...metadataCauses(m));
  if (!current || checked.spec !== current.spec) causes.push(...embeddedMetadataCauses(checked), ...(rule ? rule(checked, isPlainObject(checked.spec) ? checked.spec : {}) : []));
  if (causes.length) throw errors.invalid(obj.kind, group, obj.metadata.name ?? '', causes);
  return replacement;
}

/** Embedded resources (ManifestWork manifests) carry ObjectMeta that the API server validates too. */
function embeddedMetadataCauses(obj: KubeObject): StatusCause[] {
  if (obj.kind !== 'ManifestWork') return [];
  const manifests = (obj.spec as { workload?: { manifests?: unknown[] } } | undefined)?.workload?.manifests;
  if (!Array.isArray(manifests)) return [];
  return manifests.flatMap((m, i) => (isPlainObject(m) ? metadataCauses(m.metadata, `spec.workload.manifests[${i}].metadata`) : []));
}

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** metadata.name rules: a DNS subdomain; a DNS label for namespaces; an RFC 1035 label for services. */
export function validateName(r: ResourceType, name: string): void {
  if (!name)
    throw errors.invalid(r.kind, r.group, name, [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  const [re, max, what] =
    r.kind === 'Namespace' && r.group === ''
      ? [DNS_LABEL, 63, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"]
      : r.kind === 'Service' && r.group === ''
        ? [DNS_1035, 63, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"]
        : [NAME, 253, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"];
  if (!re.test(name) || name.length > max) throw errors.invalid(r.kind, r.group, name, [{ field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: ${what}` }]);
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
