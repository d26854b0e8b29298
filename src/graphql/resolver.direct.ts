/**
 * Field resolvers that type-graphql need not wrap on every call.
 *
 * For each call of a class field resolver (`@FieldResolver` in a `@Resolver` class) type-graphql
 * builds a resolver-data object, looks the class instance up in its container, sorts and maps the
 * parameter list, converts the root to the object type's class and runs the (empty) middleware
 * chain. A nested page makes ~150 such calls, most of them with only `@Root()` and `@Ctx()`. Where a
 * resolver needs nothing else (no middleware, no auth roles, no validation, arguments of scalar or
 * enum types only), the parameters are laid out once here and the method is called directly — with
 * arguments, type-graphql would also make a promise per argument (its validation step is async even
 * when validation is off) and call the method after they settle. Arguments are handed over as
 * type-graphql hands them (lists copied, an `@Args` class instance holding the given fields); a root
 * that is not already an instance of its class (type-graphql would copy it into one) still takes the
 * original path, so every field answers exactly as before.
 */
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { GraphQLScalarType, isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

type Param = NonNullable<ReturnType<typeof getMetadataStorage>['fieldResolvers'][number]['params']>[number];
type Method = (...args: unknown[]) => unknown;
/** A class, as type-graphql's metadata names targets and types. */
type Class = abstract new (...args: never[]) => unknown;
type Args = Record<string, unknown>;
/** How one parameter is taken from graphql-js's (root, args, context, info). */
type Pick = (root: unknown, context: unknown, info: unknown, args: Args) => unknown;
type Storage = ReturnType<typeof getMetadataStorage>;

/** A type whose values type-graphql passes on unchanged (its conversion copies lists only). */
function isPlainScalar(storage: Storage, t: unknown): boolean {
  return t instanceof GraphQLScalarType || t === String || t === Number || t === Boolean || storage.enums.some((e) => e.enumObj === t);
}

/** type-graphql's conversion of a scalar argument value: lists (of lists) copied, the rest as is. */
function copyLists(v: unknown): unknown {
  return Array.isArray(v) ? v.map(copyLists) : v;
}

/** The field names of an `@ArgsType` class and its `@ArgsType` ancestors, or null unless all scalar. */
function plainArgsFields(storage: Storage, cls: unknown): string[] | null {
  const names: string[] = [];
  for (let c = cls; typeof c === 'function' && c.prototype !== undefined; c = Object.getPrototypeOf(c)) {
    const meta = storage.argumentTypes.find((a) => a.target === c);
    if (!meta) {
      if (c === cls) return null;
      continue;
    }
    for (const f of meta.fields ?? []) {
      if (!isPlainScalar(storage, f.getType())) return null;
      names.push(f.name);
    }
  }
  return names;
}

/** What type-graphql makes of `@Args()`: an instance keeping only its fields that were given. */
function argsInstance(cls: new () => object, fields: readonly string[], args: Args): object {
  const given: Args = {};
  for (const f of fields) if (args[f] !== undefined) given[f] = copyLists(args[f]);
  const instance = new cls() as Args;
  for (const key of Object.keys(instance)) if (instance[key] === undefined && !(key in given)) delete instance[key];
  return Object.assign(instance, given);
}

/** The parameter as graphql-js hands it, or null when type-graphql would transform it. */
function pickOf(storage: Storage, p: Param): { pick: Pick; rootClass?: Class } | null {
  switch (p.kind) {
    case 'arg': {
      if (p.validateFn || p.validateSettings !== undefined || !isPlainScalar(storage, p.getType())) return null;
      const name = p.name;
      return { pick: (_r, _c, _i, args) => copyLists(args[name]) };
    }
    case 'args': {
      const cls = p.getType();
      const fields = p.validateFn || p.validateSettings !== undefined ? null : plainArgsFields(storage, cls);
      if (!fields) return null;
      return { pick: (_r, _c, _i, args) => argsInstance(cls as new () => object, fields, args) };
    }
    case 'context':
      return p.propertyName ? null : { pick: (_r, c) => c };
    case 'info':
      return { pick: (_r, _c, i) => i };
    case 'root': {
      if (p.propertyName) return null;
      const t = p.getType?.();
      // a class root passes through only when it already is an instance (checked per call)
      return { pick: (r) => r, rootClass: typeof t === 'function' && t !== Object ? (t as Class) : undefined };
    }
    default:
      return null;
  }
}

function direct(storage: Storage, instance: object, method: Method, params: readonly Param[], original: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> | null {
  const picks: Pick[] = [];
  const rootClasses = new Set<Class>();
  for (const p of [...params].sort((a, b) => a.index - b.index)) {
    const got = pickOf(storage, p);
    if (!got) return null;
    picks.push(got.pick);
    if (got.rootClass) rootClasses.add(got.rootClass);
  }
  if (rootClasses.size > 1) return null;
  const [rootClass] = rootClasses;
  if (picks.length === 2) {
    // the common shape (root, ctx) without an array per call
    const [a, b] = picks;
    return (root, args, context, info) =>
      rootClass && !(root instanceof rootClass) ? original(root, args, context, info) : method.call(instance, a(root, context, info, args), b(root, context, info, args));
  }
  return (root, args, context, info) =>
    rootClass && !(root instanceof rootClass)
      ? original(root, args, context, info)
      : method.apply(
          instance,
          picks.map((pick) => pick(root, context, info, args)),
        );
}

/**
 * Replaces type-graphql's per-call wrapper of plain class field resolvers of `resolverClasses` in
 * `schema` (built from them with no global middleware and no auth checker). Returns the schema.
 */
export function callFieldResolversDirectly(schema: GraphQLSchema, resolverClasses: readonly unknown[]): GraphQLSchema {
  const storage = getMetadataStorage();
  const classes = new Set<unknown>(resolverClasses);
  const typeNameOf = new Map<unknown, string>(storage.objectTypes.map((o) => [o.target, o.name]));
  const byField = new Map<string, (typeof storage.fieldResolvers)[number][]>();
  for (const m of storage.fieldResolvers) {
    if (m.kind !== 'external' || !classes.has(m.target) || !m.getObjectType) continue;
    const typeName = typeNameOf.get(m.getObjectType());
    if (!typeName) continue;
    const key = `${typeName}.${m.schemaName}`;
    byField.set(key, [...(byField.get(key) ?? []), m]);
  }
  const instances = new Map<unknown, object>();
  for (const [key, metas] of byField) {
    // one resolver per field, or type-graphql's own choice between them stands
    if (metas.length !== 1) continue;
    const [m] = metas;
    if (m.middlewares?.length || m.roles?.length) continue;
    const [typeName, fieldName] = key.split('.');
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field?.resolve) continue;
    // resolver classes here hold no state (they reach everything through the context)
    const target = m.target as new () => object;
    const instance = instances.get(target) ?? new target();
    instances.set(target, instance);
    const method = (instance as Record<string, unknown>)[m.methodName];
    if (typeof method !== 'function') continue;
    const resolve = direct(storage, instance, method as Method, m.params ?? [], field.resolve);
    if (resolve) field.resolve = resolve;
  }
  return schema;
}
