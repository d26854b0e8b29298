/**
 * A subscription's event stream: subscribe to the live topic first (buffering), replay everything
 * after the client's cursor from the database, then stream live events — skipping what the replay
 * already delivered and filling any hole from the database, so the client sees every event exactly
 * once and in order even while events commit during the replay.
 *
 * A subscriber that stops reading lets its buffer fill; at the limit the stream ends with
 * SUBSCRIPTION_LAGGING and the cursor to resume from, instead of holding memory for it or slowing
 * the publisher (which never waits for subscribers).
 */
import { GraphQLError } from 'graphql';
import { DomainError, type ErrorCode } from '../errors.js';
import type { EventBus, EventTopic } from './event.bus.js';
import { eventCursor, type EventDto } from './event.dto.js';
import { publish, streamEvents } from '../observability/channels.js';

export interface StreamSource<T extends object = EventDto> {
  bus: EventBus;
  topic: EventTopic;
  /** Sequence number of an event in this stream (subject seq or project seq). */
  seqOf: (e: T) => number;
  /**
   * Reads events with sequence > after, ascending, at most `limit` (a fresh EntityManager per call).
   * With `visible`, it returns only the visible ones.
   */
  fetch: (after: number, limit: number) => Promise<T[]>;
  /** The cursor of an event (default: eventCursor, for EventDto streams). */
  cursorOf?: (e: T) => string;
  /**
   * A stream that shows a subscriber part of a topic (the audit trail): live events it may not see
   * still advance the stream's position, so they cost no database read.
   */
  visible?: (e: T) => boolean;
  after: number;
  /** The cursor `after` came from (null: from the beginning): what a lagging client that got nothing resumes from. */
  afterCursor?: string | null;
  bufferLimit: number;
  /** Called once when the stream ends, however it ends. */
  onEnd?: () => void;
  /**
   * Delivers a live event to the subscriber now, inside the bus callback, or returns false when it
   * cannot (the transport is busy with an earlier message, the result needs the async path). Used
   * only for the next event in order while the stream is caught up and idle, so a topic's event
   * reaches every such subscriber in one synchronous loop instead of one async step each; anything
   * else (a gap, a replay in progress, a busy subscriber) takes the queue as before.
   */
  live?: (e: T) => boolean;
}

const BATCH = 500;

/**
 * Direct deliveries since the last report, per bus. One event reaches every caught-up subscriber of
 * its topic in one synchronous loop; a diagnostics message (closure, message object, the metrics
 * counter) per subscriber was the loop's largest cost after the socket write, so the loop's
 * deliveries are reported as one message with their count, at the end of the tick.
 */
const deliveredNow = new Map<object, number>();

function countDelivered(bus: object): void {
  if (!streamEvents.hasSubscribers) return;
  if (deliveredNow.size === 0) queueMicrotask(reportDelivered);
  deliveredNow.set(bus, (deliveredNow.get(bus) ?? 0) + 1);
}

function reportDelivered(): void {
  for (const [source, count] of deliveredNow) publish(streamEvents, () => ({ source, event: 'delivered', count }));
  deliveredNow.clear();
}

export function laggingError<T extends object = EventDto>(
  last: T | null,
  afterCursor: string | null = null,
  cursorOf: (e: T) => string = eventCursor as unknown as (e: T) => string,
): GraphQLError {
  return new GraphQLError('Subscriber fell too far behind; resubscribe with `after` set to the last cursor received', {
    extensions: { code: 'SUBSCRIPTION_LAGGING', after: last ? cursorOf(last) : afterCursor },
  });
}

interface Control {
  closed: boolean;
  wake: (() => void) | null;
}

/**
 * An async generator suspended on an await cannot be returned early, so `return()` (the client
 * completing the subscription) also wakes the generator, which then sees `closed` and ends —
 * otherwise an idle subscription would keep its bus handler until the next event.
 */
