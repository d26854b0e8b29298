/**
 * The simulated hub's Kubernetes API server: plain HTTP on 127.0.0.1 that @kubernetes/client-node
 * talks to with skipTLSVerify. Any bearer token is accepted. Routing and fault injection live here;
 * verbs are in api.handlers.ts, write semantics in object.store.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';
import { ApiError, errors } from './api.errors.js';
import { handleResource, sendJson, verbOf, type HandlerContext, type Target } from './api.handlers.js';
import { negotiateOutput } from './content.negotiation.js';
import { discovery, VERSION_INFO } from './discovery.handler.js';
import type { FaultState } from './fault.state.js';
import type { ObjectStore } from './object.store.js';
import { openapi } from './openapi.handler.js';
import { servedResource } from './resource.catalog.js';
import { WatchRegistry } from './watch.stream.js';

export interface ApiServerOptions {
  host: string;
  port: number;
  store: ObjectStore;
  faults: FaultState;
  logger: Logger;
  bookmarkIntervalMs: number;
}

const FAULT_REASONS = { 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' } as const;

/** Parses `/api/v1/...` and `/apis/<g>/<v>/...` resource paths; undefined when not one. */
export function parseResourcePath(path: string): Target | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    rest = parts.slice(2);
  } else return undefined;
  const [version, ...segs] = rest;
  let namespace: string | undefined;
  // "namespaces/<ns>/<plural>/..." addresses namespaced content; "namespaces/<ns>[/status]" the Namespace itself.
  if (group === '' && segs[0] === 'namespaces' && segs.length >= 3 && !['status', 'finalize'].includes(segs[2])) {
    namespace = segs[1];
    segs.splice(0, 2);
  } else if (group !== '' && segs[0] === 'namespaces' && segs.length >= 3) {
    namespace = segs[1];
    segs.splice(0, 2);
  }
  const [plural, name, sub, ...extra] = segs;
  const resource = plural ? servedResource(group, version, plural) : undefined;
  if (!resource || extra.length) return undefined;
  if (resource.namespaced !== (namespace !== undefined) && (name !== undefined || !resource.namespaced)) return undefined;
  if (sub !== undefined && !(sub === 'status' && resource.status) && !(sub === 'approval' && resource.kind === 'CertificateSigningRequest') && !(sub === 'scale' && resource.scale) && !(sub === 'finalize' && resource.kind === 'Namespace')) return undefined;
  return { resource, version, namespace, name, subresource: sub as Target['subresource'] };
}

export class ApiServer {
  private server?: Server;
  readonly watches = new WatchRegistry();
  private address = '';

  constructor(private readonly opts: ApiServerOptions) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const a = server.address() as AddressInfo;
    this.address = `${a.address}:${a.port}`;
    return `http://${this.address}`;
  }

  async stop(): Promise<void> {
    this.watches.dropAll(false);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = req.method ?? 'GET';
    const log = this.opts.logger;
    try {
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (['/healthz', '/livez', '/readyz'].includes(path)) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      }
      if (path === '/version') return sendJson(res, 200, VERSION_INFO);
      const doc = method === 'GET' ? discovery(path, this.address) : undefined;
      if (doc !== undefined) {
        this.maybeFail('discovery');
        negotiateOutput(req.headers.accept, { watch: false, tableable: false });
        return sendJson(res, 200, doc);
      }
      const spec = method === 'GET' && path.startsWith('/openapi/') ? openapi(path, req.headers.accept) : undefined;
      if (spec) {
        this.maybeFail('discovery');
        res.writeHead(200, { 'Content-Type': spec.contentType, 'Content-Length': Buffer.byteLength(spec.body) });
        res.end(spec.body);
        return;
      }
      const target = parseResourcePath(path);
      if (!target) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${method} ${path})`);
      const verb = verbOf(method, target, url.searchParams);
      this.maybeFail(verb);
      await handleResource(req, res, target, url.searchParams, verb, this.context());
      log.debug('sim api', { method, path, verb, code: res.statusCode });
    } catch (e) {
      const err = e instanceof ApiError ? e : errors.internal(`simulated hub internal error: ${(e as Error).message}`);
      if (!(e instanceof ApiError)) log.error('SIMULATED hub: unexpected error serving request', { method, url: req.url, err: e });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, err.code, err.toStatus());
    }
  }

  private maybeFail(verb: Parameters<FaultState['injectedError']>[0]): void {
    const code = this.opts.faults.injectedError(verb);
    if (code === undefined) return;
    throw new ApiError(code, FAULT_REASONS[code], `simulated fault: the SIMULATED hub answered ${verb} with ${code}`, code === 500 ? {} : { retryAfterSeconds: 1 });
  }

  private context(): HandlerContext {
    return { store: this.opts.store, watches: this.watches, bookmarkIntervalMs: this.opts.bookmarkIntervalMs };
  }
}
