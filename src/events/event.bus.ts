/**
 * Fan-out of committed changes to whoever listens in this process: events to live subscribers,
 * access changes to the socket registry. Fire-and-forget by design: subscribers replay events from
 * the database by cursor, and sockets re-check their tokens on a timer, so the bus never needs to
 * store anything. In process for the embedded gateway; a Redis implementation of the same interface
 * fans out across replicas.
 *
 * Every message type is plain JSON-able data, typed by its topic (BusTopics), so a bus between
 * processes can serialise any message without knowing what it is.
 */
import type { AuditDto } from '../audit/audit.model.js';
import type { AccessChange } from '../tenancy/access.change.js';
import type { EventDto } from './event.dto.js';

/** Topic name → the message it carries. */
export interface BusTopics {
  [topic: `subject:${string}`]: EventDto;
  [topic: `project:${string}`]: EventDto;
  access: AccessChange;
  audit: AuditDto;
}
export type Topic = keyof BusTopics & string;
/** Topics a subscription streams from, replaying by cursor (events/event.stream.ts). */
export type EventTopic = `subject:${string}` | `project:${string}` | 'audit';

export type EventHandler<T = EventDto> = (event: T) => void;

/** How the bus reaches other replicas, for /readyz and logs. */
export interface BusStatus {
  transport: 'in-process' | 'redis';
  /** false while a shared transport is unreachable (subscribers then read the database on a timer) */
  connected: boolean;
}

/** A topic carries one kind of message: EventDto on subject and project topics, AuditDto on `audit`. */
export interface EventBus {
  publish<T extends Topic>(topic: T, message: BusTopics[T]): void;
  /**
   * Returns the unsubscribe function. Handlers must not throw or block. `onGap` runs when messages of
   * the topic may have been lost in transit (a bus between processes that was cut off, or whose
   * database shows more than it delivered): the subscriber re-reads from the database by its cursor.
   */
  subscribe<T extends Topic>(topic: T, handler: (message: BusTopics[T]) => void, onGap?: () => void): () => void;
  /**
   * Where `topic` stands here now, for a cache of database reads (events/replay.reads.ts): null when
   * nobody here subscribes to it (nothing would then tell the cache of a change).
   */
  mark(topic: string): TopicMark | null;
  /** Whether the topic delivered a message or reported a gap here since `mark`, or lost its last subscriber. */
  changedSince(mark: TopicMark): boolean;
  status(): BusStatus;
  close(): Promise<void>;
}

export const topics = {
  subject: (subjectId: string): `subject:${string}` => `subject:${subjectId}`,
  project: (projectId: string): `project:${string}` => `project:${projectId}`,
  /** Revocations, deleted scopes: every replica's socket registry listens (tenancy/access.change.ts). */
  access: 'access' as const,
  /** every committed audit record (src/audit) */
  audit: 'audit' as const,
};

/**
 * The sequence number a message carries on its topic (what a stream orders by), or null for topics
 * without one (`access`).
 */
export function seqOnTopic(topic: string, message: unknown): number | null {
  const m = message as Partial<EventDto> | null;
  if (typeof m !== 'object' || m === null) return null;
  const seq = topic.startsWith('project:') ? m.projectSeq : topic.startsWith('subject:') || topic === 'audit' ? m.seq : undefined;
  return typeof seq === 'number' ? seq : null;
}

interface Subscriber {
  handler: (message: unknown) => void;
  onGap: (() => void) | undefined;
}

/** A topic's subscribers here, and how many messages and gaps it has had since the first of them came. */
class Listeners extends Set<Subscriber> {
  changes = 0;
}

/** What `EventBus.mark` returns: opaque to its holder. */
export interface TopicMark {
  readonly topic: string;
  readonly listeners: object;
  readonly changes: number;
}

export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<string, Listeners>();

  publish<T extends Topic>(topic: T, message: BusTopics[T]): void {
    const set = this.handlers.get(topic);
    if (!set) return;
    set.changes++;
    for (const s of set) s.handler(message);
  }

  subscribe<T extends Topic>(topic: T, handler: (message: BusTopics[T]) => void, onGap?: () => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Listeners()));
    const s: Subscriber = { handler: handler as (message: unknown) => void, onGap };
    set.add(s);
    return () => {
      set!.delete(s);
      if (set!.size === 0 && this.handlers.get(topic) === set) this.handlers.delete(topic);
    };
  }

  /** Tells the subscribers of `topic` that messages may be missing (transports that can lose them). */
  gap(topic: string): void {
    const set = this.handlers.get(topic);
    if (!set) return;
    set.changes++;
    for (const s of set) s.onGap?.();
  }

  // A topic that lost its last subscriber gets a new Listeners when one comes back: what it published
  // in between reached nobody, so a mark from before reads as changed.
  mark(topic: string): TopicMark | null {
    const listeners = this.handlers.get(topic);
    return listeners ? { topic, listeners, changes: listeners.changes } : null;
  }

  changedSince(mark: TopicMark): boolean {
    const listeners = this.handlers.get(mark.topic);
    return listeners !== mark.listeners || listeners.changes !== mark.changes;
  }

  /** Topics with at least one subscriber here. */
  topicNames(): string[] {
    return [...this.handlers.keys()];
  }

  has(topic: string): boolean {
    return this.handlers.has(topic);
  }

  status(): BusStatus {
    return { transport: 'in-process', connected: true };
  }

  /** Subscriber count, for metrics and tests. */
  size(): number {
    let n = 0;
    for (const s of this.handlers.values()) n += s.size;
    return n;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
