/** Plays a cloud load-balancer controller on every spoke: LoadBalancer Services get a stable ingress IP. */
import { createHash } from 'node:crypto';
import { Controller, keyOf, writeStatus, type ObjectKey } from './controller.runtime.js';

const MANAGER = 'service-controller';

/** 10.x.y.z derived from cluster/namespace/name: stable across restarts without storing anything. */
export function ingressIpFor(cluster: string, namespace: string, name: string): string {
  const h = createHash('sha256').update(`${cluster}/${namespace}/${name}`).digest();
  return `10.${h[0]}.${h[1]}.${(h[2] % 254) + 1}`;
}

export class LoadBalancerController extends Controller {
  readonly name = 'load-balancer';
  protected readonly stepMs = 500;

  start(): void {
    this.onSpokes([['', 'Service']], (cluster, ev) => ev.type !== 'DELETED' && this.enqueue(keyOf(cluster, ev.object)));
    for (const cluster of this.ctx.spokes.names()) for (const s of this.ctx.spokes.get(cluster).list('', 'Service')) this.enqueue(keyOf(cluster, s));
  }

  protected reconcile(key: ObjectKey): void {
    const spoke = this.storeOf(key.scope);
    const svc = spoke.get('', 'Service', key.namespace, key.name);
    if (!svc || svc.metadata.deletionTimestamp) return;
    const isLb = (svc.spec as { type?: string } | undefined)?.type === 'LoadBalancer';
    const ingress = isLb ? [{ ip: ingressIpFor(key.scope, key.namespace ?? '', key.name), ipMode: 'VIP' }] : undefined;
    writeStatus(spoke, svc, { ...(svc.status as object), loadBalancer: ingress ? { ingress } : {} }, MANAGER);
  }
}
