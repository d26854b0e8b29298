/**
 * Flux objects the work agent applies on the spoke: the chart source (HelmRepository for classic
 * repositories, OCIRepository for `oci://` charts, since HelmRepository type `oci` is in maintenance
 * mode) and one HelmRelease per component.
 */
import { DEFAULT_GPU_VALUES_PATH, withValueAt } from '../common/values.path.js';
import { Annotation, GPU_RESOURCE, ownerLabels, type Ownership } from './labels.js';
import { helmReleaseName, helmRepositoryName, ociRepositoryName } from './naming.js';
import type { KubeObject } from './object.types.js';
import { apiVersionOf, Resources } from './resource.registry.js';

/** How often Flux re-checks sources and releases. */
export const FLUX_INTERVAL = '10m';
/** Install/upgrade attempts Flux makes before it declares the release failed (Stalled). */
export const FLUX_REMEDIATION_RETRIES = 3;
/** The layer of an OCI artifact that holds a Helm chart; Flux needs it to use the artifact as a chart. */
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/** A component's chart: `repository` is an https:// Helm repository or an `oci://` registry path. */
export interface ChartRef {
  repository: string;
  chart: string;
  /** exact version or semver range */
  version: string;
}

export interface Expose {
  port: number;
  /** URL path of the component, e.g. `/v1`; optional */
  path?: string;
}

export type HelmRepositoryObject = KubeObject<{ url: string; interval: string }>;
export type OCIRepositoryObject = KubeObject<{
  url: string;
  interval: string;
  ref: { tag: string } | { semver: string };
  layerSelector: { mediaType: string; operation: 'copy' };
}>;
export type HelmReleaseObject = KubeObject<{
  interval: string;
  releaseName: string;
  chart?: { spec: { chart: string; version: string; sourceRef: { kind: 'HelmRepository'; name: string } } };
  chartRef?: { kind: 'OCIRepository'; name: string };
  values?: Record<string, unknown>;
  install: { remediation: { retries: number } };
  upgrade: { remediation: { retries: number } };
}>;

export function isOciChart(chart: ChartRef): boolean {
  return chart.repository.startsWith('oci://');
}

/** Exact versions (valid OCI tags) are pinned by tag; anything else is a semver range. */
function ociRef(version: string): { tag: string } | { semver: string } {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(version) ? { tag: version } : { semver: version };
}

/** The `spokegraph.io/expose` annotation value: `<port>` or `<port>/<path>`. */
export function exposeAnnotation(e: Expose): string {
  const path = (e.path ?? '').replace(/^\/+/, '');
  return path ? `${e.port}/${path}` : String(e.port);
}

export function buildHelmRepository(p: { namespace: string; url: string; owner: Ownership }): HelmRepositoryObject {
  return {
    apiVersion: apiVersionOf(Resources.HelmRepository),
    kind: Resources.HelmRepository.kind,
    metadata: { name: helmRepositoryName(p.url), namespace: p.namespace, labels: ownerLabels(p.owner) },
    spec: { url: p.url, interval: FLUX_INTERVAL },
  };
}

export function buildOciRepository(p: {
  namespace: string;
  component: string;
  chart: ChartRef;
  owner: Ownership;
}): OCIRepositoryObject {
  const base = p.chart.repository.replace(/\/+$/, '');
  return {
    apiVersion: apiVersionOf(Resources.OCIRepository),
    kind: Resources.OCIRepository.kind,
    metadata: { name: ociRepositoryName(p.component), namespace: p.namespace, labels: ownerLabels(p.owner) },
    spec: {
      url: `${base}/${p.chart.chart}`,
      interval: FLUX_INTERVAL,
      ref: ociRef(p.chart.version),
      layerSelector: { mediaType: HELM_CHART_LAYER_MEDIA_TYPE, operation: 'copy' },
    },
  };
}

export interface HelmReleaseParams {
  namespace: string;
  component: string;
  chart: ChartRef;
  /** rendered values (variables already substituted) */
  values?: Record<string, unknown>;
  /** GPUs the component's pods request: set as `nvidia.com/gpu` at `gpuValuesPath` in the values */
  gpuCount: number;
  /** dotted path of the values map the chart reads its GPU limit from; default DEFAULT_GPU_VALUES_PATH */
  gpuValuesPath?: string;
  expose?: Expose;
  owner: Ownership;
}

/**
 * The release's values with the GPU request where the chart takes it (`resources.limits` unless the
 * component says otherwise), so the spoke's scheduler and device plugin see a real
 * `nvidia.com/gpu` limit. Throws an Error when the values cannot hold it there (the catalog refuses
 * such bundle versions, so only data stored before that check can).
 */
export function releaseValues(p: Pick<HelmReleaseParams, 'values' | 'gpuCount' | 'gpuValuesPath'>): Record<string, unknown> {
  const values = p.values ?? {};
  if (p.gpuCount <= 0) return structuredClone(values);
  return withValueAt(values, p.gpuValuesPath ?? DEFAULT_GPU_VALUES_PATH, GPU_RESOURCE, p.gpuCount);
}

/** A component's HelmRelease: `chart` + HelmRepository sourceRef, or `chartRef` to its OCIRepository (exactly one). */
export function buildHelmRelease(p: HelmReleaseParams): HelmReleaseObject {
  const name = helmReleaseName(p.component);
  const annotations: Record<string, string> = {};
  if (p.expose) annotations[Annotation.Expose] = exposeAnnotation(p.expose);

  const spec: HelmReleaseObject['spec'] & object = {
    interval: FLUX_INTERVAL,
    releaseName: name,
    install: { remediation: { retries: FLUX_REMEDIATION_RETRIES } },
    upgrade: { remediation: { retries: FLUX_REMEDIATION_RETRIES } },
  };
  if (isOciChart(p.chart)) {
    spec.chartRef = { kind: 'OCIRepository', name: ociRepositoryName(p.component) };
  } else {
    spec.chart = {
      spec: {
        chart: p.chart.chart,
        version: p.chart.version,
        sourceRef: { kind: 'HelmRepository', name: helmRepositoryName(p.chart.repository) },
      },
    };
  }
  const values = releaseValues(p);
  if (Object.keys(values).length) spec.values = values;
  return {
    apiVersion: apiVersionOf(Resources.HelmRelease),
    kind: Resources.HelmRelease.kind,
    metadata: { name, namespace: p.namespace, labels: ownerLabels(p.owner), ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec,
  };
}
