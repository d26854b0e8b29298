import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { condition, Fleet, isTrue, type Obj } from './fleet.fixtures.js';
import { startTestHub, waitFor } from './sim.helpers.js';

const MW = 'work.open-cluster-management.io/v1';
const HR = 'helm.toolkit.fluxcd.io/v2';

function work(name: string, appNs: string, opts: { gpus: number; quota: number; release?: string; extra?: object[]; values?: Record<string, unknown>; annotations?: Record<string, string> }) {
  const release = opts.release ?? 'llm';
  return {
    apiVersion: MW,
    kind: 'ManifestWork',
    metadata: { name, namespace: 'spoke-w', labels: { 'spokegraph.io/deployment': name } },
    spec: {
      workload: {
        manifests: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: appNs } },
          { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpu', namespace: appNs }, spec: { hard: { 'requests.nvidia.com/gpu': String(opts.quota) } } },
          { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'charts', namespace: appNs }, spec: { url: 'https://charts.example.com', interval: '10m' } },
          {
            apiVersion: HR,
            kind: 'HelmRelease',
            metadata: { name: release, namespace: appNs, annotations: { 'spokegraph.io/expose': '8080/v1', ...opts.annotations } },
            spec: {
              interval: '10m',
              chart: { spec: { chart: 'vllm', version: '1.2.3', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
              values: opts.values ?? { model: 'x', resources: { limits: { 'nvidia.com/gpu': opts.gpus } } },
            },
          },
          // The chart creates the Service; the work only reads it back (ReadOnly) for its address.
          { apiVersion: 'v1', kind: 'Service', metadata: { name: release, namespace: appNs } },
          ...(opts.extra ?? []),
        ],
      },
      manifestConfigs: [
        {
          resourceIdentifier: { group: 'helm.toolkit.fluxcd.io', resource: 'helmreleases', namespace: appNs, name: release },
          feedbackRules: [{ type: 'JSONPaths', jsonPaths: [{ name: 'ready', path: '.status.conditions[?(@.type=="Ready")].status' }, { name: 'observedGeneration', path: '.status.observedGeneration' }] }],
          updateStrategy: { type: 'ServerSideApply', serverSideApply: { force: true } },
        },
        {
          resourceIdentifier: { group: '', resource: 'services', namespace: appNs, name: release },
          feedbackRules: [{ type: 'JSONPaths', jsonPaths: [{ name: 'ip', path: '.status.loadBalancer.ingress[0].ip' }] }],
          updateStrategy: { type: 'ReadOnly' },
        },
      ],
    },
  };
}

type Feedback = { name: string; fieldValue: { type: string; string?: string; integer?: number } };
const feedback = (mw: Obj, ordinal: number): Record<string, unknown> =>
  Object.fromEntries(((mw.status?.resourceStatus?.manifests?.[ordinal]?.statusFeedback?.values ?? []) as Feedback[]).map((v) => [v.name, v.fieldValue.string ?? v.fieldValue.integer]));

