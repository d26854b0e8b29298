/**
 * Plays Cluster API for `Cluster` (v1beta2 status): Pending → Provisioning → Provisioned one step at
 * a time, metav1 conditions stamped with observedGeneration, the kubeconfig Secret once the control
 * plane is initialized, Failed by fault, and delete handling behind the `cluster.cluster.x-k8s.io`
 * finalizer (MachineDeployments and the kubeconfig Secret go first).
 */
import { ApiError } from '../api.errors.js';
import { spokeEndpointHost } from '../capi.endpoint.js';
import { isConditionTrue, type Condition, type KubeObject } from '../kube.types.js';
import { hostsOf, kubernetesVersionOf } from './capi.hosts.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const CAPI = 'cluster.x-k8s.io';
const FINALIZER = 'cluster.cluster.x-k8s.io';
const MANAGER = 'capi-controller-manager';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

interface ClusterStatus {
  phase?: string;
  conditions?: Condition[];
  initialization?: { infrastructureProvisioned?: boolean; controlPlaneInitialized?: boolean };
  [k: string]: unknown;
}

export function machineDeploymentsOf(hub: { list(g: string, k: string, ns?: string): KubeObject[] }, cluster: KubeObject): KubeObject[] {
  return hub.list(CAPI, 'MachineDeployment', cluster.metadata.namespace).filter((md) => (md.spec as { clusterName?: string } | undefined)?.clusterName === cluster.metadata.name);
}

function kubeconfigFor(cluster: KubeObject): string {
  const name = cluster.metadata.name;
  return [
    'apiVersion: v1',
    'kind: Config',
    `# SIMULATED spoke "${name}" (spokegraph sim): there is no real API server behind this address`,
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: https://${spokeEndpointHost(name ?? '')}:6443`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${name}-admin`,
    '  user:',
    `    token: simulated-${cluster.metadata.uid}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}-admin`,
    `current-context: ${name}`,
    '',
  ].join('\n');
}

export class ClusterController extends Controller {
  readonly name = 'cluster-api';
  protected readonly stepMs = 600;

  start(): void {
    this.onHub([[CAPI, 'Cluster']], (ev) => this.enqueue(keyOf('hub', ev.object)));
    this.onHub([[CAPI, 'MachineDeployment']], (ev) => {
      const clusterName = (ev.object.spec as { clusterName?: string } | undefined)?.clusterName;
      if (clusterName) this.enqueue({ scope: 'hub', namespace: ev.object.metadata.namespace, name: clusterName });
    });
    for (const c of this.ctx.hub.list(CAPI, 'Cluster')) this.enqueue(keyOf('hub', c));
  }

