/**
 * Writes what the gateway writes on a hub (per docs/hub-conventions.md), through the real client
 * with server-side apply, so controller tests drive the simulator exactly like the gateway does.
 */
import { CustomObjectsApi, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { waitFor } from './sim.helpers.js';

export type Obj = KubernetesObject & { spec?: any; status?: any; metadata: NonNullable<KubernetesObject['metadata']> & { annotations?: Record<string, string> } };

export interface HostSpec {
  hostId: string;
  role: 'CONTROL_PLANE' | 'WORKER';
  gpuFamily?: string | null;
  gpuCount?: number;
}

export class Fleet {
  readonly objs: KubernetesObjectApi;
  readonly co: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.objs = KubernetesObjectApi.makeApiClient(kc);
    this.co = kc.makeApiClient(CustomObjectsApi);
  }

  apply(obj: object): Promise<Obj> {
    return this.objs.patch(obj as KubernetesObject, undefined, undefined, 'spokegraph', true, PatchStrategy.ServerSideApply) as Promise<Obj>;
  }

  read(apiVersion: string, kind: string, name: string, namespace?: string): Promise<Obj> {
    return this.objs.read({ apiVersion, kind, metadata: { name, namespace } }) as Promise<Obj>;
  }

  async tryRead(apiVersion: string, kind: string, name: string, namespace?: string): Promise<Obj | undefined> {
    try {
      return await this.read(apiVersion, kind, name, namespace);
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
  }

  /** Polls an object until `ok` holds for it. */
  until(apiVersion: string, kind: string, name: string, namespace: string | undefined, ok: (o: Obj) => unknown, timeoutMs = 15_000): Promise<Obj> {
    return waitFor(`${kind} ${namespace ?? ''}/${name}`, async () => {
      const o = await this.tryRead(apiVersion, kind, name, namespace);
      return o && ok(o) ? o : undefined;
    }, timeoutMs);
  }

  namespace(name: string): Promise<Obj> {
    return this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  cluster(project: string, name: string, hosts: HostSpec[]): Promise<Obj> {
    const full = hosts.map((h) => ({ architecture: 'amd64', cpuCount: 32, memoryMiB: 131072, gpuFamily: null, gpuCount: 0, gpuMemoryMiB: 0, ...h }));
    return this.apply({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name, namespace: project, labels: { 'spokegraph.io/cluster': name, 'spokegraph.io/managed-by': 'spokegraph' }, annotations: { 'spokegraph.io/hosts': JSON.stringify(full) } },
      spec: { topology: { classRef: { name: 'edge' }, version: 'v1.31.2' } },
    });
  }

  machineDeployment(project: string, cluster: string, replicas: number): Promise<Obj> {
    return this.apply({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata: { name: `${cluster}-workers`, namespace: project, labels: { 'spokegraph.io/cluster': cluster } },
      spec: { clusterName: cluster, replicas, selector: { matchLabels: { pool: `${cluster}-workers` } }, template: { spec: { clusterName: cluster, bootstrap: {}, infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'EdgeMachineTemplate', name: cluster } } } },
    });
  }

  /** ManagedCluster + import secret + the `flux` add-on, as the registration and add-on steps write them. */
  async register(name: string, opts: { set?: string; labels?: Record<string, string>; importSecret?: boolean; addons?: boolean } = {}): Promise<void> {
    const labels: Record<string, string> = { 'spokegraph.io/cluster': name, ...opts.labels };
    if (opts.set) labels['cluster.open-cluster-management.io/clusterset'] = opts.set;
    await this.apply({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name, labels }, spec: { hubAcceptsClient: true } });
    if (opts.importSecret === false) return;
    await waitFor(`cluster namespace ${name}`, () => this.tryRead('v1', 'Namespace', name));
    await this.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'auto-import-secret', namespace: name }, stringData: { kubeconfig: `# kubeconfig of ${name}` } });
    if (opts.addons === false) return;
    await this.apply({ apiVersion: 'addon.open-cluster-management.io/v1alpha1', kind: 'ManagedClusterAddOn', metadata: { name: 'flux', namespace: name }, spec: { installNamespace: 'flux-system' } });
  }

  async clusterSet(set: string, bindInto: string): Promise<void> {
    await this.apply({ apiVersion: 'cluster.open-cluster-management.io/v1beta2', kind: 'ManagedClusterSet', metadata: { name: set }, spec: { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } } });
    await this.apply({ apiVersion: 'cluster.open-cluster-management.io/v1beta2', kind: 'ManagedClusterSetBinding', metadata: { name: set, namespace: bindInto }, spec: { clusterSet: set } });
  }
}

export const isTrue = (o: Obj | undefined, type: string, generation = o?.metadata.generation) =>
  (o?.status?.conditions ?? []).some((c: { type: string; status: string; observedGeneration?: number }) => c.type === type && c.status === 'True' && (c.observedGeneration === undefined || c.observedGeneration === generation));

export const condition = (o: Obj | undefined, type: string) => (o?.status?.conditions ?? []).find((c: { type: string }) => c.type === type) as { status: string; reason: string; message: string; observedGeneration?: number } | undefined;
