/**
 * The counters behind the graphql-ws caps (open sockets, live subscriptions, handshakes per minute),
 * keyed by plain strings so a shared store can hold them: this process's own counts now; a store
 * shared by every replica (Redis) makes the same caps hold across all of them.
 */

/** At most `max` units may be held under `key`. */
export interface Cap {
  key: string;
  max: number;
}

export interface ConnectionCounters {
  /** Takes one unit under every cap, or none: null when taken, else the first cap that was full. */
  acquire(caps: readonly Cap[]): Promise<Cap | null>;
  /** Gives back one unit under each key (each taken by an earlier acquire). */
  release(keys: readonly string[]): Promise<void>;
  /** Counts one under `key` in the current fixed window of `windowMs`; false once that passes `max`. */
  hit(key: string, max: number, windowMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export class LocalConnectionCounters implements ConnectionCounters {
  private readonly held = new Map<string, number>();
  private readonly windows = new Map<string, { start: number; count: number; windowMs: number }>();
  private lastPurge = Date.now();

  async acquire(caps: readonly Cap[]): Promise<Cap | null> {
    for (const cap of caps) if ((this.held.get(cap.key) ?? 0) >= cap.max) return cap;
    for (const cap of caps) this.held.set(cap.key, (this.held.get(cap.key) ?? 0) + 1);
    return null;
  }

  async release(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const n = (this.held.get(key) ?? 0) - 1;
      if (n > 0) this.held.set(key, n);
      else this.held.delete(key);
    }
  }

  async hit(key: string, max: number, windowMs: number): Promise<boolean> {
    const now = Date.now();
    this.purge(now, windowMs);
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) this.windows.set(key, (w = { start: now, count: 0, windowMs }));
    w.count++;
    return w.count <= max;
  }

  /** Units held under `key` (metrics, tests). */
  count(key: string): number {
    return this.held.get(key) ?? 0;
  }

  async close(): Promise<void> {
    this.held.clear();
    this.windows.clear();
  }

  /** Keys hit once and never again must not pile up (every presented secret is a key). */
  private purge(now: number, windowMs: number): void {
    if (now - this.lastPurge < windowMs) return;
    this.lastPurge = now;
    for (const [key, w] of this.windows) if (now - w.start >= w.windowMs) this.windows.delete(key);
  }
}
