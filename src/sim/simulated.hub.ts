/**
 * Wires the simulated hub together: store, spoke stores, API server, controllers, faults and
 * persistence. The public surface is in index.ts.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, type Logger } from '../logger.js';
import { loadFluxAddOn } from './addon.seed.js';
import { ApiServer } from './api.server.js';
import { capiEndpointAdmission } from './capi.endpoint.js';
import { startControllers } from './controllers/controller.set.js';
import { FaultState, type SimFaults } from './fault.state.js';
import { GarbageCollector } from './garbage.collector.js';
import { clone, groupOf, type KubeObject } from './kube.types.js';
import { ObjectStore } from './object.store.js';
import { validationAdmission } from './object.validation.js';
import { quotaAdmission } from './quota.admission.js';
import { SpokeFleet } from './spoke.fleet.js';
import { loadState, StatePersister } from './state.persist.js';
import { clearEncodingCache } from './watch.stream.js';

export interface SimOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Controller delay multiplier: 0 = as fast as possible (still asynchronous), 1 = demo pace. Default 1. */
  speed?: number;
  faults?: Partial<SimFaults>;
  /** Load hub and spoke state from this JSON file at start, and save it on changes (at most about once a second) and on stop. */
  stateFile?: string;
  logger?: Logger;
  /** How often watches that asked for bookmarks get one. Default 5000 ms. */
  bookmarkIntervalMs?: number;
  /** Watch events kept for resuming from a resourceVersion. Default 5000. */
  historyLimit?: number;
  /**
   * Apply deploy/addons/flux-addon.yaml at start (the Flux ClusterManagementAddOn + AddOnTemplate an
   * operator applies on a real hub). false = a hub without it: the `flux` add-on never installs.
   * Default true.
   */
  fluxAddOn?: boolean;
  /**
   * How spokes join. `auto-import` (default): the hub imports a cluster from its auto-import-secret, as
   * multicluster-engine/ACM do. `klusterlet`: stock OCM; auto-import-secret means nothing, a spoke joins
   * only when the klusterlet bootstrap reaches it (ClusterResourceSet) and the hub approves its CSR.
   */
  registration?: 'auto-import' | 'klusterlet';
  /**
   * Model the GPU device plugin: a spoke advertises `nvidia.com/gpu` (ManagedCluster capacity, pod
   * scheduling) only once an nvidia-device-plugin or gpu-operator HelmRelease is Ready on it, as real
   * nodes do. Default true; false = GPUs are there from the start (controller tests that hand-write spokes).
   */
  requireGpuDevicePlugin?: boolean;
  /** Run the simulated controllers (Cluster API, OCM, Flux...). false = a bare API server. Default true. */
  controllers?: boolean;
}

export interface SpokeView {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
}

export interface SimulatedHub {
  /** Base URL of the simulated API server, e.g. http://127.0.0.1:41234 */
  url: string;
  kubeconfigYaml(): string;
  /** A client-node KubeConfig for this hub (http, skipTLSVerify: true, any token). */
  kubeConfig(): KubeConfig;
  faults: { get(): SimFaults; set(p: Partial<SimFaults>): void; clear(): void };
  /** Close every open watch (cleanly, as a server timeout would; `abrupt` destroys the sockets). Returns how many. */
  dropWatches(abrupt?: boolean): number;
  /** Forget watch history: the next watch or continue token with an older resourceVersion gets 410 Expired. */
  compactHistory(): void;
  /** Read-only view of one spoke cluster's objects (what the work agent applied and spoke controllers made). */
  spoke(cluster: string): SpokeView;
  /** Spoke clusters that have a store. */
  spokes(): string[];
  /** Hub objects, optionally filtered; e.g. objects({ kind: 'ManifestWork' }).length. */
  objects(filter?: { apiVersion?: string; kind?: string; namespace?: string }): KubeObject[];
  stop(): Promise<void>;
}

const SIM_CONTEXT = 'spokegraph-sim';

/**
 * What a real hub has before spokegraph writes anything: Kubernetes' own namespaces, OCM's hub
 * (cluster manager and its controllers), Flux, cert-manager and Cluster API's core and kubeadm
 * providers. None carries spokegraph's marks, so the gateway must never write over or delete them.
 */
export const HUB_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'open-cluster-management',
  'open-cluster-management-hub',
  'flux-system',
  'cert-manager',
  'capi-system',
  'capi-kubeadm-bootstrap-system',
  'capi-kubeadm-control-plane-system',
] as const;

