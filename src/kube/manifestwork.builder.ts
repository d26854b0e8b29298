/**
 * The one ManifestWork of an App Deployment (design §2 step 4): in the chosen cluster's namespace,
 * holding the app Namespace, the GPU ResourceQuota, the Flux sources, one HelmRelease per component
 * and, per exposed component, the objects of the pool's exposure (exposure.builders.ts), plus the
 * feedback rules that bring HelmRelease readiness and addresses back to the hub.
 */
import { buildGpuResourceQuota, buildNamespace } from './core.builders.js';
import { ExposureFeedback, exposedObjects, type AppExposure } from './exposure.builders.js';
import {
  buildHelmRelease,
  buildHelmRepository,
  buildOciRepository,
  isOciChart,
  type ChartRef,
  type Expose,
} from './flux.builders.js';
import { ownerLabels, type OwnerIds, type Ownership } from './labels.js';
import { appHubName, exposedServiceName, helmReleaseName } from './naming.js';
import type { KubeObject } from './object.types.js';
import { apiVersionOf, Resources } from './resource.registry.js';

/** Names of the status-feedback values we ask the work agent for (`jsonPaths[].name`). */
export const FeedbackName = {
  /** HelmRelease Ready condition status: "True" | "False" | "Unknown" */
  Ready: 'ready',
  /** HelmRelease Ready condition reason, e.g. InstallSucceeded, InstallFailed */
  ReadyReason: 'readyReason',
  /** generation the Ready condition was computed for */
  ReadyObservedGeneration: 'readyObservedGeneration',
  /** HelmRelease status.observedGeneration (kstatus) */
  ObservedGeneration: 'observedGeneration',
  /** HelmRelease Reconciling condition status */
  Reconciling: 'reconciling',
  /** HelmRelease Stalled condition status */
  Stalled: 'stalled',
  /** HelmRelease status.lastHandledReconcileAt: the reconcile request Flux has acted on */
  LastHandledReconcileAt: 'lastHandledReconcileAt',
  /** Service status.loadBalancer.ingress[0].ip */
  IngressIp: ExposureFeedback.IngressIp,
  /** Service status.loadBalancer.ingress[0].hostname */
  IngressHostname: ExposureFeedback.IngressHostname,
  /** NodePort Service spec.ports[0].nodePort */
  NodePort: ExposureFeedback.NodePort,
} as const;

/** The JSONPaths behind each feedback name. OCM evaluates them on the whole object, hence `.status…`. */
const HELM_RELEASE_PATHS = [
  { name: FeedbackName.Ready, path: '.status.conditions[?(@.type=="Ready")].status' },
  { name: FeedbackName.ReadyReason, path: '.status.conditions[?(@.type=="Ready")].reason' },
  { name: FeedbackName.ReadyObservedGeneration, path: '.status.conditions[?(@.type=="Ready")].observedGeneration' },
  { name: FeedbackName.ObservedGeneration, path: '.status.observedGeneration' },
  { name: FeedbackName.Reconciling, path: '.status.conditions[?(@.type=="Reconciling")].status' },
  { name: FeedbackName.Stalled, path: '.status.conditions[?(@.type=="Stalled")].status' },
  { name: FeedbackName.LastHandledReconcileAt, path: '.status.lastHandledReconcileAt' },
];

/** `manifestConfigs[].resourceIdentifier`: which applied object a rule is about. */
export interface ResourceIdentifier {
  group: string;
  resource: string;
  name: string;
  namespace: string;
}

export interface JsonPath {
  name: string;
  path: string;
}

export interface ManifestConfig {
  resourceIdentifier: ResourceIdentifier;
  feedbackRules: Array<{ type: 'JSONPaths'; jsonPaths: JsonPath[] }>;
}

export type ManifestWorkObject = KubeObject<{
  workload: { manifests: KubeObject[] };
  manifestConfigs: ManifestConfig[];
}>;

export interface AppComponent {
  /** component name; becomes the HelmRelease (and Helm release) name */
  name: string;
  chart: ChartRef;
  values?: Record<string, unknown>;
  gpuCount: number;
  /** where in the values the chart takes its GPU limit (default `resources.limits`) */
  gpuValuesPath?: string;
  expose?: Expose;
}

