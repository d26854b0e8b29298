/**
 * Access changes reach open WebSockets (issue 8 §2): a revoked token, an expired one, and a deleted
 * project or tenant close the affected sockets with 4403 and end their subscriptions; every later
 * operation on such a socket is refused. The signal travels on the EventBus's `access` topic, and
 * the registry acts on it whoever published it; without it (a lost message) tokens are re-read
 * every TOKEN_RECHECK_MS. HTTP authenticates every request and sees a revocation at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InProcessEventBus } from '../../src/events/event.bus.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { emitProjectEvent, PROJECT_EVENTS, projectEvents } from '../helpers/events.js';
import { createProject, createTenant, createToken, createTokenWithId, uniq } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';
import { ackedWs, firstAnswer, messagesFor, until, wsClient } from '../helpers/ws.js';

const REVOKE = `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }`;
const VIEWER = '{ viewer { token { name } } }';

async function tokenUuid(app: TestApp, secret: string): Promise<string> {
  const [row] = await sql<{ id: string }>(app, 'select id from api_token where prefix = ?', [secret.slice(0, 10)]);
  return row.id;
}

/** Event-bus handlers held by live streams (plus the registry's own access handler). */
const handlers = (app: TestApp) => (app.bus as InProcessEventBus).size();

describe('with the bus carrying access changes (no re-read for a minute)', () => {
  let app: TestApp;
  let tenant: { id: string; name: string };
  beforeAll(async () => {
    app = await startTestApp({ env: { TOKEN_RECHECK_MS: '60000' } });
    tenant = await createTenant(app, uniq('acc'));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('revoking a token through HTTP closes its open socket with 4403 within 1 s and ends its subscription', async () => {
    const p = await createProject(app, tenant.id);
    const tok = await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    const idle = handlers(app);
    const sub = projectEvents(app, p.id, null, tok.secret);
    await until(() => handlers(app) === idle + 1);
    await emitProjectEvent(app, p.id, 'before');
    await sub.until((evs) => evs.length === 1);
    const raw = await ackedWs(app.wsUrl, tok.secret);

    const revoked = await app.q(REVOKE, { id: tok.id });
    expect(revoked.revokeApiToken.userErrors).toEqual([]);
    const at = Date.now();
    const closed = await raw.closed;
    expect(Date.now() - at).toBeLessThan(1_000);
    expect(closed).toEqual({ code: 4403, reason: 'Forbidden' });
    await sub.done(1_000);
    expect((sub.socketError as { code?: number }).code).toBe(4403);
    // the stream let go of the bus, and nothing more reaches the revoked subscriber
    await until(() => handlers(app) === idle);
    await emitProjectEvent(app, p.id, 'after');
    expect(sub.events.map((e) => e.message)).toEqual(['before']);

    // a new subscribe with the revoked token is refused: the reconnect is turned away
    const again = wsClient(app.wsUrl, `Bearer ${tok.secret}`);
    await expect(again.request(VIEWER)).rejects.toMatchObject({ code: 4403 });
    await again.dispose();
    // and HTTP, which authenticates every request, refuses it at once
    expect((await app.gql(VIEWER, undefined, tok.secret)).status).toBe(401);
  });

  it('refuses an operation sent on the socket after the revocation, even before the close arrives', async () => {
    const tok = await createTokenWithId(app, [{ role: 'TENANT_ADMIN', tenantId: tenant.id }]);
    const raw = await ackedWs(app.wsUrl, tok.secret);
    expect((await firstAnswer(raw, 'q1', VIEWER)).type).toBe('next');
    await app.q(REVOKE, { id: tok.id });
    raw.send({ id: 'q2', type: 'subscribe', payload: { query: VIEWER } });
    expect((await raw.closed).code).toBe(4403);
    expect(messagesFor(raw, 'q2').filter((m) => m.type === 'next')).toEqual([]);
  });

  it('closes only the revoked token\'s sockets: another token of the same scope keeps streaming', async () => {
    const p = await createProject(app, tenant.id);
    const gone = await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    const kept = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    const a = await ackedWs(app.wsUrl, gone.secret);
    const b = await ackedWs(app.wsUrl, gone.secret);
    const idle = handlers(app);
    const other = projectEvents(app, p.id, null, kept);
    await until(() => handlers(app) === idle + 1);
    await app.q(REVOKE, { id: gone.id });
    expect((await a.closed).code).toBe(4403);
    expect((await b.closed).code).toBe(4403);
    await emitProjectEvent(app, p.id, 'still here');
    await other.until((evs) => evs.some((e) => e.message === 'still here'));
    await other.close();
  });

  it('deleting a project closes the sockets of tokens bound to it; a tenant admin of its tenant stays connected', async () => {
    const p = await createProject(app, tenant.id);
    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    const admin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: tenant.id }]);
    const vs = await ackedWs(app.wsUrl, viewer);
    const sub = projectEvents(app, p.id, null, viewer);
    const as = await ackedWs(app.wsUrl, admin);
    const d = await app.q(`mutation($id: ID!) { deleteProject(input: { id: $id }) { userErrors { code } } }`, { id: p.id });
    expect(d.deleteProject.userErrors).toEqual([]);
    expect((await vs.closed).code).toBe(4403);
    await sub.done(1_000);
    expect((sub.socketError as { code?: number }).code).toBe(4403);
    // the tenant admin lost nothing: its socket still serves
    expect((await firstAnswer(as, 'q', VIEWER)).type).toBe('next');
    as.socket.close(1000);
  });

  it('starting an event subscription checks the viewer against the project every time, and forgets a deleted project at once', async () => {
    const p = await createProject(app, tenant.id);
    const other = await createProject(app, tenant.id);
    const admin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: tenant.id }]);
    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: other.id }]);
    const as = await ackedWs(app.wsUrl, admin);
    const vs = await ackedWs(app.wsUrl, viewer);
    const idle = handlers(app);
    as.send({ id: 'a1', type: 'subscribe', payload: { query: PROJECT_EVENTS, variables: { projectId: p.id } } });
    await until(() => handlers(app) === idle + 1);
    await emitProjectEvent(app, p.id, 'seen');
    await until(() => messagesFor(as, 'a1').length > 0);
    expect(messagesFor(as, 'a1')[0]).toMatchObject({ type: 'next', payload: { data: { projectEvents: { message: 'seen' } } } });
    // the project is known now; a viewer of another project of the same tenant still may not see it
    const refused = await firstAnswer(vs, 'v1', PROJECT_EVENTS, { projectId: p.id });
    // a subscription refused at its start: one `next` carrying the error, then complete
    expect(refused.type).toBe('next');
    expect(refused.payload.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['NOT_FOUND']);
    const d = await app.q(`mutation($id: ID!) { deleteProject(input: { id: $id }) { userErrors { code } } }`, { id: p.id });
    expect(d.deleteProject.userErrors).toEqual([]);
    // the tenant admin keeps its socket, but the project is gone for a new subscription at once
    const gone = await firstAnswer(as, 'a2', PROJECT_EVENTS, { projectId: p.id });
    expect(gone.type).toBe('next');
    expect(gone.payload.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['NOT_FOUND']);
    as.socket.close(1000);
    vs.socket.close(1000);
  });

  it('deleting a tenant closes its tenant admins\' sockets', async () => {
    const t = await createTenant(app, uniq('gone'));
    const admin = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    const s = await ackedWs(app.wsUrl, admin);
    const d = await app.q(`mutation($id: ID!) { deleteTenant(input: { id: $id }) { userErrors { code } } }`, { id: t.id });
    expect(d.deleteTenant.userErrors).toEqual([]);
    expect((await s.closed).code).toBe(4403);
  });

  it('acts on an access change published on the bus by another client (as from another replica), and ignores malformed ones', async () => {
    const secret = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: tenant.id }]);
    const s = await ackedWs(app.wsUrl, secret);
    // what a bus between processes delivers: a parsed copy, not an object our code built
    for (const junk of [null, 'token', { kind: 'token' }, { kind: 'token', tokenId: 42 }, { kind: 'nope', tokenId: 'x' }]) {
      app.bus.publish('access', junk as never);
    }
    expect((await firstAnswer(s, 'q1', VIEWER)).type).toBe('next');
    app.bus.publish('access', JSON.parse(JSON.stringify({ kind: 'token', tokenId: await tokenUuid(app, secret) })));
    expect((await s.closed).code).toBe(4403);
  });
});

