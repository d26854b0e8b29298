/**
 * From mutation input to the stored shape of a bundle version. Fields are copied one by one into plain
 * objects (no input class instances or stray keys reach the JSON columns); optional fields get their
 * defaults. For a new version, every content field the input omits is taken from the base version.
 */
import type {
  AddonSpec,
  BundleContent,
  BundleType,
  ClusterProfileSpec,
  ComponentSpec,
  GpuRequestSpec,
  HelmChartSpec,
  VariableSpec,
  VariableType,
  VariableValue,
  WorkloadProfileSpec,
  WorkloadProfileType,
} from './bundle.model.js';
import { DEFAULT_GPU_VALUES_PATH } from '../common/values.path.js';
import { jsonOf } from '../db/read-rows.js';
import type { ProfileBundle } from './profile-bundle.entity.js';

export interface ClusterProfileInput {
  kubernetesVersion: string;
  cni: string;
  csi: string;
  addons?: AddonSpec[] | null;
}

export interface ComponentInput {
  name: string;
  chart: HelmChartSpec;
  values?: unknown;
  gpu?: (Omit<GpuRequestSpec, 'valuesPath'> & { valuesPath?: string | null }) | null;
  /** path defaults to "/" */
  expose?: { port: number; path?: string | null } | null;
}

export interface WorkloadProfileInput {
  name: string;
  type: WorkloadProfileType;
  description?: string | null;
  components: ComponentInput[];
}

export interface VariableInput {
  name: string;
  type: VariableType;
  default?: unknown;
  required?: boolean | null;
  locked?: boolean | null;
  description?: string | null;
}

/** `undefined` = not given (a new version keeps the base version's), `null` = none. */
export interface BundleContentInput {
  description?: string | null;
  clusterProfile?: ClusterProfileInput | null;
  workloadProfiles?: WorkloadProfileInput[] | null;
  variables?: VariableInput[] | null;
}

function clusterProfile(cp: ClusterProfileInput): ClusterProfileSpec {
  return {
    kubernetesVersion: cp.kubernetesVersion,
    cni: cp.cni,
    csi: cp.csi,
    addons: (cp.addons ?? []).map((a) => ({ name: a.name, version: a.version })),
  };
}

function component(c: ComponentInput): ComponentSpec {
  return {
    name: c.name,
    chart: { repository: c.chart.repository, chart: c.chart.chart, version: c.chart.version },
    // validated by valuesProblems: anything but a JSON object is refused there
    values: (c.values ?? {}) as Record<string, unknown>,
    gpu: c.gpu ? { family: c.gpu.family, count: c.gpu.count, valuesPath: c.gpu.valuesPath ?? DEFAULT_GPU_VALUES_PATH } : null,
    expose: c.expose ? { port: c.expose.port, path: c.expose.path ?? '/' } : null,
  };
}

function workloadProfile(w: WorkloadProfileInput): WorkloadProfileSpec {
  return { name: w.name, type: w.type, description: w.description ?? null, components: (w.components ?? []).map(component) };
}

function variable(v: VariableInput): VariableSpec {
  return {
    name: v.name,
    type: v.type,
    // typed (and canonicalised) by variables.ts once the checks pass
    default: (v.default ?? null) as VariableValue | null,
    required: !!v.required,
    locked: !!v.locked,
    description: v.description ?? null,
  };
}

export function contentFrom(type: BundleType, input: BundleContentInput, base: BundleContent | null): BundleContent {
  const pick = <I, O>(given: I | null | undefined, fromBase: O, map: (i: I) => O, none: O): O => (given === undefined ? (base ? fromBase : none) : given === null ? none : map(given));
  return {
    type,
    description: input.description === undefined ? (base?.description ?? null) : input.description,
    clusterProfile: pick(input.clusterProfile, base?.clusterProfile ?? null, clusterProfile, null),
    workloadProfiles: pick(input.workloadProfiles, base?.workloadProfiles ?? [], (l) => l.map(workloadProfile), []),
    variables: pick(input.variables, base?.variables ?? [], (l) => l.map(variable), []),
  };
}

/** What contentOf reads: a ProfileBundle, or a plain row of its columns (admission's). */
export type BundleContentSource = Pick<ProfileBundle, 'type' | 'description' | 'clusterProfile' | 'workloadProfiles' | 'variables'>;

/** The bundle version columns a plain read selects for its content (`contentColumnsOf` reads them). */
export const BUNDLE_CONTENT_COLUMNS = ['type', 'description', 'cluster_profile', 'workload_profiles', 'variables'] as const;

/** A bundle version's content from a plain row of BUNDLE_CONTENT_COLUMNS (either dialect). */
export function contentColumnsOf(r: Record<string, unknown>): BundleContentSource {
  return {
    type: r.type as BundleType,
    description: r.description == null ? null : String(r.description),
    clusterProfile: r.cluster_profile == null ? null : jsonOf<ClusterProfileSpec>(r.cluster_profile),
    workloadProfiles: r.workload_profiles == null ? [] : jsonOf<WorkloadProfileSpec[]>(r.workload_profiles),
    variables: r.variables == null ? [] : jsonOf<VariableSpec[]>(r.variables),
  };
}

export function contentOf(b: BundleContentSource): BundleContent {
  return { type: b.type, description: b.description, clusterProfile: b.clusterProfile, workloadProfiles: b.workloadProfiles, variables: b.variables };
}
