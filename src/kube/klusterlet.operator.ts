/**
 * The klusterlet operator as the spoke needs it before a Klusterlet CR can be reconciled: the
 * Klusterlet CRD (upstream, from crds/), the operator's namespace, identity and Deployment. Rendered
 * to deploy/klusterlet/klusterlet-operator.yaml by `npm run addons:render`; the gateway reads that
 * file at start (HUB_REGISTRATION=klusterlet) and ships it to spokes in a ClusterResourceSet.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from './object.types.js';

const SHIPPED = path.join('deploy', 'klusterlet', 'klusterlet-operator.yaml');

/**
 * The operator manifests to ship: `file` when configured, else the file this release ships, found by
 * walking up from this module (a checkout, or beside the bundle in dist/).
 */
export function readKlusterletOperatorManifests(file?: string): string {
  if (file) return readFileSync(file, 'utf8');
  for (let at = path.dirname(fileURLToPath(import.meta.url)); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, SHIPPED))) return readFileSync(path.join(at, SHIPPED), 'utf8');
    if (path.dirname(at) === at) throw new Error(`cannot find ${SHIPPED}; set KLUSTERLET_OPERATOR_MANIFESTS`);
  }
}

export const KLUSTERLET_CRD_FILE = 'operator.open-cluster-management.io_klusterlets.yaml';
export const KLUSTERLET_OPERATOR_NAMESPACE = 'open-cluster-management';
/** OCM release whose operator image the rendered file pins (registration-operator). */
export const KLUSTERLET_OPERATOR_VERSION = 'v1.1.0';

export function buildKlusterletOperator(crd: KubeObject, version = KLUSTERLET_OPERATOR_VERSION): KubeObject[] {
  const ns = KLUSTERLET_OPERATOR_NAMESPACE;
  const labels = { app: 'klusterlet' };
  return [
    crd,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'klusterlet', namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'klusterlet' },
      // the operator creates the agents' own roles, so it needs what they need (upstream grants the same breadth)
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'escalate', 'bind', 'impersonate'] },
        { nonResourceURLs: ['*'], verbs: ['get'] },
      ],
    } as KubeObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'klusterlet' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'klusterlet' },
      subjects: [{ kind: 'ServiceAccount', name: 'klusterlet', namespace: ns }],
    } as KubeObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'klusterlet', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'klusterlet',
            containers: [
              {
                name: 'klusterlet',
                image: `quay.io/open-cluster-management/registration-operator:${version}`,
                args: ['/registration-operator', 'operator', 'klusterlet'],
                securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
                resources: { requests: { cpu: '2m', memory: '16Mi' } },
              },
            ],
          },
        },
      },
    },
  ];
}
