/** Plays the resource-quota controller (hub and spokes): status.hard mirrors spec.hard, status.used counts pods. */
import type { StoreEvent } from '../object.store.js';
import { countedKeys, namespaceUsage } from '../quota.admission.js';
import { Controller, keyOf, writeStatus, type ObjectKey } from './controller.runtime.js';

const MANAGER = 'resourcequota-controller';

export class QuotaController extends Controller {
  readonly name = 'resource-quota';
  protected readonly stepMs = 100;

  start(): void {
    const onEvent = (scope: string, ev: StoreEvent) => {
      if (ev.object.apiVersion !== 'v1') return;
      if (ev.object.kind === 'ResourceQuota') this.enqueue(keyOf(scope, ev.object));
      if (ev.object.kind === 'Pod') for (const q of this.storeOf(scope).list('', 'ResourceQuota', ev.object.metadata.namespace)) this.enqueue(keyOf(scope, q));
    };
    this.onStop(this.ctx.hub.subscribe((ev) => onEvent('hub', ev)));
    this.onStop(this.ctx.spokes.onEvent(onEvent));
    for (const scope of ['hub', ...this.ctx.spokes.names()]) for (const q of this.storeOf(scope).list('', 'ResourceQuota')) this.enqueue(keyOf(scope, q));
  }

  protected reconcile(key: ObjectKey): void {
    const store = this.storeOf(key.scope);
    const q = store.get('', 'ResourceQuota', key.namespace, key.name);
    if (!q || q.metadata.deletionTimestamp) return;
    const hard = ((q.spec as { hard?: Record<string, unknown> } | undefined)?.hard ?? {}) as Record<string, unknown>;
    const usage = namespaceUsage(store, key.namespace ?? '', countedKeys(hard));
    const used = Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, String(v)]));
    writeStatus(store, q, { hard: Object.fromEntries(Object.entries(hard).map(([k, v]) => [k, String(v)])), used }, MANAGER);
  }
}
