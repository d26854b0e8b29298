/**
 * /graphql answers POST without an ETag (Express would hash every answer for one, and a POST answer
 * is never fresh), while GET keeps Express's ETag; errors of
 * the body parser are answered as before on both paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const VIEWER = '{ viewer { isPlatformAdmin } }';

describe('ETag of /graphql answers', () => {
  it('POST: the answer, without an ETag', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { data: unknown }).data).toEqual({ viewer: { isPlatformAdmin: true } });
  });

  it('GET: an ETag, as before', async () => {
    const url = `${app.url}?query=${encodeURIComponent(VIEWER)}`;
    const headers = { authorization: `Bearer ${app.adminToken}` };
    const res = await fetch(url, { headers });
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^W\/"/);
    expect(((await res.json()) as { data: unknown }).data).toEqual({ viewer: { isPlatformAdmin: true } });
  });

  it('POST: a malformed or oversized body is answered as before', async () => {
    const post = (body: string) => fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` }, body });
    const bad = await post('{');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
    const big = await post(JSON.stringify({ query: VIEWER, variables: { x: 'x'.repeat(app.config.limits.bodyBytes) } }));
    expect(big.status).toBe(413);
  });
});
