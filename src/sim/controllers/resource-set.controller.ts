/**
 * Plays Cluster API's ClusterResourceSet controller (strategy ApplyOnce): for each Cluster the set's
 * selector matches, once its control plane is initialized (the kubeconfig exists), every object in
 * the referenced ConfigMaps and Secrets (YAML streams, in `resources` order) is created on that
 * spoke if absent. A Secret must have type addons.cluster.x-k8s.io/resource-set, as upstream
 * requires. The set's `ResourcesApplied` condition says how far it got.
 */
import yaml from 'js-yaml';
import { ApiError } from '../api.errors.js';
import { groupOf, type KubeObject } from '../kube.types.js';
import { matchLabelSelectorObject, type LabelSelectorObject } from '../label.selector.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const ADDONS = 'addons.cluster.x-k8s.io';
const CAPI = 'cluster.x-k8s.io';
const MANAGER = 'capi-clusterresourceset';
const SECRET_TYPE = 'addons.cluster.x-k8s.io/resource-set';
/** The spoke a Cluster is: our pools label it (ManagedCluster name), else the Cluster's own name. */
export const spokeNameOf = (cluster: KubeObject) => cluster.metadata.labels?.['spokegraph.io/cluster'] ?? cluster.metadata.name ?? '';

interface Crs {
  clusterSelector?: LabelSelectorObject;
  resources?: Array<{ kind: 'Secret' | 'ConfigMap'; name: string }>;
}

export class ClusterResourceSetController extends Controller {
  readonly name = 'cluster-api-addons';
  protected readonly stepMs = 300;

  start(): void {
    const all = (ns: string | undefined) => this.ctx.hub.list(ADDONS, 'ClusterResourceSet', ns).forEach((s) => this.enqueue(keyOf('hub', s)));
    this.onHub([[ADDONS, 'ClusterResourceSet']], (ev) => this.enqueue(keyOf('hub', ev.object)));
    this.onHub([[CAPI, 'Cluster'], ['', 'ConfigMap'], ['', 'Secret']], (ev) => all(ev.object.metadata.namespace));
    all(undefined);
  }

  protected reconcile(key: ObjectKey): number | void {
    const hub = this.ctx.hub;
    const set = hub.get(ADDONS, 'ClusterResourceSet', key.namespace, key.name);
    if (!set || set.metadata.deletionTimestamp) return;
    const spec = (set.spec ?? {}) as Crs;
    const sel = spec.clusterSelector;
    // an empty selector selects no cluster here (upstream refuses it)
    const selects = Boolean(Object.keys(sel?.matchLabels ?? {}).length || sel?.matchExpressions?.length);
    const clusters = hub.list(CAPI, 'Cluster', key.namespace).filter((c) => selects && !c.metadata.deletionTimestamp && matchLabelSelectorObject(sel, c.metadata.labels));
    const problems: string[] = [];
    let applied = 0;
    let waiting = 0;
    for (const c of clusters) {
      const init = (c.status as { initialization?: { controlPlaneInitialized?: boolean } } | undefined)?.initialization;
      if (!init?.controlPlaneInitialized) {
        waiting++;
        continue;
      }
      const before = problems.length;
      for (const ref of spec.resources ?? []) problems.push(...this.applyResource(spokeNameOf(c), key.namespace ?? '', ref));
      if (problems.length === before) applied++;
    }
    const gen = set.metadata.generation;
    const ok = problems.length === 0 && applied > 0;
    const reason = problems.length ? 'RemoteClusterApplyFailed' : applied ? 'Applied' : 'NoMatchingClusters';
    const message = problems.length ? problems.join('; ') : applied ? `Applied to ${applied} cluster(s)` : waiting ? 'Waiting for the selected clusters to initialize' : 'No clusters match the selector';
    const st = (set.status ?? {}) as { conditions?: never[] };
    writeStatus(hub, set, { ...st, observedGeneration: gen, conditions: withConditions(st.conditions, cond('ResourcesApplied', ok, reason, message, gen)) }, MANAGER);
    if (problems.length || waiting) return this.stepDelay(4) || 200;
  }

  private applyResource(spoke: string, namespace: string, ref: { kind: string; name: string }): string[] {
    const src = this.ctx.hub.get('', ref.kind, namespace, ref.name);
    if (!src) return [`${ref.kind} ${namespace}/${ref.name} not found`];
    if (ref.kind === 'Secret' && (src as { type?: string }).type !== SECRET_TYPE) return [`Secret ${ref.name} must have type ${SECRET_TYPE}`];
    const data = ((src as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
    const store = this.ctx.spokes.get(spoke);
    const problems: string[] = [];
    for (const k of Object.keys(data).sort()) {
      const text = ref.kind === 'Secret' ? Buffer.from(data[k], 'base64').toString('utf8') : data[k];
      let docs: unknown[];
      try {
        docs = yaml.loadAll(text);
      } catch (e) {
        problems.push(`${ref.kind} ${ref.name} key ${k} is not YAML: ${(e as Error).message}`);
        continue;
      }
      for (const d of docs) {
        if (!d || typeof d !== 'object') continue;
        const o = d as KubeObject;
        if (store.get(groupOf(o.apiVersion), o.kind, o.metadata?.namespace, o.metadata?.name ?? '')) continue;
        try {
          store.create(o, { manager: MANAGER });
        } catch (e) {
          problems.push(`${o.kind} ${o.metadata?.name ?? '?'}: ${e instanceof ApiError ? e.message : String(e)}`);
        }
      }
    }
    if (!problems.length) this.note(`applied ${ref.kind} ${namespace}/${ref.name} to spoke ${spoke}`);
    return problems;
  }
}
