/**
 * The simulated hub alone, driven through the real adapter (client-node over HTTP, informers), at
 * speed 0: provision N dedicated pools (Cluster API → OCM registration → add-ons → cluster set),
 * then roll out D app deployments (Placement → decision → ManifestWork → Available with every
 * release Ready and the service address in feedback), a fixed number in flight, as the flows do.
 * Optionally delete and redeploy them (churn rounds) to see whether memory settles.
 *
 * Everything runs in this one process (sim + adapter): CPU is the process's, memory is measured
 * after a forced GC (run with --expose-gc, as `npm run bench:sim` does).
 *
 *   npm run bench:sim -- [--pools 4] [--deployments 200] [--inflight 100] [--churn 2] [--runs 1]
 *                        [--components 2] [--no-state] [--history 5000]
 *                        [--sim <path to another src/sim/index.ts>, e.g. a baseline copy]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AddOns,
  appNamespaceName,
  buildAppManifestWork,
  buildCapiCluster,
  buildImportSecret,
  buildMachineDeployment,
  buildManagedCluster,
  buildManagedClusterAddOn,
  buildManagedClusterSet,
  buildManagedClusterSetBinding,
  buildNamespace,
  buildPlacement,
  clusterSetName,
  decisionClusters,
  feedbackValues,
  gpuCountsByFamily,
  helmReleaseIdentifier,
  HostRole,
  isAddOnAvailable,
  machineDeploymentName,
  manifestWorkName,
  placementName,
  readCluster,
  readManagedCluster,
  readManifestWork,
  releaseFromFeedback,
  serviceAddressFromFeedback,
  serviceIdentifier,
  spokeClusterName,
  waitForObject,
  type AppComponent,
  type HostReservation,
  type HubInformer,
  type KubeObject,
  type SpokeClusterParams,
} from '../src/kube/index.js';
import { KubeHubAdapter } from '../src/kube/hub.adapter.js';
import { loadHubKubeConfig } from '../src/kube/hub.connection.js';
import { silentLogger } from '../src/logger.js';
import type { SimOptions, SimulatedHub } from '../src/sim/index.js';
import { args, environment, fmt, heading, mb, median, ms, percentile, summaryRows, table } from './lib/report.js';

const a = args();
const POOLS = a.int('pools', 4);
const DEPLOYMENTS = a.int('deployments', 200);
const INFLIGHT = a.int('inflight', 100);
const CHURN = a.int('churn', 0);
const RUNS = a.int('runs', 1);
const COMPONENTS = a.int('components', 2);
const STATE = !a.flag('no-state');
const HISTORY = a.get('history') === undefined ? undefined : a.int('history', 5000);
const SIM = a.get('sim');
const WAIT = a.int('timeout-s', 600) * 1000;
const PROJECT = 'bench';

const gc = () => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
};
const heapMb = () => {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external };
};

const hosts = (i: number): HostReservation[] => [
  { hostId: `cp-${i}`, role: HostRole.ControlPlane, architecture: 'amd64', cpuCount: 32, memoryMiB: 131072, gpuFamily: null, gpuCount: 0, gpuMemoryMiB: 0 },
  ...[0, 1, 2, 3].map((w) => ({ hostId: `w-${i}-${w}`, role: HostRole.Worker, architecture: 'amd64', cpuCount: 64, memoryMiB: 524288, gpuFamily: 'NVIDIA-H100', gpuCount: 32, gpuMemoryMiB: 81920 })),
];

const components = (n: number): AppComponent[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `c${i}`,
    chart: i % 2 === 0 ? { repository: 'https://charts.example.com/ai', chart: 'vllm', version: '0.6.2' } : { repository: 'oci://ghcr.io/example/charts', chart: 'ui', version: '1.4.0' },
    // the GPU limit is not in the values: the builder writes it at the component's values path
    values: { model: { name: 'llama-3-8b' }, replicas: 1 },
    gpuCount: i === 0 ? 1 : 0,
    expose: i === 0 ? { port: 8000, path: '/v1' } : undefined,
  }));

interface RunResult {
  provisionMs: number;
  deployed: number;
  wallMs: number;
  steadyPerSec: number;
  overallPerSec: number;
  p50: number;
  p99: number;
  cpuMs: number;
  cpuShare: number;
  memAfter: { rss: number; heap: number; external: number };
  rounds: Array<{ round: string; heap: number; rss: number; hubObjects: number; ms: number }>;
  stateWrites: number;
}

async function loadSim(): Promise<(o: SimOptions) => Promise<SimulatedHub>> {
  const mod = (await import(SIM ? pathToFileURL(path.resolve(SIM)).href : '../src/sim/index.js')) as { startSimulatedHub: (o: SimOptions) => Promise<SimulatedHub> };
  return mod.startSimulatedHub;
}

async function oneRun(): Promise<RunResult> {
  const startSimulatedHub = await loadSim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spokegraph-simbench-'));
  const stateFile = STATE ? path.join(dir, 'hub.json') : undefined;
  let stateWrites = 0;
  const watcher = stateFile ? fs.watch(dir, (ev, f) => ev === 'rename' && f === 'hub.json' && stateWrites++) : undefined;
  // the bench writes the spokes' objects itself, as the gateway would, but installs no NVIDIA device
  // plugin: GPUs are advertised from the start (an older src/sim given with --sim ignores the option)
  const hub = await startSimulatedHub({ speed: 0, logger: silentLogger, stateFile, historyLimit: HISTORY, requireGpuDevicePlugin: false });
  const adapter = new KubeHubAdapter(loadHubKubeConfig({ kind: 'simulated', hub }), { logger: silentLogger });
  const informers: Array<HubInformer<KubeObject>> = [];
  const follow = (...p: Parameters<KubeHubAdapter['informer']>) => {
    const inf = adapter.informer(...p);
    informers.push(inf);
    inf.start();
    return inf;
  };
  try {
    await adapter.apply(buildNamespace({ name: PROJECT, owner: { project: PROJECT } }));
    const clusters = follow('Cluster', { namespace: PROJECT });
    const managed = follow('ManagedCluster');
    const addOns = follow('ManagedClusterAddOn');
    const decisions = follow('PlacementDecision', { namespace: PROJECT });
    const works = follow('ManifestWork');
    await Promise.all(informers.map((i) => i.synced));

    // ---- pools
    const t0 = performance.now();
    const poolNames = Array.from({ length: POOLS }, (_, i) => `pool${i}`);
    await Promise.all(
      poolNames.map(async (pool, i) => {
        const cluster = spokeClusterName(PROJECT, pool);
        const set = clusterSetName(PROJECT, pool);
        const owner = { project: PROJECT, pool };
        const params: SpokeClusterParams = {
          project: PROJECT,
          pool,
          cluster,
          kubernetesVersion: '1.31.2',
          hosts: hosts(i),
          infrastructure: {
            clusterClass: 'edge-kubeadm',
            workerMachineTemplate: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'ByoMachineTemplate', name: 'edge-worker' },
            workerBootstrapTemplate: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: 'edge-worker' },
          },
        };
        await adapter.apply(buildCapiCluster(params));
        await adapter.apply(buildMachineDeployment(params));
        await waitForObject(clusters, PROJECT, cluster, (c) => Boolean(c && readCluster(c).provisioned), WAIT);
        const kubeconfig = await adapter.getSecretValue({ namespace: PROJECT, name: `${cluster}-kubeconfig` }, 'value');
        await adapter.apply(buildManagedCluster({ cluster, clusterSet: set, gpus: gpuCountsByFamily(params.hosts), owner }));
        await waitForObject(managed, undefined, cluster, (mc) => Boolean(mc && readManagedCluster(mc).accepted), WAIT);
        for (;;) {
          if (await adapter.get({ kind: 'Namespace', name: cluster })) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        await adapter.apply(buildImportSecret({ cluster, kubeconfig: kubeconfig ?? '', owner }));
        await waitForObject(managed, undefined, cluster, (mc) => Boolean(mc && readManagedCluster(mc).available), WAIT);
        // Flux only, as the gateway's install-addons step: the work agent is part of the klusterlet
        // on stock OCM, so a work-agent add-on would never become Available
        await adapter.apply(buildManagedClusterAddOn({ cluster, addOn: AddOns.Flux, owner }));
        await waitForObject(addOns, cluster, AddOns.Flux.name, (o) => Boolean(o && isAddOnAvailable(o)), WAIT);
        await adapter.apply(buildManagedClusterSet({ name: set, owner }));
        await adapter.apply(buildManagedClusterSetBinding({ namespace: PROJECT, clusterSet: set, owner: { project: PROJECT } }));
        void machineDeploymentName;
      }),
    );
    const provisionMs = performance.now() - t0;

    // ---- deployments
    const comps = components(COMPONENTS);
    const deployOne = async (i: number, round: number) => {
      const pool = poolNames[i % POOLS];
      const cluster = spokeClusterName(PROJECT, pool);
      const deployment = `d${round}-${i}`;
      await adapter.apply(buildPlacement({ project: PROJECT, deployment, clusterSets: [clusterSetName(PROJECT, pool)], gpuFamilies: ['NVIDIA-H100'] }));
      await waitForObject(decisions, PROJECT, `${placementName(deployment)}-decision-1`, (d) => Boolean(d && decisionClusters([d]).includes(cluster)), WAIT);
      await adapter.apply(buildAppManifestWork({ project: PROJECT, deployment, cluster, gpuReservation: 1, components: comps }));
      // the builder's namespace (ownedName), not a hand-made join: feedback is keyed by it
      const ns = appNamespaceName(PROJECT, deployment);
      const exposed = comps.filter((c) => c.expose);
      await waitForObject(
        works,
        cluster,
        manifestWorkName(PROJECT, deployment),
        (mw) => {
          if (!mw) return false;
          const w = readManifestWork(mw);
          return (
            w.applied &&
            w.available &&
            comps.every((c) => releaseFromFeedback(feedbackValues(mw, helmReleaseIdentifier(ns, c.name))).state === 'ready') &&
            exposed.every((c) => Boolean(serviceAddressFromFeedback(feedbackValues(mw, serviceIdentifier(ns, c.name)))))
          );
        },
        WAIT,
      );
    };
    const removeOne = async (i: number, round: number) => {
      const pool = poolNames[i % POOLS];
      const cluster = spokeClusterName(PROJECT, pool);
      const deployment = `d${round}-${i}`;
      await adapter.deleteAndWait({ kind: 'ManifestWork', namespace: cluster, name: manifestWorkName(PROJECT, deployment) }, { timeoutMs: WAIT, pollMs: 50 });
      await adapter.deleteAndWait({ kind: 'Placement', namespace: PROJECT, name: placementName(deployment) }, { timeoutMs: WAIT, pollMs: 50 });
    };
    const lanes = async (n: number, fn: (i: number) => Promise<void>, onDone?: (i: number, at: number, took: number) => void) => {
      let next = 0;
      const lane = async () => {
        while (next < n) {
          const i = next++;
          const s = performance.now();
          await fn(i);
          onDone?.(i, performance.now(), performance.now() - s);
        }
      };
      await Promise.all(Array.from({ length: Math.min(INFLIGHT, n) }, lane));
    };

    const rounds: RunResult['rounds'] = [];
    const mark = (round: string, took: number) => {
      const m = heapMb();
      rounds.push({ round, heap: m.heap, rss: m.rss, hubObjects: hub.objects().length, ms: took });
    };
    mark('pools provisioned', provisionMs);

    const completions: number[] = [];
    const latencies: number[] = [];
    const cpu0 = process.cpuUsage();
    const d0 = performance.now();
    await lanes(DEPLOYMENTS, (i) => deployOne(i, 0), (_i, at, took) => {
      completions.push(at - d0);
      latencies.push(took);
    });
    const wallMs = performance.now() - d0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    mark(`${DEPLOYMENTS} deployed`, wallMs);
    const memAfter = heapMb();

    for (let r = 1; r <= CHURN; r++) {
      let s = performance.now();
      await lanes(DEPLOYMENTS, (i) => removeOne(i, r - 1));
      mark(`round ${r}: all removed`, performance.now() - s);
      s = performance.now();
      await lanes(DEPLOYMENTS, (i) => deployOne(i, r));
      mark(`round ${r}: ${DEPLOYMENTS} redeployed`, performance.now() - s);
    }

    completions.sort((x, y) => x - y);
    const lo = Math.floor(completions.length * 0.1);
    const hi = Math.floor(completions.length * 0.9) - 1;
    return {
      provisionMs,
      deployed: completions.length,
      wallMs,
      steadyPerSec: hi > lo ? ((hi - lo) / (completions[hi] - completions[lo])) * 1000 : NaN,
      overallPerSec: (completions.length / wallMs) * 1000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpuMs,
      cpuShare: cpuMs / wallMs,
      memAfter,
      rounds,
      stateWrites,
    };
  } finally {
    informers.forEach((i) => i.stop());
    await hub.stop();
    watcher?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  environment('Simulated hub alone: pools + app deployments through the adapter (speed 0)', {
    sim: SIM ?? 'src/sim (this tree)',
    runs: RUNS,
    pools: `${POOLS} dedicated (1 control plane + 4 workers × 32 GPUs each)`,
    deployments: DEPLOYMENTS,
    'in flight': INFLIGHT,
    'components per deployment': COMPONENTS,
    'churn rounds (delete all + redeploy)': CHURN,
    'state file': STATE,
    historyLimit: HISTORY ?? 'default',
    gc: typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'forced before memory readings' : 'NOT exposed (run with node --expose-gc)',
  });
  const results: RunResult[] = [];
  for (let r = 0; r < RUNS; r++) {
    const res = await oneRun();
    results.push(res);
    heading(`Run ${r + 1}`);
    console.log(
      table(
        ['pools ready', 'deployed', 'wall', 'steady /s', 'overall /s', 'p50', 'p99', 'CPU', 'CPU share', 'RSS', 'heap', 'state writes'],
        [[ms(res.provisionMs), res.deployed, ms(res.wallMs), fmt(res.steadyPerSec), fmt(res.overallPerSec), ms(res.p50), ms(res.p99), ms(res.cpuMs), `${fmt(res.cpuShare * 100, 0)} %`, mb(res.memAfter.rss), mb(res.memAfter.heap), res.stateWrites]],
      ),
    );
    console.log();
    console.log(table(['checkpoint', 'took', 'heap (after GC)', 'RSS', 'hub objects'], res.rounds.map((x) => [x.round, ms(x.ms), mb(x.heap), mb(x.rss), x.hubObjects])));
  }
  const m = (f: (r: RunResult) => number) => median(results.map(f));
  if (RUNS > 1) {
    heading('Medians');
    console.log(
      table(
        ['deployed', 'wall', 'steady /s', 'overall /s', 'p50', 'CPU', 'RSS', 'heap'],
        [[m((r) => r.deployed), ms(m((r) => r.wallMs)), fmt(m((r) => r.steadyPerSec)), fmt(m((r) => r.overallPerSec)), ms(m((r) => r.p50)), ms(m((r) => r.cpuMs)), mb(m((r) => r.memAfter.rss)), mb(m((r) => r.memAfter.heap))]],
      ),
    );
  }
  summaryRows([
    { name: `simulated hub alone: ${DEPLOYMENTS} deployments, ${INFLIGHT} in flight — overall /s, p99, CPU share`, value: `${fmt(m((r) => r.overallPerSec))}/s, ${ms(m((r) => r.p99))}, ${fmt(m((r) => r.cpuShare) * 100, 0)} %` },
    { name: 'simulated hub alone: RSS / heap after GC', value: `${mb(m((r) => r.memAfter.rss))} / ${mb(m((r) => r.memAfter.heap))}` },
  ]);
  console.log(`\nRESULT ${JSON.stringify(results.map((r) => ({ wallMs: Math.round(r.wallMs), perSec: +r.overallPerSec.toFixed(2), cpuMs: Math.round(r.cpuMs), rssMb: Math.round(r.memAfter.rss / 2 ** 20), heapMb: Math.round(r.memAfter.heap / 2 ** 20), rounds: r.rounds.map((x) => Math.round(x.heap / 2 ** 20)) })))}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
