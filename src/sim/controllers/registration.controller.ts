/**
 * Plays OCM registration (hub controllers + klusterlet) for ManagedClusters: accept → cluster
 * namespace; joined by `auto-import-secret` (multicluster-engine, the default) or, on stock OCM
 * (registration 'klusterlet'), only once the spoke's registration agent holds its approved hub
 * certificate (klusterlet.controller.ts) — an auto-import-secret then means nothing; the spoke's Cluster API Cluster provisioned (or
 * none, for an imported cluster) → Available with capacity, version and claims. Taints follow
 * availability as OCM's taint controller sets them. Delete removes the cluster namespace first.
 */
import { findCondition, type Condition, type KubeObject } from '../kube.types.js';
import { capacityOf, hostsOf, kubernetesVersionOf } from './capi.hosts.js';
import { gpusAdvertised, isDevicePluginRelease } from './gpu.plugin.js';
import { HUB_KUBECONFIG_SECRET } from './klusterlet.controller.js';
import { cond, Controller, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const OCM = 'cluster.open-cluster-management.io';
const FINALIZER = 'cluster.open-cluster-management.io/api-resource-cleanup';
const MANAGER = 'registration-controller';
const UNAVAILABLE = 'cluster.open-cluster-management.io/unavailable';
const UNREACHABLE = 'cluster.open-cluster-management.io/unreachable';
const ID_CLAIM = 'id.k8s.io';

interface Taint {
  key: string;
  effect: string;
  value?: string;
  timeAdded?: string;
}

export class RegistrationController extends Controller {
  readonly name = 'ocm-registration';
  protected readonly stepMs = 500;

  start(): void {
    const byName = (name: string | undefined) => name && this.enqueue({ scope: 'hub', name });
    this.onHub([[OCM, 'ManagedCluster']], (ev) => byName(ev.object.metadata.name));
    this.onHub([['', 'Namespace']], (ev) => byName(ev.object.metadata.name));
    this.onHub([['', 'Secret']], (ev) => ev.object.metadata.name === 'auto-import-secret' && byName(ev.object.metadata.namespace));
    this.onSpokes([['helm.toolkit.fluxcd.io', 'HelmRelease']], (cluster, ev) => isDevicePluginRelease(ev.object) && byName(cluster));
    this.onSpokes([['', 'Secret']], (cluster, ev) => ev.object.metadata.name === HUB_KUBECONFIG_SECRET && byName(cluster));
    this.onHub([['cluster.x-k8s.io', 'Cluster']], (ev) => byName(ev.object.metadata.labels?.['spokegraph.io/cluster'] ?? ev.object.metadata.name));
    for (const mc of this.ctx.hub.list(OCM, 'ManagedCluster')) byName(mc.metadata.name);
  }

  private agentBootstrapped(name: string): boolean {
    if ((this.ctx.registration ?? 'auto-import') === 'auto-import') return Boolean(this.ctx.hub.get('', 'Secret', name, 'auto-import-secret'));
    return this.ctx.spokes.has(name) && Boolean(this.ctx.spokes.get(name).get('', 'Secret', 'open-cluster-management-agent', HUB_KUBECONFIG_SECRET));
  }

  /** The Cluster API Cluster that backs this spoke (label spokegraph.io/cluster, else same name), any namespace. */
  private capiCluster(name: string): KubeObject | undefined {
    const all = this.ctx.hub.list('cluster.x-k8s.io', 'Cluster');
    return all.find((c) => c.metadata.labels?.['spokegraph.io/cluster'] === name) ?? all.find((c) => c.metadata.name === name);
  }

  protected reconcile(key: ObjectKey): void {
    const hub = this.ctx.hub;
    let mc = hub.get(OCM, 'ManagedCluster', undefined, key.name);
    if (!mc) return;
    const name = key.name;
    if (mc.metadata.deletionTimestamp) {
      if (hub.namespacePhase(name) === 'Active') hub.delete('', 'Namespace', undefined, name);
      if (hub.namespacePhase(name) === 'missing')
        hub.update({ ...mc, metadata: { ...mc.metadata, finalizers: (mc.metadata.finalizers ?? []).filter((f) => f !== FINALIZER) } }, { manager: MANAGER });
      return;
    }
    if (!mc.metadata.finalizers?.includes(FINALIZER))
      mc = hub.update({ ...mc, metadata: { ...mc.metadata, finalizers: [...(mc.metadata.finalizers ?? []), FINALIZER] } }, { manager: MANAGER });

    const gen = mc.metadata.generation;
    const st = (mc.status ?? {}) as { conditions?: Condition[]; [k: string]: unknown };
    const accepted = (mc.spec as { hubAcceptsClient?: boolean } | undefined)?.hubAcceptsClient === true;
    const is = (type: string) => findCondition(mc, type)?.status === 'True';
    let conds = st.conditions;
    const next: Record<string, unknown> = { ...st };

    if (!accepted) {
      conds = withConditions(conds, cond('HubAcceptedManagedCluster', false, 'HubClusterAdminDenied', 'Denied by hub cluster admin', gen));
    } else if (!is('HubAcceptedManagedCluster') || hub.namespacePhase(name) === 'missing') {
      if (hub.namespacePhase(name) === 'missing')
        hub.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'open-cluster-management.io/cluster-name': name } } }, { manager: MANAGER });
      conds = withConditions(conds, cond('HubAcceptedManagedCluster', true, 'HubClusterAdminAccepted', 'Accepted by hub cluster admin', gen));
    } else if (!this.agentBootstrapped(name)) {
      // Waiting for the import secret (multicluster-engine) or the agent's approved certificate (stock OCM).
    } else if (!is('ManagedClusterJoined')) {
      conds = withConditions(conds, cond('ManagedClusterJoined', true, 'ManagedClusterJoined', 'Managed cluster joined', gen));
    } else {
      const capi = this.capiCluster(name);
      const claims = (st.clusterClaims as Array<{ name: string; value: string }> | undefined) ?? [];
      const knownId = claims.find((c) => c.name === ID_CLAIM)?.value;
      const capiPhase = (capi?.status as { phase?: string } | undefined)?.phase;
      const spokeGone = (knownId !== undefined && capi?.metadata.uid !== knownId) || capi?.metadata.deletionTimestamp !== undefined || capiPhase === 'Failed';
      if (spokeGone) {
        conds = withConditions(conds, cond('ManagedClusterConditionAvailable', 'Unknown', 'ManagedClusterLeaseUpdateStopped', 'Registration agent stopped updating its lease.', gen));
      } else if (!capi || capiPhase === 'Provisioned') {
        const capacity = capacityOf(hostsOf(capi));
        // the agent sums node capacity: no device plugin, no nvidia.com/gpu key at all
        if (this.ctx.requireGpuDevicePlugin !== false && !gpusAdvertised(this.ctx.spokes.has(name) ? this.ctx.spokes.get(name) : undefined)) delete capacity['nvidia.com/gpu'];
        next.capacity = capacity;
        next.allocatable = capacity;
        next.version = { kubernetes: kubernetesVersionOf(capi) };
        next.clusterClaims = [
          ...(capi ? [{ name: ID_CLAIM, value: capi.metadata.uid ?? '' }] : []),
          { name: 'kubeversion.open-cluster-management.io', value: kubernetesVersionOf(capi) },
          { name: 'product.open-cluster-management.io', value: 'spokegraph-simulated' },
        ];
        conds = withConditions(
          conds,
          cond('ManagedClusterConditionClockSynced', true, 'ManagedClusterClockSynced', 'The clock of the managed cluster is synced with the hub.', gen),
          cond('ManagedClusterConditionAvailable', true, 'ManagedClusterAvailable', 'Managed cluster is available', gen),
        );
      }
    }
    next.conditions = conds?.map((c) => ({ ...c, observedGeneration: gen }));
    const before = findCondition(mc, 'ManagedClusterConditionAvailable')?.status;
    mc = writeStatus(hub, mc, next, MANAGER);
    const after = findCondition(mc, 'ManagedClusterConditionAvailable')?.status;
    if (before !== after) this.note(`ManagedCluster ${name} Available=${after}`);
    this.syncTaints(mc);
  }

  private syncTaints(mc: KubeObject): void {
    const avail = findCondition(mc, 'ManagedClusterConditionAvailable')?.status;
    const want = avail === 'True' ? undefined : avail === 'False' ? UNAVAILABLE : UNREACHABLE;
    const spec = (mc.spec ?? {}) as { taints?: Taint[] };
    const others = (spec.taints ?? []).filter((t) => t.key !== UNAVAILABLE && t.key !== UNREACHABLE);
    const current = (spec.taints ?? []).find((t) => t.key === UNAVAILABLE || t.key === UNREACHABLE);
    if (current?.key === want) return;
    const taints = want ? [...others, { key: want, effect: 'NoSelect', timeAdded: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] : others;
    if (!current && !want) return;
    const nextSpec: Record<string, unknown> = { ...spec, taints };
    if (taints.length === 0) delete nextSpec.taints;
    this.ctx.hub.update({ ...mc, spec: nextSpec }, { manager: MANAGER });
  }
}
