/**
 * POST /graphql with a JSON body is served before Express (src/graphql/graphql.post.ts); a request it
 * does not take (here the same path with a trailing slash, which Express routes to the same handlers)
 * is answered by Express. Both must answer alike: status, headers and body, for answers, refusals,
 * CORS and malformed bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

const ALLOWED = 'https://console.example.com';
const VIEWER = JSON.stringify({ query: '{ viewer { isPlatformAdmin } }' });

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { CORS_ORIGINS: ALLOWED } });
});
afterAll(async () => {
  await app?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'x-request-id': 'front-test-1', ...headers }, body });
  const out: Record<string, string> = {};
  // the date may tick between the two requests; the connection headers are the client's choice
  res.headers.forEach((v, k) => {
    if (k !== 'date' && k !== 'connection' && k !== 'keep-alive') out[k] = v;
  });
  return { status: res.status, headers: out, body: await res.text() };
}

/** The same request on the front's path and on Express's. */
async function both(body: string, headers: Record<string, string>): Promise<[Answer, Answer]> {
  return [await post(app.url, body, headers), await post(`${app.url}/`, body, headers)];
}

const json = { 'content-type': 'application/json' };

describe('POST /graphql before Express', () => {
  it('answers a query as Express does, CORS headers and request id included', async () => {
    const [front, express] = await both(VIEWER, { ...json, authorization: `Bearer ${app.adminToken}`, origin: ALLOWED });
    expect(front.status).toBe(200);
    expect(JSON.parse(front.body)).toMatchObject({ data: { viewer: { isPlatformAdmin: true } } });
    expect(front.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(front.headers.vary).toBe('Origin');
    expect(front.headers['x-request-id']).toBe('front-test-1');
    expect(front.headers.etag).toBeUndefined();
    expect(front).toEqual(express);
  });

  it('answers a missing or unknown token with the same 401 and challenge', async () => {
    for (const auth of [{}, { authorization: 'Bearer sg_nope' }] as Record<string, string>[]) {
      const [front, express] = await both(VIEWER, { ...json, ...auth });
      expect(front.status).toBe(401);
      expect(front.headers['www-authenticate']).toMatch(/^Bearer realm=/);
      expect(front).toEqual(express);
    }
  });

  it('answers an invalid document and a charset parameter alike', async () => {
    const bad = JSON.stringify({ query: '{ viewer { nope } }' });
    const [front, express] = await both(bad, { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${app.adminToken}` });
    expect(front.status).toBe(400);
    expect(front).toEqual(express);
  });

  it('answers malformed, non-object, empty and byte-order-marked bodies as the body parser did', async () => {
    const auth = { ...json, authorization: `Bearer ${app.adminToken}` };
    for (const body of ['{', '"just a string"', '  [1', 'nul', '', `\uFEFF${VIEWER}`]) {
      const [front, express] = await both(body, auth);
      expect(front, JSON.stringify(body)).toEqual(express);
    }
    const [malformed] = await both('{', auth);
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toEqual({ errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }] });
    const [bom] = await both(`\uFEFF${VIEWER}`, auth);
    expect(bom.status).toBe(200);
  });
});
