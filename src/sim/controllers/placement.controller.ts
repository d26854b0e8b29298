/**
 * Plays OCM's placement controller: clusters from the sets bound into the Placement's namespace
 * (∩ spec.clusterSets), ORed predicates of ANDed label/claim selectors, only Available clusters
 * without untolerated NoSelect taints, numberOfClusters; decisions keep already-chosen clusters
 * first (Steady), then name order. One PlacementDecision `<placement>-decision-1`. Not modelled:
 * CEL selectors, prioritizer scores, spread policies, more than one decision group.
 */
import { findCondition, type Condition, type KubeObject } from '../kube.types.js';
import { matchLabelSelectorObject, type LabelSelectorObject } from '../label.selector.js';
import { membersOf } from './clusterset.controller.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const OCM = 'cluster.open-cluster-management.io';
const MANAGER = 'placement-controller';
const PLACEMENT_LABEL = 'cluster.open-cluster-management.io/placement';

interface PlacementSpec {
  clusterSets?: string[];
  numberOfClusters?: number;
  predicates?: Array<{ requiredClusterSelector?: { labelSelector?: LabelSelectorObject; claimSelector?: LabelSelectorObject } }>;
  tolerations?: Array<{ key?: string; operator?: string; value?: string; effect?: string }>;
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

function tolerated(t: Taint, tolerations: PlacementSpec['tolerations']): boolean {
  return (tolerations ?? []).some(
    (tol) =>
      (!tol.effect || tol.effect === t.effect) &&
      (tol.operator === 'Exists' ? !tol.key || tol.key === t.key : tol.key === t.key && (tol.value ?? '') === (t.value ?? '')),
  );
}

export function selectClusters(hub: { list(g: string, k: string, ns?: string): KubeObject[] }, placement: KubeObject, previous: string[]): { chosen: string[]; eligible: number; reason?: string } {
  const spec = (placement.spec ?? {}) as PlacementSpec;
  const ns = placement.metadata.namespace;
  const clusters = hub.list(OCM, 'ManagedCluster');
  const sets = hub.list(OCM, 'ManagedClusterSet');
  const bound = hub.list(OCM, 'ManagedClusterSetBinding', ns).map((b) => (b.spec as { clusterSet?: string } | undefined)?.clusterSet);
  const wanted = spec.clusterSets?.length ? spec.clusterSets : undefined;
  const usable = sets.filter((s) => bound.includes(s.metadata.name) && (!wanted || wanted.includes(s.metadata.name ?? '')));
  if (!usable.length) return { chosen: [], eligible: 0, reason: 'NoManagedClusterSetBindings' };
  const names = new Set(usable.flatMap((s) => membersOf(s, clusters)).map((c) => c.metadata.name ?? ''));
  const eligible = clusters.filter((c) => {
    if (!names.has(c.metadata.name ?? '') || c.metadata.deletionTimestamp) return false;
    if (findCondition(c, 'ManagedClusterConditionAvailable')?.status !== 'True') return false;
    const taints = ((c.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) => t.effect === 'NoSelect' || (t.effect === 'NoSelectIfNew' && !previous.includes(c.metadata.name ?? '')));
    if (taints.some((t) => !tolerated(t, spec.tolerations))) return false;
    if (!spec.predicates?.length) return true;
    const claims = Object.fromEntries(((c.status as { clusterClaims?: Array<{ name: string; value: string }> } | undefined)?.clusterClaims ?? []).map((x) => [x.name, x.value]));
    return spec.predicates.some(
      (p) =>
        matchLabelSelectorObject(p.requiredClusterSelector?.labelSelector, c.metadata.labels) &&
        matchLabelSelectorObject(p.requiredClusterSelector?.claimSelector, claims),
    );
  });
  const ordered = eligible.map((c) => c.metadata.name ?? '').sort((a, b) => Number(previous.includes(b)) - Number(previous.includes(a)) || a.localeCompare(b));
  const n = spec.numberOfClusters;
  return { chosen: n === undefined || n === null ? ordered : ordered.slice(0, n), eligible: ordered.length };
}

export class PlacementController extends Controller {
  readonly name = 'ocm-placement';
  protected readonly stepMs = 300;

