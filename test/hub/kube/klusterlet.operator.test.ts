/**
 * The klusterlet bootstrap for stock OCM: deploy/klusterlet/klusterlet-operator.yaml up to date with
 * its builder and carrying the upstream Klusterlet CRD first; the hub objects the gateway writes
 * valid against the upstream ClusterResourceSet CRD; the CSR approval only for the cluster's own
 * agent certificate request.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  approvedCsr,
  buildKlusterletBootstrapSecret,
  buildKlusterletResourceSet,
  csrDecision,
  klusterletBootstrapObjects,
  readKlusterletOperatorManifests,
  type CsrObject,
  type KubeObject,
} from '../../../src/kube/index.js';
import { klusterletOperatorFile, renderKlusterletOperatorYaml } from '../../../src/sim/klusterlet.seed.js';
import { CRD_DIR, CrdValidator } from './crd.validator.js';

const validator = new CrdValidator();
const owner = { project: 'p', pool: 'pool', ids: { tenantId: 't', projectId: 'pid', poolId: 'plid' } };

describe('klusterlet bootstrap', () => {
  it('should be committed as `npm run addons:render` writes it, CRD first, and be what the gateway reads', () => {
    expect(readFileSync(klusterletOperatorFile(), 'utf8') === renderKlusterletOperatorYaml(), 'deploy/klusterlet/klusterlet-operator.yaml is out of date: run npm run addons:render').toBe(true);
    const docs = yaml.loadAll(readKlusterletOperatorManifests()) as KubeObject[];
    expect(docs[0]).toEqual(yaml.load(readFileSync(path.join(CRD_DIR, 'operator.open-cluster-management.io_klusterlets.yaml'), 'utf8')));
    expect(docs.map((d) => d.kind)).toEqual(['CustomResourceDefinition', 'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment']);
  });

  it('should write a ClusterResourceSet valid against the upstream CRD, selecting only its cluster, operator before Klusterlet', () => {
    const crs = buildKlusterletResourceSet({ namespace: 'p', cluster: 'c1', owner });
    expect(validator.validate(crs as never)).toEqual({ valid: true, errors: [] });
    expect(crs.spec!.clusterSelector).toEqual({ matchLabels: { 'spokegraph.io/cluster': 'c1' } });
    expect(crs.spec!.resources.map((r) => r.kind)).toEqual(['ConfigMap', 'Secret']);
  });

  it('should carry a Klusterlet valid against its CRD and the bootstrap kubeconfig, in a resource-set Secret', () => {
    const objs = klusterletBootstrapObjects({ cluster: 'c1', bootstrapKubeconfig: 'apiVersion: v1\nkind: Config\n', imageTag: 'v1.1.0' });
    const k = objs.find((o) => o.kind === 'Klusterlet')!;
    expect(validator.validate(k as never)).toEqual({ valid: true, errors: [] });
    expect(k.spec).toMatchObject({ clusterName: 'c1' });
    const secret = buildKlusterletBootstrapSecret({ namespace: 'p', cluster: 'c1', bootstrapKubeconfig: 'kc', imageTag: 'v1.1.0', owner });
    expect(secret.type).toBe('addons.cluster.x-k8s.io/resource-set');
    const docs = yaml.loadAll(Buffer.from(secret.data['klusterlet.yaml'], 'base64').toString('utf8')) as KubeObject[];
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'Secret', 'Klusterlet']);
    expect(Buffer.from((docs[1] as any).data.kubeconfig, 'base64').toString()).toBe('kc');
  });

  it('should approve only a pending kube-apiserver-client CSR labelled with the same cluster', () => {
    const csr: CsrObject = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'c1-x', labels: { 'open-cluster-management.io/cluster-name': 'c1' } }, spec: { signerName: 'kubernetes.io/kube-apiserver-client' } };
    expect(csrDecision(csr)).toBe('Pending');
    expect(approvedCsr(csr, 'c2')).toBeNull();
    expect(approvedCsr({ ...csr, spec: { signerName: 'kubernetes.io/kubelet-serving' } }, 'c1')).toBeNull();
    const ok = approvedCsr(csr, 'c1')!;
    expect(csrDecision(ok)).toBe('Approved');
  });
});
