/**
 * Replay reads shared for as long as they stay true. Subscribers that start together (thousands of
 * dashboards after a deploy, every tab reconnecting after a restart) each asked the database for the
 * same replay: the same topic, from the same position. One answer serves them all, in the same turn
 * and later, until the topic changes here.
 *
 * Why a held answer is still gap-free for a stream that takes it: every stream subscribes to the bus
 * before it asks for its replay (event.stream.ts), and an event the answer lacks committed after the
 * answer's statement started, so the bus delivers it here after that. The answer is held only while
 * the topic has delivered nothing and reported no gap here since before its statement started
 * (`EventBus.mark`, taken first); so whatever the answer lacks is still to be delivered, and reaches
 * every stream that takes the answer, live. A topic that lost its last subscriber here counts as
 * changed: what it published then reached nobody.
 *
 * Held answers are plain rows nobody modifies. At most `max` are held (the oldest goes first); a
 * failed read is not held.
 */
import type { EventBus } from './event.bus.js';

export class ReplayReads<T> {
  private readonly held = new Map<string, { mark: NonNullable<ReturnType<EventBus['mark']>>; answer: Promise<T> }>();

  constructor(
    private readonly bus: EventBus,
    private readonly max = 64,
  ) {}

  /** The replay of `topic` after `after` (at most `limit`), read by `read` unless a held answer is still true. */
  read(topic: string, after: number, limit: number, read: () => Promise<T>): Promise<T> {
    const key = `${topic}|${after}|${limit}`;
    // a transport cut off from the other replicas cannot tell us of their commits meanwhile
    const connected = this.bus.status().connected;
    const kept = this.held.get(key);
    if (kept) {
      if (connected && !this.bus.changedSince(kept.mark)) return kept.answer;
      this.held.delete(key);
    }
    // null: nobody here subscribes to the topic (a caller that did not subscribe first)
    const mark = connected ? this.bus.mark(topic) : null;
    if (!mark) return read();
    const answer = read();
    if (this.held.size >= this.max) this.held.delete(this.held.keys().next().value!);
    const entry = { mark, answer };
    this.held.set(key, entry);
    answer.catch(() => {
      if (this.held.get(key) === entry) this.held.delete(key);
    });
    return answer;
  }

  /** Answers held now (tests). */
  size(): number {
    return this.held.size;
  }
}
