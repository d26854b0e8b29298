/**
 * Transport hygiene (issue 8 §4): with introspection off no "Did you mean …" over WebSocket either;
 * close frames carry fixed reasons, never internal text, and protocol violations close with 4400;
 * failures any client can trigger reach our logger as one structured line (never stderr stacks);
 * a subscription POSTed over HTTP is a 400 that names the WebSocket endpoint.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ackedWs, rawWs, until, wsClient, type WsClosed } from '../helpers/ws.js';

/** Every log record of an app, parsed. */
function capturingLogger() {
  const records: Record<string, any>[] = [];
  const log = createLogger({ level: 'debug', json: true, write: (line) => records.push(JSON.parse(line)) });
  return { log, records, kind: (k: string | RegExp) => records.filter((r) => (typeof k === 'string' ? r.kind === k : k.test(String(r.kind)))) };
}

/** Whatever reaches stderr outside our logger (graphql-ws and ws print there by themselves). */
let stderr: MockInstance[] = [];
beforeEach(() => {
  stderr = [vi.spyOn(process.stderr, 'write'), vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')];
});
afterEach(() => {
  for (const s of stderr) s.mockRestore();
});
const printed = () => stderr.flatMap((s) => s.mock.calls.map((c) => String(c[0])));

const INTERNAL_TEXT = /ECONNREFUSED|Unexpected message|sqlite|postgres|knex|pool|connection is not open|Error:|at .*\(/i;

describe('introspection off: no schema hints on either transport', () => {
  let off: TestApp;
  let on: TestApp;
  beforeAll(async () => {
    off = await startTestApp({ env: { INTROSPECTION: 'false' } });
    on = await startTestApp();
  });
  afterAll(async () => {
    await off?.close();
    await on?.close();
  });

  const cases: [string, string, Record<string, unknown> | undefined][] = [
    ['a mistyped field', '{ tenantz { totalCount } }', undefined],
    ['a mistyped argument', '{ tenants(frist: 1) { totalCount } }', undefined],
    ['a mistyped enum value in a variable', 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }', { i: { name: 'x', roleBindings: [{ role: 'PLATFORM_ADMN' }] } }],
  ];

  it.each(cases)('%s', async (_what, query, variables) => {
    const messages = async (app: TestApp) => {
      const c = wsClient(app.wsUrl, `Bearer ${app.adminToken}`);
      const ws = await c.request(query, variables);
      await c.dispose();
      const http = await app.gql(query, variables);
      return { ws: ws.errors?.map((e) => e.message) ?? [], http: http.errors?.map((e) => e.message) ?? [] };
    };
    const hidden = await messages(off);
    expect(hidden.ws.length).toBeGreaterThan(0);
    expect(hidden.ws).toEqual(hidden.http);
    for (const m of hidden.ws) expect(m).not.toMatch(/Did you mean/);
    // the same mistake with introspection on does get the hint: the check above can fail
    const shown = await messages(on);
    expect(shown.ws.some((m) => /Did you mean/.test(m))).toBe(true);
  });
});

describe('close reasons and logging', () => {
  let app: TestApp;
  const logs = capturingLogger();
  beforeAll(async () => {
    app = await startTestApp({ log: logs.log });
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(['next', 'error', 'connection_ack'])('a client sending %s breaks the protocol: 4400 with a fixed reason, one log line for any number of them', async (type) => {
    const kind = 'ws-protocol';
    const closes: WsClosed[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await ackedWs(app.wsUrl, app.adminToken);
      s.send(type === 'connection_ack' ? { type } : { id: '1', type, payload: type === 'error' ? [] : {} });
      closes.push(await s.closed);
    }
    expect(closes).toEqual(Array(3).fill({ code: 4400, reason: 'Invalid message received' }));
    // one structured line in the interval (the first type tested logs it; later ones are counted)
    expect(logs.kind(kind)).toHaveLength(1);
    expect(logs.kind(kind)[0]).toMatchObject({ level: 'warn', msg: 'graphql-ws client broke the protocol' });
    expect(printed()).toEqual([]);
  });

  it('a server-only type spelled with a JSON escape is still a protocol violation (4400), not an internal error', async () => {
    const s = await ackedWs(app.wsUrl, app.adminToken);
    s.socket.send('{"id":"1","type":"n\\u0065xt","payload":{}}');
    expect(await s.closed).toEqual({ code: 4400, reason: 'Invalid message received' });
    expect(logs.kind('ws-internal')).toEqual([]);
    expect(printed()).toEqual([]);
  });

  it('a message that is JSON but not an object (a server-only message encoded twice, a number) is refused with 4400, not unwrapped', async () => {
    for (const text of [JSON.stringify('{"id":"1","type":"next","payload":{}}'), '42', 'null']) {
      const s = await ackedWs(app.wsUrl, app.adminToken);
      s.socket.send(text);
      expect(await s.closed).toEqual({ code: 4400, reason: 'Invalid message received' });
    }
    expect(logs.kind('ws-internal')).toEqual([]);
    expect(printed()).toEqual([]);
  });

  it('an oversized frame closes with 1009 and is logged once, without a stack', async () => {
    for (let i = 0; i < 2; i++) {
      const s = await ackedWs(app.wsUrl, app.adminToken);
      s.socket.send('x'.repeat(1024 * 1024 + 1));
      expect((await s.closed).code).toBe(1009);
    }
    const lines = logs.kind(/^ws-socket:/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
    expect(JSON.stringify(lines[0])).not.toMatch(/\n|\bat\b.*\(/);
    expect(printed()).toEqual([]);
  });

  it('library refusals keep fixed reasons and print nothing: bad JSON, the legacy subprotocol, subscribe before init', async () => {
    const bad = await rawWs(app.wsUrl);
    bad.socket.send('{not json');
    expect(await bad.closed).toEqual({ code: 4400, reason: 'Invalid message received' });

    const legacy = new WebSocket(app.wsUrl, 'graphql-ws');
    const legacyClosed = await new Promise<number>((resolve) => {
      legacy.on('close', (code) => resolve(code));
      legacy.on('error', () => resolve(-1));
    });
    // ws refuses the upgrade itself when no protocol is acceptable, or graphql-ws closes with 4406
    expect([4406, -1, 1006]).toContain(legacyClosed);

    const early = await rawWs(app.wsUrl);
    early.send({ id: '1', type: 'subscribe', payload: { query: '{ viewer { isPlatformAdmin } }' } });
    expect(await early.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
    expect(printed()).toEqual([]);
  });

  it('a subscription POSTed over HTTP is a 400 that names the WebSocket endpoint, and logs no internal error', async () => {
    const before = logs.records.length;
    const r = await app.gql('subscription($p: ID!) { projectEvents(projectId: $p) { id } }', { p: 'UHJvamVjdDp4' });
    expect(r.status).toBe(400);
    expect(r.errors).toEqual([
      { message: 'Subscriptions are served over WebSocket: connect to /graphql with the graphql-transport-ws protocol', extensions: { code: 'BAD_REQUEST' } },
    ]);
    expect(logs.records.slice(before).filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('database down during connect', () => {
  let app: TestApp;
  const logs = capturingLogger();
  beforeAll(async () => {
    app = await startTestApp({ log: logs.log, noRunner: true, env: { TOKEN_RECHECK_MS: '100' } });
  });
  afterAll(async () => {
    await app?.close().catch(() => undefined);
  });

  it('closes with 1013 "Try again later" (clients retry), no internal text, one log line', async () => {
    const open = await ackedWs(app.wsUrl, app.adminToken);
    await app.orm.close(true);
    const closes: WsClosed[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await rawWs(app.wsUrl);
      s.send({ type: 'connection_init', payload: { authorization: `Bearer ${app.adminToken}` } });
      closes.push(await s.closed);
      expect(s.messages).toEqual([]);
    }
    expect(closes).toEqual(Array(3).fill({ code: 1013, reason: 'Try again later' }));
    for (const c of closes) expect(c.reason).not.toMatch(INTERNAL_TEXT);
    await until(() => logs.kind('ws-connect-failed').length > 0);
    expect(logs.kind('ws-connect-failed')).toHaveLength(1);
    expect(logs.kind('ws-connect-failed')[0]).toMatchObject({ level: 'error', msg: 'graphql-ws connection could not be authenticated' });
    // a socket opened before: its next operation cannot re-check the token (older than 100 ms) either
    await new Promise((r) => setTimeout(r, 150));
    open.send({ id: '1', type: 'subscribe', payload: { query: '{ viewer { isPlatformAdmin } }' } });
    expect(await open.closed).toEqual({ code: 1013, reason: 'Try again later' });
    expect(open.messages.filter((m: any) => m.type === 'next')).toEqual([]);
    expect(logs.kind('ws-recheck-failed')).toHaveLength(1);
    expect(printed()).toEqual([]);
  });
});
