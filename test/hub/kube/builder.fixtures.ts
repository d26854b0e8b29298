/**
 * Every variant of every object the builders produce, named, so the CRD test, the builder tests and
 * the contract tests exercise the same set.
 */
import {
  AddOns,
  buildAppManifestWork,
  buildCapiCluster,
  buildImportSecret,
  buildMachineDeployment,
  buildManagedCluster,
  buildManagedClusterAddOn,
  buildManagedClusterSet,
  buildManagedClusterSetBinding,
  buildPlacement,
  gpuCountsByFamily,
  HostRole,
  type AppComponent,
  type CapiInfrastructure,
  type HostReservation,
  type KubeObject,
  type SpokeClusterParams,
} from '../../../src/kube/index.js';

export const INFRA: CapiInfrastructure = {
  clusterClass: 'edge-kubeadm',
  workerMachineTemplate: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'ByoMachineTemplate', name: 'edge-worker' },
  workerBootstrapTemplate: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: 'edge-worker' },
};

export const host = (hostId: string, role: HostReservation['role'], gpuFamily: string | null = null, gpuCount = 0): HostReservation => ({
  hostId,
  role,
  architecture: 'amd64',
  cpuCount: 32,
  memoryMiB: 131072,
  gpuFamily,
  gpuCount,
  gpuMemoryMiB: gpuFamily ? 81920 : 0,
});

export const HOSTS: HostReservation[] = [
  host('host-w2', HostRole.Worker, 'NVIDIA-H100', 8),
  host('host-cp1', HostRole.ControlPlane),
  host('host-w1', HostRole.Worker, 'NVIDIA-H100', 8),
];

export const spokeParams = (over: Partial<SpokeClusterParams> = {}): SpokeClusterParams => ({
  project: 'vision',
  pool: 'h100-pool',
  cluster: 'vision-h100-pool',
  kubernetesVersion: '1.31.2',
  hosts: HOSTS,
  infrastructure: INFRA,
  ...over,
});

export const COMPONENTS: Record<string, AppComponent> = {
  llm: {
    name: 'llm-server',
    chart: { repository: 'https://charts.example.com/ai', chart: 'vllm', version: '0.6.2' },
    values: { model: { name: 'llama-3-8b' }, resources: { limits: { cpu: '4' } } },
    gpuCount: 2,
    expose: { port: 8000, path: '/v1' },
  },
  ui: {
    name: 'chat-ui',
    chart: { repository: 'oci://ghcr.io/example/charts', chart: 'chat-ui', version: '1.4.0' },
    gpuCount: 0,
    expose: { port: 3000 },
  },
  embed: {
    name: 'embedder',
    chart: { repository: 'https://charts.example.com/ai', chart: 'tei', version: '>=1.2.0 <2.0.0' },
    gpuCount: 1,
  },
  ociRange: {
    name: 'worker',
    chart: { repository: 'oci://registry.example.com/charts/', chart: 'batch-worker', version: '^2.1' },
    values: {},
    gpuCount: 0,
  },
};

const owner = { project: 'vision', pool: 'h100-pool' };

