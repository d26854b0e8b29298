/**
 * Pure checks on one workload-profile component: its Helm chart reference, values, GPU request and
 * exposed port (design §1 "Workload Profile"). Each returns every problem with its input path.
 */
import { gpuFamilyProblem, jsonSize } from '../common/rules.js';
import { DEFAULT_GPU_VALUES_PATH, GPU_LIMIT_KEY, valuesPathProblem, valuesPathSyntaxProblem } from '../common/values.path.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { ComponentSpec, ExposeSpec, GpuRequestSpec, HelmChartSpec } from './bundle.model.js';
import { scanMacros } from './macros.js';
import { jsonTextProblem } from './text.rules.js';

/** Component names become Helm release names, whose limit (53) is below the DNS label's 63. */
export const COMPONENT_NAME = /^[a-z]([a-z0-9-]{0,51}[a-z0-9])?$/;
export const MAX_VALUES_BYTES = 64 * 1024;
export const MAX_VALUES_DEPTH = 32;
export const MAX_GPUS_PER_COMPONENT = 64;
export const MAX_URL_LENGTH = 512;
/** Problems reported per values document: enough to fix, not a flood. */
const MAX_VALUE_PROBLEMS = 20;

/** `oci://registry[:port]/path` as Flux's OCIRepository takes it; the tag is the chart version. */
const OCI_REF = /^oci:\/\/[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)+\/?$/;
const CHART_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
/** An exact version or a semver range (`1.2.3`, `v0.6.0`, `~1.2`, `>=1.0.0 <2.0.0`, `1.x`, `*`). */
const CHART_VERSION = /^[0-9A-Za-z*~^<>=!]([0-9A-Za-z.+_~^<>=*|!, -]{0,126}[0-9A-Za-z*.])?$/;
const EXPOSE_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,255}$/;

const err = (message: string, field: string[]) => new DomainError(ErrorCode.INVALID_INPUT, message, field);

export function repositoryProblem(repository: string): string | null {
  if (typeof repository !== 'string' || repository.length === 0 || repository.length > MAX_URL_LENGTH) {
    return `chart repository must be 1-${MAX_URL_LENGTH} characters`;
  }
  if (repository.startsWith('oci://')) {
    return OCI_REF.test(repository) ? null : 'chart repository must be an oci://registry/path reference (lowercase path, no tag: the version is the tag)';
  }
  if (!/^https?:\/\//.test(repository)) return 'chart repository must be an https:// or http:// Helm repository URL or an oci:// reference';
  let url: URL;
  try {
    url = new URL(repository);
  } catch {
    return 'chart repository is not a valid URL';
  }
  if (/\s/.test(repository) || !url.hostname) return 'chart repository is not a valid URL';
  if (url.username || url.password) return 'chart repository must not hold credentials';
  if (url.search || url.hash) return 'chart repository must not have a query or fragment';
  return null;
}

export function chartProblems(chart: HelmChartSpec, field: string[]): DomainError[] {
  const out: DomainError[] = [];
  const rp = repositoryProblem(chart.repository);
  if (rp) out.push(err(rp, [...field, 'repository']));
  if (typeof chart.chart !== 'string' || !CHART_NAME.test(chart.chart)) {
    out.push(err('chart name must be 1-128 characters of letters, digits, ".", "_" or "-", starting and ending with a letter or digit', [...field, 'chart']));
  }
  if (typeof chart.version !== 'string' || !CHART_VERSION.test(chart.version)) {
    out.push(err('chart version must be a version or semver range of at most 128 characters (e.g. 1.2.3, ~1.2, >=1.0.0 <2.0.0)', [...field, 'version']));
  }
  return out;
}

/** Depth of nested objects/arrays, counted without recursion so hostile nesting cannot overflow the stack. */
function depthExceeds(values: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[values, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

/** Leaves a JSON column cannot hold faithfully (non-finite numbers, NUL, unpaired surrogates). */
function leafProblems(values: unknown, field: string[], out: DomainError[]): void {
  const walk = (v: unknown, path: string[]) => {
    if (out.length >= MAX_VALUE_PROBLEMS) return;
    if (typeof v === 'number' && !Number.isFinite(v)) out.push(err('values must hold finite numbers only', [...field, ...path]));
    else if (typeof v === 'string') {
      const p = jsonTextProblem(v);
      if (p) out.push(err(`value ${p}`, [...field, ...path]));
    } else if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, String(i)]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        const p = jsonTextProblem(k);
        if (p) out.push(err(`key ${p}`, [...field, ...path]));
        walk(item, [...path, k]);
      }
    } else if (v !== null && typeof v !== 'boolean' && typeof v !== 'number') out.push(err('values must be JSON', [...field, ...path]));
  };
  walk(values, []);
}

