/** Plays the OCM add-on manager: a ManagedClusterAddOn is Available once its cluster is Available. */
import { findCondition, type Condition } from '../kube.types.js';
import type { ObjectStore } from '../object.store.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const ADDON = 'addon.open-cluster-management.io';
const MANAGER = 'addon-manager';

export class AddonController extends Controller {
  readonly name = 'ocm-addon';
  protected readonly stepMs = 400;

  start(): void {
    this.onHub([[ADDON, 'ManagedClusterAddOn']], (ev) => this.enqueue(keyOf('hub', ev.object)));
    this.onHub([['cluster.open-cluster-management.io', 'ManagedCluster']], (ev) => {
      for (const a of this.ctx.hub.list(ADDON, 'ManagedClusterAddOn', ev.object.metadata.name)) this.enqueue(keyOf('hub', a));
    });
    for (const a of this.ctx.hub.list(ADDON, 'ManagedClusterAddOn')) this.enqueue(keyOf('hub', a));
  }

  protected reconcile(key: ObjectKey): void {
    const hub = this.ctx.hub;
    const addon = hub.get(ADDON, 'ManagedClusterAddOn', key.namespace, key.name);
    if (!addon || addon.metadata.deletionTimestamp) return;
    const cluster = hub.get('cluster.open-cluster-management.io', 'ManagedCluster', undefined, key.namespace ?? '');
    const up = findCondition(cluster, 'ManagedClusterConditionAvailable')?.status === 'True';
    const gen = addon.metadata.generation;
    const st = (addon.status ?? {}) as { conditions?: Condition[] };
    const installNamespace = (addon.spec as { installNamespace?: string } | undefined)?.installNamespace ?? 'open-cluster-management-agent-addon';
    const conditions = withConditions(
      st.conditions,
      up
        ? cond('Available', true, 'ManagedClusterAddOnLeaseUpdated', `${key.name} add-on is available.`, gen)
        : cond('Available', 'Unknown', 'ClusterNotAvailable', `Managed cluster ${key.namespace} is not available`, gen),
      up ? cond('Progressing', false, 'InstallationSucceeded', `${key.name} add-on is installed.`, gen) : cond('Progressing', true, 'Installing', `Installing ${key.name} add-on`, gen),
      cond('Degraded', false, 'NotDegraded', '', gen),
    );
    writeStatus(hub, addon, { ...st, namespace: installNamespace, healthCheck: { mode: 'Lease' }, conditions }, MANAGER);
  }
}

/** Whether the named add-on is installed and Available on a cluster (the work agent and Flux need theirs). */
export function addonAvailable(hub: ObjectStore, cluster: string, addon: string): boolean {
  return findCondition(hub.get(ADDON, 'ManagedClusterAddOn', cluster, addon), 'Available')?.status === 'True';
}
