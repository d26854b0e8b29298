/**
 * The control-plane endpoint of a simulated Cluster API cluster. A real infrastructure provider fills
 * `Cluster.spec.controlPlaneEndpoint` (the API server's host and port, also the host NodePort access
 * URLs are made on); here a defaulting admission does, on every write that leaves it out, so the
 * value never moves the Cluster's generation and an applier that omits it does not remove it.
 */
import { groupOf, type KubeObject } from './kube.types.js';

/** A name that resolves nowhere (.invalid): there is no real spoke behind a simulated cluster. */
export const spokeEndpointHost = (cluster: string): string => `${cluster}.spoke.sim.spokegraph.invalid`;

export function capiEndpointAdmission(_op: 'create' | 'update', obj: KubeObject): KubeObject | void {
  if (groupOf(obj.apiVersion) !== 'cluster.x-k8s.io' || obj.kind !== 'Cluster') return;
  const spec = (obj.spec ?? {}) as { controlPlaneEndpoint?: { host?: string; port?: number } };
  if (spec.controlPlaneEndpoint?.host) return;
  return { ...obj, spec: { ...spec, controlPlaneEndpoint: { host: spokeEndpointHost(obj.metadata.name ?? ''), port: 6443 } } };
}
