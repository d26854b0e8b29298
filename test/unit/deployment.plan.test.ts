import { describe, expect, it } from 'vitest';
import { BundleType, VariableType, WorkloadProfileType, type ComponentSpec, type VariableSpec, type WorkloadProfileSpec } from '../../src/catalog/bundle.model.js';
import type { ResolvedVariables } from '../../src/catalog/variables.js';
import { collectComponents, gpuRequestsOf, mergeVariables, renderManifestWork, renderPlacement, toAppComponents, type PlanBundle, type PlannedComponent, type RenderInput } from '../../src/deployments/deployment.plan.js';

const component = (name: string, over: Partial<ComponentSpec> = {}): ComponentSpec => ({
  name,
  chart: { repository: 'https://charts.example.com/stable', chart: name, version: '1.0.0' },
  values: {},
  gpu: null,
  expose: null,
  ...over,
});
const profile = (name: string, type: WorkloadProfileType, components: ComponentSpec[]): WorkloadProfileSpec => ({ name, type, description: null, components });
const variable = (name: string, over: Partial<VariableSpec> = {}): VariableSpec => ({ name, type: VariableType.STRING, default: null, required: false, locked: false, description: null, ...over });
let seq = 0;
const bundle = (over: Partial<PlanBundle> = {}): PlanBundle => ({
  id: `b${++seq}`,
  name: `bundle-${seq}`,
  version: 1,
  type: BundleType.APPLICATION,
  workloadProfiles: [profile('serving', WorkloadProfileType.APPLICATION, [component('server')])],
  variables: [],
  ...over,
});

describe('collectComponents', () => {
  it('should collect APPLICATION and MODEL components with their profile, in bundle order', () => {
    const a = bundle({ workloadProfiles: [profile('serving', WorkloadProfileType.APPLICATION, [component('api'), component('ui')])] });
    const m = bundle({ workloadProfiles: [profile('weights', WorkloadProfileType.MODEL, [component('llm')])] });
    const { components, problems } = collectComponents([a, m]);
    expect(problems).toEqual([]);
    expect(components.map((c) => [c.name, c.profile])).toEqual([['api', 'serving'], ['ui', 'serving'], ['llm', 'weights']]);
  });

  it('should skip INFRASTRUCTURE workload profiles of FULLSTACK bundles', () => {
    const f = bundle({
      type: BundleType.FULLSTACK,
      workloadProfiles: [profile('gpu-operator', WorkloadProfileType.INFRASTRUCTURE, [component('gpu-operator')]), profile('app', WorkloadProfileType.APPLICATION, [component('server')])],
    });
    const { components, problems } = collectComponents([f]);
    expect(problems).toEqual([]);
    expect(components.map((c) => c.name)).toEqual(['server']);
  });

  it('should refuse an INFRASTRUCTURE bundle at its index', () => {
    const infra = bundle({ type: BundleType.INFRASTRUCTURE, workloadProfiles: [profile('ops', WorkloadProfileType.INFRASTRUCTURE, [component('ops')])] });
    const { problems } = collectComponents([bundle(), infra]);
    expect(problems.map((p) => [p.code, p.field])).toEqual([['INVALID_INPUT', ['bundleIds', '1']]]);
    expect(problems[0].message).toMatch(/INFRASTRUCTURE/);
  });

  it('should refuse bundles without an APPLICATION workload profile', () => {
    const model = bundle({ workloadProfiles: [profile('weights', WorkloadProfileType.MODEL, [component('llm')])] });
    const { problems } = collectComponents([model]);
    expect(problems.map((p) => [p.code, p.field])).toEqual([['INVALID_INPUT', ['bundleIds']]]);
    expect(problems[0].message).toMatch(/APPLICATION/);
  });

  it('should refuse a component name used by two bundles', () => {
    const { problems } = collectComponents([bundle(), bundle()]);
    expect(problems.map((p) => p.field)).toEqual([['bundleIds', '1']]);
    expect(problems[0].message).toMatch(/component server appears in/);
  });

  it('should refuse a component name used twice inside one bundle', () => {
    const b = bundle({ workloadProfiles: [profile('a', WorkloadProfileType.APPLICATION, [component('x')]), profile('b', WorkloadProfileType.MODEL, [component('x')])] });
    expect(collectComponents([b]).problems.map((p) => p.field)).toEqual([['bundleIds', '0']]);
  });

  it('should report nothing for no bundles (the input rules refuse an empty list)', () => {
    expect(collectComponents([])).toEqual({ components: [], problems: [] });
  });
});

