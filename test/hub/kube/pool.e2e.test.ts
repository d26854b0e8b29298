/**
 * A whole dedicated-pool App Deployment driven by the adapter alone against the simulated hub, with
 * 10% of API requests failing with 5xx: provision (Cluster API) → register (OCM) → add-ons →
 * environment → placement → ManifestWork → rollout and access address → teardown. Waits use
 * informers, as the flows do; every verb must absorb the injected errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appNamespaceName,
  AddOns,
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
  clusterProgress,
  clusterSetName,
  decisionClusters,
  decisionSelector,
  feedbackValues,
  gpuCountsByFamily,
  helmReleaseIdentifier,
  isAddOnAvailable,
  KUBECONFIG_SECRET_KEY,
  kubeconfigSecretName,
  machineDeploymentName,
  manifestWorkName,
  placementName,
  readCluster,
  readMachineDeployment,
  readManagedCluster,
  readManifestWork,
  readPlacement,
  releaseFromFeedback,
  serviceAddressFromFeedback,
  serviceIdentifier,
  spokeClusterName,
  waitForObject,
  type HubInformer,
  type KubeObject,
} from '../../../src/kube/index.js';
import { createLogger } from '../../../src/logger.js';
import { COMPONENTS, spokeParams } from './builder.fixtures.js';
import { eventually, startTestHub, type TestHub } from './sim.harness.js';

const PROJECT = 'vision';
const POOL = 'h100';
const DEPLOYMENT = 'chat';
const CLUSTER = spokeClusterName(PROJECT, POOL);
const SET = clusterSetName(PROJECT, POOL);
const WAIT = 60_000;

let t: TestHub;
const informers: Array<HubInformer<KubeObject>> = [];
function follow(...args: Parameters<TestHub['adapter']['informer']>): HubInformer<KubeObject> {
  const inf = t.adapter.informer(...args);
  informers.push(inf);
  inf.start();
  return inf;
}

const logLines: string[] = [];
beforeAll(async () => {
  const logger = createLogger({ level: 'debug', json: true, write: (line) => logLines.push(line) });
  t = await startTestHub({ faults: { errorRate: 0.1 } }, { logger });
});
afterAll(async () => {
  informers.forEach((i) => i.stop());
  await t?.stop();
});

describe('dedicated pool and app deployment, end to end through the adapter', () => {
  it('should provision, register, place, deploy, expose and tear down with 10% injected 5xx', async () => {
    const a = t.adapter;
    const params = spokeParams({ project: PROJECT, pool: POOL, cluster: CLUSTER });
    const poolOwner = { project: PROJECT, pool: POOL };

    // Project namespace, then the Cluster API request
    await a.apply(buildNamespace({ name: PROJECT, owner: { project: PROJECT } }));
    const clusters = follow('Cluster', { namespace: PROJECT });
    const mds = follow('MachineDeployment', { namespace: PROJECT });
    const progress: number[] = [];
    const record = (c: KubeObject) => progress.push(clusterProgress(c, mds.get(PROJECT, machineDeploymentName(CLUSTER))));
    clusters.on('add', record);
    clusters.on('update', record);
    await a.apply(buildCapiCluster(params));
    await a.apply(buildMachineDeployment(params));
    const provisioned = await waitForObject(clusters, PROJECT, CLUSTER, (c) => Boolean(c && readCluster(c).available), WAIT);
    expect(readCluster(provisioned!)).toMatchObject({ phase: 'Provisioned', failed: false, controlPlaneAvailable: true, workersAvailable: true, available: true });
    expect(progress.length).toBeGreaterThan(0);
    // informers are independent caches: the MachineDeployment's may trail the Cluster's by an event
    const md = await waitForObject(mds, PROJECT, machineDeploymentName(CLUSTER), (o) => Boolean(o && readMachineDeployment(o).fraction === 1), WAIT);
    expect(clusterProgress(provisioned!, md)).toBe(1);

    // kubeconfig written by Cluster API
    const kubeconfig = await a.getSecretValue({ namespace: PROJECT, name: kubeconfigSecretName(CLUSTER) }, KUBECONFIG_SECRET_KEY);
    expect(kubeconfig).toContain('kind: Config');

    // register the spoke: accepted → cluster namespace → import secret → joined and available
    const managed = follow('ManagedCluster');
    await a.apply(buildManagedCluster({ cluster: CLUSTER, clusterSet: SET, gpus: gpuCountsByFamily(params.hosts), owner: poolOwner }));
    await waitForObject(managed, undefined, CLUSTER, (mc) => Boolean(mc && readManagedCluster(mc).accepted), WAIT);
    await eventually(() => a.get({ kind: 'Namespace', name: CLUSTER }), 'cluster namespace');
    await a.apply(buildImportSecret({ cluster: CLUSTER, kubeconfig: kubeconfig!, owner: poolOwner }));
    const joined = await waitForObject(managed, undefined, CLUSTER, (mc) => Boolean(mc && readManagedCluster(mc).joined && readManagedCluster(mc).available), WAIT);
    expect(readManagedCluster(joined!).gpus).toEqual({ observedTotal: 16, byFamily: { 'NVIDIA-H100': 16 } });

    // controllers on the spoke
    const addOns = follow('ManagedClusterAddOn', { namespace: CLUSTER });
    for (const addOn of [AddOns.Flux]) await a.apply(buildManagedClusterAddOn({ cluster: CLUSTER, addOn, owner: poolOwner }));
    for (const addOn of [AddOns.Flux]) await waitForObject(addOns, CLUSTER, addOn.name, (o) => Boolean(o && isAddOnAvailable(o)), WAIT);

    // environment and placement
    await a.apply(buildManagedClusterSet({ name: SET, owner: poolOwner }));
    await a.apply(buildManagedClusterSetBinding({ namespace: PROJECT, clusterSet: SET, owner: { project: PROJECT } }));
    const decisions = follow('PlacementDecision', { namespace: PROJECT, labelSelector: decisionSelector(placementName(DEPLOYMENT)) });
    const placements = follow('Placement', { namespace: PROJECT });
    await a.apply(buildPlacement({ project: PROJECT, deployment: DEPLOYMENT, clusterSets: [SET], gpuFamilies: ['NVIDIA-H100'] }));
    await eventually(() => decisionClusters(decisions.list()).length > 0 || undefined, 'a placement decision', WAIT);
    expect(decisionClusters(decisions.list())).toEqual([CLUSTER]);
    await waitForObject(placements, PROJECT, placementName(DEPLOYMENT), (p) => Boolean(p && readPlacement(p).satisfied), WAIT);

    // the app: one ManifestWork in the chosen cluster's namespace
    const work = buildAppManifestWork({ project: PROJECT, deployment: DEPLOYMENT, cluster: CLUSTER, gpuReservation: 3, components: [COMPONENTS.llm, COMPONENTS.embed] });
    const works = follow('ManifestWork', { namespace: CLUSTER });
    await a.apply(work);
    expect((await a.apply(work)).metadata.generation).toBe(1); // idempotent re-apply, as a retried step does
    const ns = appNamespaceName(PROJECT, DEPLOYMENT);
    const llm = helmReleaseIdentifier(ns, COMPONENTS.llm.name);
    const embed = helmReleaseIdentifier(ns, COMPONENTS.embed.name);
    const svc = serviceIdentifier(ns, COMPONENTS.llm.name);
    const rolledOut = await waitForObject(
      works,
      CLUSTER,
      manifestWorkName(PROJECT, DEPLOYMENT),
      (mw) =>
        Boolean(
          mw &&
            readManifestWork(mw).applied &&
            readManifestWork(mw).available &&
            releaseFromFeedback(feedbackValues(mw, llm)).state === 'ready' &&
            releaseFromFeedback(feedbackValues(mw, embed)).state === 'ready' &&
            serviceAddressFromFeedback(feedbackValues(mw, svc)),
        ),
      WAIT,
    );
    expect(releaseFromFeedback(feedbackValues(rolledOut!, llm))).toEqual({ state: 'ready', reason: 'InstallSucceeded' });
    expect(serviceAddressFromFeedback(feedbackValues(rolledOut!, svc))).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(readManifestWork(rolledOut!).degraded).toBe(false);

    // what the work agent put on the spoke
    const spoke = t.hub.spoke(CLUSTER);
    expect(spoke.get('v1', 'ResourceQuota', ns, 'gpu-quota')?.spec).toEqual({ hard: { 'requests.nvidia.com/gpu': '3' } });
    expect(spoke.list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', ns).map((h) => h.metadata.name).sort()).toEqual(['embedder', 'llm-server']);

    // teardown: app first, then the spoke
    await a.deleteAndWait({ kind: 'ManifestWork', namespace: CLUSTER, name: manifestWorkName(PROJECT, DEPLOYMENT) }, { timeoutMs: WAIT });
    await eventually(() => spoke.list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', ns).length === 0, 'spoke cleanup', WAIT);
    await a.deleteAndWait({ kind: 'Placement', namespace: PROJECT, name: placementName(DEPLOYMENT) }, { timeoutMs: WAIT });
    await a.deleteAndWait({ kind: 'ManagedCluster', name: CLUSTER }, { timeoutMs: WAIT });
    await a.deleteAndWait({ kind: 'Cluster', namespace: PROJECT, name: CLUSTER }, { timeoutMs: WAIT });
    expect(await a.get({ kind: 'MachineDeployment', namespace: PROJECT, name: machineDeploymentName(CLUSTER) })).toBeNull();
    expect(await a.get({ kind: 'Secret', namespace: PROJECT, name: kubeconfigSecretName(CLUSTER) })).toBeNull();
    await eventually(async () => (await a.get({ kind: 'Namespace', name: CLUSTER })) === null, 'cluster namespace removed', WAIT);

    // the injected 5xx really happened, and were absorbed inside the verbs. At 10% per request the
    // flow above has only a few dozen verb calls, so by chance none may have been hit: go on
    // calling (each call must still succeed) until one was retried
    const retriedCalls = () => logLines.map((l) => JSON.parse(l) as { msg: string; status?: number }).filter((l) => l.msg === 'hub call failed; retrying');
    for (let i = 0; i < 500 && retriedCalls().length === 0; i++) expect(await a.get({ kind: 'Namespace', name: PROJECT })).not.toBeNull();
    const retries = retriedCalls();
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => [500, 503, 504].includes(r.status ?? 0))).toBe(true);
  });
});
