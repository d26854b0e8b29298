/**
 * Watch streams: chunked newline-delimited JSON, as kube-apiserver serves them. Initial state for
 * resourceVersion ""/"0", replay from history for a number, 410 Expired when history is gone,
 * selector transitions become ADDED/DELETED, bookmarks on request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from './api.errors.js';
import type { KubeObject } from './kube.types.js';
import type { ObjectStore, StoreEvent } from './object.store.js';
import type { ResourceType } from './resource.catalog.js';
import { fromStorage } from './version.convert.js';

export interface WatchRequest {
  resource: ResourceType;
  version: string;
  namespace?: string;
  matches: (obj: KubeObject) => boolean;
  resourceVersion?: string;
  bookmarks: boolean;
  timeoutSeconds?: number;
}

/** Open watches, so tests and the drop-watches fault can close them. */
export class WatchRegistry {
  private readonly open = new Set<(abrupt: boolean) => void>();

  add(close: (abrupt: boolean) => void): () => void {
    this.open.add(close);
    return () => this.open.delete(close);
  }

  /** Close every open watch. Clean by default (like a server-side timeout); abrupt destroys the socket. */
  dropAll(abrupt = false): number {
    const all = [...this.open];
    this.open.clear();
    for (const close of all) close(abrupt);
    return all.length;
  }

  size(): number {
    return this.open.size;
  }
}

/**
 * The JSON of an object as served at a version. Stored objects are frozen, so the text of the
 * object a write just emitted is computed once and reused by every watch of that resource and
 * version (listeners run one after the other for the same event). One entry: nothing is retained.
 */
let lastEncoded: { object: KubeObject; resource: ResourceType; version: string; text: string } | undefined;
function encodeObject(object: KubeObject, resource: ResourceType, version: string): string {
  const e = lastEncoded;
  if (e && e.object === object && e.resource === resource && e.version === version) return e.text;
  const text = JSON.stringify(fromStorage(object, resource, version));
  lastEncoded = { object, resource, version, text };
  return text;
}

/** Forget the cached encoding (a stopped hub keeps nothing alive). */
export function clearEncodingCache(): void {
  lastEncoded = undefined;
}

export function parseWatchRv(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '' || rv === '0') return undefined;
  if (!/^\d+$/.test(rv)) throw errors.badRequest(`invalid resource version "${rv}"`);
  return Number(rv);
}

export function serveWatch(
  _req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  w: WatchRequest,
  registry: WatchRegistry,
  bookmarkIntervalMs: number,
): void {
  const from = parseWatchRv(w.resourceVersion);
  const ofKind = (o: KubeObject) =>
    o.kind === w.resource.kind && (w.resource.group ? o.apiVersion.startsWith(`${w.resource.group}/`) : !o.apiVersion.includes('/'));
  const inScope = (o: KubeObject) => ofKind(o) && (w.namespace === undefined || o.metadata.namespace === w.namespace) && w.matches(o);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  let closed = false;
  const write = (type: string, object: unknown) => {
    if (!closed) res.write(JSON.stringify({ type, object }) + '\n');
  };
  // Same bytes as write(type, fromStorage(o, ...)): {"type":…,"object":…}
  const writeObject = (type: string, o: KubeObject) => {
    if (!closed) res.write(`{"type":${JSON.stringify(type)},"object":${encodeObject(o, w.resource, w.version)}}\n`);
  };
  const send = (ev: StoreEvent) => {
    if (!ofKind(ev.object)) return;
    const now = ev.type !== 'DELETED' && inScope(ev.object);
    const before = ev.type === 'DELETED' ? inScope(ev.object) : ev.old ? inScope(ev.old) : false;
    let type: string | undefined;
    if (ev.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (now) type = before ? 'MODIFIED' : 'ADDED';
    else if (before) type = 'DELETED';
    if (type) writeObject(type, ev.object);
  };

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  let unregister: () => void = () => undefined;
  const finish = (abrupt: boolean) => {
    if (closed) return;
    closed = true;
    unsubscribe();
    unregister();
    timers.forEach((t) => clearTimeout(t));
    if (abrupt) res.socket?.destroy();
    else res.end();
  };
  // The response closes when the client goes away (or we end it); that is the one signal to clean up.
  res.on('close', () => finish(false));

  if (from === undefined) {
    const items = w.namespace === undefined ? store.list(w.resource.group, w.resource.kind) : store.list(w.resource.group, w.resource.kind, w.namespace);
    for (const o of items) if (inScope(o)) writeObject('ADDED', o);
  } else {
    const replay = store.eventsSince(from);
    if (replay === 'expired') {
      const oldest = store.compactedResourceVersion();
      write('ERROR', errors.expired(`too old resource version: ${from} (${oldest})`).toStatus());
      finish(false);
      return;
    }
    for (const ev of replay) send(ev);
  }
  // Subscribing right after the synchronous snapshot/replay leaves no gap: nothing runs in between.
  unsubscribe = store.subscribe(send);
  unregister = registry.add(finish);

  if (w.bookmarks) {
    const t = setInterval(() => write('BOOKMARK', { kind: w.resource.kind, apiVersion: w.resource.group ? `${w.resource.group}/${w.version}` : w.version, metadata: { resourceVersion: String(store.currentRv()) } }), bookmarkIntervalMs);
    timers.push(t);
  }
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) timers.push(setTimeout(() => finish(false), w.timeoutSeconds * 1000));
}
