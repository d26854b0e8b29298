/**
 * The HTTP surface next to /graphql (design §6): health and readiness, Prometheus metrics, the
 * offline GraphiQL page and its assets, and answers to malformed requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { rawWs, until } from '../helpers/ws.js';
import { sample } from '../helpers/metrics.js';
import { cutOffPostgres, testDialect } from '../helpers/db.js';

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await startTestApp();
  base = app.url.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await app?.close();
});

async function metrics(): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe('health', () => {
  it('/healthz answers 200 without a token', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 while the database answers, 503 once it is gone', async () => {
    // SQLite cannot be cut off from outside: its ORM is closed, with no runner racing the pool's teardown
    const postgres = testDialect() === 'postgresql';
    const dedicated = await startTestApp({ noRunner: !postgres });
    try {
      const url = dedicated.url.replace(/\/graphql$/, '');
      const ok = await fetch(`${url}/readyz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ status: 'ready' });
      if (dedicated.config.db.kind === 'postgresql') await cutOffPostgres(dedicated.config.db.url);
      else await dedicated.orm.close(true);
      const gone = await fetch(`${url}/readyz`);
      expect(gone.status).toBe(503);
      const body = await gone.text();
      expect(body).not.toMatch(/sqlite|postgres|knex|pool|stack/i);
      // liveness does not depend on the database
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await dedicated.close();
    }
  });
});

describe('/metrics', () => {
  it('counts GraphQL operations with their outcome, their durations, and HTTP requests', async () => {
    await app.q(`query MetricsProbe { viewer { isPlatformAdmin } }`);
    await app.q(`query MetricsProbe { viewer { isPlatformAdmin } }`);
    await app.gql(`query MetricsBroken { tenants(first: 0) { totalCount } }`);
    await app.gql(`{ viewer { isPlatformAdmin } }`, {}, 'sg_bad');
    const text = await metrics();
    expect(sample(text, 'spokegraph_graphql_operations_total', { type: 'query', name: 'MetricsProbe', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'spokegraph_graphql_operations_total', { type: 'query', name: 'MetricsBroken', outcome: 'error' })).toBe(1);
    expect(sample(text, 'spokegraph_graphql_operation_duration_seconds_count', { type: 'query' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'spokegraph_http_requests_total', { method: 'POST', status: '200' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'spokegraph_http_requests_total', { method: 'POST', status: '401' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'spokegraph_http_request_duration_seconds_count', { method: 'POST' })).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'spokegraph_graphql_errors_total')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^# TYPE spokegraph_http_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE spokegraph_graphql_operations_total counter$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });

  // Express rewrites req.path under app.use('/graphql'); the route label must still say /graphql.
  it('labels /graphql requests with route="/graphql"', async () => {
    await app.q(`{ viewer { isPlatformAdmin } }`);
    const text = await metrics();
    expect(sample(text, 'spokegraph_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBeGreaterThanOrEqual(1);
  });

  // The error counter must count the codes clients see, not the raw errors' (which carry none).
  it('counts errors by their client-visible code', async () => {
    await app.gql(`query MetricsBroken { tenants(first: 0) { totalCount } }`);
    const text = await metrics();
    expect(sample(text, 'spokegraph_graphql_errors_total', { code: 'INVALID_INPUT' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'spokegraph_graphql_errors_total', { code: 'UNKNOWN' })).toBeNull();
  });

  it('caps operation-name cardinality', async () => {
    await app.q(`query ${'N'.repeat(80)} { viewer { isPlatformAdmin } }`);
    const text = await metrics();
    expect(text).not.toContain('N'.repeat(80));
    expect(sample(text, 'spokegraph_graphql_operations_total', { type: 'query', name: 'other', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  });

  it('moves the open-websockets gauge when sockets connect and close', async () => {
    const before = sample(await metrics(), 'spokegraph_websockets_open');
    expect(before).not.toBeNull();
    const s1 = await rawWs(app.wsUrl);
    const s2 = await rawWs(app.wsUrl);
    await until(async () => sample(await metrics(), 'spokegraph_websockets_open') === before! + 2);
    s1.socket.close(1000);
    await s1.closed;
    await until(async () => sample(await metrics(), 'spokegraph_websockets_open') === before! + 1);
    s2.socket.close(1000);
    await s2.closed;
    await until(async () => sample(await metrics(), 'spokegraph_websockets_open') === before);
    // a refused connection is counted while open and released when closed
    const refused = await rawWs(app.wsUrl);
    refused.send({ type: 'connection_init', payload: { authorization: 'Bearer nope' } });
    expect((await refused.closed).code).toBe(4403);
    await until(async () => sample(await metrics(), 'spokegraph_websockets_open') === before);
  });
});

describe('GraphiQL', () => {
  it('GET /graphql with Accept: text/html serves the page with local assets only', async () => {
    const res = await fetch(app.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<div id="graphiql">');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\/\/(unpkg|cdn|jsdelivr|embeddable-sandbox|apollo-server-landing-page)/i);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual(expect.arrayContaining(['/graphiql/graphiql.js', '/graphiql/graphiql.css', '/graphiql/react.js', '/graphiql/react-dom.js', '/graphiql/boot.js']));
    for (const asset of assets) {
      expect(asset.startsWith('/graphiql/'), asset).toBe(true);
      const a = await fetch(`${base}${asset}`);
      expect(a.status, asset).toBe(200);
      expect(a.headers.get('content-type'), asset).toMatch(asset.endsWith('.css') ? /text\/css/ : /javascript/);
      expect((await a.text()).length, asset).toBeGreaterThan(asset.endsWith('boot.js') ? 100 : 5_000);
    }
    // the boot script talks to this origin's /graphql only
    const boot = await (await fetch(`${base}/graphiql/boot.js`)).text();
    expect(boot).not.toMatch(/https?:\/\//);
    expect(boot).toContain("window.location.origin + '/graphql'");
    // subscriptions: graphql-ws (served from here) with the Headers tab's Authorization as connectionParams
    expect(assets).toContain('/graphiql/graphql-ws.js');
    expect(boot).toMatch(/graphqlWs\.createClient\(\{[^}]*connectionParams: \{ authorization: authorization \}/);
    expect(boot).toContain('wsClient: ws');
    // GraphiQL mounts after a token is known (no unauthenticated schema fetch); headers are not persisted
    expect(boot).toContain("'API token'");
    expect(boot).toContain('shouldPersistHeaders: false');
  });

  it('unknown assets are 404, and a GET without Accept: text/html is not the page', async () => {
    expect((await fetch(`${base}/graphiql/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/graphiql/nope.js`)).status).toBe(404);
    const res = await fetch(app.url, { headers: { accept: 'application/json' } });
    expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });
});

describe('malformed requests', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}`, ...headers }, body });

  it.each(['{', '{"query": ', 'not json', '{"query": "{ viewer { isPlatformAdmin } }",}'])('answers malformed JSON %j with 400 BAD_REQUEST', async (body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const json: any = await res.json();
    expect(json.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(json)).not.toMatch(/at JSON\.parse|SyntaxError|stack/);
  });

  it('answers a body without a query with 400', async () => {
    const res = await post('{}');
    expect(res.status).toBe(400);
  });

  it('answers a query that does not parse with 400 GRAPHQL_PARSE_FAILED', async () => {
    const res = await post(JSON.stringify({ query: '{ viewer { ' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses a batched request (array body)', async () => {
    const res = await post(JSON.stringify([{ query: '{ viewer { isPlatformAdmin } }' }, { query: '{ viewer { isPlatformAdmin } }' }]));
    expect(res.status).toBe(400);
  });

  it('refuses a simple (CSRF-able) GET or text/plain POST without a preflight header', async () => {
    // Authorization forces a browser preflight, so it counts as one (cors.test.ts): these carry none
    const get = await fetch(`${app.url}?query=${encodeURIComponent('{ viewer { isPlatformAdmin } }')}`);
    expect(get.status).toBe(400);
    const text = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ viewer { isPlatformAdmin } }' }) });
    expect(text.status).toBe(400);
    for (const res of [get, text]) expect(((await res.json()) as any).errors[0].message).toMatch(/CSRF/);
  });

  it('answers a missing or malformed Authorization header with 401', async () => {
    for (const authorization of ['', 'Bearer', 'Basic abc', `Bearer ${app.adminToken} extra`, `bearer  ${'x'.repeat(500)}`]) {
      const res = await post(JSON.stringify({ query: '{ viewer { isPlatformAdmin } }' }), { authorization });
      expect(res.status, authorization).toBe(401);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});
