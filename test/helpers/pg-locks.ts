/**
 * Interleavings forced with real PostgreSQL locks: a session of the test (not the app's) takes a row
 * lock inside an open transaction, the app's statement that needs the row waits on it, the test sees
 * that wait in pg_stat_activity, does what must happen meanwhile, and then lets go. Races that need
 * luck to show up under load happen every time this way, with nothing of the app's code replaced.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { TestApp } from './app.js';

export interface PgSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  end(): Promise<void>;
}

/** A connection of its own to the app's PostgreSQL database. */
export async function pgSession(app: TestApp): Promise<PgSession> {
  if (app.config.db.kind !== 'postgresql') throw new Error('pgSession needs a PostgreSQL test app');
  const client = new pg.Client({ connectionString: app.config.db.url, application_name: 'test-lock-holder' });
  await client.connect();
  return {
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    end: () => client.end(),
  };
}

/** Sessions of the database waiting for a lock, other than `probe` itself. */
export async function lockWaiters(probe: PgSession): Promise<number> {
  const [r] = await probe.query<{ n: string }>(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`);
  return Number(r.n);
}

/** Resolves once at least `n` sessions of the database wait for a lock (or `until` says stop waiting). */
export async function waitForLockWaiters(probe: PgSession, n: number, opts: { timeoutMs?: number; until?: () => boolean } = {}): Promise<number> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const waiting = await lockWaiters(probe);
    if (waiting >= n || opts.until?.()) return waiting;
    if (Date.now() > deadline) throw new Error(`expected ${n} session(s) waiting for a lock, saw ${waiting}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Tracks whether a promise has settled (to stop waiting for a lock wait that will never come). */
export function settled<T>(p: Promise<T>): { promise: Promise<T>; done: () => boolean } {
  let isDone = false;
  const promise = p.finally(() => (isDone = true));
  promise.catch(() => undefined);
  return { promise, done: () => isDone };
}

/**
 * The two sessions of a lock test, opened before its tests (after the app's own beforeAll, when
 * registered after it) and closed after them, the holder's open transaction rolled back first.
 */
export function lockSessions(app: () => TestApp): { probe: PgSession; holder: PgSession } {
  const s = {} as { probe: PgSession; holder: PgSession };
  beforeAll(async () => {
    s.probe = await pgSession(app());
    s.holder = await pgSession(app());
  });
  afterAll(async () => {
    await s.holder?.query('rollback').catch(() => undefined);
    await s.holder?.end();
    await s.probe?.end();
  });
  return s;
}