describe('without a message (lost on the bus, or a change made behind the API)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { TOKEN_RECHECK_MS: '200' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a token revoked in the database alone is noticed by the re-check: socket closed 4403, operations refused', async () => {
    const t = await createTenant(app, uniq('lost'));
    const secret = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    const s = await ackedWs(app.wsUrl, secret);
    expect((await firstAnswer(s, 'q1', VIEWER)).type).toBe('next');
    await sql(app, 'update api_token set revoked_at = ? where prefix = ?', [new Date(), secret.slice(0, 10)]);
    // within the re-check interval a subscribe either re-reads the token or finds the socket closed
    await new Promise((r) => setTimeout(r, 250));
    s.send({ id: 'q2', type: 'subscribe', payload: { query: VIEWER } });
    expect((await s.closed).code).toBe(4403);
    expect(messagesFor(s, 'q2').filter((m) => m.type === 'next')).toEqual([]);
  });

  it('a role binding removed in the database alone closes the socket too', async () => {
    const t = await createTenant(app, uniq('bind'));
    const p = await createProject(app, t.id);
    const secret = await createToken(app, [
      { role: 'PROJECT_VIEWER', projectId: p.id },
      { role: 'TENANT_ADMIN', tenantId: t.id },
    ]);
    const s = await ackedWs(app.wsUrl, secret);
    await sql(app, "delete from role_binding where role = 'TENANT_ADMIN' and token_id = ?", [await tokenUuid(app, secret)]);
    expect((await s.closed).code).toBe(4403);
    // reconnecting gets the token as it is now
    const again = await ackedWs(app.wsUrl, secret);
    const r = await firstAnswer(again, 'q', '{ viewer { roleBindings { role } } }');
    expect(r.payload.data.viewer.roleBindings).toEqual([{ role: 'PROJECT_VIEWER' }]);
    again.socket.close(1000);
  });
});

describe('expiry', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { TOKEN_RECHECK_MS: '60000' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('closes the socket of a token when it expires, with no message and no re-read', async () => {
    const t = await createTenant(app, uniq('exp'));
    const secret = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    await sql(app, 'update api_token set expires_at = ? where prefix = ?', [new Date(Date.now() + 1_500), secret.slice(0, 10)]);
    const s = await ackedWs(app.wsUrl, secret);
    expect((await firstAnswer(s, 'q1', VIEWER)).type).toBe('next');
    expect((await s.closed).code).toBe(4403);
    const again = wsClient(app.wsUrl, `Bearer ${secret}`);
    await expect(again.request(VIEWER)).rejects.toMatchObject({ code: 4403 });
    await again.dispose();
  });
});
