/**
 * Wake-ups of workflow runners: the seam between "something runnable was committed" and every runner
 * that may run it, on this replica or another one.
 *
 * A runner sleeps until the earliest moment a job it knows of becomes claimable (one timer), or until
 * it is woken. It is woken when work becomes due NOW somewhere else: a job created by an admission, a
 * waiting job nudged by a hub watch, a retry or a delete. Whoever commits such a change calls
 * `notify()` AFTER the commit (a runner woken before it would find nothing, and sleep again).
 *
 * Delivery is a hint, never the only path: a lost wake-up costs latency (runners also look on their
 * own, at the latest every `maxSleepMs`), never work. So an implementation may coalesce, drop or
 * duplicate wake-ups; listeners must be cheap and idempotent ("look for work now").
 *
 * Implementations: in process (one gateway, SQLite or PostgreSQL) and PostgreSQL LISTEN/NOTIFY
 * (every replica of one database; wake.postgres.ts). Another transport (e.g. the Redis bus of a
 * scale-out deployment) implements the same four methods.
 */
export interface WakeSignal {
  /** Work became due now: wake runners here and on every other replica. Call after commit. */
  notify(): void;
  /** `listener` runs on every wake-up, local or remote; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Resolves once wake-ups from other replicas are delivered (a no-op in process). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Fans a wake-up out to this process's listeners, on a later tick (never inside the caller's stack). */
export class LocalListeners {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  fire(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    });
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** One process: a wake-up reaches this process's runners only. */
export class InProcessWakeSignal implements WakeSignal {
  private readonly local = new LocalListeners();

  notify(): void {
    this.local.fire();
  }

  subscribe(listener: () => void): () => void {
    return this.local.subscribe(listener);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.local.clear();
  }
}