describe('simulated work agent and spoke Flux', () => {
  let hub: SimulatedHub;
  let fleet: Fleet;

  beforeAll(async () => {
    hub = await startTestHub();
    fleet = new Fleet(hub.kubeConfig());
    await fleet.register('spoke-w');
    await fleet.until('addon.open-cluster-management.io/v1alpha1', 'ManagedClusterAddOn', 'flux', 'spoke-w', (a) => isTrue(a, 'Available'));
  });
  afterAll(() => hub.stop());

  it('should apply a ManifestWork into the spoke, install the HelmRelease and report Applied, Available and status feedback', async () => {
    await fleet.apply(work('proj-app1', 'app1', { gpus: 2, quota: 4 }));
    const mw = await fleet.until(MW, 'ManifestWork', 'proj-app1', 'spoke-w', (w) => isTrue(w, 'Applied') && isTrue(w, 'Available') && feedback(w, 3).ready === 'True' && feedback(w, 4).ip);
    expect(mw.metadata.finalizers).toContain('cluster.open-cluster-management.io/manifest-work-cleanup');
    expect(condition(mw, 'Progressing')?.status).toBe('False');
    expect(condition(mw, 'Degraded')?.status).toBe('False');
    expect(mw.status.conditions.every((c: { observedGeneration: number }) => c.observedGeneration === mw.metadata.generation)).toBe(true);
    expect(mw.status.resourceStatus.manifests[3].resourceMeta).toMatchObject({ ordinal: 3, group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', resource: 'helmreleases', name: 'llm', namespace: 'app1' });
    // the simulated load balancer's address is a loopback responder's, which answers
    expect(feedback(mw, 4).ip).toMatch(/^127\.\d+\.\d+\.\d+$/);

    const spoke = hub.spoke('spoke-w');
    const hr = spoke.get(HR, 'HelmRelease', 'app1', 'llm') as Obj;
    expect(condition(hr, 'Ready')).toMatchObject({ status: 'True', reason: 'InstallSucceeded', observedGeneration: hr.metadata.generation });
    expect(hr.status.observedGeneration).toBe(hr.metadata.generation);
    const pods = spoke.list('v1', 'Pod', 'app1') as Obj[];
    expect(pods).toHaveLength(1);
    expect(pods[0].spec.containers[0].resources.requests['nvidia.com/gpu']).toBe('2');
    await waitFor('quota usage', () => (spoke.get('v1', 'ResourceQuota', 'app1', 'gpu') as Obj | undefined)?.status?.used?.['requests.nvidia.com/gpu'] === '2');
    const svc = spoke.get('v1', 'Service', 'app1', 'llm') as Obj;
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.status.loadBalancer.ingress[0].ip).toBe(feedback(mw, 4).ip);
  });

  it('should request the GPUs the release values name wherever the chart takes them, and none for an annotation', async () => {
    // the GPU limit at a component's own values path (a numeric segment into an array), as a quantity string;
    // the annotation the gateway once sent is ignored, as on a real spoke
    const values = { server: { pods: [{ name: 'a', resources: { limits: { 'nvidia.com/gpu': '2', cpu: '4' } } }] } };
    await fleet.apply(work('proj-app6', 'app6', { gpus: 0, quota: 4, values, annotations: { 'spokegraph.io/gpu-count': '4' } }));
    await fleet.until(MW, 'ManifestWork', 'proj-app6', 'spoke-w', (w) => feedback(w, 3).ready === 'True');
    const spoke = hub.spoke('spoke-w');
    const [pod] = spoke.list('v1', 'Pod', 'app6') as Obj[];
    expect(pod.spec.containers[0].resources).toEqual({ requests: { 'nvidia.com/gpu': '2' }, limits: { 'nvidia.com/gpu': '2' } });

    await fleet.apply(work('proj-app7', 'app7', { gpus: 0, quota: 4, values: { model: 'x' }, annotations: { 'spokegraph.io/gpu-count': '4' } }));
    await fleet.until(MW, 'ManifestWork', 'proj-app7', 'spoke-w', (w) => feedback(w, 3).ready === 'True');
    expect((spoke.list('v1', 'Pod', 'app7') as Obj[])[0].spec.containers[0].resources).toEqual({});
    for (const n of ['proj-app6', 'proj-app7']) await fleet.objs.delete({ apiVersion: MW, kind: 'ManifestWork', metadata: { name: n, namespace: 'spoke-w' } });
  });

  it('should fail the install with "exceeded quota" when the release asks for more GPUs than the namespace quota', async () => {
    await fleet.apply(work('proj-app2', 'app2', { gpus: 3, quota: 2 }));
    const mw = await fleet.until(MW, 'ManifestWork', 'proj-app2', 'spoke-w', (w) => isTrue(w, 'Degraded'));
    expect(isTrue(mw, 'Applied')).toBe(true);
    // The chart never got to create its Service, so the ReadOnly manifest is not available.
    expect(condition(mw, 'Available')?.status).toBe('False');
    const hr = hub.spoke('spoke-w').get(HR, 'HelmRelease', 'app2', 'llm') as Obj;
    expect(condition(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'InstallFailed' });
    expect(condition(hr, 'Ready')?.message).toContain('exceeded quota');
    expect(feedback(mw, 3).ready).toBe('False');
    expect(hub.spoke('spoke-w').list('v1', 'Pod', 'app2')).toEqual([]);
  });

  it('should retry a failing install as many times as install.remediation.retries allows, then stay Stalled until a matching resetAt', async () => {
    hub.faults.set({ failReleases: ['flaky'] });
    const flaky = (annotations: Record<string, string> = {}) => {
      const w = work('proj-app3', 'app3', { gpus: 0, quota: 1, release: 'flaky' });
      const hr = w.spec.workload.manifests[3] as Obj;
      hr.spec.install = { remediation: { retries: 2 } };
      Object.assign(hr.metadata.annotations!, annotations);
      return w;
    };
    const release = () => hub.spoke('spoke-w').get(HR, 'HelmRelease', 'app3', 'flaky') as Obj;
    await fleet.apply(flaky());
    await waitFor('Stalled after the retries', () => condition(release(), 'Stalled')?.status === 'True', 30_000);
    // one attempt plus two retries, each counted, then RetriesExceeded (no more attempts)
    let hr = release();
    expect(hr.status).toMatchObject({ installFailures: 3, failures: 3 });
    expect(condition(hr, 'Stalled')).toMatchObject({ reason: 'RetriesExceeded', message: 'Failed to install after 3 attempt(s)' });
    expect(condition(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'InstallFailed' });
    expect(condition(hr, 'Reconciling')).toBeUndefined();
    await fleet.until(MW, 'ManifestWork', 'proj-app3', 'spoke-w', (w) => feedback(w, 3).ready === 'False');

    // the cause is gone, but a bare reconcile request does not reset the failure counters
    hub.faults.clear();
    await fleet.apply(flaky({ 'reconcile.fluxcd.io/requestedAt': 'r1' }));
    await waitFor('request handled', () => release().status.lastHandledReconcileAt === 'r1');
    await new Promise((r) => setTimeout(r, 500));
    hr = release();
    expect(condition(hr, 'Stalled')?.status).toBe('True');
    expect(hr.status.installFailures).toBe(3);
    expect(hub.spoke('spoke-w').list('v1', 'Pod', 'app3')).toEqual([]);

    // a resetAt that does not equal the request is recorded and ignored
    await fleet.apply(flaky({ 'reconcile.fluxcd.io/requestedAt': 'r2', 'reconcile.fluxcd.io/resetAt': 'other' }));
    await waitFor('mismatched reset handled', () => release().status.lastHandledResetAt === 'other');
    await new Promise((r) => setTimeout(r, 500));
    expect(condition(release(), 'Stalled')?.status).toBe('True');

    // resetAt equal to a new requestedAt clears the counters and the release installs
    await fleet.apply(flaky({ 'reconcile.fluxcd.io/requestedAt': 'r3', 'reconcile.fluxcd.io/resetAt': 'r3' }));
    await fleet.until(MW, 'ManifestWork', 'proj-app3', 'spoke-w', (w) => feedback(w, 3).ready === 'True' && !isTrue(w, 'Degraded'));
    hr = release();
    expect(hr.status).toMatchObject({ installFailures: 0, failures: 0, lastHandledResetAt: 'r3', lastHandledReconcileAt: 'r3' });
    expect(condition(hr, 'Stalled')).toBeUndefined();
    expect(condition(hr, 'Ready')).toMatchObject({ status: 'True', reason: 'InstallSucceeded' });
  });

  it('should clear the failure counters of a Stalled release on a spec change', async () => {
    hub.faults.set({ failReleases: ['stuck'] });
    const w = work('proj-app5', 'app5', { gpus: 0, quota: 1, release: 'stuck' });
    await fleet.apply(w);
    const release = () => hub.spoke('spoke-w').get(HR, 'HelmRelease', 'app5', 'stuck') as Obj;
    // no remediation retries: the first failure stalls the release
    await waitFor('Stalled', () => condition(release(), 'Stalled')?.status === 'True', 30_000);
    expect(release().status.installFailures).toBe(1);
    hub.faults.clear();
    (w.spec.workload.manifests[3] as Obj).spec.values = { model: 'y' };
    await fleet.apply(w);
    await waitFor('installed after the spec change', () => condition(release(), 'Ready')?.status === 'True', 30_000);
    expect(release().status).toMatchObject({ installFailures: 0, observedGeneration: release().metadata.generation });
  });

  it('should follow spec changes at the new observedGeneration and prune manifests removed from the work', async () => {
    const base = work('proj-app1', 'app1', { gpus: 3, quota: 4 });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'app1' }, data: { a: '1' } };
    await fleet.apply({ ...base, spec: { ...base.spec, workload: { manifests: [...base.spec.workload.manifests, cm] } } });
    const mw = await fleet.until(MW, 'ManifestWork', 'proj-app1', 'spoke-w', (w) => w.metadata.generation! >= 2 && isTrue(w, 'Available') && feedback(w, 3).ready === 'True' && feedback(w, 3).observedGeneration === 2);
    expect(isTrue(mw, 'Applied')).toBe(true);
    const pod = hub.spoke('spoke-w').list('v1', 'Pod', 'app1')[0] as Obj;
    expect(pod.spec.containers[0].resources.requests['nvidia.com/gpu']).toBe('3');
    expect(condition(hub.spoke('spoke-w').get(HR, 'HelmRelease', 'app1', 'llm') as Obj, 'Ready')?.reason).toBe('UpgradeSucceeded');
    expect(hub.spoke('spoke-w').get('v1', 'ConfigMap', 'app1', 'extra')).toBeTruthy();

    await fleet.apply(base);
    await waitFor('pruned ConfigMap', () => !hub.spoke('spoke-w').get('v1', 'ConfigMap', 'app1', 'extra'));
  });

  it('should remove applied objects (after Flux uninstalls) before a deleted ManifestWork goes away', async () => {
    await fleet.objs.delete({ apiVersion: MW, kind: 'ManifestWork', metadata: { name: 'proj-app1', namespace: 'spoke-w' } });
    await waitFor('work gone', async () => !(await fleet.tryRead(MW, 'ManifestWork', 'proj-app1', 'spoke-w')));
    const spoke = hub.spoke('spoke-w');
    expect(spoke.get(HR, 'HelmRelease', 'app1', 'llm')).toBeUndefined();
    await waitFor('namespace content gone', () => !spoke.get('v1', 'Namespace', undefined, 'app1') && spoke.list('v1', 'Pod', 'app1').length === 0);
  });

  it('should let a Service shipped in the work stand in for the chart Service', async () => {
    const w = work('proj-app4', 'app4', { gpus: 0, quota: 1, release: 'web' });
    const lb = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-lb', namespace: 'app4' }, spec: { type: 'LoadBalancer', selector: { 'app.kubernetes.io/instance': 'web' }, ports: [{ name: 'http', port: 8080 }] } };
    w.spec.workload.manifests = [...w.spec.workload.manifests.filter((m) => (m as { kind?: string }).kind !== 'Service'), lb];
    w.spec.manifestConfigs[1].resourceIdentifier.name = 'web-lb';
    w.spec.manifestConfigs[1].updateStrategy = { type: 'Update' };
    await fleet.apply(w);
    const mw = await fleet.until(MW, 'ManifestWork', 'proj-app4', 'spoke-w', (x) => feedback(x, 3).ready === 'True' && feedback(x, 4).ip);
    expect(feedback(mw, 4).ip).toMatch(/^127\./);
    expect((await fetch(`http://${feedback(mw, 4).ip}:8080/`)).status).toBe(200);
    expect((hub.spoke('spoke-w').list('v1', 'Service', 'app4') as Obj[]).map((s) => s.metadata.name)).toEqual(['web-lb']);
  });

  it('should apply works on a joined cluster without any add-on (the agent is the klusterlet\'s), and install no release there without Flux', async () => {
    await fleet.register('spoke-nw', { addons: false });
    await fleet.until('cluster.open-cluster-management.io/v1', 'ManagedCluster', 'spoke-nw', undefined, (m) => isTrue(m, 'ManagedClusterConditionAvailable'));
    const w = work('proj-x', 'appx', { gpus: 0, quota: 1 });
    await fleet.apply({ ...w, metadata: { ...w.metadata, namespace: 'spoke-nw' } });
    await fleet.until(MW, 'ManifestWork', 'proj-x', 'spoke-nw', (x) => isTrue(x, 'Applied'));
    await new Promise((r) => setTimeout(r, 300));
    const hr = hub.spoke('spoke-nw').get(HR, 'HelmRelease', 'appx', 'llm') as Obj;
    expect(hr).toBeTruthy();
    // nothing runs helm-controller on this spoke: the release is never reconciled
    expect(hr.status?.conditions).toBeUndefined();
    expect(hub.spoke('spoke-nw').list('v1', 'Pod', 'appx')).toEqual([]);
  });

  it('should not apply works for a cluster that is not Available', async () => {
    await fleet.register('spoke-off', { importSecret: false });
    const w = work('proj-y', 'appy', { gpus: 0, quota: 1 });
    await fleet.apply({ ...w, metadata: { ...w.metadata, namespace: 'spoke-off' } });
    await new Promise((r) => setTimeout(r, 300));
    const mw = await fleet.read(MW, 'ManifestWork', 'proj-y', 'spoke-off');
    expect(mw.status?.conditions).toBeUndefined();
  });
});
