/**
 * Query limits on HTTP and graphql-ws alike (design §4/§6): depth, cost (nested `first`), aliases,
 * page size, and message size. Every refusal is a typed LIMIT_EXCEEDED error answered before any
 * resolver runs (no SQL beyond authentication).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';
import { rawWs, until, wsClient, type WsTestClient } from '../helpers/ws.js';

let app: TestApp;
let ws: WsTestClient;
let statements: string[] = [];
let tenantId: string;

beforeAll(async () => {
  // no workflow runner: its polling would add statements to the ones counted here
  app = await startTestApp({ onQuery: (s) => statements.push(s), noRunner: true });
  ws = wsClient(app.wsUrl, `Bearer ${app.adminToken}`);
  const t = await createTenant(app, uniq('lim'));
  tenantId = t.id;
  for (let i = 0; i < 3; i++) await createProject(app, t.id);
});
afterAll(async () => {
  await ws?.dispose();
  await app?.close();
});

type Transport = 'http' | 'ws';
const TRANSPORTS: Transport[] = ['http', 'ws'];

async function run(transport: Transport, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[]; status?: number }> {
  if (transport === 'http') return app.gql(query, variables);
  const r = await ws.request(query, variables);
  return { data: r.data, errors: r.errors as any[] | undefined };
}

/** Asserts a LIMIT_EXCEEDED refusal that ran no resolver (no SQL past authentication). */
async function expectLimit(transport: Transport, query: string, variables?: Record<string, unknown>, message?: RegExp): Promise<void> {
  statements = [];
  const r = await run(transport, query, variables);
  expect(r.errors, JSON.stringify(r)).toHaveLength(1);
  expect(r.errors![0].extensions?.code).toBe('LIMIT_EXCEEDED');
  if (message) expect(r.errors![0].message).toMatch(message);
  expect(r.data ?? null).toBeNull();
  if (transport === 'http') expect(r.status).toBe(400);
  // HTTP authenticates per request (2 statements); WS authenticated once at connection
  const domain = statements.filter((s) => !/api_token|role_binding/.test(s));
  expect(domain, 'a refused operation must not reach the database').toEqual([]);
}

