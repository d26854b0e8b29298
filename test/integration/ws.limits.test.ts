/**
 * Caps a single token cannot break (issue 8 §3): sockets per token and in all (close 4429),
 * subscriptions per token and in all (LIMIT_EXCEEDED), and connection_init attempts per token per
 * minute (close 4429). Slots come back when subscriptions complete and sockets close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InProcessEventBus } from '../../src/events/event.bus.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createProject, createTenant, createToken, uniq } from '../helpers/seed.js';
import { ackedWs, firstAnswer, messagesFor, rawWs, until, type RawWs } from '../helpers/ws.js';

const EVENTS = 'subscription($p: ID!) { projectEvents(projectId: $p) { message } }';
const VIEWER = '{ viewer { isPlatformAdmin } }';

const handlers = (app: TestApp) => (app.bus as InProcessEventBus).size();

async function refusedWith(app: TestApp, secret: string): Promise<{ code: number; reason: string }> {
  const s = await rawWs(app.wsUrl);
  s.send({ type: 'connection_init', payload: { authorization: `Bearer ${secret}` } });
  const closed = await s.closed;
  expect(s.messages).toEqual([]);
  return closed;
}

async function openSockets(app: TestApp): Promise<number> {
  const text = await (await fetch(app.url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(/^spokegraph_websockets_open (\d+)/m.exec(text)![1]);
}

/** Closes from the client and waits until the gateway has let go of the socket. */
async function closeAndRelease(app: TestApp, s: RawWs): Promise<void> {
  const before = await openSockets(app);
  s.socket.close(1000);
  await s.closed;
  await until(async () => (await openSockets(app)) < before);
}

/** Starts a subscription and waits until the gateway holds its stream. */
async function subscribed(app: TestApp, s: RawWs, id: string, projectId: string): Promise<void> {
  const before = handlers(app);
  s.send({ id, type: 'subscribe', payload: { query: EVENTS, variables: { p: projectId } } });
  await until(() => handlers(app) === before + 1 || messagesFor(s, id).length > 0);
  expect(messagesFor(s, id)).toEqual([]);
}

describe('per-token caps and the handshake rate', () => {
  let app: TestApp;
  let project: { id: string };
  let statements: string[] = [];
  beforeAll(async () => {
    app = await startTestApp({ onQuery: (q) => statements.push(q), env: { MAX_SOCKETS_PER_TOKEN: '2', MAX_SUBSCRIPTIONS_PER_TOKEN: '3', MAX_HANDSHAKES_PER_MINUTE: '6' } });
    const t = await createTenant(app, uniq('cap'));
    project = await createProject(app, t.id);
  });
  afterAll(async () => {
    await app?.close();
  });

  const viewerToken = () => createToken(app, [{ role: 'PROJECT_VIEWER', projectId: project.id }]);

  it('refuses a third socket of one token with 4429 and admits it again once one closes; other tokens are unaffected', async () => {
    const secret = await viewerToken();
    const a = await ackedWs(app.wsUrl, secret);
    const b = await ackedWs(app.wsUrl, secret);
    expect(await refusedWith(app, secret)).toEqual({ code: 4429, reason: 'Too many connections' });
    const other = await ackedWs(app.wsUrl, await viewerToken());
    await closeAndRelease(app, a);
    const c = await ackedWs(app.wsUrl, secret);
    for (const s of [b, c, other]) s.socket.close(1000);
  });

  it('refuses a fourth subscription of one token (across its sockets) with LIMIT_EXCEEDED; completing or closing gives slots back', async () => {
    const secret = await viewerToken();
    const a = await ackedWs(app.wsUrl, secret);
    const b = await ackedWs(app.wsUrl, secret);
    const idle = handlers(app);
    await subscribed(app, a, 's1', project.id);
    await subscribed(app, a, 's2', project.id);
    await subscribed(app, b, 's3', project.id);
    const atCap = { type: 'error', payload: [{ message: 'at most 3 subscriptions per token', extensions: { code: 'LIMIT_EXCEEDED' } }] };
    expect(await firstAnswer(b, 's4', EVENTS, { p: project.id })).toMatchObject(atCap);
    // queries are not subscriptions: still served at the cap
    expect((await firstAnswer(b, 'q', VIEWER)).type).toBe('next');
    // a completed subscription gives its slot back
    a.send({ id: 's1', type: 'complete' });
    await until(() => handlers(app) === idle + 2);
    await subscribed(app, b, 's5', project.id);
    expect(await firstAnswer(b, 's6', EVENTS, { p: project.id })).toMatchObject(atCap);
    // so does a closing socket, for every subscription it held
    await closeAndRelease(app, a);
    await subscribed(app, b, 's7', project.id);
    b.socket.close(1000);
  });

  it('refuses a seventh connection_init of one token within a minute with 4429, before reading the token', async () => {
    const secret = await viewerToken();
    for (let i = 0; i < 6; i++) await closeAndRelease(app, await ackedWs(app.wsUrl, secret));
    statements = [];
    expect(await refusedWith(app, secret)).toEqual({ code: 4429, reason: 'Too many connection attempts' });
    expect(statements.filter((q) => /api_token/.test(q))).toEqual([]);
    // counted per token: another one connects
    const other = await ackedWs(app.wsUrl, await viewerToken());
    other.socket.close(1000);
  });
});

describe('global caps', () => {
  let app: TestApp;
  let project: { id: string };
  beforeAll(async () => {
    app = await startTestApp({ env: { MAX_SOCKETS: '3', MAX_SUBSCRIPTIONS: '4' } });
    const t = await createTenant(app, uniq('glob'));
    project = await createProject(app, t.id);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses a socket over the global cap with 4429, whichever token asks, and subscriptions over it with LIMIT_EXCEEDED', async () => {
    const x = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: project.id }]);
    const y = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: project.id }]);
    const x1 = await ackedWs(app.wsUrl, x);
    const x2 = await ackedWs(app.wsUrl, x);
    const y1 = await ackedWs(app.wsUrl, y);
    expect(await refusedWith(app, y)).toEqual({ code: 4429, reason: 'Too many connections' });
    await subscribed(app, x1, 'a', project.id);
    await subscribed(app, x2, 'b', project.id);
    await subscribed(app, y1, 'c', project.id);
    await subscribed(app, y1, 'd', project.id);
    const refused = await firstAnswer(x1, 'e', EVENTS, { p: project.id });
    expect(refused).toMatchObject({ type: 'error', payload: [{ message: 'the gateway serves at most 4 subscriptions at once', extensions: { code: 'LIMIT_EXCEEDED' } }] });
    await closeAndRelease(app, y1);
    const y2 = await ackedWs(app.wsUrl, y);
    await subscribed(app, y2, 'f', project.id);
    for (const s of [x1, x2, y2]) s.socket.close(1000);
  });
});
