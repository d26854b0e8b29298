/**
 * The per-spoke object stores the work agent applies into, created when first needed. Nothing
 * watches a spoke store over the API (only in-process listeners), so they keep no watch history.
 */
import { validationAdmission } from './object.validation.js';
import { quotaAdmission } from './quota.admission.js';
import { serviceAdmission } from './service.admission.js';
import { ObjectStore, type StoreEvent, type StoreSnapshot } from './object.store.js';

export type SpokeListener = (cluster: string, ev: StoreEvent) => void;

const newSpokeStore = (cluster: string) => new ObjectStore(`spoke:${cluster}`, { historyLimit: 0, admission: [validationAdmission, quotaAdmission, serviceAdmission] });

export class SpokeFleet {
  private readonly spokes = new Map<string, ObjectStore>();
  private readonly listeners = new Set<SpokeListener>();
  private readonly unsubscribes: Array<() => void> = [];

  /** The spoke's store; a new spoke starts with the namespaces every cluster has. */
  get(cluster: string): ObjectStore {
    let s = this.spokes.get(cluster);
    if (!s) {
      s = newSpokeStore(cluster);
      this.attach(cluster, s);
      for (const ns of ['default', 'kube-system', 'kube-public']) s.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    return s;
  }

  has(cluster: string): boolean {
    return this.spokes.has(cluster);
  }

  names(): string[] {
    return [...this.spokes.keys()].sort();
  }

  onEvent(fn: SpokeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  snapshot(): Record<string, StoreSnapshot> {
    return Object.fromEntries([...this.spokes].map(([name, s]) => [name, s.snapshot()]));
  }

  load(snaps: Record<string, StoreSnapshot>): void {
    for (const [name, snap] of Object.entries(snaps)) {
      const s = newSpokeStore(name);
      s.load(snap);
      this.attach(name, s);
    }
  }

  close(): void {
    this.unsubscribes.splice(0).forEach((u) => u());
    this.listeners.clear();
  }

  private attach(cluster: string, s: ObjectStore): void {
    this.spokes.set(cluster, s);
    this.unsubscribes.push(s.subscribe((ev) => this.listeners.forEach((fn) => fn(cluster, ev))));
  }
}
