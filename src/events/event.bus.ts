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

/** A topic carries one kind of message: EventDto on subject and project topics, AuditDto on `audit`. */
export interface EventBus {
  publish<T extends Topic>(topic: T, message: BusTopics[T]): void;
  /** Returns the unsubscribe function. Handlers must not throw or block. */
  subscribe<T extends Topic>(topic: T, handler: (message: BusTopics[T]) => void): () => void;
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

export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<string, Set<(message: unknown) => void>>();

  publish<T extends Topic>(topic: T, message: BusTopics[T]): void {
    const set = this.handlers.get(topic);
    if (!set) return;
    for (const h of set) h(message);
  }

  subscribe<T extends Topic>(topic: T, handler: (message: BusTopics[T]) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    const h = handler as (message: unknown) => void;
    set.add(h);
    return () => {
      set!.delete(h);
      if (set!.size === 0) this.handlers.delete(topic);
    };
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
