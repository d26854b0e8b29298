/**
 * Pure planning of an App Deployment from its bundle versions (unit-tested): which components run,
 * the merged variable definitions, the GPU request, and the rendered hub objects. Rendering is
 * deterministic — the same deployment always renders the same objects — so a re-run step re-applies
 * exactly what it applied before.
 */
import { BundleType, WorkloadProfileType, type BundleContent, type ComponentSpec, type VariableSpec } from '../catalog/bundle.model.js';
import { renderValues } from '../catalog/macros.js';
import { DEFAULT_GPU_VALUES_PATH, GPU_LIMIT_KEY, valuesPathProblem } from '../common/values.path.js';
import type { ResolvedVariables } from '../catalog/variables.js';
import { DomainError, ErrorCode } from '../errors.js';
import { buildAppManifestWork, buildPlacement, type AppComponent, type AppExposure, type ManifestWorkObject, type OwnerIds, type PlacementObject } from '../kube/index.js';
import type { GpuRequest } from './deployment.model.js';

export interface PlanBundle extends Pick<BundleContent, 'type' | 'workloadProfiles' | 'variables'> {
  id: string;
  name: string;
  version: number;
}

export interface PlannedComponent extends ComponentSpec {
  profile: string;
}

export const MAX_BUNDLES = 10;
export const DEPLOYABLE_PROFILES = new Set([WorkloadProfileType.APPLICATION, WorkloadProfileType.MODEL]);

const bad = (message: string, field: string[], code: ErrorCode = ErrorCode.INVALID_INPUT) => new DomainError(code, message, field);

/** The APPLICATION and MODEL components of the bundles, or why the bundles cannot be deployed. */
export function collectComponents(bundles: PlanBundle[]): { components: PlannedComponent[]; problems: DomainError[] } {
  const problems: DomainError[] = [];
  const components: PlannedComponent[] = [];
  const seen = new Map<string, string>();
  bundles.forEach((b, i) => {
    if (b.type === BundleType.INFRASTRUCTURE) {
      problems.push(bad(`bundle ${b.name} v${b.version} is INFRASTRUCTURE: give it as the new pool's infrastructureBundleId`, ['bundleIds', String(i)]));
      return;
    }
    for (const wp of b.workloadProfiles) {
      if (!DEPLOYABLE_PROFILES.has(wp.type)) continue;
      for (const c of wp.components) {
        const prior = seen.get(c.name);
        if (prior) problems.push(bad(`component ${c.name} appears in ${prior} and in ${b.name} v${b.version}; component names must be unique across the bundles`, ['bundleIds', String(i)]));
        seen.set(c.name, `${b.name} v${b.version}`);
        components.push({ ...c, profile: wp.name });
      }
    }
  });
  const hasApplication = bundles.some((b) => b.workloadProfiles.some((wp) => wp.type === WorkloadProfileType.APPLICATION));
  if (bundles.length && !hasApplication) problems.push(bad('one of the bundles must hold an APPLICATION workload profile', ['bundleIds']));
  return { components, problems };
}

/** Variables of all bundles; one name declared twice must agree on its type and lock. */
export function mergeVariables(bundles: PlanBundle[]): { defs: VariableSpec[]; problems: DomainError[] } {
  const byName = new Map<string, VariableSpec>();
  const problems: DomainError[] = [];
  for (const b of bundles) {
    for (const v of b.variables) {
      const prior = byName.get(v.name);
      if (!prior) byName.set(v.name, v);
      else if (prior.type !== v.type || prior.locked !== v.locked) {
        problems.push(bad(`variable ${v.name} is declared differently by two bundles (${prior.type} vs ${v.type})`, ['bundleIds']));
      }
    }
  }
  return { defs: [...byName.values()], problems };
}