async function expectOk(transport: Transport, query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await run(transport, query, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data;
}

// viewer(1) token(2) roleBindings(3) project(4) tenant(5) projects(6) edges(7) node(8) tenant(9) projects(10) nodes(11) id(12)
const DEEP_12 = `{ viewer { token { roleBindings { project { tenant { projects { edges { node { tenant { projects { nodes { id } } } } } } } } } } } }`;
// depth 10: the limit itself is allowed
const DEEP_10 = `{ viewer { token { roleBindings { project { tenant { projects { edges { node { tenant { name } } } } } } } } } }`;
const DEEP_VIA_FRAGMENTS = `
  query { viewer { ...A } }
  fragment A on Viewer { token { roleBindings { ...B } } }
  fragment B on RoleBinding { project { tenant { ...C } } }
  fragment C on Tenant { projects { edges { node { tenant { projects { nodes { id } } } } } } }`;
const NESTED = (n: number, m: number) => `{ tenants(first: ${n}) { edges { node { projects(first: ${m}) { edges { node { id name } } } } } } }`;
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { isPlatformAdmin }`).join(' ')} }`;

describe.each(TRANSPORTS)('limits over %s', (transport) => {
  it('refuses an operation deeper than 10, also through fragments; allows depth 10', async () => {
    await expectLimit(transport, DEEP_12, undefined, /depth 12 exceeds the limit of 10/);
    await expectLimit(transport, DEEP_VIA_FRAGMENTS, undefined, /depth/);
    await expectOk(transport, DEEP_10);
  });

  it('refuses nested first: 100 connections by cost; allows the same shape with small pages', async () => {
    await expectLimit(transport, NESTED(100, 100), undefined, /cost \d+ exceeds the limit of 25000/);
    await expectOk(transport, NESTED(10, 10));
  });

  it('computes the cost with the variables of the request', async () => {
    const q = `query($n: Int, $m: Int) { tenants(first: $n) { edges { node { projects(first: $m) { edges { node { id name } } } } } } }`;
    await expectLimit(transport, q, { n: 100, m: 100 });
    await expectOk(transport, q, { n: 5, m: 5 });
    // the same text again (Apollo caches validated documents): still judged by its variables
    await expectLimit(transport, q, { n: 100, m: 100 });
  });

  it('does not let a negative page size buy cost budget for the rest of the operation', async () => {
    const q = `{ big: tenants(first: 100) { edges { node { projects(first: 100) { edges { node { id name } } } } } }
                 neg: tenants(first: -100000) { edges { node { projects(first: 100) { edges { node { id } } } } } } }`;
    await expectLimit(transport, q);
  });

  it('multiplies the cost of nodes(ids:) by the number of ids', async () => {
    const ids = Array.from({ length: 100 }, () => tenantId);
    await expectLimit(transport, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Tenant { projects(first: 100) { nodes { id name } } } } }`, { ids });
    const d = await expectOk(transport, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Tenant { projects(first: 10) { nodes { id } } } } }`, { ids: ids.slice(0, 5) });
    expect(d.nodes).toHaveLength(5);
  });

  it('refuses more than 30 aliases; allows 30', async () => {
    await expectLimit(transport, aliases(31), undefined, /31 aliases exceed the limit of 30/);
    expect(Object.keys(await expectOk(transport, aliases(30)))).toHaveLength(30);
  });

  it.each([101, 1000, 2 ** 31 - 1])('refuses first: %d before running anything', async (first) => {
    await expectLimit(transport, `{ tenants(first: ${first}) { totalCount } }`, undefined, /exceeds the page limit of 100/);
    await expectLimit(transport, `query($id: ID!) { node(id: $id) { ... on Tenant { projects(first: ${first}) { totalCount } } } }`, { id: tenantId });
  });

  it('allows first: 100 and refuses first below 1 with a typed error', async () => {
    const d = await expectOk(transport, `{ tenants(first: 100) { totalCount edges { cursor } } }`);
    expect(d.tenants.totalCount).toBeGreaterThan(0);
    for (const first of [0, -1]) {
      const r = await run(transport, `{ tenants(first: ${first}) { totalCount } }`);
      expect(r.errors?.[0].extensions?.code).toBe('INVALID_INPUT');
      expect(r.errors?.[0].extensions?.field).toEqual(['first']);
    }
  });
});

describe('message size', () => {
  it('answers an HTTP body over 1 MiB with 413 LIMIT_EXCEEDED', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` },
      body: JSON.stringify({ query: '{ viewer { isPlatformAdmin } }', variables: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    const body: any = await res.json();
    expect(body.errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
  });

  it('accepts a body just under the limit', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` },
      body: JSON.stringify({ query: '{ viewer { isPlatformAdmin } }', variables: { pad: 'x'.repeat(1000 * 1000) } }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.viewer.isPlatformAdmin).toBe(true);
  });

  it('closes a WebSocket that sends a message over 1 MiB (1009) and keeps serving others', async () => {
    const s = await rawWs(app.wsUrl);
    s.send({ type: 'connection_init', payload: { authorization: `Bearer ${app.adminToken}` } });
    await until(() => s.messages.some((m: any) => m.type === 'connection_ack'));
    s.send({ id: '1', type: 'subscribe', payload: { query: '{ viewer { isPlatformAdmin } }', variables: { pad: 'x'.repeat(1024 * 1024 + 1) } } });
    expect((await s.closed).code).toBe(1009);
    // the shared client is unaffected
    expect(await expectOk('ws', '{ viewer { isPlatformAdmin } }')).toEqual({ viewer: { isPlatformAdmin: true } });
  });

  it('a graphql-ws message under the limit is served', async () => {
    const d = await expectOk('ws', `query($pad: String!) { viewer { isPlatformAdmin } tenant(name: $pad) { id } }`, { pad: 'x'.repeat(500_000) });
    expect(d).toEqual({ viewer: { isPlatformAdmin: true }, tenant: null });
  });

  it('answers a huge flat selection quickly with a typed error (no quadratic validation)', async () => {
    const query = `{ ${'__typename '.repeat(90_000)} }`;
    const started = Date.now();
    const r = await app.gql(query);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toMatch(/LIMIT_EXCEEDED|GRAPHQL_PARSE_FAILED|GRAPHQL_VALIDATION_FAILED/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
