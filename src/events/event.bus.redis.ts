/**
 * The event bus of N replicas: Redis pub/sub on one channel per installation. Every replica
 * publishes what it committed and fans out what it hears to its own subscribers; its own messages
 * reach its own subscribers at once, without the round trip.
 *
 * Pub/sub delivers at most once, so Redis is never what correctness rests on. Streams already fill a
 * hole in `seq` from the database when a later message arrives (event.stream.ts); what a lost message
 * at the END of a topic needs is someone noticing. This bus compares, on a timer, the database's
 * newest seq of every topic it has subscribers for with the newest it delivered, and tells the
 * subscribers of any topic behind to read the database (`onGap`). The timer is slow while Redis is
 * up (a safety net for a message lost in flight) and fast while it is down, so subscriptions keep
 * working from the database alone, with seconds of latency. Recovery needs no restart: ioredis
 * reconnects, the channel is subscribed again, and a check runs at once for what was missed.
 * Access changes lost while Redis was down are caught by the socket registry re-reading every token
 * (its `onGap`).
 *
 * One channel for all topics, not one per topic: a SUBSCRIBE per topic would leave a window between
 * a stream's replay and Redis confirming its subscription, and every replica hears every event
 * anyway once its users watch a spread of subjects. Event volume is bounded by database writes.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { InProcessEventBus, seqOnTopic, topics as busTopics, type BusStatus, type BusTopics, type EventBus, type Topic, type TopicMark } from './event.bus.js';
import type { HighWaterReader } from './event.highwater.js';

export interface RedisBusOptions {
  url: string;
  /** Key and channel prefix shared by the replicas of one installation (one database). */
  namespace: string;
  log: Logger;
  highWater: HighWaterReader;
  /** Database check while Redis is up (default 5000 ms): bounds the delay of a message lost in flight. */
  checkMs?: number;
  /** Database check while Redis is down (default 1000 ms): the latency of live events meanwhile. */
  degradedCheckMs?: number;
}

interface Envelope {
  /** publishing replica */
  r: string;
  t: string;
  m: unknown;
}

/** ioredis settings for connections that must fail fast when Redis is away and come back by themselves. */
export function redisOptions(name: string): RedisOptions {
  return {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    // reconnect for ever, at most every 1 s: recovery needs no restart
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
    autoResubscribe: false,
  };
}

export class RedisEventBus implements EventBus {
  readonly replicaId = randomUUID();
  private readonly local = new InProcessEventBus();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private pubReady = false;
  private subReady = false;
  /** logged state: one line per change, not per failed publish */
  private reportedDown = false;
  /** per topic with subscribers here: the newest seq handed to them */
  private readonly delivered = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private closed = false;

  constructor(private readonly o: RedisBusOptions) {
    this.channel = `${o.namespace}:bus`;
    this.pub = new Redis(o.url, redisOptions('spokegraph-bus-pub'));
    this.sub = new Redis(o.url, redisOptions('spokegraph-bus-sub'));
    for (const c of [this.pub, this.sub]) c.on('error', (e: Error) => this.lost(e.message));
    this.pub.on('ready', () => {
      this.pubReady = true;
      this.changed();
    });
    this.pub.on('close', () => {
      this.pubReady = false;
      this.lost('connection closed');
    });
    this.sub.on('ready', () => void this.listen());
    this.sub.on('close', () => {
      this.subReady = false;
      this.lost('connection closed');
    });
    this.sub.on('message', (channel: string, payload: string) => {
      if (channel === this.channel) this.heard(payload);
    });
    this.schedule();
  }

