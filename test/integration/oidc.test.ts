/**
 * Sign-in with an identity provider (OIDC_ISSUERS): JWTs signed with keys made here, published by a
 * local JWKS server, sent to the real gateway as bearer tokens. Groups map to roles; expired, wrong
 * audience, unknown issuer, unknown kid and forged tokens are 401; API tokens are unchanged; audit
 * records name the OIDC subject. The same JWTs open graphql-ws sockets and SSE streams, which close
 * with 4403 when the JWT expires.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient as createSseClient } from 'graphql-sse';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { emitProjectEvent, projectEvents } from '../helpers/events.js';
import { createProject, createTenant } from '../helpers/seed.js';
import { rawWs } from '../helpers/ws.js';

const AUDIENCE = 'spokegraph-test';
const TENANT = 'oidc-tenant';
const PROJECT = 'oidc-project';

let app: TestApp;
let jwks: http.Server;
let issuer: string;
let key: CryptoKey;
let otherKey: CryptoKey;
let jwksRequests = 0;
let projectId: string;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const published: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  key = pair.privateKey;
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  jwks = http.createServer((req, res) => {
    jwksRequests++;
    if (req.url !== '/jwks') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [published] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
  app = await startTestApp({
    env: {
      OIDC_ISSUERS: JSON.stringify([
        {
          issuer,
          audience: AUDIENCE,
          jwksUri: `${issuer}/jwks`,
          groups: {
            ops: [{ role: 'PLATFORM_ADMIN' }],
            'ml-team': [{ role: 'PROJECT_VIEWER', project: PROJECT }],
          },
        },
      ]),
    },
  });
  const t = await createTenant(app, TENANT);
  projectId = (await createProject(app, t.id, PROJECT)).id;
  await createProject(app, t.id, 'oidc-other-project');
});
afterAll(async () => {
  await app?.close();
  await new Promise((r) => jwks?.close(r));
});

interface Claims {
  sub?: string;
  groups?: string[];
  email?: string;
  aud?: string;
  iss?: string;
  exp?: number;
  kid?: string;
  signWith?: CryptoKey;
}

function jwt(c: Claims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ groups: c.groups ?? [], email: c.email ?? 'alice@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: c.kid ?? 'k1' })
    .setSubject(c.sub ?? 'alice')
    .setIssuer(c.iss ?? issuer)
    .setAudience(c.aud ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(c.exp ?? now + 600)
    .sign(c.signWith ?? key);
}

const WHO = '{ viewer { isPlatformAdmin name subject token { id } roleBindings { role project { name } } } projects(first: 50) { nodes { name } } }';

describe('OIDC JWTs', () => {
  it('a member of a group mapped to PLATFORM_ADMIN is a platform admin, named by its subject', async () => {
    const r = await app.gql(WHO, {}, await jwt({ groups: ['ops'] }));
    expect(r.status).toBe(200);
    expect(r.data.viewer).toMatchObject({ isPlatformAdmin: true, name: 'alice@example.com', subject: `${issuer}#alice`, token: null });
  });

  it('a group mapped to a project role sees that project and nothing else', async () => {
    const r = await app.gql(WHO, {}, await jwt({ sub: 'bob', email: 'bob@example.com', groups: ['ml-team', 'unmapped'] }));
    expect(r.errors).toBeUndefined();
    expect(r.data.viewer.isPlatformAdmin).toBe(false);
    expect(r.data.viewer.roleBindings).toEqual([{ role: 'PROJECT_VIEWER', project: { name: PROJECT } }]);
    expect(r.data.projects.nodes.map((p: { name: string }) => p.name)).toEqual([PROJECT]);
    // a viewer cannot create what an editor could
    const refused = await app.gql(`mutation { createTenant(input: { name: "nope-oidc" }) { userErrors { code } } }`, {}, await jwt({ sub: 'bob', groups: ['ml-team'] }));
    expect(JSON.stringify(refused)).toMatch(/FORBIDDEN/);
  });

  it('no mapped group: authenticated, but holding no role sees nothing', async () => {
    const r = await app.gql(WHO, {}, await jwt({ sub: 'carol', groups: ['elsewhere'] }));
    expect(r.status).toBe(200);
    expect(r.data.viewer.roleBindings).toEqual([]);
    expect(r.data.projects.nodes).toEqual([]);
  });

  it.each([
    ['expired', async () => jwt({ groups: ['ops'], exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['wrong audience', async () => jwt({ groups: ['ops'], aud: 'another-app' })],
    ['unconfigured issuer', async () => jwt({ groups: ['ops'], iss: 'https://idp.example.org' })],
    ['unknown kid', async () => jwt({ groups: ['ops'], kid: 'k-unknown', signWith: otherKey })],
    ['forged signature (known kid, other key)', async () => jwt({ groups: ['ops'], signWith: otherKey })],
  ])('%s: 401 invalid_token', async (_what, make) => {
    const token = await make();
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: WHO }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('fetches the JWKS once and caches it (an unknown kid may refetch, rate-limited)', async () => {
    const before = jwksRequests;
    for (let i = 0; i < 5; i++) expect((await app.gql('{ viewer { name } }', {}, await jwt({ groups: ['ops'] }))).status).toBe(200);
    expect(jwksRequests - before).toBe(0);
  });

  it('API tokens work as before', async () => {
    const r = await app.gql(WHO, {}, app.adminToken);
    expect(r.data.viewer).toMatchObject({ isPlatformAdmin: true, subject: null, token: { id: expect.any(String) } });
  });

  it('audit records name the OIDC subject as the actor', async () => {
    const token = await jwt({ sub: 'dora', groups: ['ops'] });
    const created = await app.q(`mutation { createTenant(input: { name: "oidc-audited" }) { tenant { id } userErrors { message } } }`, {}, token);
    expect(created.createTenant.userErrors).toEqual([]);
    const audit = await app.q(`{ auditEvents(first: 20, filter: { operation: "createTenant" }) { nodes { targetId actor { subject tokenId } } } }`);
    const rec = audit.auditEvents.nodes.find((n: { targetId: string }) => n.targetId === created.createTenant.tenant.id);
    expect(rec.actor.subject).toBe(`${issuer}#dora`);
    // the id derived from issuer and subject (stable across sign-ins), not any API token's
    expect(Buffer.from(rec.actor.tokenId, 'base64').toString()).toMatch(/:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const again = await app.q(`mutation { createTenant(input: { name: "oidc-audited-2" }) { tenant { id } } }`, {}, await jwt({ sub: 'dora', groups: ['ops'] }));
    const audit2 = await app.q(`{ auditEvents(first: 20, filter: { operation: "createTenant" }) { nodes { targetId actor { tokenId } } } }`);
    expect(audit2.auditEvents.nodes.find((n: { targetId: string }) => n.targetId === again.createTenant.tenant.id).actor.tokenId).toBe(rec.actor.tokenId);
  });
});

describe('OIDC JWTs on live connections', () => {
  const inSeconds = (n: number) => Math.floor(Date.now() / 1000) + n;

  it('graphql-ws: a JWT is admitted, its subscription delivers, and the socket closes with 4403 when the JWT expires', async () => {
    const sub = projectEvents(app, projectId, null, await jwt({ sub: 'erin', groups: ['ml-team'], exp: inSeconds(4) }));
    try {
      await emitProjectEvent(app, projectId, 'hello oidc');
      await sub.until((es) => es.some((e) => e.message === 'hello oidc'), 10_000);
      expect(sub.errors).toEqual([]);
      // no database row stands behind the JWT: only its exp ends the socket
      await sub.done(15_000);
      expect((sub.socketError as { code?: number } | undefined)?.code).toBe(4403);
    } finally {
      await sub.close();
    }
  });

  it('graphql-ws: a forged or expired JWT is refused at connection_init with 4403', async () => {
    for (const token of [await jwt({ groups: ['ops'], signWith: otherKey }), await jwt({ groups: ['ops'], exp: inSeconds(-3600) })]) {
      const s = await rawWs(app.wsUrl);
      s.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
      expect((await s.closed).code).toBe(4403);
    }
  });

  it('graphql-ws: a project-bound JWT gets no events of a project it cannot see', async () => {
    const other = (await app.q(`{ projects(first: 50) { nodes { id name } } }`)).projects.nodes.find((p: { name: string }) => p.name === 'oidc-other-project');
    const sub = projectEvents(app, other.id, null, await jwt({ sub: 'frank', groups: ['ml-team'] }));
    try {
      await sub.done(10_000);
      expect(sub.events).toEqual([]);
      expect(sub.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    } finally {
      await sub.close();
    }
  });

  it('SSE: a JWT opens a stream on /graphql/stream that delivers', async () => {
    const client = createSseClient({ url: `${app.url}/stream`, headers: { authorization: `Bearer ${await jwt({ sub: 'gina', groups: ['ml-team'] })}` }, retryAttempts: 0 });
    const got: string[] = [];
    let failed: unknown = null;
    const dispose = client.subscribe<{ projectEvents: { message: string } }>(
      { query: 'subscription($p: ID!) { projectEvents(projectId: $p) { message } }', variables: { p: projectId } },
      { next: (r) => void (r.data && got.push(r.data.projectEvents.message)), error: (e) => void (failed = e), complete: () => undefined },
    );
    try {
      const end = Date.now() + 10_000;
      while (!got.includes('hello sse') && !failed && Date.now() < end) {
        await emitProjectEvent(app, projectId, 'hello sse');
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(failed).toBeNull();
      expect(got).toContain('hello sse');
    } finally {
      dispose();
      client.dispose();
    }
  });
});
