/**
 * Plays the klusterlet on stock OCM (SimOptions.registration = 'klusterlet'): once the operator
 * Deployment, the Klusterlet CR and the `bootstrap-hub-kubeconfig` Secret are on a spoke (put there
 * by the ClusterResourceSet), the registration agent creates the ManagedCluster if absent
 * (not accepted) and files a CSR on the hub labelled with its cluster name. The hub's signer issues
 * the certificate once someone approves the CSR; the agent then stores `hub-kubeconfig-secret`
 * on the spoke, which is what the registration controller joins the cluster by.
 */
import { type KubeObject } from '../kube.types.js';
import { Controller, writeStatus, type ObjectKey } from './controller.runtime.js';

const OCM = 'cluster.open-cluster-management.io';
const AGENT_NS = 'open-cluster-management-agent';
const MANAGER = 'registration-agent';
const CSR_LABEL = 'open-cluster-management.io/cluster-name';
export const HUB_KUBECONFIG_SECRET = 'hub-kubeconfig-secret';

type CsrCondition = { type: string; status: string };
const conditionsOf = (csr: KubeObject) => ((csr.status as { conditions?: CsrCondition[] } | undefined)?.conditions ?? []);
const isDecided = (csr: KubeObject, type: string) => conditionsOf(csr).some((c) => c.type === type && c.status === 'True');

/** A PEM block around some bytes: the shape of a CSR or certificate, not a real one. */
const pem = (label: string, body: string) => Buffer.from(`-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`).toString('base64');

export class KlusterletController extends Controller {
  readonly name = 'klusterlet';
  protected readonly stepMs = 400;

  start(): void {
    this.onSpokes([['operator.open-cluster-management.io', 'Klusterlet'], ['', 'Secret'], ['apps', 'Deployment']], (cluster) => this.enqueue({ scope: cluster, name: cluster }));
    this.onHub([['certificates.k8s.io', 'CertificateSigningRequest']], (ev) => {
      const c = ev.object.metadata.labels?.[CSR_LABEL];
      if (c && this.ctx.spokes.has(c)) this.enqueue({ scope: c, name: c });
    });
    for (const c of this.ctx.spokes.names()) this.enqueue({ scope: c, name: c });
  }

  protected reconcile(key: ObjectKey): number | void {
    if (!this.ctx.spokes.has(key.scope)) return;
    const spoke = this.ctx.spokes.get(key.scope);
    const hub = this.ctx.hub;
    const klusterlet = spoke.get('operator.open-cluster-management.io', 'Klusterlet', undefined, 'klusterlet');
    const bootstrap = spoke.get('', 'Secret', AGENT_NS, 'bootstrap-hub-kubeconfig');
    const operator = spoke.list('apps', 'Deployment').some((d) => d.metadata.labels?.app === 'klusterlet');
    if (!klusterlet || !bootstrap || !operator) return;
    const spec = (klusterlet.spec ?? {}) as { clusterName?: string };
    const name = spec.clusterName;
    if (!name) return;
    const data = (bootstrap as { data?: Record<string, string> }).data ?? {};
    if (!data.kubeconfig) return;

    if (!hub.get(OCM, 'ManagedCluster', undefined, name)) {
      hub.create({ apiVersion: `${OCM}/v1`, kind: 'ManagedCluster', metadata: { name }, spec: { hubAcceptsClient: false, leaseDurationSeconds: 60 } }, { manager: MANAGER });
      this.note(`registration agent of ${name} created its ManagedCluster`);
    }
    if (spoke.get('', 'Secret', AGENT_NS, HUB_KUBECONFIG_SECRET)) return;
    const csrs = hub.list('certificates.k8s.io', 'CertificateSigningRequest').filter((c) => c.metadata.labels?.[CSR_LABEL] === name);
    const approved = csrs.find((c) => isDecided(c, 'Approved') && !isDecided(c, 'Denied'));
    if (!approved) {
      const pending = csrs.some((c) => !isDecided(c, 'Approved') && !isDecided(c, 'Denied'));
      if (!pending) {
        const agent = `${name}-agent`;
        hub.create(
          {
            apiVersion: 'certificates.k8s.io/v1',
            kind: 'CertificateSigningRequest',
            metadata: { generateName: `${name}-`, labels: { [CSR_LABEL]: name, 'open-cluster-management.io/agent-name': agent } },
            spec: {
              signerName: 'kubernetes.io/kube-apiserver-client',
              usages: ['digital signature', 'key encipherment', 'client auth'],
              request: pem('CERTIFICATE REQUEST', `CN=system:open-cluster-management:${name}:${agent},O=system:open-cluster-management:${name}`),
              username: 'system:serviceaccount:open-cluster-management:cluster-bootstrap',
              groups: ['system:serviceaccounts', 'system:serviceaccounts:open-cluster-management', 'system:authenticated'],
            },
          },
          { manager: MANAGER },
        );
        this.note(`registration agent of ${name} filed a certificate signing request`);
      }
      return;
    }
    // kube-controller-manager's signer: an approved kube-apiserver-client request gets its certificate
    const st = (approved.status ?? {}) as Record<string, unknown>;
    if (!st.certificate) {
      writeStatus(hub, approved, { ...st, certificate: pem('CERTIFICATE', `signed:${approved.metadata.name}`) }, 'csrsigning-controller');
      return this.stepDelay();
    }
    const kubeconfig = Buffer.from(data.kubeconfig, 'base64').toString('utf8');
    spoke.create(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name: HUB_KUBECONFIG_SECRET, namespace: AGENT_NS },
        data: {
          kubeconfig: Buffer.from(kubeconfig).toString('base64'),
          'cluster-name': Buffer.from(name).toString('base64'),
          'agent-name': Buffer.from(`${name}-agent`).toString('base64'),
          'tls.crt': String(st.certificate),
        },
      },
      { manager: MANAGER },
    );
    this.note(`registration agent of ${name} holds its hub client certificate`);
  }
}