export function eventStream<T extends object = EventDto>(src: StreamSource<T>): AsyncIterableIterator<T> {
  const control: Control = { closed: false, wake: null };
  // onEnd exactly once: from the generator's finally, or here when it is returned before it ever ran
  // (the body, and so its finally, never runs then).
  let ended = false;
  let started = false;
  const end = () => {
    if (ended) return;
    ended = true;
    src.onEnd?.();
  };
  const gen = stream({ ...src, onEnd: end }, control);
  const wakeUp = () => {
    const w = control.wake;
    control.wake = null;
    w?.();
  };
  return {
    next: () => {
      started = true;
      return gen.next();
    },
    return: (value?: unknown) => {
      control.closed = true;
      wakeUp();
      if (!started) end();
      return gen.return(value as undefined);
    },
    throw: (e?: unknown) => gen.throw(e),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* stream<T extends object>(src: StreamSource<T>, control: Control): AsyncGenerator<T> {
  const queue: T[] = [];
  let overflow = false;
  // the bus may have lost messages (a transport between replicas): read the database again
  let resync = false;
  const wake = () => {
    const w = control.wake;
    control.wake = null;
    w?.();
  };
  // the topic decides the message type (BusTopics); this stream's T is that type
  let last = src.after;
  let lastEvent: T | null = null;
  // handled without waking the generator: an old event, or the next one delivered directly
  const directly = (e: T): boolean => {
    if (!src.live || control.wake === null || queue.length || overflow || resync || control.closed) return false;
    const s = src.seqOf(e);
    if (s <= last) return true;
    if (s !== last + 1) return false;
    if (src.visible && !src.visible(e)) {
      last = s;
      return true;
    }
    if (!src.live(e)) return false;
    last = s;
    lastEvent = e;
    countDelivered(src.bus);
    return true;
  };
  const unsubscribe = src.bus.subscribe(
    src.topic,
    (e) => {
      if (directly(e as unknown as T)) return;
      if (queue.length >= src.bufferLimit) overflow = true;
      else queue.push(e as unknown as T);
      wake();
    },
    () => {
      resync = true;
      wake();
    },
  );
  try {
    // Replay (also used to fill holes): read until the database has nothing newer.
    const catchUp = async function* (until?: number): AsyncGenerator<T> {
      for (;;) {
        const batch = await src.fetch(last, until !== undefined ? Math.min(BATCH, until - last) : BATCH);
        for (const e of batch) {
          const s = src.seqOf(e);
          if (s <= last || (until !== undefined && s > until)) continue;
          last = s;
          lastEvent = e;
          yield e;
        }
        if (batch.length < BATCH || (until !== undefined && last >= until)) return;
      }
    };
    yield* catchUp();
    for (;;) {
      if (control.closed) return;
      if (overflow) {
        publish(streamEvents, () => ({ source: src.bus, event: 'lagging' }));
        throw laggingError(lastEvent, src.afterCursor ?? null, src.cursorOf);
      }
      if (resync) {
        resync = false;
        yield* catchUp();
        continue;
      }
      const e = queue.shift();
      if (!e) {
        await new Promise<void>((r) => (control.wake = r));
        continue;
      }
      const s = src.seqOf(e);
      if (s <= last) continue;
      // Publishes may arrive out of commit order; the database has the events in between.
      if (s > last + 1) yield* catchUp(s - 1);
      if (s <= last) continue;
      last = s;
      if (src.visible && !src.visible(e)) continue;
      lastEvent = e;
      yield e;
    }
  } finally {
    unsubscribe();
    src.onEnd?.();
  }
}

/**
 * SUBSCRIPTION_LAGGING as the client sees it. A subscription's source stream cannot end with an error
 * the client can read: graphql-ws wraps whatever the stream throws in a path-less GraphQLError, which
 * the gateway's error formatter masks as INTERNAL_SERVER_ERROR (and drops `extensions.after`). So the
 * stream handed to GraphQL ends with a marker instead, and the field resolver turns the marker into
 * this error: a located resolver error that keeps its code and `after`, followed by completion.
 */
export class SubscriptionLaggingError extends DomainError {
  constructor(message: string, after: string | null) {
    super('SUBSCRIPTION_LAGGING' as ErrorCode, message, null, { after });
  }
}

export interface LaggingMarker {
  readonly lagging: true;
  readonly message: string;
  readonly after: string | null;
}

export function isLaggingMarker(x: unknown): x is LaggingMarker {
  return typeof x === 'object' && x !== null && (x as { lagging?: unknown }).lagging === true;
}

/** `eventStream` for a GraphQL subscription: a lagging end becomes a last marker item, then done. */
export function subscriptionStream<T extends object = EventDto>(src: StreamSource<T>): AsyncIterableIterator<T | LaggingMarker> {
  const inner = eventStream(src);
  let finished = false;
  return {
    next: async () => {
      if (finished) return { done: true, value: undefined };
      try {
        const r = await inner.next();
        if (!r.done) publish(streamEvents, () => ({ source: src.bus, event: 'delivered' }));
        return r;
      } catch (e) {
        if (e instanceof GraphQLError && e.extensions?.code === 'SUBSCRIPTION_LAGGING') {
          finished = true;
          const marker: LaggingMarker = { lagging: true, message: e.message, after: (e.extensions.after as string | null) ?? null };
          return { done: false, value: marker };
        }
        throw e;
      }
    },
    return: (value?: unknown) => {
      finished = true;
      return inner.return!(value) as Promise<IteratorResult<T | LaggingMarker>>;
    },
    throw: (e?: unknown) => inner.throw!(e) as Promise<IteratorResult<T | LaggingMarker>>,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
