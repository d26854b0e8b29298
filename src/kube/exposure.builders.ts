/**
 * How an exposed component is reached, as spoke objects and feedback rules: a LoadBalancer Service
 * (the address its load-balancer implementation assigns), a NodePort Service (the allocated node port
 * on the cluster's control-plane endpoint host), or a ClusterIP Service behind an Ingress on a host
 * made under the pool's suffix. Pure, like the other builders.
 */
import { buildLoadBalancerService, type ServiceType } from './core.builders.js';
import type { Expose } from './flux.builders.js';
import { ownerLabels, type Ownership } from './labels.js';
import { dnsName, exposedServiceName, helmReleaseName } from './naming.js';
import type { KubeObject } from './object.types.js';
import { apiVersionOf, Resources } from './resource.registry.js';

/** The pool's exposure modes (the values of the ComputePoolExposure enum). */
export type ExposureMode = 'LOAD_BALANCER' | 'NODE_PORT' | 'INGRESS';

export interface AppExposure {
  mode: ExposureMode;
  /** INGRESS: hosts are `<component>-<app namespace>.<suffix>` */
  ingressHostSuffix?: string;
}

export type IngressObject = KubeObject<{
  rules: Array<{
    host: string;
    http: { paths: Array<{ path: string; pathType: 'Prefix'; backend: { service: { name: string; port: { number: number } } } }> };
  }>;
}>;

/** Names of the exposure feedback values (`jsonPaths[].name`). */
export const ExposureFeedback = {
  /** Service (LoadBalancer) or Ingress status.loadBalancer.ingress[0].ip */
  IngressIp: 'ingressIp',
  /** Service (LoadBalancer) or Ingress status.loadBalancer.ingress[0].hostname */
  IngressHostname: 'ingressHostname',
  /** NodePort Service: the port allocated on every node (spec.ports[0].nodePort, set by the API server) */
  NodePort: 'nodePort',
} as const;

const LB_PATHS = [
  { name: ExposureFeedback.IngressIp, path: '.status.loadBalancer.ingress[0].ip' },
  { name: ExposureFeedback.IngressHostname, path: '.status.loadBalancer.ingress[0].hostname' },
];
// The work agent runs a feedback JSONPath against the whole object (ocm
// pkg/work/spoke/statusfeedback/reader.go: FindResults(obj.UnstructuredContent())), so a spec field
// the API server fills in is readable too, though the API docs speak of status.
const NODE_PORT_PATHS = [{ name: ExposureFeedback.NodePort, path: '.spec.ports[0].nodePort' }];

/**
 * The host of a component under the suffix: one DNS label (hashed when too long) so a single wildcard
 * record `*.<suffix>` covers every app of the pool.
 */
export function ingressHost(component: string, appNamespace: string, suffix: string): string {
  return `${dnsName([component, appNamespace])}.${suffix}`;
}

export function buildIngress(p: { name: string; namespace: string; host: string; serviceName: string; port: number; owner: Ownership }): IngressObject {
  return {
    apiVersion: apiVersionOf(Resources.Ingress),
    kind: Resources.Ingress.kind,
    metadata: { name: p.name, namespace: p.namespace, labels: ownerLabels(p.owner) },
    spec: {
      // no ingressClassName: the spoke's default IngressClass serves it
      rules: [{ host: p.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: p.serviceName, port: { number: p.port } } } }] } }],
    },
  };
}

export interface ExposedObjects {
  manifests: KubeObject[];
  /** the feedback rules (by kind) the rollout reads */
  feedback: Array<{ kind: 'Service' | 'Ingress'; name: string; jsonPaths: Array<{ name: string; path: string }> }>;
}

/** What one exposed component adds to the ManifestWork under the given exposure. */
export function exposedObjects(c: { name: string; expose: Expose }, namespace: string, exposure: AppExposure, owner: Ownership): ExposedObjects {
  const name = exposedServiceName(c.name);
  const service = (type: ServiceType) => buildLoadBalancerService({ name, namespace, releaseName: helmReleaseName(c.name), port: c.expose.port, owner, type });
  switch (exposure.mode) {
    case 'NODE_PORT':
      return { manifests: [service('NodePort')], feedback: [{ kind: 'Service', name, jsonPaths: NODE_PORT_PATHS }] };
    case 'INGRESS': {
      if (!exposure.ingressHostSuffix) throw new Error('exposure INGRESS needs an ingress host suffix');
      const host = ingressHost(c.name, namespace, exposure.ingressHostSuffix);
      return {
        manifests: [service('ClusterIP'), buildIngress({ name, namespace, host, serviceName: name, port: c.expose.port, owner })],
        feedback: [{ kind: 'Ingress', name, jsonPaths: LB_PATHS }],
      };
    }
    default:
      return { manifests: [service('LoadBalancer')], feedback: [{ kind: 'Service', name, jsonPaths: LB_PATHS }] };
  }
}
