/**
 * Structural-schema semantics of kube-apiserver for custom resources (and the built-in kinds' own
 * schemas), written for the simulator: one walk over a request object that
 *   - prunes fields the schema does not declare (reporting them, for fieldValidation Warn/Strict),
 *     except under `x-kubernetes-preserve-unknown-fields`; metadata is coerced to ObjectMeta;
 *   - drops `null` where the schema is not `nullable` and applies `default`s (nested ones too);
 *   - validates types, enum, pattern, format, numeric and length bounds, required, list types
 *     (`set`, `map` key uniqueness), `x-kubernetes-int-or-string`, `x-kubernetes-embedded-resource`
 *     and the value-validation combinators (allOf/anyOf/oneOf/not).
 * Errors use the field paths and message bodies kube-apiserver writes (apiextensions' translation of
 * kube-openapi's errors into field errors). CEL rules (`x-kubernetes-validations`) are not evaluated
 * here: object.validation.ts hand-codes the few the gateway could break.
 *
 * Nodes compile lazily (a CRD schema is large; a write touches a small part) and are cached per
 * schema object, so each kind/version compiles once per process.
 */
import { isPlainObject } from './kube.types.js';
import type { SchemaObject } from './schema.types.js';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden';

/** A field error as kube-apiserver reports it: `field` plus the message body (`Required value`, ...). */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  message: string;
}

/** ObjectMeta's fields: anything else under metadata is pruned (and reported as unknown). */
export const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

const compiled = new WeakMap<SchemaObject, TypeNode>();
const compiledRoots = new WeakMap<SchemaObject, TypeNode>();

/** The compiled node of a schema (cached per schema object); `root` for a resource's top level. */
export function typeNode(schema: SchemaObject, root = false): TypeNode {
  const cache = root ? compiledRoots : compiled;
  let n = cache.get(schema);
  if (!n) cache.set(schema, (n = new TypeNode(schema, root)));
  return n;
}

export class TypeNode {
  readonly type: SchemaObject['type'];
  readonly preserve: boolean;
  readonly embedded: boolean;
  readonly intOrString: boolean;
  readonly nullable: boolean;
  readonly listType: 'atomic' | 'set' | 'map';
  readonly listKeys: readonly string[];
  readonly mapType: 'atomic' | 'granular';
  /** Has allOf/anyOf/oneOf/not (value validations checked separately). */
  readonly combined: boolean;
  /** Has a constraint on scalar values (enum, pattern, format, bounds, lengths). */
  readonly constrained: boolean;
  private readonly props = new Map<string, TypeNode | null>();
  private itemsNode?: TypeNode | null;
  private additionalNode?: TypeNode | null;
  private defaultsCache?: Array<[string, TypeNode]>;
  private patternRe?: RegExp | null;

