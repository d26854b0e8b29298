/**
 * What kube-apiserver does to a Service on write that the flows rely on: NodePort and LoadBalancer
 * Services get a node port per port (30000-32767, unique in the cluster), kept across updates that
 * leave it out, as the registry's allocator keeps it.
 */
import { createHash } from 'node:crypto';
import { errors } from './api.errors.js';
import { groupOf, type KubeObject } from './kube.types.js';
import type { ObjectStore } from './object.store.js';

const FIRST = 30000;
const RANGE = 2768;

interface Port {
  port?: number;
  protocol?: string;
  nodePort?: number;
}

const portsOf = (svc: KubeObject | undefined): Port[] => ((svc?.spec as { ports?: Port[] } | undefined)?.ports ?? []);
const needsNodePorts = (svc: KubeObject) => ['NodePort', 'LoadBalancer'].includes(String((svc.spec as { type?: string } | undefined)?.type));

export function serviceAdmission(_op: 'create' | 'update', obj: KubeObject, store: ObjectStore, _opts: unknown, current?: KubeObject): KubeObject | void {
  if (groupOf(obj.apiVersion) !== '' || obj.kind !== 'Service' || !needsNodePorts(obj)) return;
  const ports = portsOf(obj);
  if (ports.every((p) => p.nodePort !== undefined)) return;
  const self = `${obj.metadata.namespace}/${obj.metadata.name}`;
  // the ports of every other Service, gathered only when a port needs a new one: an update that keeps
  // its ports (the work agent re-applies each Service on every reconcile) does not scan the cluster
  let taken: Set<number> | undefined;
  const takenPorts = (): Set<number> => {
    if (taken) return taken;
    taken = new Set<number>();
    for (const s of store.list('', 'Service')) if (`${s.metadata.namespace}/${s.metadata.name}` !== self) for (const p of portsOf(s)) if (p.nodePort) taken.add(p.nodePort);
    return taken;
  };
  const next = ports.map((p) => {
    if (p.nodePort !== undefined) return p;
    const kept = portsOf(current).find((c) => c.port === p.port && (c.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
    if (kept) return { ...p, nodePort: kept };
    const taken = takenPorts();
    // stable for the same Service, so a restored or re-created object tends to get its old port back
    const start = createHash('sha256').update(`${self}/${p.port}`).digest().readUInt32BE(0) % RANGE;
    for (let i = 0; i < RANGE; i++) {
      const candidate = FIRST + ((start + i) % RANGE);
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return { ...p, nodePort: candidate };
      }
    }
    throw errors.invalid('Service', '', obj.metadata.name ?? '', [{ type: 'FieldValueInvalid', field: 'spec.ports[0].nodePort', message: 'range is full: no node port left to allocate' }]);
  });
  return { ...obj, spec: { ...(obj.spec as object), ports: next } };
}
