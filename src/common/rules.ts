/**
 * Pure input rules shared by every feature (design §1). Each returns a problem message or null so
 * callers can collect all problems of an input before answering.
 */

/** Tenants, Projects, Compute Pools, App Deployments: 3–33 chars, [a-z0-9-], letter first, letter/digit last. */
const NAME = /^[a-z][a-z0-9-]{1,31}[a-z0-9]$/;

/**
 * Joins owner names in every hub name derived from them (docs/hub-conventions.md "Names"), e.g.
 * cluster `<project>--<pool>`. No user name may contain it, so a derived name splits back into its
 * owners in exactly one way and never equals a user name, i.e. never a project's namespace.
 */
export const OWNER_SEPARATOR = '--';

export function nameProblem(name: string, what = 'name'): string | null {
  if (typeof name !== 'string' || name.length < 3 || name.length > 33) return `${what} must be 3-33 characters long`;
  if (!NAME.test(name)) {
    return `${what} may contain only lowercase letters, digits and "-", must start with a letter and end with a letter or digit`;
  }
  if (name.includes(OWNER_SEPARATOR)) return `${what} must not contain "${OWNER_SEPARATOR}" (it separates names on the hub)`;
  return null;
}

/**
 * Namespaces a hub or a spoke keeps for itself (Kubernetes, OpenShift, OCM/ACM/MCE, Cluster API
 * providers and other operators, which by convention live in `*-system`), and the tenant namespaces
 * spokegraph keeps (`tenant-<name>`). Whatever this list misses is still safe: the hub adapter never
 * writes over or deletes an object it does not own (src/kube/hub.owned.ts).
 */
const RESERVED_NAMESPACES = new Set(['default', 'local-cluster', 'cert-manager', 'multicluster-engine', 'hive']);
const RESERVED_PREFIXES = ['kube-', 'capi-', 'openshift', 'open-cluster-management', 'tenant-', 'spokegraph'];
const RESERVED_SUFFIXES = ['-system'];

export function isReservedNamespace(name: string): boolean {
  return RESERVED_NAMESPACES.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p)) || RESERVED_SUFFIXES.some((s) => name.endsWith(s));
}

const reserved = (what: string, name: string, why: string) => `${what} ${name} is reserved: ${why}`;

/**
 * A project's name is its hub namespace and the first part of every name derived for its pools and
 * deployments (`<project>--…`): neither may be a reserved namespace, so `kube` is refused as well as
 * `kube-system` (`kube--x` would start like the hub's own `kube-*`).
 */
export function projectNameProblem(name: string): string | null {
  const np = nameProblem(name, 'project name');
  if (np) return np;
  if (isReservedNamespace(name)) return reserved('project name', name, 'the hub or its spokes keep that namespace for themselves');
  if (isReservedNamespace(name + OWNER_SEPARATOR)) return reserved('project name', name, `hub names derived from it (${name}${OWNER_SEPARATOR}…) would look like a system namespace`);
  return null;
}

/**
 * Pool and deployment names end the names derived from them (`<project>--<pool>`,
 * `<project>--<deployment>`), so they must not end like a system namespace either (`…-system`).
 */
export function leafNameProblem(name: string, what: string): string | null {
  const np = nameProblem(name, what);
  if (np) return np;
  if (isReservedNamespace(`x${OWNER_SEPARATOR}${name}`)) return reserved(what, name, `hub names derived from it (…${OWNER_SEPARATOR}${name}) would look like a system namespace`);
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