  /** Resolves once Redis is reachable, or after `timeoutMs` (the bus then starts degraded, and recovers by itself). */
  async ready(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.status().connected && Date.now() < deadline && !this.closed) await new Promise((r) => setTimeout(r, 25));
    if (!this.status().connected) this.lost('not reachable at start');
    return this.status().connected;
  }

  publish<T extends Topic>(topic: T, message: BusTopics[T]): void {
    this.local.publish(topic, message);
    this.note(topic, message);
    // down: the other replicas' subscribers read the database on their fast timer meanwhile
    if (!this.pubReady) return;
    const envelope: Envelope = { r: this.replicaId, t: topic, m: message };
    this.pub.publish(this.channel, JSON.stringify(envelope)).catch((e: Error) => this.lost(e.message));
  }

  subscribe<T extends Topic>(topic: T, handler: (message: BusTopics[T]) => void, onGap?: () => void): () => void {
    return this.local.subscribe(topic, handler, onGap);
  }

  // Messages from other replicas and the gaps found for them reach the local bus, which counts them.
  mark(topic: string): TopicMark | null {
    return this.local.mark(topic);
  }

  changedSince(mark: TopicMark): boolean {
    return this.local.changedSince(mark);
  }

  status(): BusStatus {
    return { transport: 'redis', connected: this.pubReady && this.subReady };
  }

  /** Subscribers here (tests, metrics). */
  size(): number {
    return this.local.size();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.local.close();
    this.pub.disconnect();
    this.sub.disconnect();
  }

  /** Runs one database check now (tests; also after every reconnect). */
  async check(): Promise<void> {
    if (this.checking || this.closed) return;
    this.checking = true;
    try {
      const names = this.local.topicNames().filter((t) => t !== busTopics.access);
      for (const t of this.delivered.keys()) if (!this.local.has(t)) this.delivered.delete(t);
      if (!names.length) return;
      const high = await this.o.highWater(names);
      for (const t of names) {
        const h = high.get(t) ?? 0;
        const d = this.delivered.get(t);
        if (d !== undefined && h <= d) continue;
        this.delivered.set(t, Math.max(d ?? 0, h));
        // first sight of a topic: its subscribers replayed when they subscribed, but a message lost
        // since is indistinguishable from none without asking them to look
        if (h > 0) this.local.gap(t);
      }
    } catch (e) {
      this.o.log.debug('event bus: database check failed', { err: e instanceof Error ? e.message : String(e) });
    } finally {
      this.checking = false;
    }
  }

  private async listen(): Promise<void> {
    try {
      await this.sub.subscribe(this.channel);
    } catch (e) {
      this.lost(e instanceof Error ? e.message : String(e));
      return;
    }
    this.subReady = true;
    this.changed();
    // whatever was published while this replica was not listening is in the database
    this.local.gap(busTopics.access);
    void this.check();
  }

  private heard(payload: string): void {
    let env: Envelope;
    try {
      env = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (typeof env !== 'object' || env === null || env.r === this.replicaId || typeof env.t !== 'string') return;
    if (!this.local.has(env.t)) return;
    const m = env.m as { time?: unknown } | null;
    if (typeof m !== 'object' || m === null) return;
    // JSON turned the Date into a string; streams hand the message to GraphQL as it was published
    if (typeof m.time === 'string') m.time = new Date(m.time);
    this.local.publish(env.t as Topic, m as never);
    this.note(env.t, m);
  }

  private note(topic: string, message: unknown): void {
    if (!this.local.has(topic)) return;
    const seq = seqOnTopic(topic, message);
    if (seq === null) return;
    const d = this.delivered.get(topic);
    if (d === undefined || seq > d) this.delivered.set(topic, seq);
  }

  private lost(reason: string): void {
    if (this.closed) return;
    this.changed(reason);
  }

  /** Logs each transition between connected and not once, and sets the check interval to match. */
  private changed(reason?: string): void {
    const up = this.status().connected;
    // (a connection that is still coming up is not a loss: only failures carry a reason)
    if (!up && reason !== undefined && !this.reportedDown) {
      this.reportedDown = true;
      this.o.log.warn(`Redis unreachable: live events from other replicas now come from the database every ${this.o.degradedCheckMs ?? 1000} ms until it is back`, { reason });
      this.schedule();
    } else if (up && this.reportedDown) {
      this.reportedDown = false;
      this.o.log.info('Redis reachable again: live events are shared between replicas');
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const ms = this.status().connected ? (this.o.checkMs ?? 5_000) : (this.o.degradedCheckMs ?? 1_000);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.check().finally(() => this.schedule());
    }, ms);
    this.timer.unref();
  }
}
