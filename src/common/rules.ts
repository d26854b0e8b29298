/**
 * Pure input rules shared by every feature (design §1). Each returns a problem message or null so
 * callers can collect all problems of an input before answering.
 */

/** Tenants, Projects, Compute Pools, App Deployments: 3–33 chars, [a-z0-9-], letter first, letter/digit last. */
const NAME = /^[a-z][a-z0-9-]{1,31}[a-z0-9]$/;

export function nameProblem(name: string, what = 'name'): string | null {
  if (typeof name !== 'string' || name.length < 3 || name.length > 33) return `${what} must be 3-33 characters long`;
  if (!NAME.test(name)) {
    return `${what} may contain only lowercase letters, digits and "-", must start with a letter and end with a letter or digit`;
  }
  return null;
}

/**
 * GPU families become Kubernetes label name parts (`gpu.spokegraph.io/<family>`), so they follow that
 * syntax: 1–63 chars, alphanumeric at both ends, [-_.] inside. Case is kept: `NVIDIA-H100`.
 */
const GPU_FAMILY = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

export function gpuFamilyProblem(family: string): string | null {
  if (typeof family !== 'string' || !GPU_FAMILY.test(family)) {
    return 'GPU family must be 1-63 characters of letters, digits, "-", "_" or ".", starting and ending with a letter or digit (e.g. NVIDIA-H100)';
  }
  return null;
}

/** Absurd counts are refused early so arithmetic in the ledger never nears integer limits. */
export const MAX_GPU_COUNT = 1_000_000;

export function gpuCountProblem(n: number, what = 'GPU count', min = 0): string | null {
  if (!Number.isInteger(n) || n < min || n > MAX_GPU_COUNT) return `${what} must be an integer between ${min} and ${MAX_GPU_COUNT}`;
  return null;
}

export const MAX_DISPLAY_NAME = 128;
export const MAX_DESCRIPTION = 2048;
export const MAX_TAGS = 50;

/** Tag and resource-group keys: label-like, 1–63 chars. Values: up to 256 printable chars. */
const KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;

export function keyValueProblem(key: string, value: string, what = 'tag'): string | null {
  if (!KEY.test(key)) return `${what} key "${truncate(key, 40)}" must be 1-63 characters of letters, digits, ".", "_", "/" or "-", starting and ending with a letter or digit`;
  if (typeof value !== 'string' || value.length > 256 || /[\u0000-\u001f]/.test(value)) {
    return `${what} "${key}" value must be at most 256 printable characters`;
  }
  return null;
}

export function textProblem(text: string | null | undefined, max: number, what: string): string | null {
  if (text == null) return null;
  if (text.length > max) return `${what} must be at most ${max} characters`;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) return `${what} must not contain control characters`;
  return null;
}

export function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

/** Size of a JSON document as stored, used to cap user-supplied JSON (values, details). */
export function jsonSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}
