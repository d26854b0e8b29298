/**
 * Query cost reported to the caller (`extensions.cost`) and a per-token rate limit in cost points
 * (as GitHub and Shopify do): each token has a bucket of RATE_LIMIT_POINTS_PER_MINUTE points,
 * refilled continuously; an operation takes its estimated cost (limits.ts) before it runs, and one
 * the bucket cannot pay is refused with 429 RATE_LIMITED and nothing runs. Answers carry
 * RateLimit-Limit / -Remaining / -Reset (seconds until the bucket is full again) and Retry-After
 * when refused.
 *
 * The buckets live in this process: with several replicas each grants the full budget (a shared
 * store is another change). Off (no bucket, no RateLimit headers) when the budget is 0.
 */
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.js';

interface Bucket {
  points: number;
  at: number;
}

export interface Take {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** seconds until the bucket is full */
  resetS: number;
  /** seconds until `cost` points are available (0 when allowed) */
  retryAfterS: number;
}

/** Buckets idle this long are full again and are dropped. */
const PRUNE_EVERY = 1000;

export class CostRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private takes = 0;
  private readonly perMs: number;

  constructor(
    readonly pointsPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = pointsPerMinute / 60_000;
  }

  get enabled(): boolean {
    return this.pointsPerMinute > 0;
  }

  take(key: string, cost: number): Take {
    const now = this.now();
    if (++this.takes % PRUNE_EVERY === 0) this.prune(now);
    const b = this.buckets.get(key) ?? { points: this.pointsPerMinute, at: now };
    b.points = Math.min(this.pointsPerMinute, b.points + (now - b.at) * this.perMs);
    b.at = now;
    const allowed = cost <= b.points;
    if (allowed) b.points -= cost;
    this.buckets.set(key, b);
    const missing = this.pointsPerMinute - b.points;
    return {
      allowed,
      limit: this.pointsPerMinute,
      remaining: Math.floor(b.points),
      resetS: Math.ceil(missing / this.perMs / 1000),
      retryAfterS: allowed ? 0 : Math.max(1, Math.ceil((Math.min(cost, this.pointsPerMinute) - b.points) / this.perMs / 1000)),
    };
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.points + (now - b.at) * this.perMs >= this.pointsPerMinute) this.buckets.delete(k);
  }
}

export function rateLimitHeaders(t: Take): [string, string][] {
  const h: [string, string][] = [
    ['RateLimit-Limit', String(t.limit)],
    ['RateLimit-Remaining', String(t.remaining)],
    ['RateLimit-Reset', String(t.resetS)],
  ];
  if (!t.allowed) h.push(['Retry-After', String(t.retryAfterS)]);
  return h;
}

export function rateLimited(cost: number, t: Take): GraphQLError {
  return new GraphQLError(`This operation costs ${cost} points and the token has ${t.remaining} of ${t.limit} per minute left; retry in ${t.retryAfterS} s`, {
    extensions: { code: ErrorCode.RATE_LIMITED, http: { status: 429 } },
  });
}

/** `extensions.cost`: what the operation was estimated at, the per-operation cap, and the token's bucket. */
export function costReport(requested: number, limit: number, bucket: Take | null): Record<string, unknown> {
  return {
    requested,
    limit,
    ...(bucket ? { rateLimit: { pointsPerMinute: bucket.limit, remaining: bucket.remaining, resetSeconds: bucket.resetS } } : {}),
  };
}
