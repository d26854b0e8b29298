/**
 * Plays the OCM add-on manager for template add-ons (the only kind stock OCM can install without
 * add-on-specific code): for a ManagedClusterAddOn `X` in cluster namespace C whose
 * ClusterManagementAddOn `X` names an AddOnTemplate as default config, it renders the template's
 * manifests into the ManifestWork `addon-X-deploy-0` in C (owned by the ManagedClusterAddOn, so it
 * goes with it) and reports the add-on Available once every Deployment of the work is ready by its
 * WellKnownStatus feedback. A ManagedClusterAddOn nobody registered a ClusterManagementAddOn for
 * gets no status at all, as on a real hub.
 */
import { isDeepStrictEqual } from 'node:util';
import { addOnWorkName } from '../../kube/flux.addon.js';
import { findCondition, groupOf, type Condition, type KubeObject } from '../kube.types.js';
import type { ObjectStore } from '../object.store.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const ADDON = 'addon.open-cluster-management.io';
const WORK = 'work.open-cluster-management.io';
const MANAGER = 'addon-manager';
const ADDON_LABEL = 'open-cluster-management.io/addon-name';

interface FeedbackEntry {
  resourceMeta?: { kind?: string; name?: string; namespace?: string };
  statusFeedback?: { values?: Array<{ name: string; fieldValue: { integer?: number } }> };
}

/** The AddOnTemplate a ClusterManagementAddOn names as its default config, if any. */
function templateOf(hub: ObjectStore, cma: KubeObject): KubeObject | undefined {
  // v1alpha1 (the storage version) names it in supportedConfigs; a v1beta1 body in defaultConfigs
  const spec = (cma.spec ?? {}) as {
    supportedConfigs?: Array<{ group?: string; resource?: string; defaultConfig?: { name?: string } }>;
    defaultConfigs?: Array<{ group?: string; resource?: string; name?: string }>;
  };
  const isTemplate = (c: { group?: string; resource?: string }) => c.group === ADDON && c.resource === 'addontemplates';
  const name = spec.supportedConfigs?.find(isTemplate)?.defaultConfig?.name ?? spec.defaultConfigs?.find(isTemplate)?.name;
  return name ? hub.get(ADDON, 'AddOnTemplate', undefined, name) : undefined;
}

