/**
 * Flux on every spoke through a mechanism stock OCM has: a ClusterManagementAddOn `flux` whose
 * default config is an AddOnTemplate carrying the Flux install (CRDs of the kinds our ManifestWorks
 * use, source-controller, helm-controller, their RBAC). The add-on manager renders the template into
 * a ManifestWork per cluster once the gateway creates the cluster's ManagedClusterAddOn `flux`, and
 * the klusterlet's work agent applies it. The operator applies the rendered objects once
 * (deploy/addons/flux-addon.yaml, written by `npm run addons:render`); the simulated hub loads the
 * same file at start, as an operator would have applied it.
 */
import { AddOns } from './ocm.builders.js';
import type { KubeObject } from './object.types.js';

const ADDON_GROUP = 'addon.open-cluster-management.io';
/** Flux releases whose CRDs are in crds/ (SOURCES.md): helm-controller v1.6.3, source-controller v1.9.1. */
export const FLUX_IMAGES = {
  sourceController: 'ghcr.io/fluxcd/source-controller:v1.9.1',
  helmController: 'ghcr.io/fluxcd/helm-controller:v1.6.3',
} as const;
/** The Flux CRDs the add-on installs: what our ManifestWorks create, plus HelmChart (helm-controller makes them for HelmRepository charts). */
export const FLUX_CRD_FILES = [
  'helm.toolkit.fluxcd.io_helmreleases.yaml',
  'source.toolkit.fluxcd.io_helmcharts.yaml',
  'source.toolkit.fluxcd.io_helmrepositories.yaml',
  'source.toolkit.fluxcd.io_ocirepositories.yaml',
] as const;
/** The controllers whose Deployments the template installs (the simulator's Flux runs once they are on a spoke). */
export const FLUX_CONTROLLERS = ['source-controller', 'helm-controller'] as const;

const ns = AddOns.Flux.installNamespace;
const labels = (component: string) => ({ 'app.kubernetes.io/component': component, 'app.kubernetes.io/part-of': 'flux' });

function controllerDeployment(name: (typeof FLUX_CONTROLLERS)[number], image: string, args: string[], extra: { ports: object[]; volumes: object[]; mounts: object[] }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: labels(name) },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...labels(name) } },
        spec: {
          serviceAccountName: name,
          securityContext: { fsGroup: 1337 },
          containers: [
            {
              name: 'manager',
              image,
              args: ['--watch-all-namespaces=true', '--log-level=info', '--log-encoding=json', '--enable-leader-election', ...args],
              env: [{ name: 'RUNTIME_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
              ports: [...extra.ports, { containerPort: 8080, name: 'http-prom', protocol: 'TCP' }, { containerPort: 9440, name: 'healthz', protocol: 'TCP' }],
              livenessProbe: { httpGet: { path: '/healthz', port: 'healthz' } },
              readinessProbe: { httpGet: { path: '/readyz', port: 'healthz' } },
              resources: { limits: { cpu: '1000m', memory: '1Gi' }, requests: { cpu: '100m', memory: '64Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
              volumeMounts: [...extra.mounts, { name: 'temp', mountPath: '/tmp' }],
            },
          ],
          volumes: [...extra.volumes, { name: 'temp', emptyDir: {} }],
        },
      },
    },
  };
}

/** The manifests the template installs on a spoke, CRDs first (the work agent applies in order). */
export function fluxInstallManifests(crds: KubeObject[]): KubeObject[] {
  const serviceAccounts = FLUX_CONTROLLERS.map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns, labels: labels(name) } }));
  return [
    ...crds.map((c) => structuredClone(c)),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'app.kubernetes.io/part-of': 'flux', 'pod-security.kubernetes.io/warn': 'restricted' } } },
    ...serviceAccounts,
    {
      // as `flux install` does: the reconcilers act with cluster-admin (helm installs arbitrary charts)
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'flux-cluster-reconciler', labels: { 'app.kubernetes.io/part-of': 'flux' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: FLUX_CONTROLLERS.map((name) => ({ kind: 'ServiceAccount', name, namespace: ns })),
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'source-controller', namespace: ns, labels: labels('source-controller') },
      spec: { type: 'ClusterIP', selector: { app: 'source-controller' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] },
    },
    controllerDeployment('source-controller', FLUX_IMAGES.sourceController, ['--storage-path=/data', '--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.'], {
      ports: [{ containerPort: 9090, name: 'http', protocol: 'TCP' }],
      volumes: [{ name: 'data', emptyDir: {} }],
      mounts: [{ name: 'data', mountPath: '/data' }],
    }),
    controllerDeployment('helm-controller', FLUX_IMAGES.helmController, [], { ports: [], volumes: [], mounts: [] }),
  ];
}

/**
 * ClusterManagementAddOn `flux` (installed per cluster by the ManagedClusterAddOn the pool flow
 * creates: install strategy Manual) and the AddOnTemplate it names as default config.
 */
export function buildFluxAddOn(crds: KubeObject[]): [KubeObject, KubeObject] {
  const name = AddOns.Flux.name;
  const cma: KubeObject = {
    apiVersion: `${ADDON_GROUP}/v1alpha1`,
    kind: 'ClusterManagementAddOn',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'spokegraph' } },
    spec: {
      addOnMeta: { displayName: 'Flux', description: 'Flux source-controller and helm-controller: install the HelmReleases spokegraph ships in ManifestWorks' },
      supportedConfigs: [{ group: ADDON_GROUP, resource: 'addontemplates', defaultConfig: { name } }],
      installStrategy: { type: 'Manual' },
    },
  };
  const template: KubeObject = {
    apiVersion: `${ADDON_GROUP}/v1alpha1`,
    kind: 'AddOnTemplate',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'spokegraph' } },
    spec: { addonName: name, agentSpec: { workload: { manifests: fluxInstallManifests(crds) } } },
  };
  return [cma, template];
}

/** The ManifestWork the add-on manager renders a template add-on into, per cluster (addon-framework naming). */
export function addOnWorkName(addOn: string): string {
  return `addon-${addOn}-deploy-0`;
}