/** name → object; every builder and each meaningful variant. */
export function allVariants(): Record<string, KubeObject> {
  const p = spokeParams();
  const single = spokeParams({ cluster: 'vision-single', hosts: [host('h1', HostRole.ControlPlane, 'NVIDIA-A100', 4)] });
  const longName = 'x'.repeat(33);
  return {
    'Cluster dedicated': buildCapiCluster(p),
    'Cluster single node, ClusterClass in another namespace': buildCapiCluster({
      ...single,
      infrastructure: { ...INFRA, clusterClassNamespace: 'capi-classes' },
    }),
    'MachineDeployment dedicated': buildMachineDeployment(p),
    'MachineDeployment no workers': buildMachineDeployment(single),
    'ManagedCluster with GPUs': buildManagedCluster({ cluster: p.cluster, clusterSet: 'vision-h100-pool', gpus: gpuCountsByFamily(HOSTS), owner }),
    'ManagedCluster two families': buildManagedCluster({
      cluster: 'vision-shared-0',
      clusterSet: 'vision-shared',
      gpus: { 'NVIDIA-H100': 8, 'NVIDIA-A100': 4 },
      owner,
    }),
    'ManagedCluster without GPUs': buildManagedCluster({ cluster: 'vision-cpu', clusterSet: 'vision-cpu', gpus: {}, owner }),
    'ManagedClusterAddOn flux': buildManagedClusterAddOn({ cluster: p.cluster, addOn: AddOns.Flux, owner }),
    ManagedClusterSet: buildManagedClusterSet({ name: 'vision-h100-pool', owner }),
    ManagedClusterSetBinding: buildManagedClusterSetBinding({ namespace: 'vision', clusterSet: 'vision-h100-pool', owner: { project: 'vision' } }),
    'Placement minimal': buildPlacement({ project: 'vision', deployment: 'chat', clusterSets: ['vision-h100-pool'] }),
    'Placement GPU family (dedicated)': buildPlacement({ project: 'vision', deployment: 'chat', clusterSets: ['vision-h100-pool'], gpuFamilies: ['NVIDIA-H100'] }),
    'Placement shared with candidates and labels': buildPlacement({
      project: 'vision',
      deployment: 'chat',
      clusterSets: ['vision-shared', 'vision-extra'],
      numberOfClusters: 1,
      gpuFamilies: ['NVIDIA-A100', 'NVIDIA-H100'],
      candidateClusters: ['vision-shared-1', 'vision-shared-0'],
      matchLabels: { region: 'eu-west' },
    }),
    'ManifestWork helm, not exposed': buildAppManifestWork({
      project: 'vision',
      deployment: 'embed',
      cluster: p.cluster,
      gpuReservation: 1,
      components: [COMPONENTS.embed],
    }),
    'ManifestWork helm + oci, exposed, shared repository': buildAppManifestWork({
      project: 'vision',
      deployment: 'chat',
      cluster: p.cluster,
      gpuReservation: 3,
      components: [COMPONENTS.ui, COMPONENTS.llm, COMPONENTS.embed, COMPONENTS.ociRange],
    }),
    'ManifestWork retried (reconcile request on every release)': buildAppManifestWork({
      project: 'vision',
      deployment: 'chat',
      cluster: p.cluster,
      gpuReservation: 3,
      components: [COMPONENTS.llm, COMPONENTS.ui],
      reconcileRequestedAt: '2026-11-27T04:00:00Z',
    }),
    'ManifestWork NodePort exposure': buildAppManifestWork({
      project: 'vision',
      deployment: 'chat',
      cluster: p.cluster,
      gpuReservation: 2,
      components: [COMPONENTS.llm, COMPONENTS.ui],
      exposure: { mode: 'NODE_PORT' },
    }),
    'ManifestWork Ingress exposure': buildAppManifestWork({
      project: 'vision',
      deployment: 'chat',
      cluster: p.cluster,
      gpuReservation: 2,
      components: [COMPONENTS.llm, COMPONENTS.ui],
      exposure: { mode: 'INGRESS', ingressHostSuffix: 'apps.edge.example.com' },
    }),
    'ManifestWork Ingress exposure, long names (hashed host label)': buildAppManifestWork({
      project: longName,
      deployment: `${longName}-y`,
      cluster: p.cluster,
      gpuReservation: 0,
      components: [{ ...COMPONENTS.ui, name: `${'Very Long Component Name '.repeat(4)}` }],
      exposure: { mode: 'INGRESS', ingressHostSuffix: 'apps.example.com' },
    }),
    'ManifestWork long names (hashed)': buildAppManifestWork({
      project: longName,
      deployment: `${longName}-y`,
      cluster: p.cluster,
      gpuReservation: 0,
      components: [{ ...COMPONENTS.ui, name: `${'Very Long Component Name '.repeat(4)}` }],
    }),
    'Secret auto-import': buildImportSecret({ cluster: p.cluster, kubeconfig: 'apiVersion: v1\nkind: Config\n', owner }),
  };
}
