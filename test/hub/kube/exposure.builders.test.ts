/**
 * The pool's exposure in the rendered ManifestWork: LOAD_BALANCER renders exactly what it rendered
 * before the setting existed; NODE_PORT a NodePort Service whose allocated port is fed back; INGRESS a
 * ClusterIP Service and an Ingress on a host under the suffix. Core objects are checked against the
 * Kubernetes models (test/helpers/kube-schema.ts) as the packaging test checks its manifests.
 */
import { describe, expect, it } from 'vitest';
import { buildAppManifestWork, ingressHost, serviceIdentifier, type KubeObject, type ManifestWorkObject } from '../../../src/kube/index.js';
import { validateObject } from '../../helpers/kube-schema.js';
import { COMPONENTS } from './builder.fixtures.js';

const base = { project: 'vision', deployment: 'chat', cluster: 'c1', gpuReservation: 2, components: [COMPONENTS.llm, COMPONENTS.embed] };
const ns = 'vision--chat';
const kinds = (w: ManifestWorkObject) => w.spec!.workload.manifests.map((m: KubeObject) => m.kind);
const one = (w: ManifestWorkObject, kind: string) => w.spec!.workload.manifests.find((m) => m.kind === kind)!;
const configFor = (w: ManifestWorkObject, kind: 'Service' | 'Ingress') => w.spec!.manifestConfigs.find((c) => JSON.stringify(c.resourceIdentifier) === JSON.stringify(serviceIdentifier(ns, 'llm-server', kind)));

describe('exposure in the app ManifestWork', () => {
  it('should render LOAD_BALANCER exactly as a work without the setting', () => {
    expect(JSON.stringify(buildAppManifestWork({ ...base, exposure: { mode: 'LOAD_BALANCER' } }))).toBe(JSON.stringify(buildAppManifestWork(base)));
  });

  it('should render NODE_PORT as a NodePort Service whose node port is fed back', () => {
    const w = buildAppManifestWork({ ...base, exposure: { mode: 'NODE_PORT' } });
    expect(kinds(w)).toEqual(['Namespace', 'ResourceQuota', 'HelmRepository', 'HelmRelease', 'HelmRelease', 'Service']);
    expect(one(w, 'Service').spec).toMatchObject({ type: 'NodePort', selector: { 'app.kubernetes.io/instance': 'llm-server' }, ports: [{ port: 8000, targetPort: 8000 }] });
    expect(configFor(w, 'Service')!.feedbackRules[0].jsonPaths).toEqual([{ name: 'nodePort', path: '.spec.ports[0].nodePort' }]);
    expect(configFor(w, 'Ingress')).toBeUndefined();
  });

  it('should render INGRESS as a ClusterIP Service and an Ingress on <component>-<namespace>.<suffix>', () => {
    const w = buildAppManifestWork({ ...base, exposure: { mode: 'INGRESS', ingressHostSuffix: 'apps.example.com' } });
    expect(kinds(w)).toEqual(['Namespace', 'ResourceQuota', 'HelmRepository', 'HelmRelease', 'HelmRelease', 'Service', 'Ingress']);
    expect(one(w, 'Service').spec).toMatchObject({ type: 'ClusterIP' });
    expect(one(w, 'Ingress')).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'llm-server-lb', namespace: ns },
      spec: { rules: [{ host: 'llm-server-vision--chat.apps.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'llm-server-lb', port: { number: 8000 } } } }] } }] },
    });
    expect(configFor(w, 'Ingress')!.resourceIdentifier).toEqual({ group: 'networking.k8s.io', resource: 'ingresses', name: 'llm-server-lb', namespace: ns });
    expect(configFor(w, 'Service')).toBeUndefined();
  });

  it('should keep every host one DNS label under the suffix, hashed when the names are long', () => {
    const host = ingressHost('x'.repeat(60), 'y'.repeat(63), 'apps.example.com');
    const label = host.slice(0, -'.apps.example.com'.length);
    expect(label.length).toBeLessThanOrEqual(63);
    expect(label).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(ingressHost('x'.repeat(60), 'z'.repeat(63), 'apps.example.com')).not.toBe(host);
  });

  it.each([
    ['NODE_PORT', { mode: 'NODE_PORT' as const }],
    ['INGRESS', { mode: 'INGRESS' as const, ingressHostSuffix: 'apps.example.com' }],
  ])('should render %s core objects the Kubernetes models accept', (_n, exposure) => {
    const w = buildAppManifestWork({ ...base, exposure });
    for (const m of w.spec!.workload.manifests.filter((x) => x.apiVersion === 'v1' || x.apiVersion === 'networking.k8s.io/v1')) expect(validateObject(m)).toEqual([]);
  });

  it('should refuse INGRESS without a host suffix', () => {
    expect(() => buildAppManifestWork({ ...base, exposure: { mode: 'INGRESS' } })).toThrow(/host suffix/);
  });
});
