/**
 * OpenAPI documents for the kinds the simulated hub serves, built from the same schemas it enforces
 * (the CRDs' openAPIV3Schema, the built-in schemas):
 *   - `/openapi/v3` lists one document per group-version, `/openapi/v3/api/v1` and
 *     `/openapi/v3/apis/<group>/<version>` are OpenAPI 3.0 documents. kubectl reads them for
 *     `explain` and to learn that PATCH accepts `fieldValidation` (so `--validate=strict` is done
 *     by the server) and which patch types each kind takes.
 *   - `/openapi/v2` is the Swagger 2.0 document, as protobuf (gnostic's openapi.v2.Document, what
 *     client-go asks for with application/com.github.proto-openapi.spec.v2@v1.0+protobuf) or JSON.
 * Paths carry the operations' x-kubernetes-action and x-kubernetes-group-version-kind, schemas
 * their x-kubernetes-group-version-kind, as kube-apiserver publishes them.
 */
import { createHash } from 'node:crypto';
import { errors } from './api.errors.js';
import { OBJECT_META } from './builtin.schemas.js';
import { apiVersionOf } from './kube.types.js';
import { encodeOpenApiV2 } from './openapi.v2proto.js';
import { RESOURCES, type ResourceType } from './resource.catalog.js';
import { schemaOf } from './schema.registry.js';
import type { SchemaObject } from './schema.types.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const KUBE_VERSION = 'v1.32.0';

