/**
 * The content of a Profile Bundle version, as stored (JSON columns) and as validated by
 * bundle.rules.ts. Plain data: rendering and admission read it without the ORM.
 */

export enum BundleType {
  APPLICATION = 'APPLICATION',
  INFRASTRUCTURE = 'INFRASTRUCTURE',
  FULLSTACK = 'FULLSTACK',
}

export enum WorkloadProfileType {
  APPLICATION = 'APPLICATION',
  MODEL = 'MODEL',
  INFRASTRUCTURE = 'INFRASTRUCTURE',
}

export enum VariableType {
  STRING = 'STRING',
  BOOL = 'BOOL',
  INT32 = 'INT32',
  INT64 = 'INT64',
  FLOAT32 = 'FLOAT32',
  FLOAT64 = 'FLOAT64',
}

export type VariableValue = string | number | boolean;

export interface AddonSpec {
  name: string;
  version: string;
}

export interface ClusterProfileSpec {
  kubernetesVersion: string;
  cni: string;
  csi: string;
  addons: AddonSpec[];
}

export interface HelmChartSpec {
  /** https://… Helm repository URL, or an oci://… repository reference */
  repository: string;
  chart: string;
  version: string;
}

export interface GpuRequestSpec {
  family: string;
  count: number;
  /**
   * Dotted path of the map in the chart's values that receives `nvidia.com/gpu: <count>`; versions
   * stored before it existed have none and mean DEFAULT_GPU_VALUES_PATH (`resources.limits`).
   */
  valuesPath?: string;
}

export interface ExposeSpec {
  port: number;
  path: string;
}

export interface ComponentSpec {
  name: string;
  chart: HelmChartSpec;
  /** Helm values; string leaves may hold `{{ .var.NAME }}` macros */
  values: Record<string, unknown>;
  gpu: GpuRequestSpec | null;
  expose: ExposeSpec | null;
}

export interface WorkloadProfileSpec {
  name: string;
  type: WorkloadProfileType;
  description: string | null;
  components: ComponentSpec[];
}

export interface VariableSpec {
  name: string;
  type: VariableType;
  default: VariableValue | null;
  required: boolean;
  locked: boolean;
  description: string | null;
}

export interface BundleContent {
  type: BundleType;
  description: string | null;
  clusterProfile: ClusterProfileSpec | null;
  workloadProfiles: WorkloadProfileSpec[];
  variables: VariableSpec[];
}
