/**
 * Plays the spoke's Deployment controller, scheduler and kubelet in one step: a Deployment applied on
 * a spoke reports all its replicas ready and available at its generation (images are not pulled,
 * nothing runs). Enough for health probes that read Deployment status, such as the add-on manager's.
 */
import type { Condition } from '../kube.types.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const MANAGER = 'kube-controller-manager';

export class DeploymentController extends Controller {
  readonly name = 'spoke-deployments';
  protected readonly stepMs = 300;

  start(): void {
    this.onSpokes([['apps', 'Deployment']], (cluster, ev) => this.enqueue(keyOf(cluster, ev.object)));
    for (const cluster of this.ctx.spokes.names()) for (const d of this.ctx.spokes.get(cluster).list('apps', 'Deployment')) this.enqueue(keyOf(cluster, d));
  }

  protected reconcile(key: ObjectKey): void {
    if (!this.ctx.spokes.has(key.scope)) return;
    const spoke = this.storeOf(key.scope);
    const d = spoke.get('apps', 'Deployment', key.namespace, key.name);
    if (!d || d.metadata.deletionTimestamp) return;
    const replicas = Number((d.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    const st = (d.status ?? {}) as { conditions?: Condition[] };
    const gen = d.metadata.generation;
    const conditions = withConditions(
      st.conditions,
      cond('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
      cond('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${key.name}" has successfully progressed.`),
    );
    writeStatus(spoke, d, { observedGeneration: gen, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, conditions }, MANAGER);
  }
}
