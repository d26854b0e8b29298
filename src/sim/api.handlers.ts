/**
 * REST verbs on one resource type: get, list (selectors, consistent pagination), watch, create,
 * update, patch (JSON, merge, strategic merge for built-in kinds, apply), delete (propagation
 * policies) and deletecollection, with dryRun, fieldManager and fieldValidation; plus the status,
 * scale and finalize subresources. Version conversion happens here, at the edge; the store only
 * sees storage versions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import yaml from 'js-yaml';
import { ApiError, errors } from './api.errors.js';
import {
  APPLY_TYPE,
  BODY_TYPES,
  decodeBody,
  JSON_PATCH,
  JSON_TYPE,
  MERGE_PATCH,
  negotiateOutput,
  requestMediaType,
  STRATEGIC_PATCH,
  YAML_TYPE,
  type Output,
} from './content.negotiation.js';
import { managerFromUserAgent, serverSideApply } from './field.manager.js';
import { apiVersionOf, isPlainObject, type KubeObject } from './kube.types.js';
import { fieldSelector, labelSelector } from './label.selector.js';
import { jsonPatch, mergePatch } from './object.patch.js';
import { decodeProtobuf, PROTOBUF_TYPE } from './protobuf.decode.js';
import type { ObjectStore } from './object.store.js';
import { boolParam, dryRunParam, fieldManagerParam, fieldValidationParam, intParam, propagationPolicyOf, type PropagationPolicy } from './query.params.js';
import { decodeObject, withDefaults } from './request.object.js';
import type { ResourceType } from './resource.catalog.js';
import { fromScale, scalePaths, toScale } from './scale.subresource.js';
import { rootNode } from './schema.registry.js';
import { strategicMerge } from './strategic.merge.js';
import { toTable } from './table.convert.js';
import { fromStorage } from './version.convert.js';
import { serveWatch, type WatchRegistry } from './watch.stream.js';

export interface Target {
  resource: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: 'status' | 'finalize' | 'scale' | 'approval';
}

export interface HandlerContext {
  store: ObjectStore;
  watches: WatchRegistry;
  bookmarkIntervalMs: number;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export function verbOf(method: string, t: Target, q: URLSearchParams): Verb {
  switch (method) {
    case 'GET':
      return t.name ? 'get' : boolParam(q, 'watch') ? 'watch' : 'list';
    case 'POST':
      if (t.name) throw errors.methodNotAllowed(method);
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return t.name ? 'delete' : 'deletecollection';
    default:
      throw errors.methodNotAllowed(method);
  }
}

/** Writes a response body in the negotiated format; `warnings` become `Warning: 299 - "..."` headers. */
export function send(res: ServerResponse, code: number, body: unknown, output: Output = 'json', warnings: string[] = []): void {
  const yamlOut = output === 'yaml';
  const text = yamlOut ? yaml.dump(body, { noRefs: true, lineWidth: -1 }) : JSON.stringify(body);
  const headers: Record<string, string | number | string[]> = { 'Content-Type': yamlOut ? YAML_TYPE : JSON_TYPE, 'Content-Length': Buffer.byteLength(text) };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, body, 'json');
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 3 * 1024 * 1024) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

/**
 * A create/update body: JSON or YAML for every kind, protobuf too for the built-in kinds (as
 * kube-apiserver; custom resources have no protobuf form). `text` is set for JSON bodies, which
 * are scanned for duplicate fields.
 */
async function readObjectBody(req: IncomingMessage, r: ResourceType): Promise<{ body: unknown; text?: string }> {
  const media = requestMediaType(req);
  const accepted = r.custom ? BODY_TYPES : [...BODY_TYPES, PROTOBUF_TYPE];
  const raw = await readRaw(req);
  if (media === PROTOBUF_TYPE && !r.custom) return { body: decodeProtobuf(raw, accepted) };
  const text = raw.toString('utf8');
  return { body: decodeBody(text, media, accepted), text: media === JSON_TYPE ? text : undefined };
}

