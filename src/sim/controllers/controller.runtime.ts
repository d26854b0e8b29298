/**
 * A tiny controller runtime: keyed work queue with per-key delays, reconcile functions that read and
 * write the stores synchronously (so there is no read-modify-write race), requeue with backoff on
 * errors. Controllers are level-based: each reconcile derives the next step from current state,
 * which makes them restart-safe.
 */
import type { Logger } from '../../logger.js';
import type { FaultState } from '../fault.state.js';
import { groupOf, setCondition, type Condition, type KubeObject } from '../kube.types.js';
import type { ObjectStore, StoreEvent } from '../object.store.js';
import type { SpokeFleet } from '../spoke.fleet.js';

export interface SimContext {
  hub: ObjectStore;
  spokes: SpokeFleet;
  faults: FaultState;
  /** Delay multiplier: 0 = no artificial delay (still asynchronous), 1 = demo pace. */
  speed: number;
  logger: Logger;
  /** How spokes join: by the auto-import-secret (multicluster-engine) or by the klusterlet bootstrap (stock OCM). */
  registration?: 'auto-import' | 'klusterlet';
  /** Nodes advertise nvidia.com/gpu only once a device plugin release is Ready (default true). */
  requireGpuDevicePlugin?: boolean;
}

/** What to reconcile: scope is 'hub' or a spoke cluster name; kind only for controllers of several kinds. */
export interface ObjectKey {
  scope: string;
  kind?: string;
  namespace?: string;
  name: string;
}

export const keyOf = (scope: string, o: Pick<KubeObject, 'kind' | 'metadata'>, withKind = false): ObjectKey => ({
  scope,
  kind: withKind ? o.kind : undefined,
  namespace: o.metadata.namespace,
  name: o.metadata.name ?? '',
});

/** A condition stamped with the generation it describes. */
export function cond(type: string, status: boolean | 'Unknown', reason: string, message: string, observedGeneration?: number): Omit<Condition, 'lastTransitionTime'> {
  const c: Omit<Condition, 'lastTransitionTime'> = { type, status: status === 'Unknown' ? 'Unknown' : status ? 'True' : 'False', reason, message };
  if (observedGeneration !== undefined) c.observedGeneration = observedGeneration;
  return c;
}

/** Upsert several conditions into a condition list, keeping transition times of unchanged statuses. */
export function withConditions(list: Condition[] | undefined, ...next: Array<Omit<Condition, 'lastTransitionTime'>>): Condition[] {
  return next.reduce((acc, c) => setCondition(acc, c), list ?? []);
}

/** Writes .status through the status subresource (a no-op when nothing changed). */
export function writeStatus(store: ObjectStore, obj: KubeObject, status: Record<string, unknown>, manager: string): KubeObject {
  return store.update({ ...obj, status }, { subresource: 'status', manager });
}

export abstract class Controller {
  abstract readonly name: string;
  /** Base delay of one step at speed 1, in ms. */
  protected abstract readonly stepMs: number;
  private readonly timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly cleanups: Array<() => void> = [];
  private stopped = false;

  constructor(protected readonly ctx: SimContext) {}

  /** Subscribe to the stores and enqueue what already exists. */
  abstract start(): void;

  /** One reconcile step for a key. Return a delay in ms to look again later (e.g. to poll a dependency). */
  protected abstract reconcile(key: ObjectKey): number | void;

  stop(): void {
    this.stopped = true;
    this.cleanups.splice(0).forEach((c) => c());
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  protected onStop(fn: () => void): void {
    this.cleanups.push(fn);
  }

  /** Delay before the next step: base × speed, plus the statusDelayMs fault. */
  protected stepDelay(factor = 1): number {
    return Math.round(this.stepMs * factor * this.ctx.speed) + this.ctx.faults.statusDelayMs();
  }

  enqueue(key: ObjectKey, delayMs = this.stepDelay()): void {
    if (this.stopped) return;
    const k = JSON.stringify([key.scope, key.kind ?? '', key.namespace ?? '', key.name]);
    const due = Date.now() + delayMs;
    const existing = this.timers.get(k);
    if (existing && existing.due <= due) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => this.run(k, key), delayMs);
    this.timers.set(k, { due, timer });
  }

  protected get log(): Logger {
    return this.ctx.logger;
  }

  /** A notable transition, logged so demo logs read like a (simulated) cluster's events. */
  protected note(message: string, fields?: Record<string, unknown>): void {
    this.log.info(`SIMULATED ${this.name}: ${message}`, fields);
  }

  protected storeOf(scope: string): ObjectStore {
    return scope === 'hub' ? this.ctx.hub : this.ctx.spokes.get(scope);
  }

  /** Calls fn for hub events of the given kinds (by group/kind). */
  protected onHub(kinds: Array<[group: string, kind: string]>, fn: (ev: StoreEvent) => void): void {
    const want = new Set(kinds.map(([g, k]) => `${g}|${k}`));
    this.onStop(this.ctx.hub.subscribe((ev) => want.has(`${groupOf(ev.object.apiVersion)}|${ev.object.kind}`) && fn(ev)));
  }

  /** Calls fn for spoke events of the given kinds, on every spoke (present and future). */
  protected onSpokes(kinds: Array<[group: string, kind: string]>, fn: (cluster: string, ev: StoreEvent) => void): void {
    const want = new Set(kinds.map(([g, k]) => `${g}|${k}`));
    this.onStop(this.ctx.spokes.onEvent((c, ev) => want.has(`${groupOf(ev.object.apiVersion)}|${ev.object.kind}`) && fn(c, ev)));
  }

  private run(k: string, key: ObjectKey): void {
    this.timers.delete(k);
    if (this.stopped) return;
    try {
      const again = this.reconcile(key);
      this.failures.delete(k);
      if (typeof again === 'number') this.enqueue(key, Math.max(again, 20));
    } catch (e) {
      const n = (this.failures.get(k) ?? 0) + 1;
      this.failures.set(k, n);
      this.log.warn(`SIMULATED ${this.name} controller: reconcile failed, will retry`, { key, attempt: n, err: e });
      this.enqueue(key, Math.min(5_000, 50 * 2 ** Math.min(n, 7)));
    }
  }
}
