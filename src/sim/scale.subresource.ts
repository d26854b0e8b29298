/**
 * The `/scale` subresource of custom resources (MachineDeployment): an autoscaling/v1 Scale read
 * from and written to the paths the CRD's `subresources.scale` names (specReplicasPath,
 * statusReplicasPath, labelSelectorPath).
 */
import { errors } from './api.errors.js';
import { crdVersion } from './crd.registry.js';
import { isPlainObject, type KubeObject } from './kube.types.js';
import type { ResourceType } from './resource.catalog.js';

export interface ScalePaths {
  spec: string[];
  status: string[];
  selector?: string[];
}

const split = (p: string) => p.replace(/^\./, '').split('.');

export function scalePaths(r: ResourceType, version: string): ScalePaths | undefined {
  const s = crdVersion(r.group, r.plural, version)?.subresources?.scale;
  if (!s) return undefined;
  return { spec: split(s.specReplicasPath), status: split(s.statusReplicasPath), selector: s.labelSelectorPath ? split(s.labelSelectorPath) : undefined };
}

function read(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = isPlainObject(cur) ? cur[p] : undefined;
  return cur;
}

/** The Scale of an object. */
export function toScale(obj: KubeObject, paths: ScalePaths): KubeObject {
  const m = obj.metadata;
  const selector = paths.selector ? read(obj, paths.selector) : undefined;
  const status: Record<string, unknown> = { replicas: Number(read(obj, paths.status) ?? 0) };
  if (typeof selector === 'string' && selector) status.selector = selector;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: Number(read(obj, paths.spec) ?? 0) },
    status,
  };
}

/** The object with the replicas of a written Scale; its resourceVersion, when given, is a precondition. */
export function fromScale(obj: KubeObject, scale: unknown, paths: ScalePaths): KubeObject {
  if (!isPlainObject(scale)) throw errors.badRequest('the body of a scale request must be an autoscaling/v1 Scale');
  const replicas = isPlainObject(scale.spec) ? scale.spec.replicas : undefined;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0))
    throw errors.invalid('Scale', 'autoscaling', obj.metadata.name ?? '', [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  const meta = isPlainObject(scale.metadata) ? scale.metadata : {};
  const out: KubeObject = { ...obj, metadata: { ...obj.metadata } };
  if (typeof meta.resourceVersion === 'string' && meta.resourceVersion) out.metadata.resourceVersion = meta.resourceVersion;
  else delete out.metadata.resourceVersion;
  if (replicas === undefined) return out;
  const [top, ...rest] = paths.spec;
  const set = (node: unknown, i: number): Record<string, unknown> => {
    const rec = isPlainObject(node) ? { ...node } : {};
    rec[rest[i]] = i === rest.length - 1 ? replicas : set(rec[rest[i]], i + 1);
    return rec;
  };
  out[top] = rest.length ? set(out[top], 0) : replicas;
  return out;
}