function mustGet(ctx: HandlerContext, t: Target): KubeObject {
  const o = ctx.store.get(t.resource.group, t.resource.kind, t.namespace, t.name ?? '');
  if (!o) throw errors.notFound(t.resource, t.name ?? '');
  return o;
}

interface WriteParams {
  dryRun: boolean;
  manager?: string;
  fieldValidation: ReturnType<typeof fieldValidationParam>;
}

function writeParams(q: URLSearchParams, optionsKind: string): WriteParams {
  return { dryRun: dryRunParam(q.getAll('dryRun'), optionsKind), manager: fieldManagerParam(q, optionsKind), fieldValidation: fieldValidationParam(q, optionsKind) };
}

function encodeContinue(rv: number, after: string): string {
  return Buffer.from(JSON.stringify({ rv, after }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): { rv: number; after: string } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: unknown; after: unknown };
    if (typeof v.rv === 'number' && typeof v.after === 'string') return { rv: v.rv, after: v.after };
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid: malformed continue token');
}

const EXPIRED_CONTINUE = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';

/**
 * A list page. Every page of one list reads the state at the first page's resourceVersion: the
 * continue token pins it, and pages are rebuilt from history (410 Expired once it is gone), so
 * objects created, changed or deleted meanwhile do not shift items between pages.
 */