describe('mergeVariables', () => {
  it('should merge the variables of all bundles, the first declaration winning', () => {
    const a = bundle({ variables: [variable('model', { default: 'a' }), variable('replicas', { type: VariableType.INT32, default: 1 })] });
    const b = bundle({ variables: [variable('model', { default: 'b' }), variable('debug', { type: VariableType.BOOL })] });
    const { defs, problems } = mergeVariables([a, b]);
    expect(problems).toEqual([]);
    expect(defs.map((d) => [d.name, d.default])).toEqual([['model', 'a'], ['replicas', 1], ['debug', null]]);
  });

  it.each([
    ['types', { type: VariableType.INT32 }],
    ['locks', { locked: true, default: 'x' }],
  ])('should refuse one name declared with different %s', (_what, over) => {
    const { problems } = mergeVariables([bundle({ variables: [variable('model')] }), bundle({ variables: [variable('model', over)] })]);
    expect(problems.map((p) => [p.code, p.field])).toEqual([['INVALID_INPUT', ['bundleIds']]]);
    expect(problems[0].message).toMatch(/variable model is declared differently/);
  });
});

describe('gpuRequestsOf', () => {
  const planned = (name: string, gpu: ComponentSpec['gpu']): PlannedComponent => ({ ...component(name, { gpu }), profile: 'p' });

  it('should sum GPUs per family, sorted by family, without zero or absent requests', () => {
    const got = gpuRequestsOf([
      planned('a', { family: 'NVIDIA-H100', count: 2 }),
      planned('b', { family: 'AMD-MI300X', count: 1 }),
      planned('c', null),
      planned('d', { family: 'NVIDIA-H100', count: 3 }),
      planned('e', { family: 'NVIDIA-A100', count: 0 }),
    ]);
    expect(got).toEqual([
      { gpuFamily: 'AMD-MI300X', count: 1 },
      { gpuFamily: 'NVIDIA-H100', count: 5 },
    ]);
  });

  it('should request nothing for CPU-only apps', () => {
    expect(gpuRequestsOf([planned('a', null)])).toEqual([]);
  });
});