/** GPUs requested per family over all components, sorted by family. */
export function gpuRequestsOf(components: PlannedComponent[]): GpuRequest[] {
  const m = new Map<string, number>();
  for (const c of components) if (c.gpu && c.gpu.count > 0) m.set(c.gpu.family, (m.get(c.gpu.family) ?? 0) + c.gpu.count);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([gpuFamily, count]) => ({ gpuFamily, count }));
}

/**
 * The components as the hub adapter renders them. The GPU count travels with the path where the
 * chart takes its limit; a path the rendered values cannot hold (only bundle versions stored before
 * the catalog checked it) is a typed error rather than a HelmRelease that requests no GPU.
 */
export function toAppComponents(components: PlannedComponent[], resolved: ResolvedVariables): AppComponent[] {
  return components.map((c) => {
    const values = renderValues(c.values, resolved);
    const gpuCount = c.gpu?.count ?? 0;
    const gpuValuesPath = c.gpu?.valuesPath ?? DEFAULT_GPU_VALUES_PATH;
    const misfit = gpuCount > 0 ? valuesPathProblem(values, gpuValuesPath, GPU_LIMIT_KEY) : null;
    if (misfit) throw bad(`component ${c.name}: ${misfit}`, ['values', c.name]);
    return {
      name: c.name,
      chart: { repository: c.chart.repository, chart: c.chart.chart, version: c.chart.version },
      values,
      gpuCount,
      ...(gpuCount > 0 ? { gpuValuesPath } : {}),
      ...(c.expose ? { expose: { port: c.expose.port, path: c.expose.path } } : {}),
    };
  });
}

export interface RenderInput {
  project: string;
  deployment: string;
  cluster: string;
  clusterSet: string;
  components: PlannedComponent[];
  resolved: ResolvedVariables;
  gpuRequests: GpuRequest[];
  /** retry counter: rendered as a reconcile request so Flux retries a failed release */
  retries: number;
  /** the revision rendered (1: as admitted); each later one is a new reconcile request, so readiness is read for it only */
  revision?: number;
  /** the ManifestWork and app namespace name fixed at admission (default: today's appHubName) */
  hubName?: string;
  /** the owners' ids (absent in a dry-run plan: the deployment has none yet) */
  ids?: OwnerIds;
  /** the pool's exposure (default LOAD_BALANCER) */
  exposure?: AppExposure;
}

export function renderPlacement(r: Pick<RenderInput, 'project' | 'deployment' | 'cluster' | 'clusterSet' | 'gpuRequests' | 'ids'>): PlacementObject {
  return buildPlacement({
    project: r.project,
    deployment: r.deployment,
    ids: r.ids,
    clusterSets: [r.clusterSet],
    numberOfClusters: 1,
    gpuFamilies: r.gpuRequests.map((g) => g.gpuFamily),
    // admission chose the cluster whose free GPUs it allocated; the Placement confirms it is selectable
    candidateClusters: [r.cluster],
  });
}

export function renderManifestWork(r: RenderInput): ManifestWorkObject {
  return buildAppManifestWork({
    project: r.project,
    deployment: r.deployment,
    cluster: r.cluster,
    gpuReservation: r.gpuRequests.reduce((n, g) => n + g.count, 0),
    components: toAppComponents(r.components, r.resolved),
    ...reconcileToken(r.retries, r.revision ?? 1),
    hubName: r.hubName,
    ids: r.ids,
    exposure: r.exposure,
  });
}

/**
 * The reconcile request rendered onto the HelmReleases: a new one per retry and per revision, so the
 * rollout step can tell a status Flux computed for this request from one left by the previous
 * (revision 1 keeps the tokens of before revisions existed: running deployments are not re-rendered).
 */
function reconcileToken(retries: number, revision: number): { reconcileRequestedAt?: string } {
  if (revision > 1) return { reconcileRequestedAt: `revision-${revision}${retries > 0 ? `-retry-${retries}` : ''}` };
  return retries > 0 ? { reconcileRequestedAt: `retry-${retries}` } : {};
}
