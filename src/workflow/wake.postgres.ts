/**
 * Wake-ups across replicas of one PostgreSQL database: LISTEN/NOTIFY on a dedicated connection (not
 * one of the ORM's pool: a listening session must stay open, and a pooled one is handed to others).
 *
 * `notify()` wakes this process's runners at once and sends one NOTIFY carrying this replica's id,
 * so the others wake and this one ignores its own echo. Calls that arrive while a NOTIFY is in flight
 * are coalesced into one more. When the connection drops (database restart, network), it is opened
 * again with capped exponential backoff and every local runner is woken once it is back, since
 * notifications sent meanwhile are lost; the connection's state is logged once per change.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { LocalListeners, type WakeSignal } from './wake.js';

type PgClient = import('pg').Client;

export const WAKE_CHANNEL = 'spokegraph_workflow_wake';

export interface PostgresWakeOptions {
  url: string;
  log: Logger;
  /** Every statement sent, for tests that count them (the ORM's own hook does not see this connection). */
  onQuery?: (sql: string) => void;
  /** Reconnect backoff bounds. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class PostgresWakeSignal implements WakeSignal {
  readonly replicaId = randomUUID();
  private readonly local = new LocalListeners();
  private client: PgClient | null = null;
  private closed = false;
  private sending = false;
  private again = false;
  private down = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: PostgresWakeOptions) {}

  async start(): Promise<void> {
    await this.connect();
  }

  notify(): void {
    this.local.fire();
    if (this.sending) {
      this.again = true;
      return;
    }
    void this.send();
  }

  subscribe(listener: () => void): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.local.clear();
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async send(): Promise<void> {
    this.sending = true;
    try {
      do {
        this.again = false;
        const c = this.client;
        if (!c) return; // reconnecting: everyone is woken when it is back
        this.o.onQuery?.(`select pg_notify('${WAKE_CHANNEL}', …)`);
        await c.query('select pg_notify($1, $2)', [WAKE_CHANNEL, this.replicaId]).catch(() => undefined);
      } while (this.again && !this.closed);
    } finally {
      this.sending = false;
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: this.o.url, application_name: 'spokegraph-wake' });
    c.on('notification', (n) => {
      if (n.channel === WAKE_CHANNEL && n.payload !== this.replicaId) this.local.fire();
    });
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    try {
      await c.connect();
      this.o.onQuery?.(`listen ${WAKE_CHANNEL}`);
      await c.query(`listen ${WAKE_CHANNEL}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      this.setDown(e);
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await c.end().catch(() => undefined);
      return;
    }
    this.client = c;
    this.failures = 0;
    if (this.down) {
      this.down = false;
      this.o.log.info('workflow wake-ups: LISTEN connection to the database is back');
    }
    // anything notified while we were not listening was missed: look now
    this.local.fire();
  }

  private lost(c: PgClient): void {
    if (this.client !== c || this.closed) return;
    this.client = null;
    c.end().catch(() => undefined);
    this.setDown(new Error('connection ended'));
    this.scheduleReconnect();
  }

  private setDown(e: unknown): void {
    if (this.down) return;
    this.down = true;
    this.o.log.warn('workflow wake-ups: LISTEN connection to the database lost; runners fall back to their timers until it is back', {
      reason: e instanceof Error ? e.message : String(e),
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const min = this.o.minBackoffMs ?? 200;
    const max = this.o.maxBackoffMs ?? 10_000;
    const delay = Math.min(max, min * 2 ** Math.min(this.failures++, 16));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
