/**
 * The CSR approval the klusterlet path relies on, over real HTTP against the simulated hub: the
 * adapter's PUT .../approval decides a pending request, a second approval from a stale read is a
 * Conflict (so two replicas never both write), and a decision once made cannot be taken back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedCsr, csrDecision, HubError, HubErrorKind, type CsrObject } from '../../../src/kube/index.js';
import { startTestHub, type TestHub } from './sim.harness.js';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.stop());

const request = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nx\n-----END CERTIFICATE REQUEST-----\n').toString('base64');

async function pendingCsr(cluster: string): Promise<CsrObject> {
  const { CustomObjectsApi } = await import('@kubernetes/client-node');
  const co = t.hub.kubeConfig().makeApiClient(CustomObjectsApi);
  return (await co.createClusterCustomObject({
    group: 'certificates.k8s.io',
    version: 'v1',
    plural: 'certificatesigningrequests',
    body: { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { generateName: `${cluster}-`, labels: { 'open-cluster-management.io/cluster-name': cluster } }, spec: { signerName: 'kubernetes.io/kube-apiserver-client', request, usages: ['client auth'] } },
  })) as CsrObject;
}

describe('CSR approval subresource', () => {
  it('should approve a pending CSR once; a stale second approval is a Conflict and changes nothing', async () => {
    const csr = await pendingCsr('c1');
    const listed = await t.adapter.list<CsrObject>('CertificateSigningRequest', { labelSelector: { 'open-cluster-management.io/cluster-name': 'c1' } });
    expect(listed.items.map((c) => csrDecision(c))).toEqual(['Pending']);
    const approved = (await t.adapter.approveCsr(approvedCsr(csr, 'c1')!)) as CsrObject;
    expect(csrDecision(approved)).toBe('Approved');
    const err = await t.adapter.approveCsr(approvedCsr(csr, 'c1')!).catch((e) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).kind).toBe(HubErrorKind.Conflict);
    const now = await t.adapter.get<CsrObject>({ kind: 'CertificateSigningRequest', name: csr.metadata.name });
    expect(now!.status!.conditions!.filter((c) => c.type === 'Approved')).toHaveLength(1);
  });

  it('should refuse to remove a decision (422) and leave the CSR approved', async () => {
    const csr = await pendingCsr('c2');
    const approved = (await t.adapter.approveCsr(approvedCsr(csr, 'c2')!)) as CsrObject;
    const undo = { ...approved, status: { conditions: [] } };
    const err = await t.adapter.approveCsr(undo).catch((e) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).status).toBe(422);
    expect(csrDecision((await t.adapter.get<CsrObject>({ kind: 'CertificateSigningRequest', name: csr.metadata.name }))!)).toBe('Approved');
  });
});
