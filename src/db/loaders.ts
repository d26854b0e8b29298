/**
 * Per-request DataLoaders. Features create theirs on first use under a name, so this bag needs no
 * central list and dies with the request (no cross-request cache, no cross-tenant leak).
 */
import DataLoader from 'dataloader';

export class Loaders {
  private readonly map = new Map<string, DataLoader<any, any>>();
  /** per loader name, what a load of each key resolved to (see `value`) */
  private readonly resolved = new Map<string, Map<unknown, unknown>>();

  get<K, V>(name: string, batch: (keys: readonly K[]) => Promise<(V | Error)[]>, opts?: DataLoader.Options<K, V, string>): DataLoader<K, V, string> {
    let l = this.map.get(name);
    if (!l) {
      l = new DataLoader<K, V, string>(batch, { maxBatchSize: 500, ...opts });
      this.map.set(name, l);
    }
    return l as DataLoader<K, V, string>;
  }

  /**
   * `get(name, batch).load(key)`, as a plain value once a load of `key` from that loader has resolved
   * in this request. A loader answers a key with the same value for the rest of the request, so a
   * field resolver can return it plain: graphql-js completes a plain value at once, a promise
   * through a chain of its own (and the object and list holding it through more). A prefetch
   * (graphql/prefetch.ts) makes the same call first, so the field resolvers find their values known.
   */
  value<K, V>(name: string, key: K, batch: (keys: readonly K[]) => Promise<(V | Error)[]>): V | Promise<V> {
    const known = this.resolved.get(name);
    if (known?.has(key)) return known.get(key) as V;
    return this.get(name, batch)
      .load(key)
      .then((v) => {
        let m = this.resolved.get(name);
        if (!m) this.resolved.set(name, (m = new Map()));
        m.set(key, v);
        return v;
      });
  }

  /** Forgets every cached value: after a write, later reads in the same request must see it. */
  clear(): void {
    this.map.clear();
    this.resolved.clear();
  }
}

/** `f` of a value that may still be a promise: at once when it is plain, so a plain value stays plain. */
export function andThen<T, R>(v: T | Promise<T>, f: (t: T) => R): R | Promise<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** Orders `rows` to match `keys` (DataLoader's contract), null where absent. */
export function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (v: V) => K): (V | null)[] {
  const m = new Map<K, V>();
  for (const r of rows) m.set(keyOf(r), r);
  return keys.map((k) => m.get(k) ?? null);
}
