/**
 * Turning a request body into the object the store gets, as kube-apiserver's decoder does: the type
 * meta and name/namespace must agree with the URL; undeclared fields are pruned (and duplicate keys
 * collapsed) under the request version's schema, with fieldValidation deciding what the client
 * hears (Strict → 400 listing every field, Warn → one `Warning` header each, Ignore → nothing);
 * schema defaults are applied; the result is relabelled to the storage version.
 */
import { errors } from './api.errors.js';
import type { Target } from './api.handlers.js';
import { duplicateFields } from './content.negotiation.js';
import { apiVersionOf, groupOf, isPlainObject, versionOf, type KubeObject } from './kube.types.js';
import type { FieldValidation } from './query.params.js';
import { rootNode } from './schema.registry.js';
import { walkSchema } from './schema.structural.js';
import { fromStorage, toStorage } from './version.convert.js';

export interface DecodeOptions {
  fieldValidation: FieldValidation;
  /** The raw body, scanned for duplicate keys (JSON bodies only). */
  text?: string;
  /** An apply configuration: apiVersion and kind are required, strict errors read as apply's. */
  apply?: boolean;
}

export interface Decoded {
  /** At the storage version. */
  object: KubeObject;
  warnings: string[];
}

/**
 * Checks a body against the URL and returns it pruned and defaulted at the storage version. The
 * body is not changed (a patched body shares the stored object's frozen parts).
 */
export function decodeObject(body: unknown, t: Target, opts: DecodeOptions): Decoded {
  if (!isPlainObject(body)) throw errors.badRequest(`the body of the request must be a JSON object, got ${Array.isArray(body) ? 'an array' : typeof body}`);
  const r = t.resource;
  const requestApiVersion = apiVersionOf(r.group, t.version);
  let obj = { ...body } as KubeObject;
  if (opts.apply && (!obj.apiVersion || !obj.kind)) throw errors.badRequest('invalid object type: apiVersion and kind must be set in an apply configuration');
  if (obj.kind !== undefined && obj.kind !== r.kind) throw errors.badRequest(`the kind in the body (${String(obj.kind)}) does not match the resource (${r.kind})`);
  if (obj.apiVersion !== undefined && (typeof obj.apiVersion !== 'string' || groupOf(obj.apiVersion) !== r.group || versionOf(obj.apiVersion) !== t.version))
    throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${requestApiVersion})`);
  obj.apiVersion = requestApiVersion;
  obj.kind = r.kind;
  obj.metadata = isPlainObject(obj.metadata) ? { ...obj.metadata } : {};
  if (r.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== t.namespace)
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    obj.metadata.namespace = t.namespace;
  } else delete obj.metadata.namespace;
  if (t.name && obj.metadata.name && obj.metadata.name !== t.name)
    throw errors.badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${t.name})`);
  if (t.name) obj.metadata.name = t.name;

  const duplicates = opts.text && opts.fieldValidation !== 'Ignore' ? duplicateFields(opts.text) : [];
  const node = rootNode(r, t.version);
  let unknown: string[] = [];
  if (node) {
    const res = walkSchema(obj, node, { prune: true, defaults: !opts.apply, validate: false });
    obj = res.value as KubeObject;
    // Pruning reports the paths sorted, and so do the warnings and the strict error.
    unknown = res.unknown.sort();
  }
  const warnings: string[] = [];
  if (opts.fieldValidation !== 'Ignore' && (unknown.length || duplicates.length)) {
    if (opts.fieldValidation === 'Strict') throw strictError(obj, t, unknown, duplicates, opts.apply === true);
    for (const d of duplicates) warnings.push(`duplicate field "${d}"`);
    for (const u of unknown) warnings.push(`unknown field "${u}"`);
  }
  return { object: toStorage(obj, r), warnings };
}

function strictError(obj: KubeObject, t: Target, unknown: string[], duplicates: string[], apply: boolean) {
  const r = t.resource;
  if (apply) {
    const id = `${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name ?? ''}`;
    const fields = [...duplicates.map((d) => `.${d}: duplicate field`), ...unknown.map((u) => `.${u}: field not declared in schema`)];
    return errors.badRequest(`failed to create typed patch object (${id}; ${apiVersionOf(r.group, t.version)}, Kind=${r.kind}): ${fields.join(', ')}`);
  }
  const problems = [...duplicates.map((d) => `duplicate field "${d}"`), ...unknown.map((u) => `unknown field "${u}"`)];
  return errors.badRequest(`${r.kind} in version "${t.version}" cannot be handled as a ${r.kind}: strict decoding error: ${problems.join(', ')}`);
}

/** Schema defaults for an object at the storage version, applied as served at `version` (after apply merges). */
export function withDefaults(obj: KubeObject, t: Target): KubeObject {
  const node = rootNode(t.resource, t.version);
  if (!node) return obj;
  const view = fromStorage(obj, t.resource, t.version);
  const res = walkSchema(view, node, { prune: false, defaults: true, validate: false });
  return res.value === view ? obj : toStorage(res.value as KubeObject, t.resource);
}
