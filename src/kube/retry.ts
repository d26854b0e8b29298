/**
 * Exponential backoff with jitter, shared by the adapter verbs (small budget: a verb either succeeds
 * within about a second or surfaces a HubError for the flow to schedule) and the informers (unbounded,
 * capped delay).
 */

export interface BackoffPolicy {
  /** delay before the first retry, before jitter */
  baseMs: number;
  /** cap of any single delay */
  maxMs: number;
}

export interface RetryPolicy extends BackoffPolicy {
  /** total attempts, the first included */
  attempts: number;
}

/** Verb retries: 5 attempts, 100 ms doubling to 1.6 s (about 1.5 s of waiting in expectation). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 100, maxMs: 1600 };

/**
 * Delay before retry number `attempt` (0-based): "equal jitter", half fixed and half random, so a
 * retry never fires immediately yet concurrent clients spread out.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
