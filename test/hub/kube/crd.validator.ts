/**
 * Validates objects against the upstream CRDs in crds/ the way a real API server would
 * treat a structural schema: unknown fields FAIL (the server would prune or, with strict field
 * validation, reject them), `x-kubernetes-*` extensions are translated (int-or-string, preserve-unknown,
 * embedded-resource) or dropped, `nullable` is honoured and OpenAPI formats get validators. Metadata,
 * which CRD schemas leave open, is checked against ObjectMeta's rules (names, label syntax).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import yaml from 'js-yaml';

export const CRD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../crds');

type Schema = Record<string, unknown>;

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: Schema };
}

export interface Crd {
  spec: { group: string; names: { kind: string; plural: string }; scope: 'Namespaced' | 'Cluster'; versions: CrdVersion[] };
}

export function loadCrds(): Crd[] {
  return readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => yaml.load(readFileSync(path.join(CRD_DIR, f), 'utf8')) as Crd);
}

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const LABEL_KEY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

/** What the API server enforces on metadata of anything we create (generateName is not used by us). */
export const OBJECT_META_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 253, pattern: DNS_SUBDOMAIN },
    namespace: { type: 'string', maxLength: 63, pattern: DNS_LABEL },
    labels: {
      type: 'object',
      propertyNames: { maxLength: 317, pattern: LABEL_KEY },
      additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE },
    },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
  },
};

/** OpenAPI v3 schema node → JSON Schema for ajv, with structural-schema (pruning) semantics. */
export function toJsonSchema(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || key === 'description' || key === 'example') continue;
    out[key] = value;
  }
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties as Record<string, Schema>).map(([k, v]) => [k, toJsonSchema(v)]));
  }
  if (node.items && typeof node.items === 'object') out.items = toJsonSchema(node.items as Schema);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    out.additionalProperties = toJsonSchema(node.additionalProperties as Schema);
  }
  for (const combinator of ['anyOf', 'allOf', 'oneOf'] as const) {
    if (Array.isArray(node[combinator])) out[combinator] = (node[combinator] as Schema[]).map(toJsonSchema);
  }
  if (node.not) out.not = toJsonSchema(node.not as Schema);

  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf ??= [{ type: 'integer' }, { type: 'string' }];
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node['x-kubernetes-embedded-resource'] === true) {
    out.type = 'object';
    out.required = [...new Set([...((out.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata'])];
    out.properties = { apiVersion: { type: 'string', minLength: 1 }, kind: { type: 'string', minLength: 1 }, metadata: OBJECT_META_SCHEMA, ...(out.properties as Schema) };
  }
  // structural schema: fields not in `properties` are pruned unless preserved or a map
  if (out.type === 'object' && !preserve && node.additionalProperties === undefined) out.additionalProperties = false;
  if (node.nullable === true && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const GO_DURATION = /^[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/;

export function makeAjv(opts: { useDefaults?: boolean } = {}): Ajv {
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true, unicodeRegExp: false, useDefaults: opts.useDefaults ?? false });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('date-time', RFC3339);
  ajv.addFormat('duration', GO_DURATION);
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  return ajv;
}

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

const render = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.keyword === 'additionalProperties' ? `: ${String((e.params as { additionalProperty?: string }).additionalProperty)}` : ''}`);

/** Compiled validators by `apiVersion kind`, for the version each CRD serves. */
export class CrdValidator {
  private readonly ajv: Ajv;
  /** With `useDefaults`, validating fills in the schema's defaults (what an API server stores). */
  constructor(opts: { useDefaults?: boolean } = {}) {
    this.ajv = makeAjv(opts);
  }
  private readonly validators = new Map<string, ValidateFunction>();
  readonly crds = loadCrds();

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion} ${kind}`;
    const cached = this.validators.get(key);
    if (cached) return cached;
    const [group, version] = apiVersion.split('/');
    const crd = this.crds.find((c) => c.spec.group === group && c.spec.names.kind === kind);
    const v = crd?.spec.versions.find((x) => x.name === version);
    if (!v) return undefined;
    const schema = toJsonSchema(v.schema.openAPIV3Schema);
    (schema.properties as Schema).metadata = OBJECT_META_SCHEMA;
    schema.required = [...new Set([...((schema.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata'])];
    const fn = this.ajv.compile(schema);
    this.validators.set(key, fn);
    return fn;
  }

  /** The CRD version entry for an apiVersion/kind, if we ship it. */
  version(apiVersion: string, kind: string): CrdVersion | undefined {
    const [group, version] = apiVersion.split('/');
    return this.crds.find((c) => c.spec.group === group && c.spec.names.kind === kind)?.spec.versions.find((x) => x.name === version);
  }

  hasSchema(apiVersion: string, kind: string): boolean {
    return this.version(apiVersion, kind) !== undefined;
  }

  /**
   * A copy of `obj` with its CRD's schema defaults filled in by ajv (needs `useDefaults`): what a
   * real API server stores for it. Objects of kinds without a CRD come back unchanged.
   */
  defaulted<T extends { apiVersion: string; kind: string }>(obj: T): T {
    const copy = structuredClone(obj);
    const fn = this.validatorFor(obj.apiVersion, obj.kind);
    if (fn) fn(copy);
    return copy;
  }

  validate(obj: { apiVersion: string; kind: string }): ValidationResult {
    const fn = this.validatorFor(obj.apiVersion, obj.kind);
    if (!fn) return { valid: false, errors: [`no CRD for ${obj.apiVersion} ${obj.kind}`] };
    const valid = fn(obj) as boolean;
    return { valid, errors: render(fn.errors) };
  }
}
