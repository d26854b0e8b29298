/**
 * Transactions with retry on the failures a correct transaction can still hit under concurrency on
 * PostgreSQL (deadlock, serialization failure, lock timeout): PostgreSQL has already rolled the whole
 * transaction back, so it is run again from the start, after a short random pause that lets the
 * other side finish. SQLite serialises writers, so it never retries.
 *
 * Only the outermost transaction retries: inside another one (a savepoint) the enclosing transaction
 * keeps the locks that were part of the cycle, so running just the inner part again cannot break it;
 * the failure is passed up to the outermost, which releases everything and runs again.
 */
import { DeadlockException, LockWaitTimeoutException } from '@mikro-orm/core';
import type { Em } from './orm.js';
import { publish, transactionRetries } from '../observability/channels.js';

/**
 * SQLSTATEs of a transaction PostgreSQL aborted for concurrency: serialization failure, deadlock,
 * lock timeout. Statements run through the connection directly (db/sql.ts) fail with the driver's
 * own error, which carries only the code; those through the ORM are converted to the exceptions above.
 */
const RETRYABLE_CODES = new Set(['40001', '40P01', '55P03']);

/**
 * Work that must commit together with whatever a request commits, without the services knowing about
 * it: the audit record of a mutation (src/audit). It joins the outermost transaction that runs on one
 * EntityManager (the request's), as its last statements before COMMIT.
 */
export interface TransactionParticipant {
  /** Inside the transaction, after its work (`result` is what the work returned), before COMMIT. */
  beforeCommit(tem: Em, result: unknown): Promise<void>;
  /** After COMMIT of a transaction whose beforeCommit ran. */
  afterCommit(): void;
}

const participants = new WeakMap<Em, TransactionParticipant>();

/** `p` joins every outermost transaction run on `em` until the returned function is called. */
export function joinTransactions(em: Em, p: TransactionParticipant): () => void {
  participants.set(em, p);
  return () => {
    if (participants.get(em) === p) participants.delete(em);
  };
}

/** The participant joined to `em`'s transactions, if any (admission's group commit runs it in the batch's transaction). */
export function participantOf(em: Em): TransactionParticipant | undefined {
  return participants.get(em);
}

/** A failure after which the whole transaction is run again (the ORM's exceptions, or the driver's SQLSTATE). */
export function isRetryableConflict(e: unknown): boolean {
  return e instanceof DeadlockException || e instanceof LockWaitTimeoutException || RETRYABLE_CODES.has((e as { code?: string })?.code ?? '');
}

/** The short random pause before the next attempt, which lets the other side finish. */
export function retryPause(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
}

export async function inTransaction<T>(em: Em, fn: (tem: Em) => Promise<T>, retries = 5): Promise<T> {
  const nested = em.isInTransaction();
  if (nested) retries = 0;
  for (let attempt = 0; ; attempt++) {
    // read per attempt: a participant may leave after the first commit of its request
    const participant = nested ? undefined : participants.get(em);
    try {
      const result = await em.transactional(async (tem) => {
        const r = await fn(tem as Em);
        if (participant) await participant.beforeCommit(tem as Em, r);
        return r;
      });
      participant?.afterCommit();
      return result;
    } catch (e) {
      if (!isRetryableConflict(e) || attempt >= retries) throw e;
      publish(transactionRetries, () => ({ source: em.config, code: (e as { code?: string })?.code ?? (e as Error).name }));
      em.clear();
      await retryPause(attempt);
    }
  }
}
