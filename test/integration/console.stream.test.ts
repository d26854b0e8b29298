/**
 * The console's live progress (web/src/api/event-stream.ts) with the real graphql-ws client against
 * a real gateway: when the socket dies in the middle of a rollout, the client reconnects and the
 * subscription resumes after the last event it showed (the cursor travels in the resubscribe), so
 * the log ends gapless and without duplicates.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openEventStream } from '../../web/src/api/event-stream.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { deployApp } from '../helpers/deploy.js';
import { DEPLOYMENT_EVENTS, deployWorld, gatewayOf, sharedPool, waitForPhase } from '../helpers/deployments.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  // slow enough that the deployment is still rolling out when the socket is cut
  app = await startTestApp({ env: { SIM_SPEED: '0.05' } });
});
afterAll(async () => {
  await app?.close();
});

describe('console event stream', () => {
  it('resumes after the last shown event when the socket is cut mid-rollout', async () => {
    const w = await deployWorld(app);
    const pool = await sharedPool(app, w);
    const r = await deployApp(app, { projectId: w.project.id, name: uniq('live'), bundleIds: [w.appBundle], poolId: pool.id });
    expect(r.userErrors).toEqual([]);

    const sockets: WebSocket[] = [];
    const subscribes: { after: string | null; shown: number }[] = [];
    class RecordingSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
      override send(data: unknown, ...rest: unknown[]): void {
        const m = JSON.parse(String(data));
        if (m.type === 'subscribe') subscribes.push({ after: m.payload.variables.after, shown: events.length });
        (super.send as (...a: unknown[]) => void)(data, ...rest);
      }
    }
    const client = createClient({
      url: app.wsUrl,
      webSocketImpl: RecordingSocket,
      connectionParams: { authorization: `Bearer ${app.adminToken}` },
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: async () => new Promise((res) => setTimeout(res, 100)),
    });
    const events: { seq: number; cursor: string; type: string; phase: string }[] = [];
    const stream = openEventStream<{ seq: number; cursor: string; type: string; phase: string }>({
      client,
      query: DEPLOYMENT_EVENTS,
      field: 'appDeploymentEvents',
      variables: { id: r.appDeployment.id },
      after: null,
      onEvent: (e) => {
        events.push(e);
        // cut the connection under the stream after the third event, without telling the client
        if (events.length === 3) sockets.at(-1)!.terminate();
      },
    });
    try {
      const end = Date.now() + 60_000;
      while (!events.some((e) => e.type === 'PHASE_CHANGED' && e.phase === 'RUNNING') && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
      expect(sockets.length).toBeGreaterThanOrEqual(2);
      expect(subscribes[0].after).toBeNull();
      // the resubscribe after the cut carried the cursor of the last event shown by then (events
      // already on the wire when the socket died may have arrived after the third)
      expect(subscribes[1].shown).toBeGreaterThanOrEqual(3);
      expect(subscribes[1].after).toBe(events[subscribes[1].shown - 1].cursor);
      expect(stream.after).toBe(events.at(-1)!.cursor);
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(events.at(-1)).toMatchObject({ type: 'PHASE_CHANGED', phase: 'RUNNING' });
      expect((await waitForPhase(gatewayOf(app), r.appDeployment.id, ['RUNNING'])).phase).toBe('RUNNING');
    } finally {
      stream.close();
      await client.dispose();
    }
  }, 90_000);
});
