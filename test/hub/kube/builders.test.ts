/**
 * Builders: the labels, names and fields docs/hub-conventions.md promises, and determinism (the same
 * input always renders the same object, so server-side apply is a no-op on repeat).
 */
import { describe, expect, it } from 'vitest';
import {
  Annotation,
  buildAppManifestWork,
  buildCapiCluster,
  buildHelmRelease,
  buildMachineDeployment,
  buildManagedCluster,
  buildOciRepository,
  buildPlacement,
  FeedbackName,
  gpuCountsByFamily,
  helmReleaseIdentifier,
  Label,
  serviceIdentifier,
  type HelmReleaseObject,
  type KubeObject,
  type ManifestWorkObject,
} from '../../../src/kube/index.js';
import { allVariants, COMPONENTS, HOSTS, spokeParams } from './builder.fixtures.js';

const byKind = (work: ManifestWorkObject, kind: string) => work.spec!.workload.manifests.filter((m) => m.kind === kind);

describe('builders', () => {
  it.each(Object.entries(allVariants()))('should label %s as managed by spokegraph for its project', (_n, obj) => {
    expect(obj.metadata.labels?.[Label.ManagedBy]).toBe('spokegraph');
    expect(obj.metadata.labels?.[Label.Project]).toBeTruthy();
  });

  it.each(Object.entries(allVariants()))('should render %s identically every time', (name) => {
    expect(JSON.stringify(allVariants()[name])).toBe(JSON.stringify(allVariants()[name]));
  });

  it('should render the same ManifestWork whatever the component order', () => {
    const base = { project: 'vision', deployment: 'chat', cluster: 'c1', gpuReservation: 3 };
    const a = buildAppManifestWork({ ...base, components: [COMPONENTS.llm, COMPONENTS.ui, COMPONENTS.embed] });
    const b = buildAppManifestWork({ ...base, components: [COMPONENTS.embed, COMPONENTS.llm, COMPONENTS.ui] });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('should not alias caller values in the rendered HelmRelease', () => {
    const values = { a: { b: 1 } };
    const hr = buildHelmRelease({ namespace: 'ns', component: 'c', chart: COMPONENTS.llm.chart, values, gpuCount: 0, owner: { project: 'p' } });
    values.a.b = 2;
    expect(hr.spec!.values).toEqual({ a: { b: 1 } });
  });

  it('should set the GPU request as nvidia.com/gpu at the values path the component names, and nothing for no GPUs', () => {
    const values = { server: { pods: [{ name: 'a' }, { name: 'b' }] } };
    const hr = buildHelmRelease({ namespace: 'ns', component: 'c', chart: COMPONENTS.llm.chart, values, gpuCount: 3, gpuValuesPath: 'server.pods.1.resources.limits', owner: { project: 'p' } });
    expect(hr.spec!.values).toEqual({ server: { pods: [{ name: 'a' }, { name: 'b', resources: { limits: { 'nvidia.com/gpu': 3 } } }] } });
    expect(values.server.pods[1]).toEqual({ name: 'b' });
    expect(hr.metadata.annotations).toBeUndefined();
    const none = buildHelmRelease({ namespace: 'ns', component: 'c', chart: COMPONENTS.llm.chart, gpuCount: 0, owner: { project: 'p' } });
    expect(none.spec!.values).toBeUndefined();
    const embed = buildAppManifestWork({ project: 'vision', deployment: 'chat', cluster: 'c1', gpuReservation: 1, components: [COMPONENTS.embed] });
    expect((byKind(embed, 'HelmRelease')[0] as HelmReleaseObject).spec!.values).toEqual({ resources: { limits: { 'nvidia.com/gpu': 1 } } });
    expect(() => buildHelmRelease({ namespace: 'ns', component: 'c', chart: COMPONENTS.llm.chart, values: { resources: 'big' }, gpuCount: 1, owner: { project: 'p' } })).toThrow(/not a map/);
  });

  it('should put the Cluster in the project namespace with pool, cluster labels and the sorted hosts annotation', () => {
    const c = buildCapiCluster(spokeParams());
    expect(c).toMatchObject({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      metadata: { name: 'vision-h100-pool', namespace: 'vision', labels: { [Label.Pool]: 'h100-pool', [Label.Cluster]: 'vision-h100-pool' } },
      spec: { topology: { classRef: { name: 'edge-kubeadm' }, version: 'v1.31.2', controlPlane: { replicas: 1 } } },
    });
    const hosts = JSON.parse(c.metadata.annotations![Annotation.Hosts]);
    expect(hosts.map((h: { hostId: string }) => h.hostId)).toEqual(['host-cp1', 'host-w1', 'host-w2']);
    expect(Object.keys(hosts[0])).toEqual(['hostId', 'role', 'architecture', 'cpuCount', 'memoryMiB', 'gpuFamily', 'gpuCount', 'gpuMemoryMiB']);
    expect(hosts[0].gpuFamily).toBeNull();
  });

  it('should size the worker MachineDeployment <cluster>-workers from the worker hosts', () => {
    const md = buildMachineDeployment(spokeParams());
    expect(md.metadata.name).toBe('vision-h100-pool-workers');
    expect(md.spec!.replicas).toBe(2);
    expect(md.metadata.labels![Label.CapiClusterName]).toBe('vision-h100-pool');
  });

  it('should register the spoke accepted, in its set, with per-family GPU counts', () => {
    const mc = buildManagedCluster({ cluster: 'c1', clusterSet: 's1', gpus: gpuCountsByFamily(HOSTS), owner: { project: 'p', pool: 'pool' } });
    expect(mc.spec).toEqual({ hubAcceptsClient: true });
    expect(mc.metadata.labels).toMatchObject({
      [Label.ClusterSet]: 's1',
      [Label.Cluster]: 'c1',
      [Label.Pool]: 'pool',
      'gpu.spokegraph.io/NVIDIA-H100': '16',
    });
  });

  it.each([
    ['no requirements', {}, undefined],
    ['a GPU family', { gpuFamilies: ['NVIDIA-H100'] }, { matchExpressions: [{ key: 'gpu.spokegraph.io/NVIDIA-H100', operator: 'Exists' }] }],
    [
      'several GPU families (each required, de-duplicated, sorted)',
      { gpuFamilies: ['NVIDIA-L4', 'NVIDIA-H100', 'NVIDIA-L4'] },
      { matchExpressions: [{ key: 'gpu.spokegraph.io/NVIDIA-H100', operator: 'Exists' }, { key: 'gpu.spokegraph.io/NVIDIA-L4', operator: 'Exists' }] },
    ],
    [
      'candidates and labels',
      { candidateClusters: ['b', 'a'], matchLabels: { z: '1', a: '2' } },
      { matchLabels: { a: '2', z: '1' }, matchExpressions: [{ key: Label.Cluster, operator: 'In', values: ['a', 'b'] }] },
    ],
  ])('should build a Placement with %s', (_n, extra, labelSelector) => {
    const p = buildPlacement({ project: 'vision', deployment: 'chat', clusterSets: ['s2', 's1'], ...extra });
    expect(p.metadata).toMatchObject({ name: 'chat', namespace: 'vision', labels: { [Label.Deployment]: 'chat' } });
    expect(p.spec!.clusterSets).toEqual(['s1', 's2']);
    expect(p.spec!.numberOfClusters).toBe(1);
    expect(p.spec!.predicates?.[0].requiredClusterSelector.labelSelector).toEqual(labelSelector);
  });

  it('should use chart + HelmRepository for https charts and chartRef + OCIRepository for oci:// charts', () => {
    const work = buildAppManifestWork({ project: 'vision', deployment: 'chat', cluster: 'c1', gpuReservation: 3, components: [COMPONENTS.llm, COMPONENTS.ui, COMPONENTS.embed] });
    const [repo] = byKind(work, 'HelmRepository');
    expect(byKind(work, 'HelmRepository')).toHaveLength(1); // llm and embed share it
    const releases = byKind(work, 'HelmRelease') as HelmReleaseObject[];
    const llm = releases.find((r) => r.metadata.name === 'llm-server')!;
    expect(llm.spec!.chart!.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: repo.metadata.name });
    expect(llm.spec!.chartRef).toBeUndefined();
    expect(llm.metadata.annotations).toEqual({ [Annotation.Expose]: '8000/v1' });
    // the GPU request is in the values, where the chart takes its limit (default resources.limits)
    expect(llm.spec!.values).toEqual({ model: { name: 'llama-3-8b' }, resources: { limits: { cpu: '4', 'nvidia.com/gpu': 2 } } });
    expect(COMPONENTS.llm.values).toEqual({ model: { name: 'llama-3-8b' }, resources: { limits: { cpu: '4' } } });
    const ui = releases.find((r) => r.metadata.name === 'chat-ui')!;
    expect(ui.spec!.chartRef).toEqual({ kind: 'OCIRepository', name: 'chat-ui-chart' });
    expect(ui.spec!.chart).toBeUndefined();
    expect(ui.metadata.annotations![Annotation.Expose]).toBe('3000');
  });

  it.each([
    ['1.4.0', { tag: '1.4.0' }],
    ['^2.1', { semver: '^2.1' }],
    ['>=1.0.0 <2.0.0', { semver: '>=1.0.0 <2.0.0' }],
  ])('should pin OCI chart version %s as %j', (version, ref) => {
    const oci = buildOciRepository({ namespace: 'ns', component: 'c', chart: { repository: 'oci://r.io/charts/', chart: 'x', version }, owner: { project: 'p' } });
    expect(oci.spec!.ref).toEqual(ref);
    expect(oci.spec!.url).toBe('oci://r.io/charts/x');
  });

  it('should hold namespace, GPU quota, sources, releases and LoadBalancer Services with feedback rules', () => {
    const work = buildAppManifestWork({ project: 'vision', deployment: 'chat', cluster: 'c1', gpuReservation: 3, components: [COMPONENTS.llm, COMPONENTS.embed] });
    expect(work.metadata).toMatchObject({ name: 'vision--chat', namespace: 'c1', labels: { [Label.Deployment]: 'chat' } });
    expect(work.spec!.workload.manifests.map((m: KubeObject) => m.kind)).toEqual(['Namespace', 'ResourceQuota', 'HelmRepository', 'HelmRelease', 'HelmRelease', 'Service']);
    expect(byKind(work, 'ResourceQuota')[0].spec).toEqual({ hard: { 'requests.nvidia.com/gpu': '3' } });
    expect(byKind(work, 'Service')[0]).toMatchObject({
      metadata: { name: 'llm-server-lb', namespace: 'vision--chat' },
      spec: { type: 'LoadBalancer', selector: { 'app.kubernetes.io/instance': 'llm-server' }, ports: [{ port: 8000, targetPort: 8000 }] },
    });
    const ids = work.spec!.manifestConfigs.map((c) => c.resourceIdentifier);
    expect(ids).toEqual([helmReleaseIdentifier('vision--chat', 'embedder'), helmReleaseIdentifier('vision--chat', 'llm-server'), serviceIdentifier('vision--chat', 'llm-server')]);
    const hrPaths = work.spec!.manifestConfigs[0].feedbackRules[0].jsonPaths;
    expect(hrPaths.find((j) => j.name === FeedbackName.Ready)?.path).toBe('.status.conditions[?(@.type=="Ready")].status');
    const svcPaths = work.spec!.manifestConfigs[2].feedbackRules[0].jsonPaths.map((j) => j.path);
    expect(svcPaths).toEqual(['.status.loadBalancer.ingress[0].ip', '.status.loadBalancer.ingress[0].hostname']);
  });

  it('should refuse two components with the same name', () => {
    expect(() =>
      buildAppManifestWork({ project: 'p', deployment: 'd', cluster: 'c', gpuReservation: 0, components: [COMPONENTS.ui, COMPONENTS.ui] }),
    ).toThrow(/duplicate component/);
  });
});
