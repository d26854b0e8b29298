/**
 * Event subscriptions for tests: one graphql-ws client per subscription (so a test can drop one
 * connection without touching the others), collecting every event, error and the completion.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { randomUUID } from 'node:crypto';
import type { Em } from '../../src/db/orm.js';
import { EventType, SubjectKind } from '../../src/events/event.entity.js';
import { fromGlobalId, NodeKind } from '../../src/graphql/relay/global-id.js';
import type { TestApp } from './app.js';

export const EVENT_FIELDS = 'id cursor seq projectSeq subjectKind subjectId subjectName type phase step stepIndex stepCount percent message details time';

export const POOL_EVENTS = `subscription($id: ID!, $after: String) { computePoolEvents(id: $id, after: $after) { ${EVENT_FIELDS} } }`;
export const PROJECT_EVENTS = `subscription($projectId: ID!, $after: String) { projectEvents(projectId: $projectId, after: $after) { ${EVENT_FIELDS} } }`;

export interface Ev {
  id: string;
  cursor: string;
  seq: number;
  projectSeq: number;
  subjectKind: string;
  subjectId: string;
  subjectName: string;
  type: string;
  phase: string;
  step: string | null;
  stepIndex: number | null;
  stepCount: number | null;
  percent: number;
  message: string;
  details: Record<string, unknown> | null;
  time: string;
}

export interface Subscription {
  events: Ev[];
  /** GraphQL errors, whether sent as an `error` message or inside a `next` result. */
  errors: { message: string; extensions?: Record<string, any> }[];
  /** Set when the server completed the operation or reported an error (the stream is over). */
  ended: boolean;
  /** The socket closed under us (a CloseEvent or Error), if it did. */
  socketError: unknown;
  /** Resolves once `pred(events)` holds; fails with what was received after `ms`. */
  until(pred: (events: Ev[]) => boolean, ms?: number): Promise<Ev[]>;
  /** Resolves once the stream is over (error or complete). */
  done(ms?: number): Promise<void>;
  /** Closes the connection (the server sees the client go away). */
  close(): Promise<void>;
}

/** What a subscription needs of a gateway: an in-process test app or a child-process gateway. */
export interface WsTarget {
  wsUrl: string;
  adminToken: string;
}

export function wsConnect(target: WsTarget, token: string | null = target.adminToken): Client {
  return createClient({
    url: target.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/**
 * Subscribes on a connection of its own and collects the events of the operation's one root field
 * (computePoolEvents, appDeploymentEvents, projectEvents, auditEvents…). `untilMs` is the default
 * wait of `until` (a whole deployment's stream wants longer than a pool's).
 */
export function subscribe(target: WsTarget, query: string, variables: Record<string, unknown>, token: string | null = target.adminToken, untilMs = 30_000): Subscription {
  const client = wsConnect(target, token);
  const sub: Subscription = {
    events: [],
    errors: [],
    ended: false,
    socketError: undefined,
    until: async (pred, ms = untilMs) => {
      const end = Date.now() + ms;
      while (!pred(sub.events)) {
        if (sub.ended || sub.socketError) throw new Error(`subscription ended (${JSON.stringify(sub.errors)}; ${String(sub.socketError)}) after ${sub.events.length} events`);
        if (Date.now() > end) throw new Error(`condition not reached in ${ms} ms; ${sub.events.length} events: ${JSON.stringify(sub.events.map((e) => [e.seq, e.type, e.phase, e.step]))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return sub.events;
    },
    done: async (ms = 30_000) => {
      const end = Date.now() + ms;
      while (!sub.ended && !sub.socketError) {
        if (Date.now() > end) throw new Error(`subscription still open after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      await client.dispose();
    },
  };
  client.subscribe<Record<string, Ev | null>>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors?.length) sub.errors.push(...(r.errors as never[]));
        const e = r.data ? Object.values(r.data)[0] : null;
        if (e) sub.events.push(e);
      },
      error: (e) => {
        if (Array.isArray(e)) sub.errors.push(...e);
        else sub.socketError = e ?? new Error('socket error');
        sub.ended = true;
      },
      complete: () => {
        sub.ended = true;
      },
    },
  );
  return sub;
}

export const poolEvents = (app: TestApp, id: string, after: string | null = null, token?: string | null) => subscribe(app, POOL_EVENTS, { id, after }, token);
export const projectEvents = (app: TestApp, projectId: string, after: string | null = null, token?: string | null) => subscribe(app, PROJECT_EVENTS, { projectId, after }, token);

/** The pool's whole log through the `events` connection (pages of 100). */
export async function poolEventLog(app: TestApp, poolId: string): Promise<Ev[]> {
  const out: Ev[] = [];
  let after: string | null = null;
  // The count is a statement of its own, run after the page: while a flow is still writing, an
  // event committed in between makes it one ahead. Then the log grew, and reading on from the
  // last cursor finds the newcomer; a count that stays off is a real mismatch.
  let grewWhileReading = 0;
  for (;;) {
    const d: any = await app.q(
      `query($id: ID!, $after: String) { node(id: $id) { ... on ComputePool { events(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${EVENT_FIELDS} } } } } }`,
      { id: poolId, after },
    );
    const c = d.node.events;
    out.push(...c.nodes);
    after = c.pageInfo.endCursor ?? after;
    if (c.pageInfo.hasNextPage) continue;
    if (c.totalCount === out.length) return out;
    if (c.totalCount < out.length || ++grewWhileReading > 5) throw new Error(`totalCount ${c.totalCount} but ${out.length} events read`);
  }
}

/** 1..n without a hole or a repeat. */
export function isGapless(seqs: number[], from = 1): boolean {
  return seqs.every((s, i) => s === from + i);
}

/** Compares what a subscriber got with the log, on the fields that identify an event. */
export const brief = (events: Ev[]) => events.map((e) => `${e.seq}:${e.type}:${e.phase}:${e.step ?? ''}:${e.percent}:${e.message}`);

/**
 * Commits one progress event in a project through the app's own event log (as a flow step would),
 * so live project subscribers receive it: for tests about delivery rather than flows.
 */
export async function emitProjectEvent(app: TestApp, projectGlobalId: string, message = 'test event'): Promise<void> {
  const projectId = fromGlobalId(projectGlobalId, NodeKind.Project, ['projectId']);
  await app.services.events.log.commit(app.orm.em.fork() as Em, async (_tem, batch) => {
    batch.emit({
      subjectKind: SubjectKind.APP_DEPLOYMENT,
      subjectId: randomUUID(),
      subjectName: 'test',
      projectId,
      type: EventType.STEP_PROGRESS,
      phase: 'DEPLOYING',
      message,
    });
  });
}
