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

export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    // answers differ by Origin: a shared cache must not hand one origin's answer to another
    if (origins.length) res.vary('Origin');
    const ok = typeof origin === 'string' && (any || allowed.has(origin));
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS.join(', '));
    }
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
