/**
 * Typed bundle variables (design §1 "Variable", reference domain §5 "Variables"), pure and reusable:
 * the bundle rules check definitions with it, and deployment admission resolves the caller's values
 * with `resolveVariables` before `renderValues` (macros.ts) substitutes them into Helm values.
 */
import { DomainError, ErrorCode } from '../errors.js';
import { VariableType, type VariableSpec, type VariableValue } from './bundle.model.js';
import { descriptionProblem, jsonTextProblem } from './text.rules.js';

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;
export const MAX_VARIABLES = 100;
export const MAX_STRING_VARIABLE = 4096;
export const MAX_VARIABLE_DESCRIPTION = 1024;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Largest finite float32, so a FLOAT32 value survives conversion on the spoke. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Every variable of a bundle with its value; null = optional, no default and nothing provided. */
export type ResolvedVariables = Readonly<Record<string, VariableValue | null>>;

export type TypedValue = { ok: true; value: VariableValue } | { ok: false; problem: string };

const bad = (problem: string): TypedValue => ({ ok: false, problem });

export function isVariableType(t: unknown): t is VariableType {
  return typeof t === 'string' && (Object.values(VariableType) as string[]).includes(t);
}

/**
 * Checks `value` against `type` and returns its canonical form. INT64 accepts a safe integer or a
 * decimal string (JSON numbers cannot carry all of int64); the canonical form is a number when it
 * is safe and the decimal string otherwise, so equal values always compare and render equal.
 */
export function typedValue(type: VariableType, value: unknown): TypedValue {
  switch (type) {
    case VariableType.STRING: {
      if (typeof value !== 'string') return bad('must be a string');
      if (value.length > MAX_STRING_VARIABLE) return bad(`must be at most ${MAX_STRING_VARIABLE} characters`);
      const p = jsonTextProblem(value);
      return p ? bad(p) : { ok: true, value };
    }
    case VariableType.BOOL:
      return typeof value === 'boolean' ? { ok: true, value } : bad('must be true or false');
    case VariableType.INT32:
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad('must be an integer');
      if (value < INT32_MIN || value > INT32_MAX) return bad(`must be between ${INT32_MIN} and ${INT32_MAX}`);
      return { ok: true, value: value === 0 ? 0 : value };
    case VariableType.INT64:
      return int64(value);
    case VariableType.FLOAT32:
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad('must be a finite number');
      if (Math.abs(value) > FLOAT32_MAX) return bad('is out of the float32 range');
      return { ok: true, value };
    case VariableType.FLOAT64:
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad('must be a finite number');
      return { ok: true, value };
    default:
      return bad('has an unknown type');
  }
}

function int64(value: unknown): TypedValue {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { ok: true, value: value === 0 ? 0 : value } : bad('must be a safe integer (|n| < 2^53) or a decimal string');
  }
  if (typeof value !== 'string' || !/^-?(0|[1-9][0-9]{0,18})$/.test(value)) return bad('must be an integer or a decimal string');
  const n = BigInt(value);
  if (n < INT64_MIN || n > INT64_MAX) return bad(`must be between ${INT64_MIN} and ${INT64_MAX}`);
  const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
  return { ok: true, value: safe ? Number(n) : n.toString() };
}

/** Problems of a bundle's variable definitions, each at its field (e.g. ['variables', '2', 'default']). */
export function variableDefinitionProblems(defs: VariableSpec[], field: string[] = ['variables']): DomainError[] {
  const out: DomainError[] = [];
  const err = (message: string, at: string[], code: ErrorCode = ErrorCode.INVALID_INPUT) => out.push(new DomainError(code, message, [...field, ...at]));
  if (defs.length > MAX_VARIABLES) {
    err(`at most ${MAX_VARIABLES} variables`, []);
    return out;
  }
  const seen = new Map<string, number>();
  defs.forEach((d, i) => {
    const at = String(i);
    const label = typeof d.name === 'string' ? d.name : `#${i}`;
    if (typeof d.name !== 'string' || !VARIABLE_NAME.test(d.name)) {
      err('variable name must be 1-63 characters: a letter or "_", then letters, digits, "_" or "-"', [at, 'name']);
    } else if (seen.has(d.name)) {
      err(`variable ${d.name} is declared twice (variables ${seen.get(d.name)} and ${i})`, [at, 'name'], ErrorCode.ALREADY_EXISTS);
    } else seen.set(d.name, i);
    if (!isVariableType(d.type)) {
      err(`variable ${label} has an unknown type`, [at, 'type']);
    } else if (d.default !== null && d.default !== undefined) {
      const t = typedValue(d.type, d.default);
      if (!t.ok) err(`default of ${d.type} variable ${label} ${t.problem}`, [at, 'default']);
    }
    if (d.required && d.locked) err(`variable ${label} cannot be both required and locked`, [at, 'locked']);
    else if (d.locked && (d.default === null || d.default === undefined)) err(`locked variable ${label} needs a default`, [at, 'default']);
    const dp = descriptionProblem(d.description, MAX_VARIABLE_DESCRIPTION, `description of variable ${label}`);
    if (dp) err(dp, [at, 'description']);
  });
  return out;
}

/** Canonical form of valid definitions (defaults typed, flags boolean); call after the checks pass. */
export function normalizeVariables(defs: VariableSpec[]): VariableSpec[] {
  return defs.map((d) => {
    const t = d.default === null || d.default === undefined ? null : typedValue(d.type, d.default);
    return {
      name: d.name,
      type: d.type,
      default: t && t.ok ? t.value : null,
      required: !!d.required,
      locked: !!d.locked,
      description: d.description ?? null,
    };
  });
}

export type Resolution = { ok: true; values: ResolvedVariables } | { ok: false; problems: DomainError[] };

/**
 * The value of every declared variable: the provided one, else the default, else null. Reports every
 * problem at once: an undeclared name, a value of the wrong type, a locked variable given another
 * value than its default, a required variable with neither value nor default. A provided null means
 * "not provided". `field` prefixes the paths of the problems (['variables', NAME]).
 */
export function resolveVariables(defs: readonly VariableSpec[], provided: Readonly<Record<string, unknown>>, field: string[] = ['variables']): Resolution {
  const problems: DomainError[] = [];
  const err = (name: string, message: string) => problems.push(new DomainError(ErrorCode.INVALID_INPUT, message, [...field, name]));
  const declared = new Map(defs.map((d) => [d.name, d]));
  for (const name of Object.keys(provided).sort()) {
    if (!declared.has(name)) err(name, `variable ${name} is not declared by the bundle`);
  }
  // Null-prototype object: variable names such as "__proto__" or "constructor" are legal.
  const values: Record<string, VariableValue | null> = Object.create(null);
  for (const d of defs) {
    const given = Object.hasOwn(provided, d.name) ? provided[d.name] : undefined;
    if (given === undefined || given === null) {
      if (d.required && (d.default === null || d.default === undefined)) err(d.name, `variable ${d.name} is required`);
      values[d.name] = d.default ?? null;
      continue;
    }
    const t = typedValue(d.type, given);
    if (!t.ok) {
      err(d.name, `value of ${d.type} variable ${d.name} ${t.problem}`);
      continue;
    }
    const fallback = d.default === null || d.default === undefined ? null : typedValue(d.type, d.default);
    if (d.locked && !(fallback?.ok && fallback.value === t.value)) {
      err(d.name, `variable ${d.name} is locked and cannot be overridden`);
      continue;
    }
    values[d.name] = t.value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, values };
}