  protected reconcile(key: ObjectKey): void {
    const hub = this.ctx.hub;
    let c = hub.get(CAPI, 'Cluster', key.namespace, key.name);
    if (!c) return;
    if (c.metadata.deletionTimestamp) return this.remove(c);
    if (!c.metadata.finalizers?.includes(FINALIZER)) {
      c = hub.update({ ...c, metadata: { ...c.metadata, finalizers: [...(c.metadata.finalizers ?? []), FINALIZER] } }, { manager: MANAGER });
    }
    const gen = c.metadata.generation;
    const st = (c.status ?? {}) as ClusterStatus;
    const init = st.initialization ?? {};
    const hosts = hostsOf(c);
    const cpCount = hosts.filter((h) => h.role === 'CONTROL_PLANE').length || 1;
    const mds = machineDeploymentsOf(hub, c);
    const num = (md: KubeObject, f: string) => Number((md.status as Record<string, unknown> | undefined)?.[f] ?? 0);
    const desiredWorkers = mds.reduce((n, md) => n + Number((md.spec as { replicas?: number }).replicas ?? 1), 0);
    const workers = {
      desiredReplicas: desiredWorkers,
      replicas: mds.reduce((n, md) => n + num(md, 'replicas'), 0),
      readyReplicas: mds.reduce((n, md) => n + num(md, 'readyReplicas'), 0),
      availableReplicas: mds.reduce((n, md) => n + num(md, 'availableReplicas'), 0),
      upToDateReplicas: mds.reduce((n, md) => n + num(md, 'upToDateReplicas'), 0),
    };
    const next: ClusterStatus = { ...st, observedGeneration: gen };
    let conds = st.conditions;
    const set = (...cs: Array<ReturnType<typeof cond>>) => (conds = withConditions(conds, ...cs));
    // Re-stamp whatever we already said at the current generation before taking the next step.
    conds = conds?.map((x) => ({ ...x, observedGeneration: gen }));

    if (st.phase === 'Failed') {
      // Terminal, as in CAPI: only delete gets a failed cluster out of here.
    } else if (!st.phase) {
      next.phase = 'Pending';
      next.initialization = { infrastructureProvisioned: false, controlPlaneInitialized: false };
      set(
        cond('InfrastructureReady', false, 'NotProvisioned', 'Infrastructure is not provisioned yet', gen),
        cond('ControlPlaneInitialized', false, 'NotInitialized', 'Control plane not yet initialized', gen),
        cond('ControlPlaneAvailable', false, 'NotAvailable', 'Control plane is not available', gen),
        cond('WorkersAvailable', false, 'NotAvailable', 'Workers are not available', gen),
        cond('Available', false, 'NotAvailable', 'Cluster is not available yet', gen),
      );
    } else if (this.ctx.faults.clusterStuck(c.metadata.name ?? '') && !init.infrastructureProvisioned) {
      // a provider that never answers: Provisioning for ever, no failure reported
      next.phase = 'Provisioning';
      set(cond('InfrastructureReady', false, 'NotProvisioned', 'simulated fault (stuckClusters): waiting for the infrastructure provider', gen));
    } else if (this.ctx.faults.clusterFailsByConditions(c.metadata.name ?? '') && !init.infrastructureProvisioned) {
      // v1beta2: no Failed phase, no failureReason; only the condition tells
      next.phase = 'Provisioning';
      const message = 'simulated fault (failClustersByConditions): the infrastructure provider could not provision the reserved hosts';
      set(cond('InfrastructureReady', false, 'ProvisioningFailed', message, gen), cond('Available', false, 'ProvisioningFailed', message, gen));
    } else if (!init.infrastructureProvisioned) {
      next.phase = 'Provisioning';
      next.initialization = { ...init, infrastructureProvisioned: true };
      set(cond('InfrastructureReady', true, 'Ready', `Reserved hosts: ${hosts.map((h) => h.hostId).join(', ') || 'none listed'}`, gen));
    } else if (this.ctx.faults.clusterFails(c.metadata.name ?? '')) {
      next.phase = 'Failed';
      const message = 'simulated fault (failClusters): control plane bootstrap failed on the reserved hosts';
      next.deprecated = { v1beta1: { failureReason: 'CreateError', failureMessage: message } };
      set(cond('ControlPlaneInitialized', false, 'BootstrapFailed', message, gen), cond('Available', false, 'ProvisioningFailed', message, gen));
    } else if (!init.controlPlaneInitialized) {
      next.initialization = { ...init, controlPlaneInitialized: true };
      set(cond('ControlPlaneInitialized', true, 'Initialized', 'Control plane is initialized', gen));
      this.ensureKubeconfig(c);
    } else if (!isConditionTrue({ ...c, status: { conditions: conds } }, 'ControlPlaneAvailable')) {
      next.controlPlane = { desiredReplicas: cpCount, replicas: cpCount, readyReplicas: cpCount, availableReplicas: cpCount, upToDateReplicas: cpCount };
      set(cond('ControlPlaneAvailable', true, 'Available', `${cpCount} control plane machine(s) available`, gen));
    } else {
      next.workers = workers;
      const workersOk = mds.every((md) => num(md, 'availableReplicas') >= Number((md.spec as { replicas?: number }).replicas ?? 1));
      set(cond('WorkersAvailable', workersOk, workersOk ? 'Available' : 'NotAvailable', `${workers.availableReplicas}/${desiredWorkers} worker machines available`, gen));
      if (workersOk) {
        next.phase = 'Provisioned';
        set(cond('Available', true, 'Available', `Cluster is available (Kubernetes ${kubernetesVersionOf(c)})`, gen));
      } else {
        // as in CAPI: a Provisioned cluster whose workers fall short (a MachineDeployment added or
        // scaled up later) keeps its phase but is no longer Available
        set(cond('Available', false, 'WorkersNotAvailable', 'Workers are not available', gen));
      }
      this.ensureKubeconfig(c);
    }
    next.conditions = conds;
    writeStatus(hub, c, next, MANAGER);
    if (next.phase !== st.phase) this.note(`Cluster ${key.namespace}/${key.name} is ${next.phase}`);
  }

  private ensureKubeconfig(c: KubeObject): void {
    const name = `${c.metadata.name}-kubeconfig`;
    if (this.ctx.hub.get('', 'Secret', c.metadata.namespace, name)) return;
    this.ctx.hub.create(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'cluster.x-k8s.io/secret',
        metadata: {
          name,
          namespace: c.metadata.namespace,
          labels: { [CLUSTER_NAME_LABEL]: c.metadata.name ?? '' },
          ownerReferences: [{ apiVersion: c.apiVersion, kind: 'Cluster', name: c.metadata.name, uid: c.metadata.uid, controller: true }],
        },
        data: { value: Buffer.from(kubeconfigFor(c)).toString('base64') },
      },
      { manager: MANAGER },
    );
  }

  /** Two steps, so clients can observe phase Deleting: delete dependents, then drop the finalizer. */
  private remove(c: KubeObject): void {
    const hub = this.ctx.hub;
    const st = (c.status ?? {}) as ClusterStatus;
    const ignoreMissing = (f: () => void) => {
      try {
        f();
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    };
    if (st.phase !== 'Deleting') {
      const conditions = withConditions(st.conditions, cond('Deleting', true, 'Deleting', 'Cluster is being deleted', c.metadata.generation));
      writeStatus(hub, c, { ...st, phase: 'Deleting', conditions }, MANAGER);
      for (const md of machineDeploymentsOf(hub, c)) ignoreMissing(() => hub.delete(CAPI, 'MachineDeployment', md.metadata.namespace, md.metadata.name ?? ''));
      ignoreMissing(() => hub.delete('', 'Secret', c.metadata.namespace, `${c.metadata.name}-kubeconfig`));
      return;
    }
    if (machineDeploymentsOf(hub, c).length > 0) return;
    hub.update({ ...c, metadata: { ...c.metadata, finalizers: (c.metadata.finalizers ?? []).filter((f) => f !== FINALIZER) } }, { manager: MANAGER });
  }
}