function list(ctx: HandlerContext, t: Target, q: URLSearchParams): Record<string, unknown> {
  const r = t.resource;
  const ls = labelSelector(q.get('labelSelector') ?? undefined);
  const fs = fieldSelector(q.get('fieldSelector') ?? undefined, r.custom);
  const limit = intParam(q, 'limit') ?? 0;
  if (limit < 0) throw errors.badRequest(`invalid limit "${q.get('limit')}"`);
  const cont = q.get('continue');
  const rvParam = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  if (match && !['Exact', 'NotOlderThan'].includes(match))
    throw errors.invalid('ListOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"` }]);
  if (match && !rvParam)
    throw errors.invalid('ListOptions', 'meta.k8s.io', '', [{ type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' }]);
  if (cont && (rvParam || match))
    throw errors.invalid('ListOptions', 'meta.k8s.io', '', [{ type: 'FieldValueForbidden', field: 'resourceVersion', message: 'Forbidden: specifying resource version is not allowed when using continue' }]);
  if (rvParam && !/^\d+$/.test(rvParam)) throw errors.badRequest(`invalid resource version "${rvParam}"`);
  const ns = r.namespaced ? t.namespace : undefined;
  let listRv = ctx.store.currentRv();
  let after = '';
  let items: KubeObject[];
  if (cont) {
    const c = decodeContinue(cont);
    const at = ctx.store.listAt(r.group, r.kind, ns, c.rv);
    if (at === 'expired') throw errors.expired(EXPIRED_CONTINUE);
    items = at;
    listRv = c.rv;
    after = c.after;
  } else if (match === 'Exact') {
    const want = Number(rvParam);
    const at = ctx.store.listAt(r.group, r.kind, ns, want);
    if (at === 'expired') throw errors.expired(`too old resource version: ${want} (${ctx.store.compactedResourceVersion()})`);
    items = at;
    listRv = want;
  } else items = ctx.store.list(r.group, r.kind, ns);
  const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const all = items.filter((o) => ls(o.metadata.labels) && fs(o) && (!after || keyOf(o) > after));
  const page = limit > 0 ? all.slice(0, limit) : all;
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (limit > 0 && all.length > limit) {
    metadata.continue = encodeContinue(listRv, keyOf(page[page.length - 1]));
    metadata.remainingItemCount = all.length - limit;
  }
  return { apiVersion: apiVersionOf(r.group, t.version), kind: `${r.kind}List`, metadata, items: page.map((o) => fromStorage(o, r, t.version)) };
}

function scaleOf(t: Target) {
  const paths = scalePaths(t.resource, t.version);
  if (!paths) throw errors.notFound(t.resource, t.name ?? '');
  return paths;
}

function managerOf(p: WriteParams, req: IncomingMessage): string {
  return p.manager ?? managerFromUserAgent(req.headers['user-agent']);
}

/**
 * PUT .../certificatesigningrequests/<name>/approval: only the Approved/Denied decision changes (the
 * conditions), optimistic on the resourceVersion, and a decision once made is final, as in
 * kube-apiserver's CSR strategy.
 */
function approve(ctx: HandlerContext, t: Target, body: KubeObject, manager: string | undefined, dryRun: boolean): KubeObject {
  const live = mustGet(ctx, t);
  type Cond = { type: string; status: string };
  const decided = (o: KubeObject) => ((o.status as { conditions?: Cond[] } | undefined)?.conditions ?? []).filter((c) => (c.type === 'Approved' || c.type === 'Denied') && c.status === 'True');
  const before = decided(live);
  const after = decided(body);
  if (after.some((c) => c.type === 'Approved') && after.some((c) => c.type === 'Denied'))
    throw errors.invalid('CertificateSigningRequest', 'certificates.k8s.io', t.name ?? '', [{ field: 'status.conditions', message: 'Invalid value: Approved and Denied conditions are mutually exclusive' }]);
  if (before.some((b) => !after.some((a) => a.type === b.type)))
    throw errors.invalid('CertificateSigningRequest', 'certificates.k8s.io', t.name ?? '', [{ field: 'status.conditions', message: 'Forbidden: updates may not remove an Approved or Denied condition' }]);
  const conditions = (body.status as { conditions?: unknown[] } | undefined)?.conditions;
  const next = { ...live, metadata: { ...live.metadata, resourceVersion: body.metadata.resourceVersion }, status: { ...(live.status as object | undefined), conditions } };
  return ctx.store.update(next, { manager, dryRun, subresource: 'status', requestVersion: t.version });
}

async function patch(req: IncomingMessage, ctx: HandlerContext, t: Target, q: URLSearchParams): Promise<{ code: number; object: KubeObject; warnings: string[] }> {
  const r = t.resource;
  if (t.subresource === 'approval') throw errors.methodNotAllowed('PATCH');
  const media = requestMediaType(req);
  const p = writeParams(q, 'PatchOptions');
  const force = q.has('force') ? boolParam(q, 'force') : undefined;
  const accepted = [JSON_PATCH, MERGE_PATCH, ...(r.custom && t.subresource !== 'scale' ? [] : [STRATEGIC_PATCH]), ...(t.subresource === 'scale' ? [] : [APPLY_TYPE])];
  if (!accepted.includes(media)) throw errors.unsupportedMediaType(accepted);
  const text = await readBody(req);
  const subresource = t.subresource === 'status' ? 'status' : undefined;
  if (media === APPLY_TYPE) {
    if (!p.manager) throw errors.badRequest('PATCH requests with apply content type must specify the fieldManager query parameter');
    const body = decodeBody(text, APPLY_TYPE, [APPLY_TYPE]);
    const { object: applied, warnings } = decodeObject(body, t, { fieldValidation: p.fieldValidation, apply: true, text: text.trimStart().startsWith('{') ? text : undefined });
    const live = ctx.store.get(r.group, r.kind, t.namespace, t.name ?? '');
    if (!live && subresource) throw errors.notFound(r, t.name ?? '');
    const wantRv = applied.metadata.resourceVersion;
    if (wantRv && (!live || wantRv !== live.metadata.resourceVersion)) throw errors.conflict(r, t.name ?? '');
    const merged = withDefaults(serverSideApply(live, applied, { resource: r, manager: p.manager, force: force ?? false, scope: subresource ?? 'main' }), t);
    const opts = { appliedFields: true, dryRun: p.dryRun, requestVersion: t.version };
    if (!live) return { code: 201, object: ctx.store.create(merged, opts), warnings };
    return { code: 200, object: ctx.store.update(merged, { ...opts, subresource }), warnings };
  }
  if (force !== undefined)
    throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueForbidden', field: 'force', message: 'Forbidden: may not be specified for non-apply patch' }]);
  const live = mustGet(ctx, t);
  const patchBody = decodeBody(text, JSON_TYPE);
  const manager = managerOf(p, req);
  if (t.subresource === 'scale') {
    const paths = scaleOf(t);
    const scale = toScale(live, paths);
    const patched = media === JSON_PATCH ? jsonPatch(scale, patchBody) : mergePatch(scale, patchBody);
    const next = fromScale(live, patched, paths);
    return { code: 200, object: ctx.store.update(next, { manager, dryRun: p.dryRun, requestVersion: t.version }), warnings: [] };
  }
  const view = fromStorage(live, r, t.version);
  let patched: unknown;
  if (media === MERGE_PATCH) patched = mergePatch(view, patchBody);
  else if (media === JSON_PATCH) patched = jsonPatch(view, patchBody);
  else patched = strategicMerge(view, patchBody, rootNode(r, t.version)!);
  const { object, warnings } = decodeObject(patched, t, { fieldValidation: p.fieldValidation, text });
  return { code: 200, object: ctx.store.update(object, { manager, dryRun: p.dryRun, subresource: t.subresource, requestVersion: t.version }), warnings };
}

/**
 * DeleteOptions: from the body when there is one, else from the query (as kube-apiserver reads
 * them); propagationPolicy and the deprecated orphanDependents, preconditions, dryRun.
 */
function deleteOptions(text: string, media: string, q: URLSearchParams): { rv?: string; uid?: string; dryRun: boolean; policy?: PropagationPolicy } {
  if (text.trim()) {
    const b = decodeBody(text, media, BODY_TYPES);
    if (!isPlainObject(b)) throw errors.badRequest('DeleteOptions must be a JSON object');
    const pre = isPlainObject(b.preconditions) ? b.preconditions : {};
    const dry = Array.isArray(b.dryRun) ? dryRunParam(b.dryRun.map(String), 'DeleteOptions') : false;
    let policy = propagationPolicyOf(b.propagationPolicy);
    if (b.orphanDependents !== undefined && b.orphanDependents !== null) {
      if (policy) throw errors.invalid('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueInvalid', field: 'propagationPolicy', message: 'Invalid value: "": orphanDependents and propagationPolicy cannot both be set' }]);
      policy = b.orphanDependents === true ? 'Orphan' : 'Background';
    }
    return { rv: pre.resourceVersion as string | undefined, uid: pre.uid as string | undefined, dryRun: dry, policy };
  }
  let policy = propagationPolicyOf(q.get('propagationPolicy') ?? undefined);
  if (!policy && q.has('orphanDependents')) policy = boolParam(q, 'orphanDependents') ? 'Orphan' : 'Background';
  return { dryRun: dryRunParam(q.getAll('dryRun'), 'DeleteOptions'), policy };
}

function deletedResponse(t: Target, object: KubeObject, removed: boolean): unknown {
  const r = t.resource;
  if (r.custom || !removed) return fromStorage(object, r, t.version);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: object.metadata.name, group: r.group, kind: r.plural, uid: object.metadata.uid } };
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, t: Target, q: URLSearchParams, verb: Verb, ctx: HandlerContext): Promise<void> {
  const r = t.resource;
  const output = negotiateOutput(req.headers.accept, { watch: verb === 'watch', tableable: (verb === 'get' || verb === 'list') && t.subresource === undefined });
  const reply = (code: number, o: KubeObject, warnings: string[] = []) => {
    const served = t.subresource === 'scale' ? toScale(o, scaleOf(t)) : fromStorage(o, r, t.version);
    send(res, code, output === 'table' ? toTable(r, t.version, [served], undefined) : served, output === 'table' ? 'json' : output, warnings);
  };
  switch (verb) {
    case 'get':
      return reply(200, mustGet(ctx, t));
    case 'list': {
      const l = list(ctx, t, q);
      if (output === 'table') return send(res, 200, toTable(r, t.version, l.items as KubeObject[], l.metadata as Record<string, unknown>));
      return send(res, 200, l, output);
    }
    case 'watch': {
      const ls = labelSelector(q.get('labelSelector') ?? undefined);
      const fs = fieldSelector(q.get('fieldSelector') ?? undefined, r.custom);
      const rv = q.get('resourceVersion') ?? undefined;
      return serveWatch(req, res, ctx.store, {
        resource: r,
        version: t.version,
        namespace: r.namespaced ? t.namespace : undefined,
        matches: (o) => ls(o.metadata.labels) && fs(o),
        resourceVersion: rv,
        bookmarks: boolParam(q, 'allowWatchBookmarks'),
        timeoutSeconds: intParam(q, 'timeoutSeconds'),
      }, ctx.watches, ctx.bookmarkIntervalMs);
    }
    case 'create': {
      if (t.subresource) throw errors.methodNotAllowed('POST');
      const p = writeParams(q, 'CreateOptions');
      const { body, text } = await readObjectBody(req, r);
      const { object, warnings } = decodeObject(body, t, { fieldValidation: p.fieldValidation, text });
      if (object.metadata.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
      return reply(201, ctx.store.create(object, { manager: managerOf(p, req), dryRun: p.dryRun, requestVersion: t.version }), warnings);
    }
    case 'update': {
      const p = writeParams(q, 'UpdateOptions');
      const manager = managerOf(p, req);
      if (t.subresource === 'scale') {
        const next = fromScale(mustGet(ctx, t), decodeBody(await readBody(req), requestMediaType(req)), scaleOf(t));
        return reply(200, ctx.store.update(next, { manager, dryRun: p.dryRun, requestVersion: t.version }));
      }
      const { body, text } = await readObjectBody(req, r);
      const { object, warnings } = decodeObject(body, t, { fieldValidation: p.fieldValidation, text });
      if (t.subresource === 'approval') return reply(200, approve(ctx, t, object, manager, p.dryRun), warnings);
      if (r.custom && !object.metadata.resourceVersion)
        throw errors.invalid(r.kind, r.group, t.name ?? '', [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
      return reply(200, ctx.store.update(object, { manager, dryRun: p.dryRun, subresource: t.subresource === 'finalize' ? 'finalize' : t.subresource, requestVersion: t.version }), warnings);
    }
    case 'patch': {
      const { code, object, warnings } = await patch(req, ctx, t, q);
      return reply(code, object, warnings);
    }
    case 'delete': {
      if (t.subresource) throw errors.methodNotAllowed('DELETE');
      const text = await readBody(req);
      const o = deleteOptions(text, requestMediaType(req), q);
      const { object, removed } = ctx.store.delete(r.group, r.kind, t.namespace, t.name ?? '', { preconditionResourceVersion: o.rv, preconditionUid: o.uid, dryRun: o.dryRun, propagationPolicy: o.policy });
      // 200 when the object is gone, 202 Accepted while finalizers keep it (as kube-apiserver answers).
      return send(res, removed || o.dryRun ? 200 : 202, deletedResponse(t, object, removed), output === 'table' ? 'json' : output);
    }
    case 'deletecollection': {
      const text = await readBody(req);
      const o = deleteOptions(text, requestMediaType(req), q);
      const ls = labelSelector(q.get('labelSelector') ?? undefined);
      const fs = fieldSelector(q.get('fieldSelector') ?? undefined, r.custom);
      const items: KubeObject[] = [];
      for (const obj of ctx.store.list(r.group, r.kind, r.namespaced ? t.namespace : undefined)) {
        if (!ls(obj.metadata.labels) || !fs(obj)) continue;
        try {
          items.push(ctx.store.delete(r.group, r.kind, obj.metadata.namespace, obj.metadata.name ?? '', { dryRun: o.dryRun, propagationPolicy: o.policy }).object);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      if (!r.custom) return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
      return sendJson(res, 200, { apiVersion: apiVersionOf(r.group, t.version), kind: `${r.kind}List`, metadata: { resourceVersion: String(ctx.store.currentRv()) }, items: items.map((i) => fromStorage(i, r, t.version)) });
    }
  }
}
