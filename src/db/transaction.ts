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

/**
 * SQLSTATEs of a transaction PostgreSQL aborted for concurrency: serialization failure, deadlock,
 * lock timeout. Statements run through the connection directly (db/sql.ts) fail with the driver's
 * own error, which carries only the code; those through the ORM are converted to the exceptions above.
 */
const RETRYABLE_CODES = new Set(['40001', '40P01', '55P03']);

export async function inTransaction<T>(em: Em, fn: (tem: Em) => Promise<T>, retries = 5): Promise<T> {
  if (em.isInTransaction()) retries = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await em.transactional((tem) => fn(tem as Em));
    } catch (e) {
      const retryable = e instanceof DeadlockException || e instanceof LockWaitTimeoutException || RETRYABLE_CODES.has((e as { code?: string })?.code ?? '');
      if (!retryable || attempt >= retries) throw e;
      em.clear();
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}
