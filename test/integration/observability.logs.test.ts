/**
 * The gateway's log stream, captured from a real app: one JSON line per HTTP request and per
 * graphql-ws operation with the fields an operator filters on, the request id on every line of the
 * request (the caller's x-request-id, or a generated one echoed back), never a token secret, never
 * an ANSI escape; and every refusal counted once in the metrics (HTTP 401s included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiToken } from '../../src/tenancy/api-token.entity.js';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scrape, total } from '../helpers/metrics.js';
import { ackedWs, firstAnswer, messagesFor, until } from '../helpers/ws.js';

type Line = Record<string, any>;
const raw: string[] = [];
const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);
let app: TestApp;
let base: string;
let tokenId: string;

beforeAll(async () => {
  // debug: SQL statements are logged too, and must carry the request id of the request running them
  const log = createLogger({ level: 'debug', json: true, write: (l) => raw.push(l) });
  app = await startTestApp({ log, noRunner: true });
  base = app.url.replace(/\/graphql$/, '');
  tokenId = (await app.orm.em.fork().find(ApiToken, {}))[0]!.id;
});

afterAll(async () => {
  await app?.close();
});

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}`, ...headers }, body: JSON.stringify(body) });
}

const accessLines = (requestId: string) => lines().filter((l) => l.msg === 'http request' && l.requestId === requestId);

describe('log lines', () => {
  it('every line is one JSON object without ANSI escapes, and no line holds a token secret', async () => {
    await post({ query: 'query Hygiene { viewer { isPlatformAdmin } }' });
    await post({ query: '{ viewer { isPlatformAdmin } }' }, { authorization: 'Bearer sg_not_a_real_secret_at_all' });
    expect(raw.length).toBeGreaterThan(5);
    for (const l of raw) {
      expect(() => JSON.parse(l)).not.toThrow();
      expect(l).not.toMatch(/\u001b\[/);
      expect(l).not.toContain(app.adminToken);
      expect(l).not.toContain('sg_not_a_real_secret_at_all');
      const rec = JSON.parse(l) as Line;
      expect(typeof rec.level).toBe('string');
      expect(typeof rec.msg).toBe('string');
      expect(typeof rec.time).toBe('string');
    }
  });

  it('one access line per HTTP request with the caller request id, echoed back; SQL lines carry it too', async () => {
    const res = await post({ query: 'query AccessProbe { viewer { isPlatformAdmin } }', operationName: 'AccessProbe' }, { 'x-request-id': 'req-obs-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-obs-1');
    await until(() => accessLines('req-obs-1').length > 0);
    const [line, ...more] = accessLines('req-obs-1');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'info', method: 'POST', route: '/graphql', status: 200, operationName: 'AccessProbe', operationType: 'query', outcome: 'ok', tokenId });
    expect(typeof line!.durationMs).toBe('number');
    expect(line!.errorCode).toBeUndefined();
    const sql = lines().filter((l) => l.msg === 'sql' && l.requestId === 'req-obs-1');
    expect(sql.length).toBeGreaterThan(0);
  });

  it('a request without an id gets a fresh one, in the answer and in its line', async () => {
    const res = await post({ query: '{ viewer { isPlatformAdmin } }' });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => accessLines(id!).length === 1);
  });

  it('an insane x-request-id is replaced, not logged', async () => {
    const res = await post({ query: '{ viewer { isPlatformAdmin } }' }, { 'x-request-id': 'bad id with spaces' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(raw.some((l) => l.includes('bad id with spaces'))).toBe(false);
  });

  it('an error names its code, and a 401 is logged with UNAUTHENTICATED and no token id', async () => {
    const bad = await post({ query: 'query Broken { tenants(first: 0) { totalCount } }' }, { 'x-request-id': 'req-obs-err' });
    expect(bad.status).toBe(200);
    await until(() => accessLines('req-obs-err').length === 1);
    expect(accessLines('req-obs-err')[0]).toMatchObject({ outcome: 'error', errorCode: 'INVALID_INPUT', operationName: 'Broken', tokenId });

    const denied = await post({ query: '{ viewer { isPlatformAdmin } }' }, { 'x-request-id': 'req-obs-401', authorization: 'Bearer sg_wrong' });
    expect(denied.status).toBe(401);
    await until(() => accessLines('req-obs-401').length === 1);
    const line = accessLines('req-obs-401')[0]!;
    expect(line).toMatchObject({ status: 401, outcome: 'error', errorCode: 'UNAUTHENTICATED' });
    expect(line.tokenId).toBeUndefined();
  });
});

describe('refusals are counted once', () => {
  it('an HTTP 401 counts one refused operation and one UNAUTHENTICATED error', async () => {
    const before = await scrape(base);
    await post({ query: 'query Denied { viewer { isPlatformAdmin } }', operationName: 'Denied' }, { authorization: 'Bearer sg_wrong' });
    const after = await scrape(base);
    const delta = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(delta('spokegraph_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta('spokegraph_graphql_operations_total', {})).toBe(1);
    expect(delta('spokegraph_graphql_operations_total', { type: 'refused', outcome: 'error' })).toBe(1);
  });

  it('an HTTP operation with an unknown name counts once', async () => {
    const before = await scrape(base);
    const res = await post({ query: 'query Known { viewer { isPlatformAdmin } }', operationName: 'Unknown' });
    expect(((await res.json()) as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0);
    const after = await scrape(base);
    expect(total(after, 'spokegraph_graphql_operations_total') - total(before, 'spokegraph_graphql_operations_total')).toBe(1);
    expect(total(after, 'spokegraph_graphql_errors_total') - total(before, 'spokegraph_graphql_errors_total')).toBe(1);
  });

  it('a body too large is counted once, as LIMIT_EXCEEDED', async () => {
    const before = await scrape(base);
    const res = await post({ query: `{ viewer { isPlatformAdmin } } # ${'x'.repeat(app.config.limits.bodyBytes)}` });
    expect(res.status).toBe(413);
    const after = await scrape(base);
    expect(total(after, 'spokegraph_graphql_operations_total') - total(before, 'spokegraph_graphql_operations_total')).toBe(1);
    expect(total(after, 'spokegraph_graphql_errors_total', { code: 'LIMIT_EXCEEDED' }) - total(before, 'spokegraph_graphql_errors_total', { code: 'LIMIT_EXCEEDED' })).toBe(1);
  });
});

describe('graphql-ws operations', () => {
  it('one line per operation with name, type, outcome, duration and token id; the upgrade echoes the request id', async () => {
    const s = await ackedWs(app.wsUrl, app.adminToken);
    try {
      const before = await scrape(base);
      const ok = await firstAnswer(s, 'op-ok', 'query WsProbe { viewer { isPlatformAdmin } }');
      expect(ok.type).toBe('next');
      await until(() => messagesFor(s, 'op-ok').some((m) => m.type === 'complete'));
      // an operation name the document does not have: refused by our checks, counted once
      const unknown = await firstAnswer(s, 'op-unknown', 'query WsKnown { viewer { isPlatformAdmin } }');
      expect(unknown.type).toBe('next');
      s.send({ id: 'op-bad', type: 'subscribe', payload: { query: 'query WsKnown { viewer { isPlatformAdmin } }', operationName: 'WsOther' } });
      await until(() => messagesFor(s, 'op-bad').length > 0);
      expect(messagesFor(s, 'op-bad')[0].type).toBe('error');
      const broken = await firstAnswer(s, 'op-err', 'query WsBroken { tenants(first: 0) { totalCount } }');
      expect(broken.payload.errors[0].extensions.code).toBe('INVALID_INPUT');
      await until(() => lines().filter((l) => l.msg === 'graphql-ws operation').length >= 4);
      const after = await scrape(base);
      const ops = lines().filter((l) => l.msg === 'graphql-ws operation');
      const byId = (id: string) => ops.filter((l) => l.operationId === id);
      expect(byId('op-ok')).toHaveLength(1);
      expect(byId('op-ok')[0]).toMatchObject({ operationName: 'WsProbe', operationType: 'query', outcome: 'ok', tokenId });
      expect(typeof byId('op-ok')[0]!.durationMs).toBe('number');
      expect(typeof byId('op-ok')[0]!.requestId).toBe('string');
      expect(byId('op-bad')).toHaveLength(1);
      expect(byId('op-bad')[0]).toMatchObject({ operationName: 'WsOther', operationType: 'refused', outcome: 'refused', tokenId });
      expect(byId('op-err')[0]).toMatchObject({ outcome: 'error', errorCode: 'INVALID_INPUT' });
      const d = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);
      // four operations, four counts: the refused one is not also counted as started
      expect(d('spokegraph_graphql_operations_total')).toBe(4);
      expect(d('spokegraph_graphql_operations_total', { name: 'WsOther' })).toBe(1);
      expect(d('spokegraph_graphql_operations_total', { name: 'WsOther', type: 'refused' })).toBe(1);
      expect(d('spokegraph_graphql_operations_total', { name: 'WsBroken', type: 'query', outcome: 'error' })).toBe(1);
      expect(d('spokegraph_graphql_errors_total')).toBe(2);
    } finally {
      s.socket.close();
    }
  });

  it('the upgrade answer carries the request id the client sent', async () => {
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws', { headers: { 'x-request-id': 'ws-req-7' } });
    const echoed = await new Promise<string | undefined>((resolve, reject) => {
      socket.once('upgrade', (res) => resolve(res.headers['x-request-id'] as string | undefined));
      socket.once('error', reject);
    });
    expect(echoed).toBe('ws-req-7');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${app.adminToken}` } }));
    await new Promise((r) => socket.once('message', r));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ viewer { isPlatformAdmin } }' } }));
    await until(() => lines().some((l) => l.msg === 'graphql-ws operation' && l.requestId === 'ws-req-7'));
    // the SQL that operation ran is logged under the same id
    expect(lines().some((l) => l.msg === 'sql' && l.requestId === 'ws-req-7')).toBe(true);
    socket.close();
  });
});
