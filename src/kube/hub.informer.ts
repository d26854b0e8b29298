/**
 * A list+watch cache of one resource, written for client-node 1.4.0's weak spots: its informer stops
 * on any non-410 error, restarts without backoff, races on stop (AbortError after stop), and a watch
 * on a half-open connection can stay silent forever (its watch timeout is dead in 1.4.0). Here every
 * failure restarts with capped backoff, 410 (HTTP or in-stream) re-lists, callbacks of superseded
 * watches are ignored (epochs), and a periodic resync re-lists and restarts the watch so a silent
 * connection cannot stall a flow for longer than one resync period.
 */
import type { Logger } from '../logger.js';
import type { KubeObject } from './object.types.js';
import { objectKey } from './object.types.js';
import { backoffDelay, type BackoffPolicy } from './retry.js';

export type InformerEvent = 'add' | 'update' | 'delete';
/** `old` is the previous cached object for updates. */
export type InformerHandler<T> = (obj: T, old?: T) => void;

export interface Aborter {
  abort(): void;
}

/** What the informer needs from the adapter: a full list and a raw watch from a resourceVersion. */
export interface InformerSource<T> {
  /** label for logs, e.g. `ManifestWork cluster-a` */
  name: string;
  list(): Promise<{ items: T[]; resourceVersion: string }>;
  watch(
    resourceVersion: string,
    onEvent: (type: string, obj: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<Aborter>;
  /** fill apiVersion/kind when the wire object lacks them */
  normalize(obj: unknown): T;
}

export interface InformerOptions {
  /** full re-list (and watch restart) period; default 60 s */
  resyncMs?: number;
  /** restart backoff; default 250 ms doubling to 30 s */
  backoff?: BackoffPolicy;
  logger: Logger;
}

/** A watch that closes before this without delivering anything counts as a failure (no hot reconnect loop). */
const MIN_HEALTHY_WATCH_MS = 1000;

export class HubInformer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: Record<InformerEvent, Set<InformerHandler<T>>> = { add: new Set(), update: new Set(), delete: new Set() };
  private readonly resyncMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly log: Logger;
  private stopped = true;
  /** bumped on every (re)list, (re)watch and stop; callbacks of an older epoch are ignored */
  private epoch = 0;
  private resourceVersion = '';
  private failures = 0;
  private current: Aborter | undefined;
  private pending: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private markSynced!: () => void;
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;

  constructor(
    private readonly source: InformerSource<T>,
    opts: InformerOptions,
  ) {
    this.resyncMs = opts.resyncMs ?? 60_000;
    this.backoff = opts.backoff ?? { baseMs: 250, maxMs: 30_000 };
    this.log = opts.logger.child({ informer: source.name });
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.resyncTimer = setInterval(() => void this.relist(), this.resyncMs);
    this.resyncTimer.unref();
    void this.relist();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.epoch++;
    clearInterval(this.resyncTimer);
    clearTimeout(this.pending);
    this.abortCurrent();
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(objectKey(namespace, name));
  }

  /** Subscribe; returns the unsubscribe function. */
  on(event: InformerEvent, handler: InformerHandler<T>): () => void {
    this.handlers[event].add(handler);
    return () => this.handlers[event].delete(handler);
  }

  private abortCurrent(): void {
    const c = this.current;
    this.current = undefined;
    try {
      c?.abort();
    } catch {
      // aborting a finished request is fine
    }
  }

  /** One pending retry at a time: a newer plan replaces an older one. */
  private schedule(what: () => void, delayMs: number): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (!this.stopped) what();
    }, delayMs);
    this.pending.unref();
  }

  private nextDelay(): number {
    return backoffDelay(this.failures++, this.backoff);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const epoch = ++this.epoch;
    this.abortCurrent();
    clearTimeout(this.pending);
    try {
      const { items, resourceVersion } = await this.source.list();
      if (epoch !== this.epoch) return;
      this.replace(items);
      this.resourceVersion = resourceVersion;
      this.failures = 0;
      this.markSynced();
      void this.watch(epoch);
    } catch (err) {
      if (epoch !== this.epoch) return;
      const delay = this.nextDelay();
      this.log.warn('hub list failed; retrying', { err, delayMs: delay });
      this.schedule(() => void this.relist(), delay);
    }
  }

  private async watch(epoch: number): Promise<void> {
    const startedAt = Date.now();
    let delivered = false;
    const onEvent = (type: string, obj: unknown) => {
      if (epoch !== this.epoch) return;
      delivered = true;
      if (type === 'ERROR') {
        const code = (obj as { code?: unknown } | null)?.code;
        this.log.info('watch reported an error', { code });
        this.restartAfterFailure(code === 410);
        return;
      }
      this.failures = 0; // the connection works: the next failure starts from the base delay
      this.handleEvent(type, obj);
    };
    const onDone = (err: unknown) => {
      if (epoch !== this.epoch || this.stopped) return; // our own abort, or a superseded watch
      if (err) {
        const gone = (err as { statusCode?: unknown }).statusCode === 410;
        this.log.info('watch ended with an error', { err, gone });
        this.restartAfterFailure(gone);
        return;
      }
      // a clean close (server timeout, dropped connection): resume from the last resourceVersion,
      // at once if the watch was healthy, with backoff if it closed straight away
      if (delivered || Date.now() - startedAt >= MIN_HEALTHY_WATCH_MS) {
        this.failures = 0;
        this.schedule(() => this.rewatch(), 0);
      } else {
        this.schedule(() => this.rewatch(), this.nextDelay());
      }
    };
    try {
      const aborter = await this.source.watch(this.resourceVersion, onEvent, onDone);
      if (epoch !== this.epoch) aborter.abort();
      else this.current = aborter;
    } catch (err) {
      onDone(err ?? new Error('watch failed'));
    }
  }

  private rewatch(): void {
    const epoch = ++this.epoch;
    this.abortCurrent();
    void this.watch(epoch);
  }

  /** 410 means our resourceVersion is too old: only a re-list recovers. Anything else: back off, resume. */
  private restartAfterFailure(gone: boolean): void {
    this.epoch++; // silence the rest of this watch
    this.abortCurrent();
    if (gone) {
      this.resourceVersion = '';
      void this.relist();
      return;
    }
    this.schedule(() => this.rewatch(), this.nextDelay());
  }

  private handleEvent(type: string, raw: unknown): void {
    if (type === 'BOOKMARK') {
      const rv = (raw as KubeObject | null)?.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
    const obj = this.source.normalize(raw);
    if (!obj.metadata?.name) return;
    if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    if (type === 'DELETED') {
      const old = this.cache.get(key);
      this.cache.delete(key);
      this.emit('delete', obj, old);
    } else {
      this.upsert(key, obj);
    }
  }

  private upsert(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (!old) this.emit('add', obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit('update', obj, old);
  }

  /** Make the cache equal a fresh list, emitting the differences. */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj.metadata.namespace, obj.metadata.name);
      seen.add(key);
      this.upsert(key, obj);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.emit('delete', old);
    }
  }

  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const handler of this.handlers[event]) {
      try {
        handler(obj, old);
      } catch (err) {
        this.log.error('informer handler failed', { event, err });
      }
    }
  }
}

/**
 * Resolve with the cached object once `predicate` holds for it (checked now and on every event;
 * `undefined` when absent, so deletion can be awaited), or reject after `timeoutMs`.
 */
export function waitForObject<T extends KubeObject>(
  informer: HubInformer<T>,
  namespace: string | undefined,
  name: string,
  predicate: (obj: T | undefined) => boolean,
  timeoutMs: number,
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const unsubscribe: Array<() => void> = [];
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      unsubscribe.forEach((u) => u());
      fn();
    };
    const check = () => {
      const obj = informer.get(namespace, name);
      if (predicate(obj)) finish(() => resolve(obj));
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${objectKey(namespace, name)}`))),
      timeoutMs,
    );
    for (const event of ['add', 'update', 'delete'] as const) {
      unsubscribe.push(informer.on(event, (obj) => obj.metadata.name === name && obj.metadata.namespace === namespace && check()));
    }
    void informer.synced.then(check);
  });
}