  constructor(
    readonly schema: SchemaObject,
    /** The object root of a resource: apiVersion, kind and metadata are implicit. */
    readonly root: boolean,
  ) {
    this.type = schema.type;
    this.preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    this.embedded = schema['x-kubernetes-embedded-resource'] === true;
    this.intOrString = schema['x-kubernetes-int-or-string'] === true;
    this.nullable = schema.nullable === true;
    this.listType = schema['x-kubernetes-list-type'] ?? 'atomic';
    this.listKeys = schema['x-kubernetes-list-map-keys'] ?? [];
    this.mapType = schema['x-kubernetes-map-type'] ?? 'granular';
    this.combined = Boolean(schema.allOf || schema.anyOf || schema.oneOf || schema.not);
    this.constrained = ['enum', 'pattern', 'format', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength'].some((k) => (schema as Record<string, unknown>)[k] !== undefined) || schema.type === 'integer';
  }

  /** Holds apiVersion/kind/metadata implicitly (a resource root or an embedded resource). */
  get resourceLike(): boolean {
    return this.root || this.embedded;
  }

  get patchStrategy(): string | undefined {
    return this.schema['x-kubernetes-patch-strategy'];
  }

  get patchMergeKey(): string | undefined {
    return this.schema['x-kubernetes-patch-merge-key'];
  }

  /** A declared property's node. */
  prop(name: string): TypeNode | undefined {
    let n = this.props.get(name);
    if (n === undefined) {
      const s = this.schema.properties?.[name];
      n = s && Object.prototype.hasOwnProperty.call(this.schema.properties, name) ? typeNode(s) : null;
      this.props.set(name, n);
    }
    return n ?? undefined;
  }

  /** The node of a map's values (additionalProperties), ANY for `additionalProperties: true`. */
  get additional(): TypeNode | undefined {
    if (this.additionalNode === undefined) {
      const a = this.schema.additionalProperties;
      this.additionalNode = a === true ? ANY : isPlainObject(a) ? typeNode(a) : null;
    }
    return this.additionalNode ?? undefined;
  }

  get items(): TypeNode | undefined {
    if (this.itemsNode === undefined) this.itemsNode = this.schema.items ? typeNode(this.schema.items) : this.type === 'array' ? ANY : null;
    return this.itemsNode ?? undefined;
  }

  /**
   * The node for a child key of an object value: a declared property, a map value, or ANY under
   * preserve-unknown-fields. Undefined means the key would be pruned.
   */
  child(key: string): TypeNode | undefined {
    return this.prop(key) ?? this.additional ?? (this.preserve || this === ANY ? ANY : undefined);
  }

  /** Declared properties that have a default. */
  defaulted(): Array<[string, TypeNode]> {
    if (!this.defaultsCache) {
      this.defaultsCache = [];
      for (const k of Object.keys(this.schema.properties ?? {})) {
        const n = this.prop(k)!;
        if (n.schema.default !== undefined) this.defaultsCache.push([k, n]);
      }
    }
    return this.defaultsCache;
  }

  pattern(): RegExp | undefined {
    if (this.patternRe === undefined) {
      const p = this.schema.pattern;
      try {
        this.patternRe = p === undefined ? null : new RegExp(p, 'u');
      } catch {
        try {
          this.patternRe = p === undefined ? null : new RegExp(p);
        } catch {
          // A Go (RE2) pattern JavaScript cannot compile is not checked rather than checked wrongly.
          this.patternRe = null;
        }
      }
    }
    return this.patternRe ?? undefined;
  }
}

/** The deduced type of anything under x-kubernetes-preserve-unknown-fields: kept, never checked. */
export const ANY: TypeNode = new TypeNode({ 'x-kubernetes-preserve-unknown-fields': true }, false);

export interface WalkOptions {
  /** Drop undeclared fields (and report them); false only reports problems, changing nothing. */
  prune: boolean;
  /** Apply schema defaults (and drop non-nullable nulls, as defaulting does). */
  defaults: boolean;
  /** Run value validation. */
  validate: boolean;
}

export interface WalkResult {
  value: unknown;
  /** Paths of pruned fields, in the form strict decoding reports them (`spec.foo`, `spec.list[0].bar`). */
  unknown: string[];
  errors: FieldError[];
}

interface Ctx extends WalkOptions {
  unknown: string[];
  errors: FieldError[];
}

/**
 * Prune, default and/or validate `value` against `node`. The input is never changed. `previous`
 * is the stored version of the same object, already admitted under the same schema: subtrees it
 * shares with `value` (the very same objects: stored objects are frozen and versions share what
 * did not change) are not walked again, so a status write does not re-check the spec.
 */
export function walkSchema(value: unknown, node: TypeNode, opts: WalkOptions, path = '', previous?: unknown): WalkResult {
  const ctx: Ctx = { ...opts, unknown: [], errors: [] };
  const out = walk(value, node, path, ctx, previous);
  return { value: out, unknown: ctx.unknown, errors: ctx.errors };
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const index = (path: string, i: number) => `${path}[${i}]`;

/** How field errors print a value (Go's %v for scalars, JSON for the rest). */
export function showValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  return JSON.stringify(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(type: SchemaObject['type'], v: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
  }
}

function typeError(path: string, v: unknown, want: string): FieldError {
  const got = typeName(v);
  return { type: 'FieldValueTypeInvalid', field: path, message: `Invalid value: ${JSON.stringify(got)}: ${path} in body must be of type ${want}: ${JSON.stringify(got)}` };
}

function invalid(path: string, v: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: path, message: `Invalid value: ${showValue(v)}: ${path} in body ${detail}` };
}

function walk(v: unknown, n: TypeNode, path: string, ctx: Ctx, prev?: unknown): unknown {
  if (n === ANY || (prev !== undefined && v === prev)) return v;
  if (v === null) {
    if (!n.nullable && ctx.validate && (n.type || n.intOrString)) ctx.errors.push(typeError(path, v, n.intOrString ? 'integer,string' : String(n.type)));
    return v;
  }
  if (n.intOrString) {
    if (ctx.validate && !(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) ctx.errors.push(typeError(path, v, 'integer,string'));
    else if (ctx.validate && n.constrained) scalarChecks(v, n, path, ctx);
    return v;
  }
  if (!typeMatches(n.type, v)) {
    if (ctx.validate) ctx.errors.push(typeError(path, v, String(n.type)));
    return v;
  }
  let out = v;
  if (isPlainObject(v)) out = walkObject(v, n, path, ctx, isPlainObject(prev) ? prev : undefined);
  else if (Array.isArray(v)) out = walkArray(v, n, path, ctx, Array.isArray(prev) ? prev : undefined);
  else if (ctx.validate && n.constrained) scalarChecks(v, n, path, ctx);
  if (ctx.validate && n.combined) combinators(out, n, path, ctx);
  return out;
}

function walkObject(v: Record<string, unknown>, n: TypeNode, path: string, ctx: Ctx, prev: Record<string, unknown> | undefined): Record<string, unknown> {
  // Copied on the first change (no closures here: this runs for every object of every write).
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(v)) {
    const child = v[k];
    // An own property holding undefined is absent (JSON drops it); it is never written out.
    if (child === undefined) continue;
    const at = join(path, k);
    if (n.resourceLike && (k === 'apiVersion' || k === 'kind')) {
      if (ctx.validate && typeof child !== 'string') ctx.errors.push(typeError(at, child, 'string'));
      continue;
    }
    if (n.resourceLike && k === 'metadata') {
      const m = walkMetadata(child, at, ctx);
      if (m !== child) (out ??= { ...v })[k] = m;
      continue;
    }
    const cn = n.child(k);
    if (!cn) {
      if (ctx.prune) {
        ctx.unknown.push(at);
        delete (out ??= { ...v })[k];
      }
      continue;
    }
    if (child === null && !cn.nullable && cn !== ANY && ctx.defaults) {
      if (cn.schema.default !== undefined) (out ??= { ...v })[k] = walk(structuredClone(cn.schema.default), cn, at, ctx);
      else delete (out ??= { ...v })[k];
      continue;
    }
    const nv = walk(child, cn, at, ctx, prev?.[k]);
    if (nv !== child) (out ??= { ...v })[k] = nv;
  }
  if (ctx.defaults) {
    for (const [k, cn] of n.defaulted()) {
      if ((out ?? v)[k] === undefined) (out ??= { ...v })[k] = walk(structuredClone(cn.schema.default), cn, join(path, k), ctx);
    }
  }
  const res = out ?? v;
  if (ctx.validate) {
    const required = n.schema.required;
    if (required) for (const r of required) if (res[r] === undefined) ctx.errors.push({ type: 'FieldValueRequired', field: join(path, r), message: 'Required value' });
    if (n.embedded) {
      for (const r of ['apiVersion', 'kind'])
        if (typeof res[r] !== 'string' || !res[r]) ctx.errors.push({ type: 'FieldValueRequired', field: join(path, r), message: 'Required value: must not be empty' });
    }
    const { minProperties, maxProperties } = n.schema;
    if (minProperties !== undefined || maxProperties !== undefined) {
      const count = Object.keys(res).length;
      if (minProperties !== undefined && count < minProperties) ctx.errors.push(invalid(path, count, `should have at least ${minProperties} properties`));
      if (maxProperties !== undefined && count > maxProperties) ctx.errors.push({ type: 'FieldValueTooMany', field: path, message: `Too many: ${count}: must have at most ${maxProperties} items` });
    }
  }
  return res;
}

/** ObjectMeta coercion: undeclared fields are pruned; the values are checked by object.validation.ts. */
function walkMetadata(v: unknown, path: string, ctx: Ctx): unknown {
  if (v === null || v === undefined) return v;
  if (!isPlainObject(v)) {
    if (ctx.validate) ctx.errors.push(typeError(path, v, 'object'));
    return v;
  }
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(v)) {
    if (OBJECT_META_FIELDS.has(k)) continue;
    if (!ctx.prune) continue;
    ctx.unknown.push(join(path, k));
    out ??= { ...v };
    delete out[k];
  }
  return out ?? v;
}

