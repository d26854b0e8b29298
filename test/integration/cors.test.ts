/**
 * Browsers on other origins (CORS_ORIGINS), the CSRF guard's treatment of requests that carry
 * Authorization (urql's and graphql-request's default GETs), and the 401 challenge. Real gateway,
 * real HTTP, the real client libraries.
 */
import { Client, fetchExchange } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

const ALLOWED = 'https://console.example.com';
const OTHER = 'https://evil.example.net';
const VIEWER = '{ viewer { isPlatformAdmin } }';

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await startTestApp({ env: { CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` } });
  base = app.url.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await app?.close();
});

const preflight = (origin: string, requestHeaders = 'authorization, content-type', path = '/graphql') =>
  fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });

/** fetch, recording the method and headers of every request a client library makes. */
function recordingFetch(seen: { method: string; headers: Headers }[]): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    seen.push({ method: req.method, headers: req.headers });
    return fetch(req);
  }) as typeof fetch;
}

describe('preflight', () => {
  it('answers an allowed origin with 204 and the methods and headers a client sends', async () => {
    const res = await preflight(ALLOWED, 'authorization, content-type, x-request-id, traceparent');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST');
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-request-id', 'traceparent']));
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary') ?? '').toMatch(/origin/i);
  });

  it('gives a disallowed origin no CORS header at all', async () => {
    const res = await preflight(OTHER);
    expect(res.status).toBe(204);
    for (const [name] of res.headers) expect(name).not.toMatch(/^access-control-/);
  });

  it('matches origins exactly (scheme, host and port)', async () => {
    expect((await preflight('http://console.example.com')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('https://console.example.com:8443')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });
});

describe('cross-origin requests', () => {
  it('an allowed origin may read the answer and the request id; credentials stay off', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { origin: ALLOWED, 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect((res.headers.get('access-control-expose-headers') ?? '').split(/,\s*/)).toEqual(expect.arrayContaining(['x-request-id', 'www-authenticate']));
    expect(((await res.json()) as any).data.viewer.isPlatformAdmin).toBe(true);
  });

  it('a disallowed origin gets no CORS header (the browser hides the answer)', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { origin: OTHER, 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('without CORS_ORIGINS no origin is allowed', async () => {
    const plain = await startTestApp();
    try {
      const res = await fetch(plain.url, {
        method: 'OPTIONS',
        headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-headers')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe('CSRF guard and the client libraries’ GET defaults', () => {
  it('urql’s default client (GET without a content type) gets its data', async () => {
    const seen: { method: string; headers: Headers }[] = [];
    const client = new Client({
      url: app.url,
      exchanges: [fetchExchange],
      fetch: recordingFetch(seen),
      fetchOptions: () => ({ headers: { authorization: `Bearer ${app.adminToken}` } }),
    });
    const r = await client.query(VIEWER, {}).toPromise();
    expect(r.error).toBeUndefined();
    expect(r.data).toEqual({ viewer: { isPlatformAdmin: true } });
    // it really was the GET the CSRF guard used to refuse
    expect(seen.map((s) => s.method)).toEqual(['GET']);
    expect(seen[0].headers.get('content-type')).toBeNull();
  });

  it('graphql-request in GET mode gets its data', async () => {
    const seen: { method: string; headers: Headers }[] = [];
    const client = new GraphQLClient(app.url, { method: 'GET', fetch: recordingFetch(seen), headers: { authorization: `Bearer ${app.adminToken}` } });
    const data = await client.request<{ viewer: { isPlatformAdmin: boolean } }>(VIEWER);
    expect(data.viewer.isPlatformAdmin).toBe(true);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('a simple GET without Authorization (what a form or an <img> can send) is still refused', async () => {
    const res = await fetch(`${app.url}?query=${encodeURIComponent(VIEWER)}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].message).toMatch(/CSRF/);
  });

  it('a mutation over GET is refused even with Authorization', async () => {
    const q = 'mutation { revokeApiToken(input: { id: "x" }) { userErrors { message } } }';
    const res = await fetch(`${app.url}?query=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${app.adminToken}` } });
    expect(res.status).toBe(405);
  });
});

describe('401 challenge', () => {
  const post = (headers: Record<string, string>) =>
    fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', origin: ALLOWED, ...headers }, body: JSON.stringify({ query: VIEWER }) });

  it('no credential: a bare Bearer challenge with the realm', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="spokegraph"');
    // a cross-origin page can read it
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('a wrong or malformed token: error="invalid_token"', async () => {
    for (const authorization of ['Bearer sg_nope', 'Basic abc', 'Bearer']) {
      const res = await post({ authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate'), authorization).toMatch(/^Bearer realm="spokegraph", error="invalid_token"/);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});
