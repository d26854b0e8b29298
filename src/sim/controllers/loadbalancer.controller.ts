/**
 * Plays a cloud load-balancer controller on every spoke: a LoadBalancer Service gets an ingress
 * address that really answers, the loopback address of a responder of its own at the Service's port
 * (lb.responder.ts); where none can listen, a stable 10.x.y.z that does not answer. A spoke listed in
 * noLoadBalancerClusters has no such controller: its Services never get an address.
 */
import { createHash } from 'node:crypto';
import { Controller, keyOf, writeStatus, type ObjectKey } from './controller.runtime.js';
import { ResponderSet } from './lb.responder.js';

const MANAGER = 'service-controller';
const HELM_INSTANCE = 'app.kubernetes.io/instance';

/** 10.x.y.z derived from cluster/namespace/name: stable across restarts without storing anything. */
export function ingressIpFor(cluster: string, namespace: string, name: string): string {
  const h = createHash('sha256').update(`${cluster}/${namespace}/${name}`).digest();
  return `10.${h[0]}.${h[1]}.${(h[2] % 254) + 1}`;
}

export class LoadBalancerController extends Controller {
  readonly name = 'load-balancer';
  protected readonly stepMs = 500;
  private readonly responders = new ResponderSet();

  start(): void {
    this.onSpokes([['', 'Service']], (cluster, ev) => {
      const id = { cluster, namespace: ev.object.metadata.namespace ?? '', service: ev.object.metadata.name ?? '' };
      if (ev.type === 'DELETED') this.responders.stop(id);
      else this.enqueue(keyOf(cluster, ev.object));
    });
    // a spoke can lose (or get) its load balancer at run time
    this.onStop(this.ctx.faults.onChange(() => this.enqueueAll()));
    this.onStop(() => this.responders.stopAll());
    this.enqueueAll();
  }

  private enqueueAll(): void {
    for (const cluster of this.ctx.spokes.names()) for (const s of this.ctx.spokes.get(cluster).list('', 'Service')) this.enqueue(keyOf(cluster, s), 0);
  }

  protected reconcile(key: ObjectKey): number | void {
    const spoke = this.storeOf(key.scope);
    const svc = spoke.get('', 'Service', key.namespace, key.name);
    const id = { cluster: key.scope, namespace: key.namespace ?? '', service: key.name };
    if (!svc || svc.metadata.deletionTimestamp) return this.responders.stop(id);
    const spec = svc.spec as { type?: string; selector?: Record<string, string>; ports?: Array<{ port?: number }> } | undefined;
    const served = spec?.type === 'LoadBalancer' && !this.ctx.faults.loadBalancerMissing(key.scope);
    if (!served) {
      this.responders.stop(id);
      writeStatus(spoke, svc, { ...(svc.status as object), loadBalancer: {} }, MANAGER);
      return;
    }
    const port = spec?.ports?.[0]?.port ?? 80;
    const ip = this.responders.ensure({ ...id, port, release: spec?.selector?.[HELM_INSTANCE] }, () => this.enqueue(key, 0));
    if (ip === undefined) return;
    const ingress = [{ ip: ip ?? ingressIpFor(key.scope, id.namespace, key.name), ipMode: 'VIP' }];
    const before = JSON.stringify((svc.status as { loadBalancer?: unknown } | undefined)?.loadBalancer ?? {});
    writeStatus(spoke, svc, { ...(svc.status as object), loadBalancer: { ingress } }, MANAGER);
    if (before !== JSON.stringify({ ingress }) && ip) this.note(`Service ${key.scope}/${key.namespace}/${key.name} answers on http://${ip}:${port}/`);
  }
}
