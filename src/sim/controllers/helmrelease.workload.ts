/**
 * What "helm install" leaves on a simulated spoke: one Pod requesting the release's GPUs (admitted
 * against ResourceQuota by the spoke store, so an over-quota install fails with "exceeded quota"),
 * and a LoadBalancer Service `<releaseName>` when the release is exposed and no other Service in the
 * namespace already selects it.
 *
 * The simulated chart takes its GPUs from its values, as a real chart templates `resources` into its
 * pods: every `nvidia.com/gpu` limit anywhere in `spec.values` (the gateway puts it at the path the
 * bundle component names) counts. Nothing outside the values (no annotation) requests a GPU.
 */
import { ApiError } from '../api.errors.js';
import type { KubeObject } from '../kube.types.js';
import type { ObjectStore } from '../object.store.js';

const GPU_RESOURCE = 'nvidia.com/gpu';
export const EXPOSE_ANNOTATION = 'spokegraph.io/expose';
const MANAGER = 'helm-controller';

export interface Release {
  hr: KubeObject;
  namespace: string;
  releaseName: string;
  chart: string;
  version: string;
}

export function releaseLabels(hr: KubeObject, releaseName: string): Record<string, string> {
  return {
    'app.kubernetes.io/instance': releaseName,
    'app.kubernetes.io/managed-by': 'Helm',
    'helm.toolkit.fluxcd.io/name': hr.metadata.name ?? '',
    'helm.toolkit.fluxcd.io/namespace': hr.metadata.namespace ?? '',
  };
}

/** A Kubernetes quantity of whole devices: `2` or `"2"`; anything else requests nothing. */
function deviceCount(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** Sum of the `nvidia.com/gpu` entries in the release's values, walked without recursion. */
export function gpuCountFromValues(hr: KubeObject): number {
  let total = 0;
  const stack: unknown[] = [(hr.spec as { values?: unknown } | undefined)?.values];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) stack.push(...v);
    else
      for (const [k, item] of Object.entries(v)) {
        if (k === GPU_RESOURCE) total += deviceCount(item);
        else stack.push(item);
      }
  }
  return total;
}

function podFor(rel: Release): KubeObject {
  const gpus = gpuCountFromValues(rel.hr);
  const resources = gpus ? { requests: { 'nvidia.com/gpu': String(gpus) }, limits: { 'nvidia.com/gpu': String(gpus) } } : {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${rel.releaseName}-0`, namespace: rel.namespace, labels: releaseLabels(rel.hr, rel.releaseName), annotations: { 'spokegraph.io/chart': `${rel.chart}@${rel.version}` } },
    spec: { containers: [{ name: 'app', image: `simulated.invalid/${rel.chart}:${rel.version}`, resources }] },
  };
}

/** Creates or replaces the release's Pod and Service. Throws ApiError (e.g. 403 exceeded quota, 404 namespace). */
export function installWorkload(spoke: ObjectStore, rel: Release): void {
  const want = podFor(rel);
  const name = want.metadata.name ?? '';
  const old = spoke.get('', 'Pod', rel.namespace, name);
  const sameSpec = old && JSON.stringify(old.spec) === JSON.stringify(want.spec) && old.metadata.annotations?.['spokegraph.io/chart'] === want.metadata.annotations?.['spokegraph.io/chart'];
  if (!sameSpec) {
    // Recreate strategy: the old pod releases its GPUs before the new one is admitted.
    if (old) spoke.delete('', 'Pod', rel.namespace, name);
    let pod: KubeObject;
    try {
      pod = spoke.create(want, { manager: MANAGER });
    } catch (e) {
      if (old) spoke.create({ ...old, metadata: { ...old.metadata, resourceVersion: undefined, uid: undefined } }, { manager: MANAGER });
      throw e;
    }
    spoke.update(
      { ...pod, status: { phase: 'Running', podIP: '10.244.0.10', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: pod.metadata.creationTimestamp }] } },
      { subresource: 'status', manager: 'kubelet' },
    );
  }
  const expose = rel.hr.metadata.annotations?.[EXPOSE_ANNOTATION];
  const port = expose ? Number(expose.split('/')[0]) : NaN;
  const svc = spoke.get('', 'Service', rel.namespace, rel.releaseName);
  // A Service someone else ships for this release (e.g. the gateway's `<component>-lb` in the same
  // ManifestWork) stands in for the chart's own: never expose a release twice.
  const shipped = spoke
    .list('', 'Service', rel.namespace)
    .some((s) => s.metadata.name !== rel.releaseName && (s.spec as { selector?: Record<string, string> } | undefined)?.selector?.['app.kubernetes.io/instance'] === rel.releaseName);
  if (!Number.isInteger(port) || port <= 0 || shipped) {
    if (svc?.metadata.labels?.['app.kubernetes.io/instance'] === rel.releaseName) spoke.delete('', 'Service', rel.namespace, rel.releaseName);
    return;
  }
  const spec = { type: 'LoadBalancer', selector: { 'app.kubernetes.io/instance': rel.releaseName }, ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] };
  if (!svc) spoke.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: rel.releaseName, namespace: rel.namespace, labels: releaseLabels(rel.hr, rel.releaseName) }, spec }, { manager: MANAGER });
  else spoke.update({ ...svc, spec: { ...(svc.spec as object), ...spec } }, { manager: MANAGER });
}

/** helm uninstall: the release's pods and service. */
export function uninstallWorkload(spoke: ObjectStore, hr: KubeObject): void {
  const owned = (o: KubeObject) => o.metadata.labels?.['helm.toolkit.fluxcd.io/name'] === hr.metadata.name && o.metadata.labels?.['helm.toolkit.fluxcd.io/namespace'] === hr.metadata.namespace;
  for (const kind of ['Pod', 'Service']) {
    for (const o of spoke.list('', kind).filter(owned)) {
      try {
        spoke.delete('', kind, o.metadata.namespace, o.metadata.name ?? '');
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  }
}
