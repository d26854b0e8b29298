/**
 * Proof (6): a subscriber that stops reading cannot stall anyone. Its connection stops draining
 * (TCP backpressure), its bounded buffer (SUBSCRIPTION_BUFFER) fills, and its subscriptions end with
 * SUBSCRIPTION_LAGGING and `extensions.after`, the cursor to resume from; meanwhile a fast subscriber
 * of the same project receives every event live. Resuming from `after` gives exactly the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { brief, EVENT_FIELDS, isGapless, projectEvents, subscribe, type Ev, type Subscription } from '../helpers/events.js';
import { gpuWorker, H100, poolWorld, sleep, type PoolWorld } from '../helpers/pools.js';

const BUFFER = 10;
let app: TestApp;
let w: PoolWorld;
const subs: Subscription[] = [];
beforeAll(async () => {
  app = await startTestApp({
    env: {
      SUBSCRIPTION_BUFFER: String(BUFFER),
      // the slow client asks for big events (many aliases) on many subscriptions, so that its
      // socket's kernel buffers fill after a few events instead of a few thousand
      MAX_ALIASES: '1000',
      MAX_QUERY_COST: '1000000',
    },
  });
  w = await poolWorld(app, { quota: 64, machines: { controlPlanes: 2, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] } });
});
afterAll(async () => {
  await Promise.all(subs.map((s) => s.close()));
  await app?.close();
});

const HEAVY = `subscription($p: ID!, $a: String) { projectEvents(projectId: $p, after: $a) { ${EVENT_FIELDS} ${Array.from({ length: 900 }, (_, i) => `m${i}: id`).join(' ')} } }`;

interface RawMessage {
  id?: string;
  type: string;
  payload?: any;
}

/** A graphql-transport-ws client that can stop reading its socket. */
async function rawClient(token: string) {
  const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws');
  const messages: RawMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  const end = Date.now() + 5_000;
  while (!messages.some((m) => m.type === 'connection_ack')) {
    if (Date.now() > end) throw new Error(`no connection_ack: ${JSON.stringify(messages)}`);
    await sleep(5);
  }
  return { socket, messages };
}

const isRunning = (id: string) => (es: Ev[]) => es.some((e) => e.subjectId === id && e.type === 'PHASE_CHANGED' && e.phase === 'RUNNING');
const isDeleted = (id: string) => (es: Ev[]) => es.some((e) => e.subjectId === id && e.type === 'PHASE_CHANGED' && e.phase === 'DELETED');

describe('a slow subscriber', () => {
  it('should be told SUBSCRIPTION_LAGGING with a cursor while a fast subscriber of the same project keeps receiving', async () => {
    const fast = projectEvents(app, w.project.id);
    subs.push(fast);
    const slow = await rawClient(app.adminToken);
    const SLOW_SUBS = 20;
    for (let i = 0; i < SLOW_SUBS; i++) {
      slow.socket.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: HEAVY, variables: { p: w.project.id, a: null } } }));
    }
    await sleep(200);
    slow.socket.pause(); // stops reading: the server's writes back up

    // two pools come and go: every event reaches the fast subscriber while the slow one is stalled
    const ids: string[] = [];
    for (const mode of ['DEDICATED', 'SHARED'] as const) {
      const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode, workers: gpuWorker() });
      expect(d.createComputePool.userErrors).toEqual([]);
      const id = d.createComputePool.computePool.id;
      ids.push(id);
      await fast.until(isRunning(id));
      await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code } } }`, { id });
      await fast.until(isDeleted(id));
      await waitForPoolPhase(app, id, ['DELETED']);
    }
    const total = fast.events.length;
    expect(total).toBeGreaterThan(2 * BUFFER);
    expect(isGapless(fast.events.map((e) => e.projectSeq))).toBe(true);
    expect(fast.errors).toEqual([]);

    // the slow client reads again: each subscription got a prefix of the events, then the error
    slow.socket.resume();
    const deadline = Date.now() + 30_000;
    const ended = (id: string) => slow.messages.some((m) => m.id === id && (m.type === 'error' || m.type === 'complete'));
    while (Date.now() < deadline && !Array.from({ length: SLOW_SUBS }, (_, i) => `s${i}`).every(ended)) await sleep(20);
    slow.socket.close();
    let lagging = 0;
    for (let i = 0; i < SLOW_SUBS; i++) {
      const mine = slow.messages.filter((m) => m.id === `s${i}`);
      const events: Ev[] = mine.filter((m) => m.type === 'next' && m.payload?.data).map((m) => m.payload.data.projectEvents);
      // the subscription ends: its last result carries the error, then the server completes it
      expect(mine.at(-1)?.type, `subscription s${i} did not end: ${mine.length} messages`).toBe('complete');
      const last = mine.at(-2)!;
      expect(last.type).toBe('next');
      expect(last.payload.data).toBeNull();
      const errors = last.payload.errors as { message: string; extensions?: Record<string, any> }[];
      expect(errors.map((e) => e.extensions?.code)).toEqual(['SUBSCRIPTION_LAGGING']);
      expect(errors[0].message).toMatch(/resubscribe/);
      expect(mine.filter((m) => m.payload?.errors).length).toBe(1);
      lagging++;
      // what it got is the start of the log, without a hole; `after` is the last event it got
      expect(brief(events)).toEqual(brief(fast.events.slice(0, events.length)));
      expect(events.length).toBeLessThan(total);
      expect(errors[0].extensions!.after).toBe(events.length ? events.at(-1)!.cursor : null);

      // resuming from `after` delivers exactly the rest
      if (i < 3) {
        const resumed = subscribe(app, `subscription($p: ID!, $a: String) { projectEvents(projectId: $p, after: $a) { ${EVENT_FIELDS} } }`, { p: w.project.id, a: errors[0].extensions!.after });
        subs.push(resumed);
        await resumed.until((es) => es.length >= total - events.length);
        expect(brief([...events, ...resumed.events])).toEqual(brief(fast.events));
      }
    }
    expect(lagging).toBe(SLOW_SUBS);

    // the fast subscriber is still live
    const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'SHARED', workers: gpuWorker() });
    await fast.until(isRunning(d.createComputePool.computePool.id));
    expect(isGapless(fast.events.map((e) => e.projectSeq))).toBe(true);
  }, 120_000);
});
