/**
 * Namespace lifecycle (kube-controller-manager's namespace controller) on the hub and every spoke: a
 * Terminating namespace has its content deleted, and once nothing is left (finalizers of the content
 * included) its `kubernetes` finalizer is removed so the store drops it.
 */
import { ApiError } from '../api.errors.js';
import { groupOf } from '../kube.types.js';
import type { StoreEvent } from '../object.store.js';
import { Controller, type ObjectKey } from './controller.runtime.js';

export class NamespaceController extends Controller {
  readonly name = 'namespace';
  protected readonly stepMs = 100;

  start(): void {
    const onEvent = (scope: string, ev: StoreEvent) => {
      const o = ev.object;
      if (o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.deletionTimestamp) this.enqueue({ scope, name: o.metadata.name ?? '' });
      else if (ev.type === 'DELETED' && o.metadata.namespace) this.enqueue({ scope, name: o.metadata.namespace });
    };
    this.onStop(this.ctx.hub.subscribe((ev) => onEvent('hub', ev)));
    this.onStop(this.ctx.spokes.onEvent(onEvent));
    for (const scope of ['hub', ...this.ctx.spokes.names()])
      for (const ns of this.storeOf(scope).list('', 'Namespace')) if (ns.metadata.deletionTimestamp) this.enqueue({ scope, name: ns.metadata.name ?? '' });
  }

  protected reconcile(key: ObjectKey): void {
    const store = this.storeOf(key.scope);
    const ns = store.get('', 'Namespace', undefined, key.name);
    if (!ns?.metadata.deletionTimestamp) return;
    const content = store.all().filter((o) => o.metadata.namespace === key.name);
    for (const o of content) {
      if (o.metadata.deletionTimestamp) continue;
      try {
        store.delete(groupOf(o.apiVersion), o.kind, key.name, o.metadata.name ?? '');
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    if (content.length > 0) return;
    const spec = ns.spec as { finalizers?: string[] } | undefined;
    if (spec?.finalizers?.includes('kubernetes')) {
      store.update({ ...ns, spec: { ...spec, finalizers: spec.finalizers.filter((f) => f !== 'kubernetes') } }, { subresource: 'finalize' });
    }
  }
}
