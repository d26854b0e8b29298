/**
 * REST verbs on one resource type: get, list (selectors, pagination), watch, create, update, patch
 * (merge, JSON, apply), delete and deletecollection. Version conversion happens here, at the edge;
 * the store only sees storage versions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from './api.errors.js';
import { managerFromUserAgent, serverSideApply } from './field.manager.js';
import { apiVersionOf, groupOf, isPlainObject, versionOf, type KubeObject } from './kube.types.js';
import { fieldSelector, labelSelector } from './label.selector.js';
import { jsonPatch, mergePatch } from './object.patch.js';
import type { ObjectStore } from './object.store.js';
import type { ResourceType } from './resource.catalog.js';
import { fromStorage, toStorage } from './version.convert.js';
import { serveWatch, type WatchRegistry } from './watch.stream.js';

export interface Target {
  resource: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: 'status' | 'finalize';
}

export interface HandlerContext {
  store: ObjectStore;
  watches: WatchRegistry;
  bookmarkIntervalMs: number;
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export function verbOf(method: string, t: Target, q: URLSearchParams): Verb {
  const watch = q.get('watch') === 'true' || q.get('watch') === '1';
  switch (method) {
    case 'GET':
      return t.name ? 'get' : watch ? 'watch' : 'list';
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

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024 * 1024) throw new ApiError(413, 'RequestEntityTooLarge', 'request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`couldn't decode the request body as JSON: ${(e as Error).message}`);
  }
}

async function parseApplyBody(text: string): Promise<unknown> {
  try {
    return JSON.parse(text);
  } catch {
    // Apply bodies may be YAML; client-node always sends JSON, so YAML support is best-effort.
    try {
      const yaml = await import('js-yaml');
      return yaml.load(text);
    } catch (e) {
      throw errors.badRequest(`couldn't decode the apply body as JSON or YAML: ${(e as Error).message}`);
    }
  }
}

/**
 * Checks a body against the URL and returns it at the storage version. The body is not changed (a
 * patched body shares the stored object's frozen parts): the top level and metadata are copied.
 */
function acceptBody(body: unknown, t: Target, requireTypeMeta: boolean): KubeObject {
  if (!isPlainObject(body)) throw errors.badRequest('the request body must be a JSON object');
  const obj = { ...body } as KubeObject;
  const r = t.resource;
  if (requireTypeMeta && (!obj.apiVersion || !obj.kind)) throw errors.badRequest('invalid object type: apiVersion and kind must be set');
  if (obj.kind !== undefined && obj.kind !== r.kind) throw errors.badRequest(`the kind in the body (${obj.kind}) does not match the resource (${r.kind})`);
  if (obj.apiVersion !== undefined && (groupOf(obj.apiVersion) !== r.group || !r.versions.includes(versionOf(obj.apiVersion))))
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(r.group, t.version)})`);
  obj.metadata = isPlainObject(obj.metadata) ? { ...obj.metadata } : {};
  if (r.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== t.namespace)
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    obj.metadata.namespace = t.namespace;
  }
  if (t.name && obj.metadata.name && obj.metadata.name !== t.name)
    throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${t.name})`);
  if (t.name) obj.metadata.name = t.name;
  return toStorage({ ...obj, kind: r.kind }, r);
}

function mustGet(ctx: HandlerContext, t: Target): KubeObject {
  const o = ctx.store.get(t.resource.group, t.resource.kind, t.namespace, t.name ?? '');
  if (!o) throw errors.notFound(t.resource, t.name ?? '');
  return o;
}

const flag = (q: URLSearchParams, k: string) => q.get(k) === 'true' || q.get(k) === '1';

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

function list(ctx: HandlerContext, t: Target, q: URLSearchParams): unknown {
  const r = t.resource;
  const ls = labelSelector(q.get('labelSelector') ?? undefined);
  const fs = fieldSelector(q.get('fieldSelector') ?? undefined, r.custom);
  const limit = Number(q.get('limit') ?? 0);
  if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`invalid limit "${q.get('limit')}"`);
  const cont = q.get('continue');
  let listRv = ctx.store.currentRv();
  let after = '';
  if (cont) {
    const c = decodeContinue(cont);
    if (c.rv < ctx.store.compactedResourceVersion())
      throw errors.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    listRv = c.rv;
    after = c.after;
  }
  const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const all = ctx.store
    .list(r.group, r.kind, r.namespaced ? t.namespace : undefined)
    .filter((o) => ls(o.metadata.labels) && fs(o))
    .filter((o) => !after || keyOf(o) > after);
  const page = limit > 0 ? all.slice(0, limit) : all;
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (limit > 0 && all.length > limit) {
    metadata.continue = encodeContinue(listRv, keyOf(page[page.length - 1]));
    metadata.remainingItemCount = all.length - limit;
  }
  return { apiVersion: apiVersionOf(r.group, t.version), kind: `${r.kind}List`, metadata, items: page.map((o) => fromStorage(o, r, t.version)) };
}

