/**
 * Transactions with retry on the failures a correct transaction can still hit under concurrency on
 * PostgreSQL (deadlock, serialization failure). SQLite serialises writers, so it never retries.
 */
import { DeadlockException, LockWaitTimeoutException } from '@mikro-orm/core';
import type { Em } from './orm.js';

export async function inTransaction<T>(em: Em, fn: (tem: Em) => Promise<T>, retries = 5): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await em.transactional((tem) => fn(tem as Em));
    } catch (e) {
      const retryable = e instanceof DeadlockException || e instanceof LockWaitTimeoutException || (e as { code?: string })?.code === '40001';
      if (!retryable || attempt >= retries) throw e;
      em.clear();
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}
