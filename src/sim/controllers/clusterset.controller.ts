/** Plays OCM's cluster-set controllers: ManagedClusterSet membership and ManagedClusterSetBinding Bound. */
import type { Condition, KubeObject } from '../kube.types.js';
import { matchLabelSelectorObject, type LabelSelectorObject } from '../label.selector.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const OCM = 'cluster.open-cluster-management.io';
const MANAGER = 'clusterset-controller';
export const CLUSTERSET_LABEL = 'cluster.open-cluster-management.io/clusterset';

/** Clusters in a set: ExclusiveClusterSetLabel membership by label, or the set's LabelSelector. */
export function membersOf(set: KubeObject, clusters: KubeObject[]): KubeObject[] {
  const sel = (set.spec as { clusterSelector?: { selectorType?: string; labelSelector?: LabelSelectorObject } } | undefined)?.clusterSelector;
  if (sel?.selectorType === 'LabelSelector') return clusters.filter((c) => matchLabelSelectorObject(sel.labelSelector ?? {}, c.metadata.labels));
  return clusters.filter((c) => c.metadata.labels?.[CLUSTERSET_LABEL] === set.metadata.name);
}

export class ClusterSetController extends Controller {
  readonly name = 'ocm-clusterset';
  protected readonly stepMs = 200;

  start(): void {
    const allSets = () => this.ctx.hub.list(OCM, 'ManagedClusterSet').forEach((s) => this.enqueue(keyOf('hub', s, true)));
    this.onHub([[OCM, 'ManagedCluster']], allSets);
    this.onHub([[OCM, 'ManagedClusterSet']], (ev) => {
      this.enqueue(keyOf('hub', ev.object, true));
      for (const b of this.ctx.hub.list(OCM, 'ManagedClusterSetBinding')) if (b.metadata.name === ev.object.metadata.name) this.enqueue(keyOf('hub', b, true));
    });
    this.onHub([[OCM, 'ManagedClusterSetBinding']], (ev) => this.enqueue(keyOf('hub', ev.object, true)));
    allSets();
    this.ctx.hub.list(OCM, 'ManagedClusterSetBinding').forEach((b) => this.enqueue(keyOf('hub', b, true)));
  }

  protected reconcile(key: ObjectKey): void {
    const hub = this.ctx.hub;
    const obj = hub.get(OCM, key.kind ?? '', key.namespace, key.name);
    if (!obj || obj.metadata.deletionTimestamp) return;
    const gen = obj.metadata.generation;
    const st = (obj.status ?? {}) as { conditions?: Condition[] };
    if (key.kind === 'ManagedClusterSet') {
      const n = membersOf(obj, hub.list(OCM, 'ManagedCluster')).length;
      const c = n === 0 ? cond('ClusterSetEmpty', true, 'NoClusterMatched', 'No ManagedCluster selected', gen) : cond('ClusterSetEmpty', false, 'ClustersSelected', `${n} ManagedClusters selected`, gen);
      writeStatus(hub, obj, { ...st, conditions: withConditions(st.conditions, c) }, MANAGER);
    } else {
      const setName = (obj.spec as { clusterSet?: string } | undefined)?.clusterSet ?? '';
      const exists = Boolean(hub.get(OCM, 'ManagedClusterSet', undefined, setName));
      const c = exists ? cond('Bound', true, 'ClusterSetBound', '', gen) : cond('Bound', false, 'ClusterSetNotFound', `ManagedClusterSet ${setName} not found`, gen);
      writeStatus(hub, obj, { ...st, conditions: withConditions(st.conditions, c) }, MANAGER);
    }
  }
}
