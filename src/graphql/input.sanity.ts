/**
 * The one place where every argument value is checked for what no field can ever accept, before any
 * resolver sees it — on HTTP and graphql-ws alike, since both execute this schema:
 *
 * - a NUL character in a string or an object key (PostgreSQL cannot store it in text or jsonb: the
 *   statement would fail as an internal error);
 * - a string that is not well-formed Unicode (an unpaired surrogate: jsonb refuses it, and text would
 *   silently store U+FFFD instead of what was sent);
 * - JSON nested deeper than MAX_INPUT_DEPTH (serialising it overflows the stack).
 *
 * Field rules (names, lengths, control characters in names …) stay with the services; this only
 * refuses what is never valid anywhere, so that bad input is a typed error and never an internal one.
 * A refused mutation answers its payload with userErrors (as the services' refusals do); any other
 * field answers a top-level INVALID_INPUT error. The walk is iterative: a value nested 100,000 levels
 * deep is measured without recursion.
 */
import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { jsonTextProblem } from '../catalog/text.rules.js';
import { DomainError, DomainErrors, ErrorCode } from '../errors.js';
import { toUserError } from './payload.js';

/** Deepest nesting of an argument value (input objects and lists count too; the schema's own are shallow). */
export const MAX_INPUT_DEPTH = 64;
/** Problems reported per field: a value full of NULs gets a few, not one per string. */
const MAX_PROBLEMS = 10;

function stringProblem(s: string, what: string): string | null {
  const p = jsonTextProblem(s);
  return p && `${what} ${p}`;
}

interface Item {
  value: unknown;
  path: string[];
  /** the argument's type here, while known (inside a JSON value it is not) */
  type: GraphQLInputType | null;
  /** path of the JSON value this item is part of, if any: where a too-deep value is reported */
  json: string[] | null;
}

function childType(type: GraphQLInputType | null, key: string | null): GraphQLInputType | null {
  const t = type && isNonNullType(type) ? type.ofType : type;
  if (!t) return null;
  if (key === null) return isListType(t) ? t.ofType : null;
  return isInputObjectType(t) ? (t.getFields()[key]?.type ?? null) : null;
}

/** Every problem of a field's coerced arguments, with the path of each, e.g. ['input', 'name']. */
export function inputProblems(args: Record<string, unknown>, defs: readonly GraphQLArgument[] = []): DomainError[] {
  const out: DomainError[] = [];
  const stack: Item[] = Object.keys(args).map((k) => ({ value: args[k], path: [k], type: defs.find((d) => d.name === k)?.type ?? null, json: null }));
  while (stack.length && out.length < MAX_PROBLEMS) {
    const item = stack.pop()!;
    const { value, path } = item;
    const named = item.type ? getNamedType(item.type) : null;
    const json = item.json ?? (named && isScalarType(named) && named.name === 'JSON' ? path : null);
    if (typeof value === 'string') {
      const p = stringProblem(value, 'a text value');
      if (p) out.push(new DomainError(ErrorCode.INVALID_INPUT, p, path));
      continue;
    }
    if (value === null || typeof value !== 'object' || value instanceof Date) continue;
    if (path.length > MAX_INPUT_DEPTH) {
      out.push(new DomainError(ErrorCode.INVALID_INPUT, `a value must not be nested deeper than ${MAX_INPUT_DEPTH} levels`, json ?? path.slice(0, 1)));
      continue;
    }
    if (Array.isArray(value)) {
      const type = childType(item.type, null);
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, String(i)], type, json });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      const p = stringProblem(k, 'a key');
      if (p) out.push(new DomainError(ErrorCode.INVALID_INPUT, p, path));
      else stack.push({ value: (value as Record<string, unknown>)[k], path: [...path, k], type: json ? null : childType(item.type, k), json });
    }
  }
  // in the order of the input, as the services report theirs
  return out.sort((a, b) => (a.field!.join('\u0001') < b.field!.join('\u0001') ? -1 : 1));
}

/** The payload of a refused mutation: userErrors, every list empty, everything else null. */
function refusedPayload(type: GraphQLOutputType, problems: DomainError[]): Record<string, unknown> {
  const payload = getNamedType(type);
  const out: Record<string, unknown> = {};
  if (!isObjectType(payload)) return out;
  for (const [name, f] of Object.entries(payload.getFields())) {
    const t = isNonNullType(f.type) ? f.type.ofType : f.type;
    out[name] = isListType(t) ? [] : null;
  }
  out.userErrors = problems.map(toUserError);
  return out;
}

function hasText(args: Record<string, unknown>): boolean {
  for (const k in args) {
    const v = args[k];
    if (typeof v === 'string' || (typeof v === 'object' && v !== null)) return true;
  }
  return false;
}

function guarded(resolve: GraphQLFieldResolver<unknown, unknown>, defs: readonly GraphQLArgument[], isMutation: boolean): GraphQLFieldResolver<unknown, unknown> {
  return (source, args: Record<string, unknown>, ctx, info: GraphQLResolveInfo) => {
    // numbers, booleans and nulls (page sizes, most nested fields' arguments) can hold nothing refused
    if (!hasText(args)) return resolve(source, args, ctx, info);
    const problems = inputProblems(args, defs);
    if (!problems.length) return resolve(source, args, ctx, info);
    if (isMutation) return refusedPayload(info.returnType, problems);
    throw problems.length === 1 ? problems[0] : new DomainErrors(problems);
  };
}

/** Wraps the resolver (and subscribe) of every field that takes arguments. Call once on the built schema. */
export function guardArguments(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.length) continue;
      // a mutation's payload is where its refusals go (see payload.ts)
      field.resolve = guarded(field.resolve ?? defaultFieldResolver, field.args, type === mutation);
      if (field.subscribe) field.subscribe = guarded(field.subscribe, field.args, false);
    }
  }
  return schema;
}
