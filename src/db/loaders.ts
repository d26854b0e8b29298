/**
 * Per-request DataLoaders. Features create theirs on first use under a name, so this bag needs no
 * central list and dies with the request (no cross-request cache, no cross-tenant leak).
 */
import DataLoader from 'dataloader';

export class Loaders {
  private readonly map = new Map<string, DataLoader<any, any>>();

  get<K, V>(name: string, batch: (keys: readonly K[]) => Promise<(V | Error)[]>, opts?: DataLoader.Options<K, V, string>): DataLoader<K, V, string> {
    let l = this.map.get(name);
    if (!l) {
      l = new DataLoader<K, V, string>(batch, { maxBatchSize: 500, ...opts });
      this.map.set(name, l);
    }
    return l as DataLoader<K, V, string>;
  }

  /** Forgets every cached value: after a write, later reads in the same request must see it. */
  clear(): void {
    this.map.clear();
  }
}

/** Orders `rows` to match `keys` (DataLoader's contract), null where absent. */
export function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (v: V) => K): (V | null)[] {
  const m = new Map<K, V>();
  for (const r of rows) m.set(keyOf(r), r);
  return keys.map((k) => m.get(k) ?? null);
}
