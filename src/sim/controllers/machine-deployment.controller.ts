/**
 * Plays Cluster API for `MachineDeployment` (v1beta2 status): once its Cluster's control plane is
 * initialized, machines come up one step at a time (replicas, then ready/available/upToDate) until
 * spec.replicas; scaling down works the same way in reverse.
 */
import type { Condition } from '../kube.types.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const CAPI = 'cluster.x-k8s.io';
const MANAGER = 'capi-controller-manager';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

interface MdStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  upToDateReplicas?: number;
  phase?: string;
  conditions?: Condition[];
  [k: string]: unknown;
}

export class MachineDeploymentController extends Controller {
  readonly name = 'cluster-api-machinedeployment';
  protected readonly stepMs = 400;

  start(): void {
    this.onHub([[CAPI, 'MachineDeployment']], (ev) => this.enqueue(keyOf('hub', ev.object)));
    this.onHub([[CAPI, 'Cluster']], (ev) => {
      for (const md of this.ctx.hub.list(CAPI, 'MachineDeployment', ev.object.metadata.namespace))
        if ((md.spec as { clusterName?: string }).clusterName === ev.object.metadata.name) this.enqueue(keyOf('hub', md));
    });
    for (const md of this.ctx.hub.list(CAPI, 'MachineDeployment')) this.enqueue(keyOf('hub', md));
  }

  protected reconcile(key: ObjectKey): void {
    const hub = this.ctx.hub;
    let md = hub.get(CAPI, 'MachineDeployment', key.namespace, key.name);
    if (!md || md.metadata.deletionTimestamp) return;
    const spec = (md.spec ?? {}) as { clusterName?: string; replicas?: number; selector?: { matchLabels?: Record<string, string> } };
    const clusterName = spec.clusterName ?? '';
    if (md.metadata.labels?.[CLUSTER_NAME_LABEL] !== clusterName) {
      // CAPI's defaulting webhook labels every MachineDeployment with its cluster.
      md = hub.update({ ...md, metadata: { ...md.metadata, labels: { ...md.metadata.labels, [CLUSTER_NAME_LABEL]: clusterName } } }, { manager: MANAGER });
    }
    const cluster = hub.get(CAPI, 'Cluster', md.metadata.namespace, clusterName);
    if (cluster && !cluster.metadata.deletionTimestamp && !(md.metadata.ownerReferences ?? []).some((r) => r.uid === cluster.metadata.uid)) {
      // CAPI's MachineDeployment controller makes the Cluster an owner, so garbage collection
      // removes the MachineDeployment with its Cluster.
      const ref = { apiVersion: cluster.apiVersion, kind: 'Cluster', name: clusterName, uid: cluster.metadata.uid };
      md = hub.update({ ...md, metadata: { ...md.metadata, ownerReferences: [...(md.metadata.ownerReferences ?? []), ref] } }, { manager: MANAGER });
    }
    const gen = md.metadata.generation;
    const desired = spec.replicas ?? 1;
    const st = (md.status ?? {}) as MdStatus;
    const next: MdStatus = { ...st, observedGeneration: gen, selector: Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') };
    let replicas = st.replicas ?? 0;
    let ready = st.readyReplicas ?? 0;
    const cpReady = (cluster?.status as { initialization?: { controlPlaneInitialized?: boolean } } | undefined)?.initialization?.controlPlaneInitialized === true;
    const clusterFailed = (cluster?.status as { phase?: string } | undefined)?.phase === 'Failed';

    if (clusterFailed) next.phase = 'Failed';
    else if (!cpReady) next.phase = 'ScalingUp';
    else if (replicas < desired) replicas++;
    else if (ready < Math.min(replicas, desired)) ready++;
    else if (replicas > desired) {
      replicas--;
      ready = Math.min(ready, replicas);
    }
    next.replicas = replicas;
    next.readyReplicas = ready;
    next.availableReplicas = ready;
    next.upToDateReplicas = replicas;
    if (!clusterFailed) next.phase = replicas > desired ? 'ScalingDown' : replicas < desired || ready < desired ? 'ScalingUp' : 'Running';
    const available = ready >= desired;
    const why = !cluster ? `Cluster ${clusterName} not found` : !cpReady ? 'Waiting for the control plane to be initialized' : `${ready}/${desired} machines available`;
    next.conditions = withConditions(
      st.conditions?.map((c) => ({ ...c, observedGeneration: gen })),
      cond('Available', available, available ? 'Available' : 'NotAvailable', why, gen),
      cond('MachinesReady', ready >= replicas, ready >= replicas ? 'Ready' : 'NotReady', `${ready}/${replicas} machines ready`, gen),
    );
    writeStatus(hub, md, next, MANAGER);
  }
}