/** Helm values: a JSON object of at most 64 KiB and depth 32; macros well-formed and only in values. */
export function valuesProblems(values: unknown, field: string[]): DomainError[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return [err('values must be a JSON object', field)];
  if (depthExceeds(values, MAX_VALUES_DEPTH)) return [err(`values must not be nested deeper than ${MAX_VALUES_DEPTH} levels`, field)];
  const out: DomainError[] = [];
  leafProblems(values, field, out);
  if (out.length) return out;
  if (jsonSize(values) > MAX_VALUES_BYTES) return [err(`values must be at most ${MAX_VALUES_BYTES} bytes as JSON`, field)];
  const scan = scanMacros(values);
  for (const path of scan.malformed.slice(0, MAX_VALUE_PROBLEMS)) out.push(err('malformed macro: write {{ .var.NAME }}', [...field, ...path]));
  for (const path of scan.inKeys.slice(0, MAX_VALUE_PROBLEMS)) out.push(err('macros may appear in values, not in keys', [...field, ...path]));
  return out;
}

export function gpuProblems(gpu: GpuRequestSpec, field: string[]): DomainError[] {
  const out: DomainError[] = [];
  const fp = gpuFamilyProblem(gpu.family);
  if (fp) out.push(err(fp, [...field, 'family']));
  if (!Number.isInteger(gpu.count) || gpu.count < 1 || gpu.count > MAX_GPUS_PER_COMPONENT) {
    out.push(err(`GPU count must be between 1 and ${MAX_GPUS_PER_COMPONENT}`, [...field, 'count']));
  }
  if (gpu.valuesPath !== undefined) {
    const pp = valuesPathSyntaxProblem(gpu.valuesPath);
    if (pp) out.push(err(pp, [...field, 'valuesPath']));
  }
  return out;
}

export function exposeProblems(expose: ExposeSpec, field: string[]): DomainError[] {
  const out: DomainError[] = [];
  if (!Number.isInteger(expose.port) || expose.port < 1 || expose.port > 65535) out.push(err('port must be between 1 and 65535', [...field, 'port']));
  if (typeof expose.path !== 'string' || !EXPOSE_PATH.test(expose.path)) {
    out.push(err('path must start with "/" and be at most 256 URL path characters', [...field, 'path']));
  }
  return out;
}

export function componentProblems(c: ComponentSpec, field: string[]): DomainError[] {
  const out: DomainError[] = [];
  if (typeof c.name !== 'string' || !COMPONENT_NAME.test(c.name)) {
    out.push(err('component name must be 1-53 characters of lowercase letters, digits and "-", starting with a letter and ending with a letter or digit', [...field, 'name']));
  }
  out.push(...chartProblems(c.chart, [...field, 'chart']));
  const vp = valuesProblems(c.values, [...field, 'values']);
  out.push(...vp);
  if (c.gpu) {
    const gp = gpuProblems(c.gpu, [...field, 'gpu']);
    out.push(...gp);
    // where the GPU limit lands must fit the values, or every deployment of the version would fail to render
    const path = c.gpu.valuesPath ?? DEFAULT_GPU_VALUES_PATH;
    const fits = vp.length || gp.length ? null : valuesPathProblem(c.values, path, GPU_LIMIT_KEY);
    if (fits) out.push(err(fits, [...field, 'gpu', 'valuesPath']));
  }
  if (c.expose) out.push(...exposeProblems(c.expose, [...field, 'expose']));
  return out;
}
