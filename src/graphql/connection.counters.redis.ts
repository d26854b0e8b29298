/**
 * The graphql-ws caps across replicas (per-token and global sockets and subscriptions, handshakes
 * per minute), counted in Redis.
 *
 * Each replica keeps the authoritative count of what IT holds (in memory) and mirrors it into a hash
 * of its own that expires unless refreshed: a heartbeat rewrites it every `ttlMs / 3`, so the units
 * of a replica that died (SIGKILL, lost node) vanish after `ttlMs` without anyone cleaning up. Live
 * replicas are listed in a sorted set scored by their expiry. Taking a unit is one Lua script (atomic
 * in Redis): drop expired replicas, add up the others' counts for each cap, and write this replica's
 * new count only if every cap has room. This replica's share is sent with the call and reserved
 * locally before it, so two concurrent acquires here never both see the same room.
 *
 * Redis down: caps are counted by this replica alone (each replica enforces them on its own sockets)
 * and that is logged once; the heartbeat republishes everything once Redis is back.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisOptions } from '../events/event.bus.redis.js';
import type { Logger } from '../logger.js';
import { LocalConnectionCounters, type Cap, type ConnectionCounters } from './connection.counters.js';

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = 4, #ARGV, 3 do
  local total = tonumber(ARGV[i + 2])
  for _, m in ipairs(members) do
    if m ~= ARGV[1] then total = total + tonumber(redis.call('HGET', ARGV[3] .. m, ARGV[i]) or '0') end
  end
  if total > tonumber(ARGV[i + 1]) then return (i - 4) / 3 + 1 end
end
for i = 4, #ARGV, 3 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2]) end
redis.call('PEXPIRE', KEYS[2], ttl)
return 0
`;

const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('DEL', KEYS[2])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[2], ttl)
return 0
`;

const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

export interface RedisCountersOptions {
  url: string;
  namespace: string;
  log: Logger;
  /** a dead replica's units expire after this (default 15 s) */
  ttlMs?: number;
}

export class RedisConnectionCounters implements ConnectionCounters {
  readonly replicaId = randomUUID();
  private readonly redis: Redis;
  private readonly held = new Map<string, number>();
  private readonly fallback = new LocalConnectionCounters();
  private readonly replicasKey: string;
  private readonly ownKey: string;
  private readonly hashPrefix: string;
  private readonly ttlMs: number;
  private readonly heartbeat: NodeJS.Timeout;
  private degraded = false;

  constructor(private readonly o: RedisCountersOptions) {
    this.ttlMs = o.ttlMs ?? 15_000;
    this.replicasKey = `${o.namespace}:caps:replicas`;
    this.hashPrefix = `${o.namespace}:caps:r:`;
    this.ownKey = this.hashPrefix + this.replicaId;
    this.redis = new Redis(o.url, redisOptions('spokegraph-caps'));
    this.redis.on('error', () => undefined);
    this.redis.on('ready', () => void this.beat());
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.heartbeat.unref();
  }

  async acquire(caps: readonly Cap[]): Promise<Cap | null> {
    for (const c of caps) this.add(c.key, 1);
    let full: Cap | null = null;
    try {
      const args = caps.flatMap((c) => [c.key, String(c.max), String(this.held.get(c.key) ?? 0)]);
      const r = Number(await this.redis.eval(ACQUIRE, 2, this.replicasKey, this.ownKey, this.replicaId, String(this.ttlMs), this.hashPrefix, ...args));
      this.up();
      if (r > 0) full = caps[r - 1];
    } catch (e) {
      this.down(e);
      // this replica alone: its own units against the caps
      full = caps.find((c) => (this.held.get(c.key) ?? 0) > c.max) ?? null;
    }
    if (full) {
      for (const c of caps) this.add(c.key, -1);
      this.mirror(caps.map((c) => c.key));
    }
    return full;
  }

  async release(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.add(k, -1);
    this.mirror(keys);
  }

  async hit(key: string, max: number, windowMs: number): Promise<boolean> {
    try {
      const n = Number(await this.redis.eval(HIT, 1, `${this.o.namespace}:caps:hit:${key}`, String(windowMs)));
      this.up();
      return n <= max;
    } catch (e) {
      this.down(e);
      return this.fallback.hit(key, max, windowMs);
    }
  }

  /** Units this replica holds under `key` (tests). */
  count(key: string): number {
    return this.held.get(key) ?? 0;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    // a clean stop gives its units back at once; a crash leaves them to expire
    await this.redis
      .multi()
      .del(this.ownKey)
      .zrem(this.replicasKey, this.replicaId)
      .exec()
      .catch(() => undefined);
    this.redis.disconnect();
    await this.fallback.close();
  }

  private add(key: string, n: number): void {
    const v = (this.held.get(key) ?? 0) + n;
    if (v > 0) this.held.set(key, v);
    else this.held.delete(key);
  }

  /** Writes this replica's current counts of `keys` (best effort: the heartbeat rewrites them all). */
  private mirror(keys: readonly string[]): void {
    if (this.redis.status !== 'ready') return;
    const m = this.redis.multi();
    for (const k of keys) {
      const v = this.held.get(k) ?? 0;
      if (v > 0) m.hset(this.ownKey, k, String(v));
      else m.hdel(this.ownKey, k);
    }
    m.exec().catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    try {
      await this.redis.eval(HEARTBEAT, 2, this.replicasKey, this.ownKey, this.replicaId, String(this.ttlMs), ...[...this.held].flatMap(([k, v]) => [k, String(v)]));
      this.up();
    } catch (e) {
      this.down(e);
    }
  }

  private up(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.o.log.info('Redis reachable again: connection caps count every replica');
  }

  private down(e: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.o.log.warn('Redis unreachable: connection caps are counted by each replica on its own until it is back', { reason: e instanceof Error ? e.message : String(e) });
  }
}