export interface AppWorkParams {
  project: string;
  deployment: string;
  /** the cluster the Placement chose: the ManifestWork goes into its namespace */
  cluster: string;
  /** GPUs reserved for the deployment: the ResourceQuota */
  gpuReservation: number;
  components: readonly AppComponent[];
  /**
   * Asks Flux to reconcile every release again and to forget its past failures, e.g. after a retry:
   * `reconcile.fluxcd.io/requestedAt` plus `reconcile.fluxcd.io/resetAt` with the same value, the
   * documented reset (`flux reconcile hr --reset`). helm-controller clears its install/upgrade failure
   * counters only when resetAt equals a new requestedAt (or on a spec change), so a request alone
   * leaves a release whose retries are exhausted Stalled. The value
   * is also put on the ManifestWork (`spokegraph.io/reconcile-request`) so a reader can tell whether
   * the work on the hub carries it.
   */
  reconcileRequestedAt?: string;
  /**
   * The ManifestWork's name and the app namespace on the spoke, fixed at admission
   * (AppDeployment.hubName); default appHubName(project, deployment).
   */
  hubName?: string;
  /** the owning tenant, project and deployment (labels; see Ownership) */
  ids?: OwnerIds;
  /** how exposed components are reached (the pool's setting); default LOAD_BALANCER */
  exposure?: AppExposure;
}

export const RECONCILE_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';
/** helm-controller resets its failure counters when this equals a new requestedAt (api/v2 annotations). */
export const RESET_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/resetAt';
export const WORK_RECONCILE_ANNOTATION = 'spokegraph.io/reconcile-request';

export function helmReleaseIdentifier(namespace: string, component: string): ResourceIdentifier {
  const r = Resources.HelmRelease;
  return { group: r.group, resource: r.plural, name: helmReleaseName(component), namespace };
}

/** The object whose feedback carries a component's address: its Service, or its Ingress. */
export function serviceIdentifier(namespace: string, component: string, kind: 'Service' | 'Ingress' = 'Service'): ResourceIdentifier {
  const r = Resources[kind];
  return { group: r.group, resource: r.plural, name: exposedServiceName(component), namespace };
}

/**
 * Components are emitted sorted by name and sources de-duplicated, so the same deployment always
 * renders the same work, whatever order the bundle listed its components in.
 */
export function buildAppManifestWork(p: AppWorkParams): ManifestWorkObject {
  const names = p.components.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`duplicate component name "${dup}"`);

  const namespace = p.hubName ?? appHubName(p.project, p.deployment);
  // what the work agent makes on the spoke carries our names; whose they are is decided on the hub,
  // by the ids on the ManifestWork itself
  const owner: Ownership = { project: p.project, deployment: p.deployment };
  const components = [...p.components].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const helmRepoUrls = [...new Set(components.filter((c) => !isOciChart(c.chart)).map((c) => c.chart.repository))];
  const sources: KubeObject[] = [
    ...helmRepoUrls.map((url) => buildHelmRepository({ namespace, url, owner })).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)),
    ...components.filter((c) => isOciChart(c.chart)).map((c) => buildOciRepository({ namespace, component: c.name, chart: c.chart, owner })),
  ];
  const releases = components.map((c) => {
    const hr = buildHelmRelease({ namespace, component: c.name, chart: c.chart, values: c.values, gpuCount: c.gpuCount, gpuValuesPath: c.gpuValuesPath, expose: c.expose, owner });
    if (p.reconcileRequestedAt) {
      hr.metadata.annotations = { ...hr.metadata.annotations, [RECONCILE_REQUEST_ANNOTATION]: p.reconcileRequestedAt, [RESET_REQUEST_ANNOTATION]: p.reconcileRequestedAt };
    }
    return hr;
  });
  const exposed = components.filter((c): c is AppComponent & { expose: Expose } => c.expose !== undefined);
  const exposure = p.exposure ?? { mode: 'LOAD_BALANCER' };
  const exposedParts = exposed.map((c) => ({ c, parts: exposedObjects(c, namespace, exposure, owner) }));

  const manifestConfigs: ManifestConfig[] = [
    ...components.map((c) => ({
      resourceIdentifier: helmReleaseIdentifier(namespace, c.name),
      feedbackRules: [{ type: 'JSONPaths' as const, jsonPaths: HELM_RELEASE_PATHS.map((j) => ({ ...j })) }],
    })),
    ...exposedParts.flatMap(({ c, parts }) =>
      parts.feedback.map((f) => ({
        resourceIdentifier: serviceIdentifier(namespace, c.name, f.kind),
        feedbackRules: [{ type: 'JSONPaths' as const, jsonPaths: f.jsonPaths.map((j) => ({ ...j })) }],
      })),
    ),
  ];

  return {
    apiVersion: apiVersionOf(Resources.ManifestWork),
    kind: Resources.ManifestWork.kind,
    metadata: {
      name: namespace,
      namespace: p.cluster,
      labels: ownerLabels({ ...owner, ids: p.ids }),
      ...(p.reconcileRequestedAt ? { annotations: { [WORK_RECONCILE_ANNOTATION]: p.reconcileRequestedAt } } : {}),
    },
    spec: {
      workload: {
        manifests: [
          buildNamespace({ name: namespace, owner }),
          buildGpuResourceQuota({ namespace, gpuCount: p.gpuReservation, owner }),
          ...sources,
          ...releases,
          ...exposedParts.flatMap(({ parts }) => parts.manifests),
        ],
      },
      manifestConfigs,
    },
  };
}