async function patch(req: IncomingMessage, ctx: HandlerContext, t: Target, q: URLSearchParams): Promise<{ code: number; object: KubeObject }> {
  const r = t.resource;
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = await readBody(req);
  const dryRun = q.get('dryRun') === 'All';
  const manager = q.get('fieldManager') ?? undefined;
  const subresource = t.subresource;
  if (contentType === 'application/apply-patch+yaml') {
    if (!manager) throw errors.badRequest('PATCH requests with apply content type must specify the fieldManager query parameter');
    const applied = acceptBody(await parseApplyBody(text), t, true);
    const live = ctx.store.get(r.group, r.kind, t.namespace, t.name ?? '');
    if (!live && subresource) throw errors.notFound(r, t.name ?? '');
    const wantRv = applied.metadata.resourceVersion;
    if (wantRv && (!live || wantRv !== live.metadata.resourceVersion)) throw errors.conflict(r, t.name ?? '');
    const merged = serverSideApply(live, applied, { resource: r, manager, force: flag(q, 'force'), hasStatus: r.status, scope: subresource === 'status' ? 'status' : 'main' });
    if (!live) return { code: 201, object: ctx.store.create(merged, { appliedFields: true, dryRun }) };
    return { code: 200, object: ctx.store.update(merged, { appliedFields: true, dryRun, subresource: subresource === 'status' ? 'status' : undefined }) };
  }
  const live = mustGet(ctx, t);
  let patched: unknown;
  if (contentType === 'application/merge-patch+json') patched = mergePatch(live, parseJson(text));
  else if (contentType === 'application/json-patch+json') patched = jsonPatch(live, parseJson(text));
  else if (contentType === 'application/strategic-merge-patch+json' && !r.custom) patched = mergePatch(live, parseJson(text));
  else throw errors.unsupportedMediaType(contentType);
  const obj = acceptBody(patched, t, false);
  const who = manager ?? managerFromUserAgent(req.headers['user-agent']);
  return { code: 200, object: ctx.store.update(obj, { manager: who, dryRun, subresource }) };
}

function deleteOptions(body: unknown, q: URLSearchParams): { rv?: string; uid?: string; dryRun: boolean } {
  const b = isPlainObject(body) ? body : {};
  const pre = isPlainObject(b.preconditions) ? b.preconditions : {};
  const dry = Array.isArray(b.dryRun) ? b.dryRun.includes('All') : q.get('dryRun') === 'All';
  return { rv: pre.resourceVersion as string | undefined, uid: pre.uid as string | undefined, dryRun: dry };
}

function deletedResponse(t: Target, object: KubeObject, removed: boolean): unknown {
  const r = t.resource;
  if (r.custom || !removed) return fromStorage(object, r, t.version);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: object.metadata.name, group: r.group, kind: r.plural, uid: object.metadata.uid } };
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, t: Target, q: URLSearchParams, verb: Verb, ctx: HandlerContext): Promise<void> {
  const r = t.resource;
  const out = (code: number, o: KubeObject) => sendJson(res, code, fromStorage(o, r, t.version));
  const dryRun = q.get('dryRun') === 'All';
  switch (verb) {
    case 'get':
      return out(200, mustGet(ctx, t));
    case 'list':
      return sendJson(res, 200, list(ctx, t, q));
    case 'watch': {
      const ls = labelSelector(q.get('labelSelector') ?? undefined);
      const fs = fieldSelector(q.get('fieldSelector') ?? undefined, r.custom);
      const timeout = q.get('timeoutSeconds');
      return serveWatch(req, res, ctx.store, {
        resource: r,
        version: t.version,
        namespace: r.namespaced ? t.namespace : undefined,
        matches: (o) => ls(o.metadata.labels) && fs(o),
        resourceVersion: q.get('resourceVersion') ?? undefined,
        bookmarks: flag(q, 'allowWatchBookmarks'),
        timeoutSeconds: timeout ? Number(timeout) : undefined,
      }, ctx.watches, ctx.bookmarkIntervalMs);
    }
    case 'create': {
      if (t.subresource) throw errors.methodNotAllowed('POST');
      const obj = acceptBody(parseJson(await readBody(req)), t, false);
      const manager = q.get('fieldManager') ?? managerFromUserAgent(req.headers['user-agent']);
      return out(201, ctx.store.create(obj, { manager, dryRun }));
    }
    case 'update': {
      const obj = acceptBody(parseJson(await readBody(req)), t, false);
      if (r.custom && !obj.metadata.resourceVersion)
        throw errors.invalid(r.kind, r.group, t.name ?? '', [{ field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
      const manager = q.get('fieldManager') ?? managerFromUserAgent(req.headers['user-agent']);
      return out(200, ctx.store.update(obj, { manager, dryRun, subresource: t.subresource }));
    }
    case 'patch': {
      const { code, object } = await patch(req, ctx, t, q);
      return out(code, object);
    }
    case 'delete': {
      const text = await readBody(req);
      const o = deleteOptions(text ? parseJson(text) : undefined, q);
      const { object, removed } = ctx.store.delete(r.group, r.kind, t.namespace, t.name ?? '', { preconditionResourceVersion: o.rv, preconditionUid: o.uid, dryRun: o.dryRun });
      return sendJson(res, 200, deletedResponse(t, object, removed));
    }
    case 'deletecollection': {
      const text = await readBody(req);
      const o = deleteOptions(text ? parseJson(text) : undefined, q);
      const ls = labelSelector(q.get('labelSelector') ?? undefined);
      const fs = fieldSelector(q.get('fieldSelector') ?? undefined, r.custom);
      const items: KubeObject[] = [];
      for (const obj of ctx.store.list(r.group, r.kind, r.namespaced ? t.namespace : undefined)) {
        if (!ls(obj.metadata.labels) || !fs(obj)) continue;
        try {
          items.push(ctx.store.delete(r.group, r.kind, obj.metadata.namespace, obj.metadata.name ?? '', { dryRun: o.dryRun }).object);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      if (!r.custom) return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
      return sendJson(res, 200, { apiVersion: apiVersionOf(r.group, t.version), kind: `${r.kind}List`, metadata: { resourceVersion: String(ctx.store.currentRv()) }, items: items.map((i) => fromStorage(i, r, t.version)) });
    }
  }
}