/** The schema name kube-apiserver gives a kind: reversed group domain for CRDs, io.k8s.api.* for built-ins. */
export function definitionName(r: ResourceType, version: string, kind = r.kind): string {
  if (!r.custom) return `io.k8s.api.${r.group ? r.group.split('.')[0] : 'core'}.${version}.${kind}`;
  return `${r.group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const gvk = (r: ResourceType, version: string, kind = r.kind) => ({ group: r.group, version, kind });

const STATUS_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Status is a return value for calls that don\'t return other objects.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    code: { type: 'integer', format: 'int32', description: 'Suggested HTTP return code for this status, 0 if not set.' },
    message: { type: 'string', description: 'A human-readable description of the status of this operation.' },
    reason: { type: 'string', description: 'A machine-readable description of why this operation is in the "Failure" status.' },
    status: { type: 'string', description: 'Status of the operation. One of: "Success" or "Failure".' },
    details: { type: 'object', description: 'Extended data associated with the reason.', 'x-kubernetes-preserve-unknown-fields': true },
    metadata: { type: 'object', description: 'Standard list metadata.', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

const LIST_META: SchemaObject = {
  type: 'object',
  description: 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
  properties: {
    continue: { type: 'string', description: 'continue may be set if the user set a limit on the number of items returned.' },
    remainingItemCount: { type: 'integer', format: 'int64', description: 'remainingItemCount is the number of subsequent items in the list which are not included in this list response.' },
    resourceVersion: { type: 'string', description: "String that identifies the server's internal version of this object." },
    selfLink: { type: 'string', description: 'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.' },
  },
};

const SCALE: SchemaObject = {
  type: 'object',
  description: 'Scale represents a scaling request for a resource.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { ...OBJECT_META },
    spec: { type: 'object', description: 'spec defines the behavior of the scale.', properties: { replicas: { type: 'integer', format: 'int32', description: 'replicas is the desired number of instances for the scaled object.' } } },
    status: {
      type: 'object',
      description: 'status is the current status of the scale.',
      properties: { replicas: { type: 'integer', format: 'int32', description: 'replicas is the actual number of observed instances of the scaled object.' }, selector: { type: 'string', description: 'selector is the label query over pods that should match the replicas count.' } },
      required: ['replicas'],
    },
  },
};

type Param = Record<string, unknown>;
const query = (name: string, description: string, type = 'string'): Param => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const PARAMS = {
  dryRun: query('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: query('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default), Strict.'),
  force: query('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.', 'boolean'),
  pretty: query('pretty', "If 'true', then the output is pretty printed."),
  labelSelector: query('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  fieldSelector: query('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  limit: query('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  continue: query('continue', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: query('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  watch: query('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  timeoutSeconds: query('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  propagationPolicy: query('propagationPolicy', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
  gracePeriodSeconds: query('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
};
const pathParam = (name: string): Param => ({ name, in: 'path', required: true, description: `${name} of the resource`, schema: { type: 'string', uniqueItems: true } });

function ref(v3: boolean, name: string): SchemaObject {
  return { $ref: `${v3 ? '#/components/schemas/' : '#/definitions/'}${name}` } as SchemaObject;
}

/** Swagger 2.0 has no nullable/anyOf/oneOf/not: drop them, as kube-apiserver's v2 publishing does. */
function toV2(s: SchemaObject): SchemaObject {
  const { nullable: _n, anyOf: _a, oneOf: _o, not: _x, ...rest } = s;
  const out: SchemaObject = { ...rest };
  if (rest.properties) out.properties = Object.fromEntries(Object.entries(rest.properties).map(([k, v]) => [k, toV2(v)]));
  if (rest.items) out.items = toV2(rest.items);
  if (rest.additionalProperties && typeof rest.additionalProperties === 'object') out.additionalProperties = toV2(rest.additionalProperties);
  if (rest.allOf) out.allOf = rest.allOf.map(toV2);
  return out;
}

/** A kind's schema for publishing: metadata refers to ObjectMeta, the GVK extension is set. */
function publishedSchema(r: ResourceType, version: string, v3: boolean): SchemaObject | undefined {
  const raw = schemaOf(r, version);
  if (!raw) return undefined;
  const s = v3 ? raw : toV2(raw);
  const props = { ...(s.properties ?? {}) };
  props.apiVersion ??= { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' };
  props.kind ??= { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' };
  props.metadata = { description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", allOf: [ref(v3, `${META}.ObjectMeta`)] };
  return { ...s, properties: props, 'x-kubernetes-group-version-kind': [gvk(r, version)] } as SchemaObject;
}

function listSchema(r: ResourceType, version: string, v3: boolean): SchemaObject {
  return {
    type: 'object',
    description: `${r.kind}List is a list of ${r.kind}`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      items: { type: 'array', description: `List of ${r.plural}.`, items: ref(v3, definitionName(r, version)) },
      metadata: { allOf: [ref(v3, `${META}.ListMeta`)] } as SchemaObject,
    },
    'x-kubernetes-group-version-kind': [gvk(r, version, `${r.kind}List`)],
  } as SchemaObject;
}

interface Op {
  action: string;
  description: string;
  params: Param[];
  body?: string[];
  response: string;
  kind?: { group: string; version: string; kind: string };
}

function operation(v3: boolean, r: ResourceType, version: string, op: Op): Record<string, unknown> {
  const responseSchema = ref(v3, op.response);
  const out: Record<string, unknown> = {
    description: op.description,
    operationId: `${op.action}${r.kind}`,
    tags: [apiVersionOf(r.group, version).replace('/', '_')],
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.kind ?? gvk(r, version),
  };
  if (v3) {
    out.parameters = op.params;
    out.responses = { '200': { description: 'OK', content: { 'application/json': { schema: responseSchema }, 'application/yaml': { schema: responseSchema } } }, '401': { description: 'Unauthorized' } };
    if (op.body) out.requestBody = { required: true, content: Object.fromEntries(op.body.map((t) => [t, { schema: op.action === 'patch' ? ref(true, `${META}.Patch`) : responseSchema }])) };
  } else {
    const params = op.params.map(({ schema, ...p }) => ({ ...p, ...(schema as object) }));
    if (op.body) params.push({ name: 'body', in: 'body', required: true, schema: op.action === 'patch' ? ref(false, `${META}.Patch`) : responseSchema });
    out.parameters = params;
    out.consumes = op.body ?? ['*/*'];
    out.produces = ['application/json', 'application/yaml'];
    out.schemes = ['https'];
    out.responses = { '200': { description: 'OK', schema: responseSchema }, '401': { description: 'Unauthorized' } };
  }
  return out;
}

function resourcePaths(r: ResourceType, version: string, v3: boolean): Record<string, unknown> {
  const prefix = r.group ? `/apis/${r.group}/${version}` : `/api/${version}`;
  const ns = r.namespaced ? '/namespaces/{namespace}' : '';
  const name = definitionName(r, version);
  const status = `${META}.Status`;
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', ...(r.custom ? [] : ['application/strategic-merge-patch+json']), 'application/apply-patch+yaml'];
  const scope = r.namespaced ? [pathParam('namespace')] : [];
  const op = (o: Op) => operation(v3, r, version, o);
  const write = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation];
  const listParams = [PARAMS.labelSelector, PARAMS.fieldSelector, PARAMS.limit, PARAMS.continue, PARAMS.resourceVersion, PARAMS.resourceVersionMatch, PARAMS.watch, PARAMS.allowWatchBookmarks, PARAMS.timeoutSeconds];
  const item = (response: string, what: string, kind?: Op['kind'], patch = true): Record<string, unknown> => ({
    get: op({ action: 'get', description: `read the ${what} of the specified ${r.kind}`, params: [], response, kind }),
    put: op({ action: 'put', description: `replace the ${what} of the specified ${r.kind}`, params: write, body: ['*/*'], response, kind }),
    ...(patch ? { patch: op({ action: 'patch', description: `partially update the ${what} of the specified ${r.kind}`, params: [...write, PARAMS.force], body: patchTypes, response, kind }) } : {}),
    parameters: [pathParam('name'), ...scope, PARAMS.pretty],
  });
  const paths: Record<string, unknown> = {
    [`${prefix}${ns}/${r.plural}`]: {
      get: op({ action: 'list', description: `list or watch objects of kind ${r.kind}`, params: listParams, response: definitionName(r, version, `${r.kind}List`) }),
      post: op({ action: 'post', description: `create a ${r.kind}`, params: write, body: ['*/*'], response: name }),
      delete: op({ action: 'deletecollection', description: `delete collection of ${r.kind}`, params: [...listParams, PARAMS.dryRun, PARAMS.propagationPolicy, PARAMS.gracePeriodSeconds], body: ['*/*'], response: status }),
      parameters: [...scope, PARAMS.pretty],
    },
    [`${prefix}${ns}/${r.plural}/{name}`]: {
      ...item(name, 'object'),
      delete: op({ action: 'delete', description: `delete a ${r.kind}`, params: [PARAMS.dryRun, PARAMS.propagationPolicy, PARAMS.gracePeriodSeconds], body: ['*/*'], response: status }),
    },
  };
  if (r.status) paths[`${prefix}${ns}/${r.plural}/{name}/status`] = item(name, 'status');
  if (r.scale) paths[`${prefix}${ns}/${r.plural}/{name}/scale`] = item('io.k8s.api.autoscaling.v1.Scale', 'scale', { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  if (r.namespaced) paths[`${prefix}/${r.plural}`] = { get: op({ action: 'list', description: `list or watch objects of kind ${r.kind} in all namespaces`, params: listParams, response: definitionName(r, version, `${r.kind}List`) }) };
  return paths;
}

function commonDefinitions(v3: boolean): Record<string, SchemaObject> {
  const wrap = (s: SchemaObject, kind?: string, version = 'v1'): SchemaObject =>
    (kind ? { ...s, 'x-kubernetes-group-version-kind': [{ group: kind === 'Scale' ? 'autoscaling' : '', kind, version }] } : s) as SchemaObject;
  return {
    [`${META}.ObjectMeta`]: OBJECT_META,
    [`${META}.ListMeta`]: LIST_META,
    [`${META}.Status`]: wrap(STATUS_SCHEMA, 'Status'),
    [`${META}.Patch`]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
    'io.k8s.api.autoscaling.v1.Scale': wrap({ ...SCALE, properties: { ...SCALE.properties, metadata: { allOf: [ref(v3, `${META}.ObjectMeta`)] } as SchemaObject } }, 'Scale'),
  };
}

function groupVersionDoc(group: string, version: string, v3: boolean): { paths: Record<string, unknown>; schemas: Record<string, SchemaObject> } {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, SchemaObject> = {};
  for (const r of RESOURCES.filter((x) => x.served && x.group === group && x.versions.includes(version))) {
    const s = publishedSchema(r, version, v3);
    if (!s) continue;
    schemas[definitionName(r, version)] = s;
    schemas[definitionName(r, version, `${r.kind}List`)] = listSchema(r, version, v3);
    Object.assign(paths, resourcePaths(r, version, v3));
  }
  return { paths, schemas };
}

function servedGroupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES.filter((x) => x.served)) for (const v of r.versions) seen.set(`${r.group}/${v}`, { group: r.group, version: v });
  return [...seen.values()];
}

// Clients ask with the '@' form (deprecated: '@' is not a valid MIME token); the answer uses the '.' form, as kube-openapi's handler does.
const V2_PROTOBUF_ACCEPT = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'];
const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const cache = new Map<string, string>();
let v2Proto: Buffer | undefined;

function cached(key: string, build: () => unknown): string {
  let text = cache.get(key);
  if (text === undefined) cache.set(key, (text = JSON.stringify(build())));
  return text;
}

function v3Doc(group: string, version: string): string {
  return cached(`v3 ${group}/${version}`, () => {
    const { paths, schemas } = groupVersionDoc(group, version, true);
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBE_VERSION }, paths, components: { schemas: { ...commonDefinitions(true), ...schemas } } };
  });
}

const docPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);
const hashOf = (text: string) => createHash('sha512').update(text).digest('hex').toUpperCase();

/** The body of an OpenAPI path, or undefined when the path is not one. */
export function openapi(path: string, accept: string | undefined): { body: string | Buffer; contentType: string } | undefined {
  if (path === '/openapi/v3') {
    const paths: Record<string, unknown> = {};
    for (const { group, version } of servedGroupVersions()) paths[docPath(group, version)] = { serverRelativeURL: `/openapi/v3/${docPath(group, version)}?hash=${hashOf(v3Doc(group, version))}` };
    return { body: JSON.stringify({ paths }), contentType: 'application/json' };
  }
  const m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (m) {
    const group = m[2] ?? '';
    const version = m[1] ?? m[3];
    if (!servedGroupVersions().some((gv) => gv.group === group && gv.version === version)) return undefined;
    return { body: v3Doc(group, version), contentType: 'application/json' };
  }
  if (path === '/openapi/v2') {
    const types = (accept ?? '*/*').split(',').map((s) => s.split(';')[0].trim().toLowerCase());
    const json = types.findIndex((t) => t === 'application/json' || t === '*/*' || t === 'application/*');
    const proto = types.findIndex((t) => V2_PROTOBUF_ACCEPT.includes(t));
    if (json < 0 && proto < 0) throw errors.notAcceptable(['application/json', V2_PROTOBUF]);
    const body = cached('v2', () => {
      const paths: Record<string, unknown> = {};
      const definitions: Record<string, SchemaObject> = { ...commonDefinitions(false) };
      for (const { group, version } of servedGroupVersions()) {
        const doc = groupVersionDoc(group, version, false);
        Object.assign(paths, doc.paths);
        Object.assign(definitions, doc.schemas);
      }
      return { swagger: '2.0', info: { title: 'Kubernetes', version: KUBE_VERSION }, paths, definitions };
    });
    if (proto >= 0 && (json < 0 || proto < json)) {
      v2Proto ??= encodeOpenApiV2(JSON.parse(body) as Record<string, unknown>);
      return { body: v2Proto, contentType: V2_PROTOBUF };
    }
    return { body, contentType: 'application/json' };
  }
  return undefined;
}
