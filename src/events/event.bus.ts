/**
 * Fan-out of committed events to live subscribers. Fire-and-forget by design: subscribers replay
 * from the database by cursor, so the bus never needs to store anything. In process for the
 * embedded gateway; a Redis implementation of the same interface fans out across replicas.
 */
import type { EventDto } from './event.dto.js';

export type EventHandler = (event: EventDto) => void;

export interface EventBus {
  publish(topic: string, event: EventDto): void;
  /** Returns the unsubscribe function. Handlers must not throw or block. */
  subscribe(topic: string, handler: EventHandler): () => void;
  close(): Promise<void>;
}

export const topics = {
  subject: (subjectId: string) => `subject:${subjectId}`,
  project: (projectId: string) => `project:${projectId}`,
};

export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<string, Set<EventHandler>>();

  publish(topic: string, event: EventDto): void {
    const set = this.handlers.get(topic);
    if (!set) return;
    for (const h of set) h(event);
  }

  subscribe(topic: string, handler: EventHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => {
      set!.delete(handler);
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
