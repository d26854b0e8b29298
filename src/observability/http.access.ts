/**
 * The HTTP front door of observability: a request id for every request (the caller's `x-request-id`
 * or a fresh one, echoed in the answer), the request scope that log lines and metrics read, and on
 * completion one access-log line and the HTTP metrics. A GraphQL request refused before Apollo runs
 * its plugins (401 from authentication, a body too large or not JSON) is counted here, once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from '../graphql/metrics.js';
import { REQUEST_ID_HEADER, requestIdOf } from '../graphql/request-id.js';
import type { Logger } from '../logger.js';
import { runInScope, type RequestScope } from './request.scope.js';

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** A bounded route label: the path of a known endpoint, never a client-chosen one. */
export function routeOf(req: Request): string {
  // originalUrl: under app.use('/graphql') Express rewrites req.path to '/'
  const path = req.originalUrl.split('?')[0] ?? '';
  if (path === '/graphql' || path.startsWith('/graphiql')) return path.split('/').slice(0, 2).join('/');
  return PROBES.has(path) ? path : 'other';
}

/**
 * Starts following one request: its scope (request id echoed in the answer) and, once the answer is
 * finished, the access-log line and the HTTP metrics. Shared by Express (httpAccess) and the
 * POST /graphql front that serves before Express (graphql/graphql.post.ts).
 * `route` is read at the end; `started` is when the request arrived (now by default).
 */
export type AccessTracker = (req: IncomingMessage, res: ServerResponse, route: () => string, started?: bigint) => RequestScope;

export function accessTracker(log: Logger, metrics: Metrics): AccessTracker {
  const access = log.child({ component: 'http' });
  return (req, res, routeAtEnd, started = process.hrtime.bigint()) => {
    const scope: RequestScope = { requestId: requestIdOf(req.headers), errorCodes: [] };
    res.setHeader(REQUEST_ID_HEADER, scope.requestId);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeAtEnd();
      const method = req.method ?? '';
      metrics.httpRequests.inc({ method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method, route }, seconds);
      if (route === '/graphql' && !scope.counted && scope.errorCodes.length) metrics.refusal(scope.operationName, scope.errorCodes);
      const line = {
        requestId: scope.requestId,
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        tokenId: scope.tokenId,
        operationName: scope.operationName ?? undefined,
        operationType: scope.operationType,
        outcome: res.statusCode >= 400 || scope.errorCodes.length ? 'error' : 'ok',
        errorCode: scope.errorCodes[0],
        errorCodes: scope.errorCodes.length > 1 ? [...new Set(scope.errorCodes)] : undefined,
      };
      // probes and scrapes come every few seconds: visible at debug level only
      if (PROBES.has(route)) access.debug('http request', line);
      else access.info('http request', line);
    });
    return scope;
  };
}

/** Express middleware: every request Express serves is followed by `track`. */
export function httpAccess(track: AccessTracker) {
  return (req: Request, res: Response, next: NextFunction): void => {
    runInScope(track(req, res, () => routeOf(req)), next);
  };
}