describe('render', () => {
  const resolved: ResolvedVariables = { model: 'mistral-7b', replicas: 3, debug: false };
  const server: PlannedComponent = {
    ...component('server', {
      values: { model: '{{ .var.model }}', replicaCount: '{{ .var.replicas }}', debug: '{{ .var.debug }}', banner: 'model={{ .var.model }}' },
      gpu: { family: 'NVIDIA-H100', count: 2 },
      expose: { port: 8080, path: '/api' },
    }),
    profile: 'serving',
  };
  const worker: PlannedComponent = { ...component('worker', { chart: { repository: 'oci://registry.example.com/charts/worker', chart: 'worker', version: '0.3.0' }, gpu: { family: 'NVIDIA-H100', count: 1 } }), profile: 'serving' };
  const input = (over: Partial<RenderInput> = {}): RenderInput => ({
    project: 'team-a',
    deployment: 'chat',
    cluster: 'team-a-shared-0',
    clusterSet: 'team-a-shared',
    components: [server, worker],
    resolved,
    gpuRequests: [{ gpuFamily: 'NVIDIA-H100', count: 3 }],
    retries: 0,
    ...over,
  });
  const manifests = (over: Partial<RenderInput> = {}) => renderManifestWork(input(over)).spec!.workload.manifests;

  it('should substitute the variables into the Helm values with their types', () => {
    const [c] = toAppComponents([server], resolved);
    expect(c).toEqual({
      name: 'server',
      chart: server.chart,
      values: { banner: 'model=mistral-7b', debug: false, model: 'mistral-7b', replicaCount: 3 },
      gpuCount: 2,
      gpuValuesPath: 'resources.limits',
      expose: { port: 8080, path: '/api' },
    });
    const hr = manifests().find((m) => m.kind === 'HelmRelease' && m.metadata.name === 'server')!;
    // the GPU request rides in the values, where the chart takes its limit; no annotation carries it
    expect((hr.spec as { values: unknown }).values).toEqual({ banner: 'model=mistral-7b', debug: false, model: 'mistral-7b', replicaCount: 3, resources: { limits: { 'nvidia.com/gpu': 2 } } });
    expect(hr.metadata.annotations).toEqual({ 'spokegraph.io/expose': '8080/api' });
  });

  it('should set the GPU limit at the path the component names, and refuse with a typed error values that cannot hold it', () => {
    const custom = { ...server, values: { pods: [{ name: 'p' }] }, gpu: { family: 'NVIDIA-H100', count: 2, valuesPath: 'pods.0.res' } };
    expect(toAppComponents([custom], resolved)[0]).toMatchObject({ values: { pods: [{ name: 'p' }] }, gpuCount: 2, gpuValuesPath: 'pods.0.res' });
    const hr = manifests({ components: [custom] }).find((m) => m.kind === 'HelmRelease')!;
    expect((hr.spec as { values: unknown }).values).toEqual({ pods: [{ name: 'p', res: { 'nvidia.com/gpu': 2 } }] });
    // a version stored before the catalog checked the path: a macro renders a scalar where the map should be
    const stale = { ...server, values: { resources: '{{ .var.model }}' }, gpu: { family: 'NVIDIA-H100', count: 1 } };
    expect(() => toAppComponents([stale], resolved)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/component server: .*not a map/) }));
    const noGpu = { ...stale, gpu: null };
    expect(toAppComponents([noGpu], resolved)[0]).not.toHaveProperty('gpuValuesPath');
  });

  it('should put the ManifestWork in the cluster namespace with the app namespace, GPU quota, sources, releases and services', () => {
    const work = renderManifestWork(input());
    expect(work.metadata).toMatchObject({ name: 'team-a--chat', namespace: 'team-a-shared-0', labels: { 'spokegraph.io/project': 'team-a', 'spokegraph.io/deployment': 'chat' } });
    expect(work.metadata.annotations).toBeUndefined();
    expect(manifests().map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/team-a--chat',
      'ResourceQuota/gpu-quota',
      expect.stringMatching(/^HelmRepository\/helm-[0-9a-f]{8}$/),
      'OCIRepository/worker-chart',
      'HelmRelease/server',
      'HelmRelease/worker',
      'Service/server-lb',
    ]);
    const quota = manifests().find((m) => m.kind === 'ResourceQuota')!;
    expect(quota.spec).toEqual({ hard: { 'requests.nvidia.com/gpu': '3' } });
    const feedback = work.spec!.manifestConfigs.map((c) => `${c.resourceIdentifier.resource}/${c.resourceIdentifier.name}`);
    expect(feedback).toEqual(['helmreleases/server', 'helmreleases/worker', 'services/server-lb']);
  });

  it('should render the same objects whatever order the components come in', () => {
    expect(renderManifestWork(input({ components: [worker, server] }))).toEqual(renderManifestWork(input()));
    expect(JSON.stringify(renderManifestWork(input()))).toBe(JSON.stringify(renderManifestWork(input())));
  });

  it('should ask Flux to reconcile again after a retry, and only then', () => {
    const work = renderManifestWork(input({ retries: 2 }));
    expect(work.metadata.annotations).toEqual({ 'spokegraph.io/reconcile-request': 'retry-2' });
    for (const hr of work.spec!.workload.manifests.filter((m) => m.kind === 'HelmRelease')) {
      expect(hr.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBe('retry-2');
      // the documented helm-controller reset: resetAt equal to the request clears the failure counters
      expect(hr.metadata.annotations?.['reconcile.fluxcd.io/resetAt']).toBe('retry-2');
    }
    for (const hr of manifests().filter((m) => m.kind === 'HelmRelease')) {
      expect(hr.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBeUndefined();
      expect(hr.metadata.annotations?.['reconcile.fluxcd.io/resetAt']).toBeUndefined();
    }
  });

  it('should quota zero GPUs for a CPU-only app', () => {
    const quota = manifests({ components: [{ ...component('cpu'), profile: 'p' }], gpuRequests: [] }).find((m) => m.kind === 'ResourceQuota')!;
    expect(quota.spec).toEqual({ hard: { 'requests.nvidia.com/gpu': '0' } });
  });

  it('should place on the admitted cluster of the pool cluster set, asking for the GPU family', () => {
    const p = renderPlacement(input());
    expect(p.metadata).toMatchObject({ name: 'chat', namespace: 'team-a', labels: { 'spokegraph.io/deployment': 'chat' } });
    expect(p.spec).toEqual({
      clusterSets: ['team-a-shared'],
      numberOfClusters: 1,
      predicates: [
        {
          requiredClusterSelector: {
            labelSelector: {
              matchExpressions: [
                { key: 'gpu.spokegraph.io/NVIDIA-H100', operator: 'Exists' },
                { key: 'spokegraph.io/cluster', operator: 'In', values: ['team-a-shared-0'] },
              ],
            },
          },
        },
      ],
    });
  });

  it('should require every GPU family the deployment requests, not only the first', () => {
    const p = renderPlacement(input({ gpuRequests: [{ gpuFamily: 'NVIDIA-L4', count: 1 }, { gpuFamily: 'NVIDIA-H100', count: 2 }] }));
    expect(p.spec!.predicates![0].requiredClusterSelector.labelSelector!.matchExpressions).toEqual([
      { key: 'gpu.spokegraph.io/NVIDIA-H100', operator: 'Exists' },
      { key: 'gpu.spokegraph.io/NVIDIA-L4', operator: 'Exists' },
      { key: 'spokegraph.io/cluster', operator: 'In', values: ['team-a-shared-0'] },
    ]);
  });

  it('should not ask for a GPU family when the app needs no GPU', () => {
    const p = renderPlacement(input({ gpuRequests: [] }));
    expect(p.spec!.predicates![0].requiredClusterSelector.labelSelector!.matchExpressions).toEqual([{ key: 'spokegraph.io/cluster', operator: 'In', values: ['team-a-shared-0'] }]);
  });
});
