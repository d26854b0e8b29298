/**
 * Pure checks on a Profile Bundle version (design §1): its name, the type against its content, the
 * cluster profile, the workload profiles and their components, the variables, and that every macro
 * names a declared variable. `bundleContentProblems` returns every problem so a client fixes all at once.
 */
import { MAX_DESCRIPTION, textProblem } from '../common/rules.js';
import { DomainError, ErrorCode } from '../errors.js';
import { BundleType, WorkloadProfileType, type BundleContent, type ClusterProfileSpec, type WorkloadProfileSpec } from './bundle.model.js';
import { componentProblems } from './component.rules.js';
import { scanMacros } from './macros.js';
import { descriptionProblem } from './text.rules.js';
import { variableDefinitionProblems } from './variables.js';

/** DNS-label-like, 3-63 characters: bundle names end up in hub object names and labels. */
const BUNDLE_NAME = /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/;
const WORKLOAD_PROFILE_NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
const KUBERNETES_VERSION = /^v?[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,3})?([-+][0-9A-Za-z.-]{1,40})?$/;
/** CNI, CSI and add-on names: `calico`, `cilium`, `longhorn`, `nvidia-gpu-operator`. */
const PACK_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const PACK_VERSION = /^v?[0-9A-Za-z]([0-9A-Za-z.+_-]{0,62}[0-9A-Za-z])?$/;

export const MAX_WORKLOAD_PROFILES = 20;
export const MAX_COMPONENTS = 20;
export const MAX_ADDONS = 50;
export const MAX_PROFILE_DESCRIPTION = 1024;
/** Macro problems reported per bundle. */
const MAX_MACRO_PROBLEMS = 20;

const err = (message: string, field: string[], code: ErrorCode = ErrorCode.INVALID_INPUT) => new DomainError(code, message, field);

export function bundleNameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length < 3 || name.length > 63) return 'bundle name must be 3-63 characters long';
  if (!BUNDLE_NAME.test(name)) return 'bundle name may contain only lowercase letters, digits and "-", must start with a letter and end with a letter or digit';
  return null;
}

export function bundleDescriptionProblem(description: string | null | undefined): string | null {
  return textProblem(description, MAX_DESCRIPTION, 'description');
}

export function clusterProfileProblems(cp: ClusterProfileSpec, field: string[] = ['clusterProfile']): DomainError[] {
  const out: DomainError[] = [];
  if (typeof cp.kubernetesVersion !== 'string' || !KUBERNETES_VERSION.test(cp.kubernetesVersion)) {
    out.push(err('kubernetesVersion must be a Kubernetes version such as 1.31.2 or v1.30', [...field, 'kubernetesVersion']));
  }
  for (const key of ['cni', 'csi'] as const) {
    if (typeof cp[key] !== 'string' || !PACK_NAME.test(cp[key])) {
      out.push(err(`${key} must be 1-63 characters of letters, digits, ".", "_" or "-" (e.g. calico, longhorn)`, [...field, key]));
    }
  }
  if (cp.addons.length > MAX_ADDONS) return [...out, err(`at most ${MAX_ADDONS} add-ons`, [...field, 'addons'])];
  const seen = new Set<string>();
  cp.addons.forEach((a, i) => {
    const at = [...field, 'addons', String(i)];
    if (typeof a.name !== 'string' || !PACK_NAME.test(a.name)) out.push(err('add-on name must be 1-63 characters of letters, digits, ".", "_" or "-"', [...at, 'name']));
    else if (seen.has(a.name)) out.push(err(`add-on ${a.name} is listed twice`, [...at, 'name'], ErrorCode.ALREADY_EXISTS));
    seen.add(a.name);
    if (typeof a.version !== 'string' || !PACK_VERSION.test(a.version)) out.push(err('add-on version must be a version such as 1.16.1 or v0.6.0', [...at, 'version']));
  });
  return out;
}

const runsApps = (wp: WorkloadProfileSpec) => wp.type === WorkloadProfileType.APPLICATION || wp.type === WorkloadProfileType.MODEL;

/**
 * APPLICATION: no cluster profile; APPLICATION/MODEL workload profiles only, at least one.
 * INFRASTRUCTURE: a cluster profile; INFRASTRUCTURE workload profiles only (none is fine).
 * FULLSTACK: a cluster profile and at least one APPLICATION/MODEL workload profile.
 * (As in PaletteAI, a workload profile's type decides which bundle types may hold it.)
 */
