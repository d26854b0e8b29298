/**
 * Fields of read models computed on first read: a nested page builds hundreds of objects of which a
 * query reads a few fields (a bundle page asks names and versions, not global IDs or timestamps).
 * Both helpers put ONE accessor on the class's prototype: an accessor per object (defineProperty on
 * each instance, with its closures) made every node of a page a dictionary-mode object and three
 * closures more for the GC to collect.
 */

/**
 * A field of every instance of a class, computed from the instance on its first read and then kept
 * as the instance's own plain property. Writing the field before that sets the property as well.
 */
export function cachedField<T extends object>(Class: { prototype: T }, key: keyof T & string, compute: (self: T) => unknown): void {
  Object.defineProperty(Class.prototype, key, {
    configurable: true,
    get(this: T) {
      const value = compute(this);
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      return value;
    },
    set(this: T, value: unknown) {
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
    },
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
