/**
 * A hub write of a flow may still be in flight when its subject is deleted (deletion cancels the
 * job; it cannot stop a request) and land after the teardown has looked. So a flow looks again after
 * each write and, when the subject is being deleted, takes the write back — the very object written
 * (same uid), never a namesake a later subject may have made. Null when taken back. Writes are owned
 * writes (hub.owned.ts): an object of the name that is not ours is never written over.
 */
import type { HubAdapter, KubeObject, ObjectRef } from '../kube/index.js';
import type { Logger } from '../logger.js';

export async function applyUnlessDeleted<T extends KubeObject>(
  hub: HubAdapter,
  obj: T,
  beingDeleted: () => Promise<boolean>,
  log: Logger,
): Promise<T | null> {
  const written = await hub.applyOwned(obj);
  if (!(await beingDeleted())) return written;
  const ref = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name } as ObjectRef;
  const current = await hub.get(ref);
  if (current && current.metadata.uid === written.metadata.uid) await hub.delete(ref, { propagationPolicy: 'Foreground', uid: written.metadata.uid });
  log.info('subject deleted while its flow wrote to the hub: write taken back', { kind: obj.kind, name: obj.metadata.name });
  return null;
}
