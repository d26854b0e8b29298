/**
 * Cross-origin access for browser pages on other origins (CORS_ORIGINS), without credentials: the
 * API authenticates with a bearer header, never a cookie, so no response ever carries
 * Access-Control-Allow-Credentials. An origin not on the list gets no CORS header at all and the
 * browser refuses the response; requests without Origin (servers, curl) are not affected.
 *
 * CSRF: Apollo refuses "simple" requests (a GET or a text/plain POST a form or <img> could send)
 * unless they carry a header that forces a preflight. `Authorization` is such a header (it is not
 * CORS-safelisted), so it counts: urql's and graphql-request's default GETs carry it and no more.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Headers a cross-origin page may send; anything else fails its preflight. */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'x-request-id',
  'traceparent',
  'tracestate',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'last-event-id',
];
/** Response headers a cross-origin page may read (the safelisted ones are always readable). */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'www-authenticate', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'];
const ALLOWED_METHODS = 'GET, POST';
/** How long a browser may reuse a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE = 600;

/** Headers whose presence forces a browser preflight: Apollo's CSRF guard lets such requests through. */
export const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight', 'authorization'];

/**
 * The CORS headers of an answer that is not a preflight: Vary (when origins are configured) and, for
 * an allowed origin, Allow-Origin and Expose-Headers. Returns whether the origin is allowed. Shared
 * by Express (corsMiddleware) and the POST /graphql front (graphql.post.ts); `vary` adds Origin to
 * the answer's Vary header.
 */
export function corsHeaders(origins: readonly string[]): (req: IncomingMessage, res: ServerResponse, vary: () => void) => boolean {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const exposed = CORS_EXPOSED_HEADERS.join(', ');
  return (req, res, vary) => {
    const origin = req.headers.origin;
    // answers differ by Origin: a shared cache must not hand one origin's answer to another
    if (origins.length) vary();
    const ok = typeof origin === 'string' && (any || allowed.has(origin));
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', exposed);
    }
    return ok;
  };
}

export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const headers = corsHeaders(origins);
  return (req: Request, res: Response, next: NextFunction) => {
    const ok = headers(req, res, () => res.vary('Origin'));
    const preflight = req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';
    if (!preflight) return next();
    // Answered here for every path, allowed or not: without the Allow-* headers the browser stops.
    if (ok) {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS.join(', '));
      res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE));
    }
    res.status(204).end();
  };
}

const REALM = 'spokegraph';

/**
 * RFC 6750 challenge of a 401: the scheme and realm; `error="invalid_token"` only when a credential
 * was presented (a request with none gets the bare challenge, as the RFC asks).
 */
export function bearerChallenge(credentialGiven: boolean): string {
  return credentialGiven ? `Bearer realm="${REALM}", error="invalid_token", error_description="The access token is unknown, revoked, expired or malformed"` : `Bearer realm="${REALM}"`;
}