  start(): void {
    const all = () => this.ctx.hub.list(OCM, 'Placement').forEach((p) => this.enqueue(keyOf('hub', p)));
    this.onHub([[OCM, 'Placement']], (ev) => this.enqueue(keyOf('hub', ev.object)));
    this.onHub([[OCM, 'ManagedCluster'], [OCM, 'ManagedClusterSet'], [OCM, 'ManagedClusterSetBinding']], all);
    this.onHub([[OCM, 'PlacementDecision']], (ev) => {
      const p = ev.object.metadata.labels?.[PLACEMENT_LABEL];
      if (p) this.enqueue({ scope: 'hub', namespace: ev.object.metadata.namespace, name: p });
    });
    all();
  }

  protected reconcile(key: ObjectKey): void {
    const hub = this.ctx.hub;
    const placement = hub.get(OCM, 'Placement', key.namespace, key.name);
    const decisionName = `${key.name}-decision-1`;
    let decision = hub.get(OCM, 'PlacementDecision', key.namespace, decisionName);
    // Decisions are owned by their placement: the garbage collector removes them with it.
    if (!placement || placement.metadata.deletionTimestamp) return;
    const previous = ((decision?.status as { decisions?: Array<{ clusterName: string }> } | undefined)?.decisions ?? []).map((d) => d.clusterName);
    const { chosen, eligible, reason } = selectClusters(hub, placement, previous);
    if (!decision) {
      decision = hub.create(
        {
          apiVersion: `${OCM}/v1beta1`,
          kind: 'PlacementDecision',
          metadata: {
            name: decisionName,
            namespace: key.namespace,
            labels: { [PLACEMENT_LABEL]: key.name, 'cluster.open-cluster-management.io/decision-group-index': '0', 'cluster.open-cluster-management.io/decision-group-name': '' },
            ownerReferences: [{ apiVersion: placement.apiVersion, kind: 'Placement', name: key.name, uid: placement.metadata.uid, controller: true, blockOwnerDeletion: true }],
          },
        },
        { manager: MANAGER },
      );
    }
    writeStatus(hub, decision, { decisions: chosen.map((clusterName) => ({ clusterName, reason: '' })) }, MANAGER);
    if (previous.join() !== chosen.join()) this.note(`Placement ${key.namespace}/${key.name} decided [${chosen.join(', ')}]`);

    const gen = placement.metadata.generation;
    const want = (placement.spec as PlacementSpec | undefined)?.numberOfClusters;
    const satisfied = chosen.length > 0 && (want === undefined || chosen.length >= want);
    const message = reason === 'NoManagedClusterSetBindings'
      ? `No valid ManagedClusterSetBindings found in placement namespace ${key.namespace}`
      : satisfied ? 'All cluster decisions scheduled' : `${chosen.length} cluster(s) selected of ${want ?? 'all'} wanted; ${eligible} eligible`;
    const st = (placement.status ?? {}) as { conditions?: Condition[] };
    writeStatus(
      hub,
      placement,
      {
        ...st,
        numberOfSelectedClusters: chosen.length,
        decisionGroups: [{ decisionGroupIndex: 0, decisionGroupName: '', decisions: [decisionName], clusterCount: chosen.length }],
        conditions: withConditions(
          st.conditions,
          cond('PlacementMisconfigured', false, 'Succeedconfigured', 'Placement configurations check pass', gen),
          cond('PlacementSatisfied', satisfied, satisfied ? 'AllDecisionsScheduled' : reason ?? 'NotAllDecisionsScheduled', message, gen),
        ),
      },
      MANAGER,
    );
  }
}
