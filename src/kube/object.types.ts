/**
 * The wire shape of hub objects as the adapter hands them out: plain JSON (timestamps stay RFC 3339
 * strings), the same from get, list and watch. Specs the gateway writes are typed by their builders;
 * statuses are read defensively by the readers because they come from other controllers.
 */
import type { KindName } from './resource.registry.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  /** server-set fields below */
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  [key: string]: unknown;
}

export interface KubeObject<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
  [key: string]: unknown;
}

/** How callers name an object on the hub. */
export interface ObjectRef {
  kind: KindName;
  name: string;
  /** required for namespaced kinds, ignored for cluster-scoped ones */
  namespace?: string;
}

/** metav1.Condition, as OCM, Flux and CAPI v1beta2 write it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  /** controller text: for logs, never for clients */
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the cache key of informers. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
