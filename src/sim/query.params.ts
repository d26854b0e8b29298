/**
 * Query parameters parsed as kube-apiserver's parameter codec does: a boolean is false only for
 * "0" or "false" (any case) and true for anything else present (`watch=True`, `force=1`, `watch=`);
 * integers must parse; dryRun, fieldValidation and propagationPolicy take their documented values.
 */
import { ApiError, errors } from './api.errors.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/** metav1 bool conversion: absent → false; "0"/"false" (case-insensitive) → false; anything else → true. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw errors.badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function optionsInvalid(kind: string, field: string, value: string, supported: string[]): ApiError {
  return errors.invalid(kind, 'meta.k8s.io', '', [
    { type: 'FieldValueNotSupported', field, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` },
  ]);
}

/** dryRun=All (repeatable); any other value is refused as kube-apiserver does. */
export function dryRunParam(values: string[], optionsKind: string): boolean {
  for (const v of values) if (v !== 'All') throw optionsInvalid(optionsKind, 'dryRun', v, ['All']);
  return values.length > 0;
}

/** fieldValidation: Strict, Warn (the default since 1.27) or Ignore. */
export function fieldValidationParam(q: URLSearchParams, optionsKind: string): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw optionsInvalid(optionsKind, 'fieldValidation', v, ['Ignore', 'Strict', 'Warn']);
}

export function propagationPolicyOf(v: unknown): PropagationPolicy | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (v === 'Foreground' || v === 'Background' || v === 'Orphan') return v;
  throw optionsInvalid('DeleteOptions', 'propagationPolicy', String(v), ['Background', 'Foreground', 'Orphan']);
}

/** fieldManager: at most 128 characters (kube-apiserver's ValidateFieldManager). */
export function fieldManagerParam(q: URLSearchParams, optionsKind: string): string | undefined {
  const v = q.get('fieldManager');
  if (v === null || v === '') return undefined;
  if (v.length > 128)
    throw errors.invalid(optionsKind, 'meta.k8s.io', '', [{ type: 'FieldValueTooLong', field: 'fieldManager', message: 'Too long: may not be more than 128 bytes' }]);
  return v;
}
