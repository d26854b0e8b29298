/**
 * Fields of read models computed on first read: a nested page builds hundreds of objects of which a
 * query reads a few fields (a bundle page asks names and versions, not global IDs or timestamps).
 * The value is computed once and kept; writing the field replaces it, as for a plain property.
 */
export function lazyField<T extends object, K extends keyof T>(obj: T, key: K, compute: () => T[K]): void {
  let done = false;
  let value: T[K];
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!done) [value, done] = [compute(), true];
      return value;
    },
    set: (v: T[K]) => void ([value, done] = [v, true]),
  });
}

/**
 * A field of every instance of a class, derived from the instance when read (a global ID from its
 * uuid): one accessor on the prototype instead of one property per object. Writing the field makes
 * it a plain property of that instance.
 */
export function derivedField<T extends object>(Class: { prototype: T }, key: keyof T & string, compute: (self: T) => unknown): void {
  Object.defineProperty(Class.prototype, key, {
    configurable: true,
    get(this: T) {
      return compute(this);
    },
    set(this: T, value: unknown) {
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
    },
  });
}
