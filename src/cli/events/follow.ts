/**
 * Following a deployment's events over graphql-ws until it settles, across disconnects: when the
 * socket drops (or the gateway cuts a stream that fell behind, SUBSCRIPTION_LAGGING), subscribe
 * again with `after` = the cursor of the last event received; the gateway replays what followed, so
 * every event is seen once, in order. The `ws` socket answers the gateway's pings by itself.
 *
 * It ends after the first event, among those newer than the ones that existed at the start, whose
 * phase settles the deployment: RUNNING, FAILED or DELETED (once DELETING: DELETED or FAILED).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Api, GqlError } from '../api/graphql.client.js';
import { requestError } from '../api/graphql.client.js';
import * as q from '../api/queries.js';
import type { DeploymentEvent } from '../api/types.js';
import { CliError, ExitCode, notFound } from '../exit-codes.js';

export interface FollowOptions {
  api: Api;
  deploymentId: string;
  /** resume after this cursor (null: replay from the first event) */
  after?: string | null;
  onEvent: (e: DeploymentEvent) => void;
  /** told before each resubscription, with the last event received (null: none yet) */
  onResume?: (why: string, last: DeploymentEvent | null) => void;
  /** consecutive failed attempts before giving up (default 10) */
  maxReconnects?: number;
  /** first backoff delay in ms, doubled per consecutive failure up to 10 s (default 500) */
  reconnectDelayMs?: number;
}

export interface FollowResult {
  name: string;
  phase: string;
  last: DeploymentEvent | null;
  reconnects: number;
  /** events received again after a resume and not shown (0 when the cursor works) */
  duplicates: number;
}

export function terminalPhases(currentPhase: string): Set<string> {
  return currentPhase === 'DELETING' ? new Set(['DELETED', 'FAILED']) : new Set(['RUNNING', 'FAILED', 'DELETED']);
}

/** A close the gateway means (4400-4499: bad token, bad message): reconnecting will not help. */
function fatalClose(e: unknown): { code: number; reason: string } | null {
  const c = e as { code?: unknown; reason?: unknown };
  if (typeof c?.code === 'number' && c.code >= 4400 && c.code < 4500 && c.code !== 4408) return { code: c.code, reason: String(c.reason ?? '') };
  return null;
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  const c = e as { code?: unknown; reason?: unknown; message?: unknown };
  if (typeof c?.code === 'number') return `socket closed: ${c.code} ${String(c.reason ?? '')}`.trim();
  return String(c?.message ?? e);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function followDeployment(o: FollowOptions): Promise<FollowResult> {
  const start = await o.api.query<{ node: { name: string; phase: string; events: { totalCount: number } } | null }>(q.FOLLOW_START, { id: o.deploymentId });
  if (!start.node?.name) throw notFound(`App deployment ${o.deploymentId} not found (or not visible to this token)`);
  const { name } = start.node;
  const startSeq = start.node.events.totalCount;
  const until = terminalPhases(start.node.phase);
  const token = o.api.requireToken();
  const maxReconnects = o.maxReconnects ?? 10;
  let after = o.after ?? null;
  let last: DeploymentEvent | null = null;
  let phase = start.node.phase;
  let reconnects = 0;
  let failures = 0;
  let duplicates = 0;

  for (;;) {
    const client: Client = createClient({
      url: o.api.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: true,
    });
    let why = 'the gateway ended the stream';
    try {
      const results = client.iterate<{ appDeploymentEvents: DeploymentEvent }>({ query: q.DEPLOYMENT_EVENTS, variables: { id: o.deploymentId, after } });
      for await (const result of results) {
        if (result.errors?.length) {
          const errors = result.errors as GqlError[];
          if (errors[0]?.extensions?.code === 'SUBSCRIPTION_LAGGING') {
            why = 'fell behind the event stream';
            break;
          }
          throw requestError(errors);
        }
        const ev = result.data!.appDeploymentEvents;
        if (last && ev.seq <= last.seq) {
          duplicates++; // never shown twice
          continue;
        }
        failures = 0;
        last = ev;
        after = ev.cursor;
        phase = ev.phase;
        o.onEvent(ev);
        if (ev.seq >= startSeq && until.has(ev.phase)) return { name, phase, last, reconnects, duplicates };
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      if (Array.isArray(e)) {
        const error = requestError(e as GqlError[]);
        if (error.code !== 'SUBSCRIPTION_LAGGING') throw error;
        why = 'fell behind the event stream';
      } else {
        const fatal = fatalClose(e);
        if (fatal) {
          const auth = fatal.code === 4401 || fatal.code === 4403;
          throw new CliError(auth ? ExitCode.AUTH : ExitCode.CONNECTION, `The gateway refused the event stream: ${fatal.code} ${fatal.reason}`.trim(), auth ? 'UNAUTHENTICATED' : 'CONNECTION_FAILED');
        }
        why = describe(e);
      }
    } finally {
      await client.dispose();
    }
    failures++;
    if (failures > maxReconnects) {
      throw new CliError(ExitCode.CONNECTION, `Lost the event stream of ${name} ${failures} times in a row (${why})`, 'CONNECTION_FAILED');
    }
    reconnects++;
    o.onResume?.(why, last);
    await sleep(Math.min((o.reconnectDelayMs ?? 500) * 2 ** (failures - 1), 10_000));
  }
}