/** The work for one cluster: the template's manifests, with WellKnownStatus feedback for its Deployments. */
function renderWork(addon: KubeObject, template: KubeObject): KubeObject {
  const manifests = (((template.spec ?? {}) as { agentSpec?: { workload?: { manifests?: KubeObject[] } } }).agentSpec?.workload?.manifests ?? []) as KubeObject[];
  const deployments = manifests.filter((m) => m.kind === 'Deployment' && groupOf(m.apiVersion) === 'apps');
  const name = addon.metadata.name ?? '';
  return {
    apiVersion: `${WORK}/v1`,
    kind: 'ManifestWork',
    metadata: {
      name: addOnWorkName(name),
      namespace: addon.metadata.namespace,
      labels: { [ADDON_LABEL]: name },
      ownerReferences: [{ apiVersion: addon.apiVersion, kind: 'ManagedClusterAddOn', name, uid: addon.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      workload: { manifests },
      manifestConfigs: deployments.map((d) => ({
        resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: d.metadata.namespace, name: d.metadata.name },
        feedbackRules: [{ type: 'WellKnownStatus' }],
      })),
    },
  };
}

/** Every Deployment of the work reports ReadyReplicas ≥ Replicas ≥ 1; otherwise what is not ready. */
function unready(work: KubeObject | undefined, template: KubeObject): string[] {
  const manifests = (((template.spec ?? {}) as { agentSpec?: { workload?: { manifests?: KubeObject[] } } }).agentSpec?.workload?.manifests ?? []) as KubeObject[];
  const entries = ((work?.status as { resourceStatus?: { manifests?: FeedbackEntry[] } } | undefined)?.resourceStatus?.manifests ?? []) as FeedbackEntry[];
  return manifests
    .filter((m) => m.kind === 'Deployment')
    .filter((d) => {
      const e = entries.find((x) => x.resourceMeta?.kind === 'Deployment' && x.resourceMeta.name === d.metadata.name && x.resourceMeta.namespace === d.metadata.namespace);
      const v = Object.fromEntries((e?.statusFeedback?.values ?? []).map((x) => [x.name, x.fieldValue.integer ?? 0]));
      return !(v.Replicas >= 1 && v.ReadyReplicas >= v.Replicas);
    })
    .map((d) => `${d.metadata.namespace}/${d.metadata.name}`);
}

export class AddonController extends Controller {
  readonly name = 'ocm-addon';
  protected readonly stepMs = 400;

  start(): void {
    const byName = (name: string | undefined) => this.ctx.hub.list(ADDON, 'ManagedClusterAddOn').forEach((a) => a.metadata.name === name && this.enqueue(keyOf('hub', a)));
    this.onHub([[ADDON, 'ManagedClusterAddOn']], (ev) => this.enqueue(keyOf('hub', ev.object)));
    this.onHub([['cluster.open-cluster-management.io', 'ManagedCluster']], (ev) => {
      for (const a of this.ctx.hub.list(ADDON, 'ManagedClusterAddOn', ev.object.metadata.name)) this.enqueue(keyOf('hub', a));
    });
    this.onHub([[ADDON, 'ClusterManagementAddOn']], (ev) => byName(ev.object.metadata.name));
    this.onHub([[ADDON, 'AddOnTemplate']], (ev) => byName(((ev.object.spec ?? {}) as { addonName?: string }).addonName));
    this.onHub([[WORK, 'ManifestWork']], (ev) => {
      const addon = ev.object.metadata.labels?.[ADDON_LABEL];
      if (addon) this.enqueue({ scope: 'hub', namespace: ev.object.metadata.namespace, name: addon });
    });
    for (const a of this.ctx.hub.list(ADDON, 'ManagedClusterAddOn')) this.enqueue(keyOf('hub', a));
  }

  protected reconcile(key: ObjectKey): void {
    const hub = this.ctx.hub;
    const addon = hub.get(ADDON, 'ManagedClusterAddOn', key.namespace, key.name);
    if (!addon || addon.metadata.deletionTimestamp) return;
    const cma = hub.get(ADDON, 'ClusterManagementAddOn', undefined, key.name);
    if (!cma) return;
    const gen = addon.metadata.generation;
    const st = (addon.status ?? {}) as { conditions?: Condition[] };
    const template = templateOf(hub, cma);
    const put = (...c: Array<Omit<Condition, 'lastTransitionTime'>>) =>
      writeStatus(hub, addon, { ...st, healthCheck: { mode: 'Customized' }, conditions: withConditions(st.conditions, ...c) }, MANAGER);
    if (!template) {
      put(cond('Available', 'Unknown', 'ConfigurationMissing', `ClusterManagementAddOn ${key.name} names no AddOnTemplate that exists`, gen));
      return;
    }
    const cluster = hub.get('cluster.open-cluster-management.io', 'ManagedCluster', undefined, key.namespace ?? '');
    if (findCondition(cluster, 'ManagedClusterConditionAvailable')?.status !== 'True') {
      put(
        cond('Available', 'Unknown', 'ClusterNotAvailable', `Managed cluster ${key.namespace} is not available`, gen),
        cond('Progressing', true, 'Installing', `Installing ${key.name} add-on`, gen),
      );
      return;
    }
    const want = renderWork(addon, template);
    const workName = want.metadata.name ?? '';
    let work = hub.get(WORK, 'ManifestWork', key.namespace, workName);
    if (!work) work = hub.create(want, { manager: MANAGER });
    else if (!isDeepStrictEqual(work.spec, want.spec)) work = hub.update({ ...work, spec: want.spec }, { manager: MANAGER });
    const waiting = unready(work, template);
    if (waiting.length) {
      put(
        cond('Available', false, 'ProbeUnavailable', `Probe addon unavailable: deployments not ready: ${waiting.join(', ')}`, gen),
        cond('Progressing', true, 'Installing', `Installing ${key.name} add-on through ManifestWork ${workName}`, gen),
        cond('Degraded', false, 'NotDegraded', '', gen),
      );
      return;
    }
    put(
      cond('Available', true, 'ProbeAvailable', `${key.name} add-on is available.`, gen),
      cond('Progressing', false, 'InstallationSucceeded', `${key.name} add-on is installed.`, gen),
      cond('Degraded', false, 'NotDegraded', '', gen),
    );
  }
}

/**
 * Whether a Flux controller runs on a spoke: its Deployment (from the add-on's work) is in
 * `flux-system` with ready replicas. The simulated Flux controllers act only then.
 */
export function fluxControllerReady(spoke: ObjectStore, controller: 'source-controller' | 'helm-controller'): boolean {
  const d = spoke.get('apps', 'Deployment', 'flux-system', controller);
  return Number((d?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) >= 1;
}