export function typeContentProblems(type: BundleType, clusterProfile: ClusterProfileSpec | null, wps: WorkloadProfileSpec[]): DomainError[] {
  const out: DomainError[] = [];
  if (!(Object.values(BundleType) as string[]).includes(type)) return [err('type must be APPLICATION, INFRASTRUCTURE or FULLSTACK', ['type'])];
  if (type === BundleType.APPLICATION) {
    if (clusterProfile) out.push(err('an APPLICATION bundle has no cluster profile (use INFRASTRUCTURE or FULLSTACK)', ['clusterProfile']));
    wps.forEach((wp, i) => {
      if (!runsApps(wp)) out.push(err('an APPLICATION bundle holds only APPLICATION or MODEL workload profiles', ['workloadProfiles', String(i), 'type']));
    });
  } else if (!clusterProfile) {
    out.push(err(`a${type === BundleType.INFRASTRUCTURE ? 'n' : ''} ${type} bundle needs a cluster profile`, ['clusterProfile']));
  }
  if (type === BundleType.INFRASTRUCTURE) {
    wps.forEach((wp, i) => {
      if (wp.type !== WorkloadProfileType.INFRASTRUCTURE) out.push(err('an INFRASTRUCTURE bundle holds only INFRASTRUCTURE workload profiles', ['workloadProfiles', String(i), 'type']));
    });
  } else if (!wps.some(runsApps)) {
    out.push(err(`a${type === BundleType.APPLICATION ? 'n' : ''} ${type} bundle needs at least one APPLICATION or MODEL workload profile`, ['workloadProfiles']));
  }
  return out;
}

/** Names, types, descriptions and components; component names are unique in the whole bundle (they name Helm releases). */
export function workloadProfileProblems(wps: WorkloadProfileSpec[], field: string[] = ['workloadProfiles']): DomainError[] {
  if (wps.length > MAX_WORKLOAD_PROFILES) return [err(`at most ${MAX_WORKLOAD_PROFILES} workload profiles`, field)];
  const out: DomainError[] = [];
  const profileNames = new Set<string>();
  const componentNames = new Map<string, string>();
  wps.forEach((wp, i) => {
    const at = [...field, String(i)];
    if (typeof wp.name !== 'string' || !WORKLOAD_PROFILE_NAME.test(wp.name)) {
      out.push(err('workload profile name must be 1-63 characters of lowercase letters, digits, "-" or ".", starting and ending with a letter or digit', [...at, 'name']));
    } else if (profileNames.has(wp.name)) out.push(err(`workload profile ${wp.name} is listed twice`, [...at, 'name'], ErrorCode.ALREADY_EXISTS));
    profileNames.add(wp.name);
    if (!(Object.values(WorkloadProfileType) as string[]).includes(wp.type)) out.push(err('type must be APPLICATION, MODEL or INFRASTRUCTURE', [...at, 'type']));
    const dp = descriptionProblem(wp.description, MAX_PROFILE_DESCRIPTION, 'description');
    if (dp) out.push(err(dp, [...at, 'description']));
    if (wp.components.length === 0 || wp.components.length > MAX_COMPONENTS) {
      out.push(err(`a workload profile needs 1-${MAX_COMPONENTS} components`, [...at, 'components']));
      return;
    }
    wp.components.forEach((c, j) => {
      const cat = [...at, 'components', String(j)];
      out.push(...componentProblems(c, cat));
      if (typeof c.name !== 'string') return;
      const first = componentNames.get(c.name);
      if (first) out.push(err(`component ${c.name} is already defined at ${first}; component names are unique in a bundle`, [...cat, 'name'], ErrorCode.ALREADY_EXISTS));
      else componentNames.set(c.name, `workloadProfiles.${i}.components.${j}`);
    });
  });
  return out;
}

/** Macros naming variables the bundle does not declare. */
export function undeclaredMacroProblems(wps: WorkloadProfileSpec[], declared: ReadonlySet<string>): DomainError[] {
  const out: DomainError[] = [];
  wps.forEach((wp, i) =>
    wp.components.forEach((c, j) => {
      for (const use of scanMacros(c.values).uses) {
        if (declared.has(use.name) || out.length >= MAX_MACRO_PROBLEMS) continue;
        out.push(err(`macro {{ .var.${use.name} }} names an undeclared variable`, ['workloadProfiles', String(i), 'components', String(j), 'values', ...use.path]));
      }
    }),
  );
  return out;
}

/** Every problem of a bundle version's content, with paths relative to the mutation input. */
export function bundleContentProblems(c: BundleContent): DomainError[] {
  const out: DomainError[] = [];
  const dp = bundleDescriptionProblem(c.description);
  if (dp) out.push(err(dp, ['description']));
  out.push(...typeContentProblems(c.type, c.clusterProfile, c.workloadProfiles));
  if (c.clusterProfile) out.push(...clusterProfileProblems(c.clusterProfile));
  const wpProblems = workloadProfileProblems(c.workloadProfiles);
  out.push(...wpProblems);
  out.push(...variableDefinitionProblems(c.variables));
  // Macros are only checked in values that are otherwise sound (a malformed document was reported above).
  if (!wpProblems.some((e) => e.field?.includes('values'))) {
    out.push(...undeclaredMacroProblems(c.workloadProfiles, new Set(c.variables.map((v) => v.name))));
  }
  return out;
}
