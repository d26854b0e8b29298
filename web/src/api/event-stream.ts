/**
 * A live progress log that survives reconnects: the subscription is started with `after` = the
 * last cursor the page already has, and every event moves that cursor on. graphql-ws re-sends a
 * subscription's payload object when it reconnects, so keeping `variables.after` at the latest
 * cursor makes the server replay exactly what was missed (no gap), and events are also dropped
 * by `seq` if they were seen already (no duplicate), whatever the transport does.
 *
 * Framework-free on purpose: the console's hooks use it, and a Node test drives it against a real
 * gateway with the socket cut in the middle of a rollout.
 */
import type { Client } from 'graphql-ws';

export interface StreamEvent {
  cursor: string;
  seq: number;
}

export interface EventStreamOptions<E extends StreamEvent> {
  client: Client;
  /** the subscription document (text) */
  query: string;
  /** the root field of the subscription, e.g. "appDeploymentEvents" */
  field: string;
  /** variables other than `after` */
  variables: Record<string, unknown>;
  /** the cursor to resume after (null: from the first event) */
  after: string | null;
  /** order of the stream: `seq` for one subject (default), `projectSeq` for projectEvents */
  seqOf?: (e: E) => number;
  /** that order's value for the last event already shown (events at or below it are dropped) */
  lastSeq?: number;
  onEvent: (e: E) => void;
  onError?: (message: string) => void;
}

export interface EventStream {
  /** the cursor a new subscription would resume after */
  readonly after: string | null;
  close(): void;
}

export function openEventStream<E extends StreamEvent>(o: EventStreamOptions<E>): EventStream {
  const payload = { query: o.query, variables: { ...o.variables, after: o.after } };
  let lastSeq = o.lastSeq ?? 0;
  const seqOf = o.seqOf ?? ((e: E) => e.seq);
  const dispose = o.client.subscribe<Record<string, E>>(payload, {
    next: (r) => {
      if (r.errors?.length) {
        o.onError?.(r.errors.map((e) => e.message).join('; '));
        return;
      }
      const e = r.data?.[o.field];
      // the order is gapless, so anything at or below the last one shown was seen already
      if (!e || seqOf(e) <= lastSeq) return;
      lastSeq = seqOf(e);
      payload.variables.after = e.cursor;
      o.onEvent(e);
    },
    error: (err) => o.onError?.(describe(err)),
    complete: () => undefined,
  });
  return {
    get after() {
      return payload.variables.after;
    },
    close: dispose,
  };
}

function describe(err: unknown): string {
  if (Array.isArray(err)) return err.map((e) => (e as { message?: string }).message ?? String(e)).join('; ');
  if (err && typeof err === 'object' && 'reason' in err) return `connection closed: ${(err as { reason?: string }).reason || (err as { code?: number }).code}`;
  return err instanceof Error ? err.message : String(err);
}
