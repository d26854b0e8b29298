/**
 * GraphQL over Server-Sent Events on /graphql/stream: graphql-sse's own client, and raw fetch
 * streams read event by event (what curl or a notebook does). Same auth, caps, query limits and
 * revocation as graphql-ws; `id:` is the event's cursor and `Last-Event-ID` resumes after it.
 */
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTenant, createToken, uniq } from '../helpers/seed.js';

let app: TestApp;
let streamUrl: string;
beforeAll(async () => {
  app = await startTestApp({ env: { MAX_SOCKETS_PER_TOKEN: '2', MAX_QUERY_DEPTH: '4' } });
  streamUrl = `${app.url}/stream`;
});
afterAll(async () => {
  await app?.close();
});

interface SseEvent {
  event: string;
  id: string | null;
  data: any;
}

/** An open event stream read with fetch: events arrive in order; close() aborts the request. */
async function openStream(query: string, opts: { token?: string | null; lastEventId?: string; variables?: Record<string, unknown> } = {}) {
  const abort = new AbortController();
  const token = opts.token === undefined ? app.adminToken : opts.token;
  const res = await fetch(streamUrl, {
    method: 'POST',
    signal: abort.signal,
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(opts.lastEventId ? { 'last-event-id': opts.lastEventId } : {}),
    },
    body: JSON.stringify({ query, variables: opts.variables }),
  });
  const events: SseEvent[] = [];
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  void (async () => {
    if (!res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = block.split('\n').filter((l) => l && !l.startsWith(':'));
          if (!fields.length) continue;
          const get = (name: string) => fields.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? null;
          const data = get('data');
          events.push({ event: get('event') ?? 'message', id: get('id'), data: data ? JSON.parse(data) : null });
          wake();
        }
      }
    } catch {
      /* aborted */
    } finally {
      ended = true;
      wake();
    }
  })();
  return {
    res,
    events,
    get ended() {
      return ended;
    },
    /** Waits until `n` events arrived (or the stream ended). */
    async take(n: number, timeoutMs = 20_000): Promise<SseEvent[]> {
      const deadline = Date.now() + timeoutMs;
      while (events.length < n && !ended) {
        if (Date.now() > deadline) throw new Error(`only ${events.length} of ${n} events: ${JSON.stringify(events)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return events.slice(0, n);
    },
    async untilEnded(timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!ended) {
        if (Date.now() > deadline) throw new Error('the stream did not end');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => abort.abort(),
  };
}

const AUDIT = 'subscription Audit { auditEvents { cursor operation targetKind } }';

/**
 * Makes audit events (a tenant each) until `have()` reaches `n`: a stream that has not subscribed
 * yet misses the first ones, so no readiness guess is needed.
 */
async function makeEventsUntil(have: () => number, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (have() < n) {
    if (Date.now() > deadline) throw new Error(`only ${have()} of ${n} events arrived`);
    await createTenant(app, uniq('sse'));
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('graphql-sse client', () => {
  it('subscribes with a bearer header and receives live events; queries work too', async () => {
    const client = createClient({ url: streamUrl, headers: { authorization: `Bearer ${app.adminToken}` }, retryAttempts: 0 });
    try {
      const query = await new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: '{ viewer { isPlatformAdmin } }' }, { next: resolve, error: reject, complete: () => undefined });
      });
      expect(query).toEqual({ data: { viewer: { isPlatformAdmin: true } } });

      const seen: string[] = [];
      const dispose = client.subscribe<{ auditEvents: { operation: string } }>(
        { query: AUDIT },
        {
          next: (r) => {
            if (r.data) seen.push(r.data.auditEvents.operation);
          },
          error: (e) => {
            throw e;
          },
          complete: () => undefined,
        },
      );
      await makeEventsUntil(() => seen.length, 2);
      dispose();
      expect(seen.slice(0, 2)).toEqual(['createTenant', 'createTenant']);
    } finally {
      client.dispose();
    }
  });
});

describe('raw event stream', () => {
  it('gives each event its cursor as id, and Last-Event-ID resumes right after it', async () => {
    const first = await openStream(AUDIT);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await makeEventsUntil(() => first.events.length, 3);
    const events = await first.take(3);
    first.close();
    for (const e of events) {
      expect(e.event).toBe('next');
      expect(e.id).toBe(e.data.data.auditEvents.cursor);
    }
    // a reader that saw only the first event reconnects: the next two come again, then live ones
    const again = await openStream(AUDIT, { lastEventId: events[0].id! });
    const replayed = await again.take(2);
    expect(replayed.map((e) => e.id)).toEqual([events[1].id, events[2].id]);
    again.close();
  });

  it('a bad Last-Event-ID is the resolver’s typed error, as a bad `after` would be', async () => {
    const s = await openStream(AUDIT, { lastEventId: 'not-a-cursor' });
    const [e] = await s.take(1);
    expect(e.event).toBe('next');
    expect(e.data.errors[0].extensions.code).toMatch(/INVALID|BAD_USER_INPUT/);
    await s.untilEnded();
  });
});

describe('auth and limits', () => {
  it('no token: 401 with the Bearer challenge; a wrong token: invalid_token', async () => {
    const none = await openStream(AUDIT, { token: null });
    expect(none.res.status).toBe(401);
    expect(none.res.headers.get('www-authenticate')).toBe('Bearer realm="spokegraph"');
    const wrong = await openStream(AUDIT, { token: 'sg_wrong' });
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(((await wrong.res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('without Accept: text/event-stream: 406 saying what to send', async () => {
    const res = await fetch(streamUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}` }, body: JSON.stringify({ query: AUDIT }) });
    expect(res.status).toBe(406);
    expect(((await res.json()) as any).errors[0].message).toMatch(/text\/event-stream/);
  });

  it('query depth and cost limits apply (LIMIT_EXCEEDED event, nothing runs)', async () => {
    const deep = await openStream('{ tenants(first: 1) { nodes { projects(first: 1) { nodes { computePools(first: 1) { nodes { machines(first: 1) { nodes { hostId } } } } } } } } }');
    const [e] = await deep.take(1);
    expect(e.data.errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
    const costly = await openStream('{ tenants(first: 500) { nodes { name } } }');
    const [c] = await costly.take(1);
    expect(c.data.errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
  });

  it('streams count as connections: the third stream of a token over MAX_SOCKETS_PER_TOKEN=2 gets 429', async () => {
    const t = await createTenant(app, uniq('caps'));
    const token = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    const a = await openStream(AUDIT, { token });
    const b = await openStream(AUDIT, { token });
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    const c = await openStream(AUDIT, { token });
    expect(c.res.status).toBe(429);
    expect(((await c.res.json()) as any).errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
    // a closed stream gives its place back
    a.close();
    await expect
      .poll(async () => {
        const d = await openStream(AUDIT, { token });
        d.close();
        return d.res.status;
      }, { timeout: 20_000 })
      .toBe(200);
    b.close();
  });

  it('revoking the token ends its open stream with a FORBIDDEN event', async () => {
    const t = await createTenant(app, uniq('revoke'));
    const created = await app.q(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret apiToken { id } userErrors { message } } }`,
      { input: { name: uniq('sse-token'), roleBindings: [{ role: 'TENANT_ADMIN', tenantId: t.id }] } },
    );
    const { secret, apiToken } = created.createApiToken;
    const s = await openStream(AUDIT, { token: secret });
    expect(s.res.status).toBe(200);
    await app.q(`mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { userErrors { message } } }`, { input: { id: apiToken.id } });
    await s.untilEnded();
    const last = s.events.filter((e) => e.event === 'next').at(-1);
    expect(last?.data.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(s.events.at(-1)?.event).toBe('complete');
    expect((await openStream(AUDIT, { token: secret })).res.status).toBe(401);
  });
});