function itemKey(item: unknown, keys: readonly string[]): string | undefined {
  if (!isPlainObject(item)) return undefined;
  return JSON.stringify(keys.map((k) => item[k] ?? null));
}

function walkArray(v: unknown[], n: TypeNode, path: string, ctx: Ctx, prev: unknown[] | undefined): unknown[] {
  const items = n.items ?? ANY;
  if (items === ANY && !ctx.validate) return v;
  let out: unknown[] | undefined;
  const before = prev && prev.length > 8 ? new Set(prev) : prev;
  for (let i = 0; i < v.length; i++) {
    // An item that is the very item the stored version had at any position was admitted already.
    const seen = before && (before instanceof Set ? before.has(v[i]) : before.includes(v[i]));
    const nv = walk(v[i], items, index(path, i), ctx, seen ? v[i] : undefined);
    if (nv !== v[i]) {
      out ??= [...v];
      out[i] = nv;
    }
  }
  const res = out ?? v;
  if (!ctx.validate) return res;
  const { minItems, maxItems } = n.schema;
  if (maxItems !== undefined && res.length > maxItems) ctx.errors.push({ type: 'FieldValueTooMany', field: path, message: `Too many: ${res.length}: must have at most ${maxItems} items` });
  if (minItems !== undefined && res.length < minItems) ctx.errors.push(invalid(path, res.length, `should have at least ${minItems} items`));
  if (n.listType === 'set' || n.schema.uniqueItems) {
    const seen = new Set<string>();
    res.forEach((x, i) => {
      const k = JSON.stringify(x);
      if (seen.has(k)) ctx.errors.push({ type: 'FieldValueDuplicate', field: index(path, i), message: `Duplicate value: ${showValue(x)}` });
      seen.add(k);
    });
  } else if (n.listType === 'map' && n.listKeys.length) {
    const seen = new Set<string>();
    res.forEach((x, i) => {
      const k = itemKey(x, n.listKeys);
      if (k === undefined) return;
      if (seen.has(k)) ctx.errors.push({ type: 'FieldValueDuplicate', field: index(path, i), message: `Duplicate value: ${showValue(Object.fromEntries(n.listKeys.map((key) => [key, (x as Record<string, unknown>)[key]])))}` });
      seen.add(k);
    });
  }
  return res;
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  datetime: (s) => FORMATS['date-time'](s),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  duration: (s) => /^[-+]?(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w))+$/.test(s) || s === '0',
  uri: (s) => URL.canParse(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/.test(s),
  ipv6: (s) => s.includes(':') && URL.canParse(`http://[${s}]/`),
  cidr: (s) => {
    const [ip, bits, ...rest] = s.split('/');
    if (rest.length || bits === undefined || !/^\d+$/.test(bits)) return false;
    return (FORMATS.ipv4(ip) && Number(bits) <= 32) || (FORMATS.ipv6(ip) && Number(bits) <= 128);
  },
  hostname: (s) => s.length <= 253 && /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  mac: (s) => /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/.test(s),
};