export async function startSimulatedHub(opts: SimOptions = {}): Promise<SimulatedHub> {
  const logger = (opts.logger ?? createLogger()).child({ component: 'simulated-hub' });
  const speed = opts.speed ?? 1;
  if (!(Number.isFinite(speed) && speed >= 0)) throw new Error(`simulated hub speed must be a number >= 0, got ${speed}`);
  const faults = new FaultState(opts.faults);
  const hub = new ObjectStore('hub', { historyLimit: opts.historyLimit, admission: [capiEndpointAdmission, validationAdmission, quotaAdmission] });
  const spokes = new SpokeFleet();

  const loaded = opts.stateFile ? loadState(opts.stateFile) : undefined;
  if (loaded) {
    hub.load(loaded.hub);
    spokes.load(loaded.spokes);
  }
  for (const ns of HUB_NAMESPACES) {
    if (hub.namespacePhase(ns) === 'missing') hub.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  if (opts.fluxAddOn !== false) {
    for (const o of loadFluxAddOn()) if (!hub.get(groupOf(o.apiVersion), o.kind, undefined, o.metadata.name ?? '')) hub.create(o, { manager: 'kubectl' });
  }

  const persister = opts.stateFile ? new StatePersister(opts.stateFile, () => ({ hub: hub.snapshot(), spokes: spokes.snapshot() }), logger) : undefined;
  const unsubs: Array<() => void> = [];
  if (persister) {
    unsubs.push(hub.subscribe(() => persister.schedule()));
    unsubs.push(spokes.onEvent(() => persister.schedule()));
  }

  const server = new ApiServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    store: hub,
    faults,
    logger,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5_000,
  });
  const url = await server.start();

  let dropTimer: NodeJS.Timeout | undefined;
  const armDropTimer = (every: number) => {
    if (dropTimer) clearInterval(dropTimer);
    dropTimer = every > 0 ? setInterval(() => server.watches.dropAll(false), every) : undefined;
  };
  armDropTimer(faults.get().dropWatchesEveryMs);
  unsubs.push(faults.onChange((f) => armDropTimer(f.dropWatchesEveryMs)));

  // Garbage collection is core Kubernetes (kube-controller-manager), not a simulated add-on: it runs
  // even when the simulated Cluster API, OCM and Flux controllers are off.
  const gc = new GarbageCollector(hub);
  const controllers = opts.controllers === false ? { stop: () => undefined } : startControllers({ hub, spokes, faults, speed, logger, registration: opts.registration ?? 'auto-import', requireGpuDevicePlugin: opts.requireGpuDevicePlugin ?? true });

  logger.info(`SIMULATED Kubernetes hub (spokegraph sim) listening on ${url} — not a real cluster; Cluster API, OCM and Flux are played by in-process controllers`, {
    speed,
    faults: faults.get(),
    stateFile: opts.stateFile,
    restored: Boolean(loaded),
  });

  const kubeconfigYaml = () =>
    [
      'apiVersion: v1',
      'kind: Config',
      '# SIMULATED hub (spokegraph sim): not a real Kubernetes cluster',
      'clusters:',
      `- name: ${SIM_CONTEXT}`,
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${SIM_CONTEXT}`,
      '  user:',
      '    token: simulated-hub-token',
      'contexts:',
      `- name: ${SIM_CONTEXT}`,
      '  context:',
      `    cluster: ${SIM_CONTEXT}`,
      `    user: ${SIM_CONTEXT}`,
      '    namespace: default',
      `current-context: ${SIM_CONTEXT}`,
      '',
    ].join('\n');

  let stopped = false;
  return {
    url,
    kubeconfigYaml,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: SIM_CONTEXT, server: url, skipTLSVerify: true }],
        users: [{ name: SIM_CONTEXT, token: 'simulated-hub-token' }],
        contexts: [{ name: SIM_CONTEXT, cluster: SIM_CONTEXT, user: SIM_CONTEXT, namespace: 'default' }],
        currentContext: SIM_CONTEXT,
      });
      return kc;
    },
    faults: { get: () => faults.get(), set: (p) => faults.set(p), clear: () => faults.clear() },
    dropWatches: (abrupt = false) => server.watches.dropAll(abrupt),
    compactHistory: () => hub.compact(),
    spoke(cluster) {
      const store = () => (spokes.has(cluster) ? spokes.get(cluster) : undefined);
      return {
        // Copies: the stores hold frozen objects, callers of this view may change what they get.
        get: (apiVersion, kind, namespace, name) => {
          const o = store()?.get(groupOf(apiVersion), kind, namespace, name);
          return o && clone(o);
        },
        list: (apiVersion, kind, namespace) => (store()?.list(groupOf(apiVersion), kind, namespace) ?? []).map(clone),
      };
    },
    spokes: () => spokes.names(),
    objects(filter = {}) {
      return hub
        .all()
        .filter(
          (o) =>
            (!filter.kind || o.kind === filter.kind) &&
            (!filter.apiVersion || groupOf(o.apiVersion) === groupOf(filter.apiVersion)) &&
            (filter.namespace === undefined || o.metadata.namespace === filter.namespace),
        )
        .map(clone);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      controllers.stop();
      gc.stop();
      if (dropTimer) clearInterval(dropTimer);
      unsubs.forEach((u) => u());
      await server.stop();
      spokes.close();
      clearEncodingCache();
      if (persister) await persister.flush();
      logger.info('SIMULATED Kubernetes hub (spokegraph sim) stopped', { url });
    },
  };
}

