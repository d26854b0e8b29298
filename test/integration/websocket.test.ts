/**
 * graphql-ws on /graphql (design §5/§6): authentication in connectionParams (refused with 4403, which
 * clients may retry with a fresh token — never 4500), operations over the socket, and errors masked
 * and typed exactly like over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createProject, createTenant, createToken, createTokenWithId, uniq } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';
import { rawWs, until, wsClient } from '../helpers/ws.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('connection authentication', () => {
  const refusedWith = async (params: Record<string, unknown> | undefined) => {
    const s = await rawWs(app.wsUrl);
    s.send(params === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload: params });
    const closed = await s.closed;
    expect(s.messages).toEqual([]); // never acknowledged
    return closed.code;
  };

  it.each([
    ['no connectionParams', undefined],
    ['empty connectionParams', {}],
    ['a bad token', { authorization: 'Bearer sg_not-a-token' }],
    ['a token without the Bearer scheme', { authorization: 'sg_not-a-token' }],
    ['a non-string authorization', { authorization: 42 }],
    ['an oversized token', { authorization: `Bearer ${'x'.repeat(10_000)}` }],
  ])('refuses %s with close code 4403', async (_what, params) => {
    expect(await refusedWith(params)).toBe(4403);
  });

  it('refuses a revoked and an expired token with 4403', async () => {
    const t = await createTenant(app);
    const revoked = await createTokenWithId(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    await app.q(`mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }`, { id: revoked.id });
    expect(await refusedWith({ authorization: `Bearer ${revoked.secret}` })).toBe(4403);
    const expired = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    await sql(app, `update api_token set expires_at = ? where prefix = ?`, [new Date(Date.now() - 1000), expired.slice(0, 10)]);
    expect(await refusedWith({ authorization: `Bearer ${expired}` })).toBe(4403);
  });

  it('the graphql-ws client sees the refusal as a 4403 close, not 4500', async () => {
    const c = wsClient(app.wsUrl, 'Bearer sg_nope');
    await expect(c.request('{ viewer { isPlatformAdmin } }')).rejects.toMatchObject({ code: 4403 });
    expect((await c.closed).code).toBe(4403);
    await c.dispose();
  });

  it('acknowledges a valid token, also under the Authorization key', async () => {
    const s = await rawWs(app.wsUrl);
    s.send({ type: 'connection_init', payload: { Authorization: `Bearer ${app.adminToken}` } });
    await until(() => s.messages.length > 0);
    expect(s.messages[0]).toMatchObject({ type: 'connection_ack' });
    s.socket.close(1000);
    await s.closed;
  });
});

describe('operations over the socket', () => {
  it('runs queries and mutations with the identity of the connection', async () => {
    const t = await createTenant(app, uniq('ws'));
    const p = await createProject(app, t.id);
    const other = await createTenant(app, uniq('wso'));
    const secret = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    const c = wsClient(app.wsUrl, `Bearer ${secret}`);
    try {
      const r = await c.request(`{ viewer { isPlatformAdmin roleBindings { role project { name } } } tenants { totalCount nodes { name } } }`);
      expect(r.errors).toBeUndefined();
      expect(r.data).toEqual({
        viewer: { isPlatformAdmin: false, roleBindings: [{ role: 'PROJECT_VIEWER', project: { name: p.name } }] },
        tenants: { totalCount: 1, nodes: [{ name: t.name }] },
      });
      // other tenants stay invisible over WS too
      const hidden = await c.request(`query($id: ID!) { node(id: $id) { id } }`, { id: other.id });
      expect(hidden).toEqual({ data: { node: null } });
      // a refused mutation: FORBIDDEN, typed like HTTP
      const m = await c.request(`mutation($id: ID!) { updateProject(input: { id: $id, displayName: "x" }) { project { id } } }`, { id: p.id });
      expect(m.errors?.[0]).toMatchObject({ message: expect.any(String), extensions: { code: 'FORBIDDEN' } });
    } finally {
      await c.dispose();
    }
    const admin = wsClient(app.wsUrl, `Bearer ${app.adminToken}`);
    try {
      const name = uniq('wsmut');
      const r = await admin.request(`mutation($n: String!) { createTenant(input: { name: $n }) { tenant { name } userErrors { code } } }`, { n: name });
      expect(r.data).toEqual({ createTenant: { tenant: { name }, userErrors: [] } });
      expect((await app.q(`query($n: String!) { tenant(name: $n) { name } }`, { n: name })).tenant).toEqual({ name });
    } finally {
      await admin.dispose();
    }
  });

  it('types request errors like HTTP does (parse, validation, variables)', async () => {
    const c = wsClient(app.wsUrl, `Bearer ${app.adminToken}`);
    try {
      const cases: [string, Record<string, unknown> | undefined, string][] = [
        ['{ viewer { ', undefined, 'GRAPHQL_PARSE_FAILED'],
        ['{ nope }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
        ['query($x: Int) { viewer { isPlatformAdmin } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
        ['query($n: Int!) { tenants(first: $n) { totalCount } }', { n: 'ten' }, 'BAD_USER_INPUT'],
        ['query($n: Int!) { tenants(first: $n) { totalCount } }', {}, 'BAD_USER_INPUT'],
      ];
      for (const [query, variables, code] of cases) {
        const overWs = await c.request(query, variables);
        const overHttp = await app.gql(query, variables);
        expect(overWs.errors?.[0].extensions?.code, query).toBe(code);
        expect(overHttp.errors?.[0].extensions?.code, query).toBe(code);
        expect(overWs.errors?.[0].message).toBe(overHttp.errors?.[0].message);
      }
      // a domain error in a query is the same on both transports
      const q = `query($p: ID!) { quotaWhatIf(projectId: $p, gpuFamily: "bad family", count: 1) { allowed } }`;
      const t = await createTenant(app);
      const p = await createProject(app, t.id);
      const ws = await c.request(q, { p: p.id });
      const http = await app.gql(q, { p: p.id });
      expect(ws.errors).toEqual(http.errors);
      expect(ws.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: ['gpuFamily'] });
    } finally {
      await c.dispose();
    }
  });
});

describe('masking of internal errors', () => {
  it('never shows SQL text, over HTTP or WS', async () => {
    // a separate app whose machine table is dropped behind its back: every machine read is a driver error
    const broken = await startTestApp();
    try {
      const t = await createTenant(broken, uniq('broken'));
      await broken.orm.em.fork().getConnection().execute('drop table machine');
      const q = `query($id: ID!) { node(id: $id) { ... on Tenant { name machines { totalCount nodes { hostId } } } } }`;
      const http = await broken.gql(q, { id: t.id });
      const c = wsClient(broken.wsUrl, `Bearer ${broken.adminToken}`);
      const ws = await c.request(q, { id: t.id });
      await c.dispose();
      for (const r of [http, ws] as { errors?: any[] }[]) {
        expect(r.errors?.length).toBeGreaterThan(0);
        for (const e of r.errors!) {
          expect(e).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
          expect(Object.keys(e.extensions)).toEqual(['code']);
        }
        const text = JSON.stringify(r);
        expect(text).not.toMatch(/machine_|select|from |sqlite|relation|no such table|stack/i);
      }
      expect(ws.errors).toEqual(http.errors);
    } finally {
      await broken.close();
    }
  });
});