function scalarChecks(v: unknown, n: TypeNode, path: string, ctx: Ctx): void {
  const s = n.schema;
  if (s.enum && !s.enum.some((e) => e === v)) {
    ctx.errors.push({ type: 'FieldValueNotSupported', field: path, message: `Unsupported value: ${showValue(v)}: supported values: ${s.enum.map(showValue).join(', ')}` });
  }
  if (typeof v === 'string') {
    const re = n.pattern();
    if (re && !re.test(v)) ctx.errors.push(invalid(path, v, `should match '${s.pattern}'`));
    const len = [...v].length;
    if (s.maxLength !== undefined && len > s.maxLength) ctx.errors.push({ type: 'FieldValueTooLong', field: path, message: `Too long: may not be more than ${s.maxLength} bytes` });
    if (s.minLength !== undefined && len < s.minLength) ctx.errors.push(invalid(path, v, `should be at least ${s.minLength} chars long`));
    const fmt = s.format && n.type === 'string' ? FORMATS[s.format] : undefined;
    if (fmt && !fmt(v)) ctx.errors.push(invalid(path, v, `must be of type ${s.format}: ${JSON.stringify(v)}`));
  } else if (typeof v === 'number') {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
      ctx.errors.push(invalid(path, v, `should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
      ctx.errors.push(invalid(path, v, `should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    if (s.multipleOf !== undefined && !Number.isInteger(v / s.multipleOf)) ctx.errors.push(invalid(path, v, `should be a multiple of ${s.multipleOf}`));
    if (n.type === 'integer' && (BigInt(Math.trunc(v)) < INT64.min || BigInt(Math.trunc(v)) > INT64.max)) ctx.errors.push(invalid(path, v, 'must be a 64-bit integer'));
  }
}

/** Value validations under allOf/anyOf/oneOf/not: checked, never pruning or defaulting. */
function combinators(v: unknown, n: TypeNode, path: string, ctx: Ctx): void {
  const s = n.schema;
  if (!s.allOf && !s.anyOf && !s.oneOf && !s.not) return;
  const passes = (sub: SchemaObject) => walkSchema(v, typeNode(sub), { prune: false, defaults: false, validate: true }, path).errors.length === 0;
  for (const sub of s.allOf ?? []) {
    const r = walkSchema(v, typeNode(sub), { prune: false, defaults: false, validate: true }, path);
    ctx.errors.push(...r.errors);
  }
  // int-or-string's anyOf [integer, string] is checked by the extension itself.
  if (s.anyOf && !n.intOrString && !s.anyOf.some(passes)) ctx.errors.push(invalid(path, v, 'must validate at least one schema (anyOf)'));
  if (s.oneOf && s.oneOf.filter(passes).length !== 1) ctx.errors.push(invalid(path, v, 'must validate one and only one schema (oneOf)'));
  if (s.not && passes(s.not)) ctx.errors.push(invalid(path, v, 'must not validate the schema (not)'));
}
