/**
 * Failure paths the flows must recognise, read through the adapter from the simulated hub: a Cluster
 * API cluster that fails to provision, and HelmReleases that fail on the spoke (by fault, and by the
 * GPU ResourceQuota refusing the workload) as seen through ManifestWork feedback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddOns,
  appNamespaceName,
  buildAppManifestWork,
  buildCapiCluster,
  buildImportSecret,
  buildManagedCluster,
  buildManagedClusterAddOn,
  buildNamespace,
  feedbackValues,
  helmReleaseIdentifier,
  isAddOnAvailable,
  manifestWorkName,
  readCluster,
  readManagedCluster,
  releaseFromFeedback,
  type KubeObject,
} from '../../../src/kube/index.js';
import { COMPONENTS, spokeParams } from './builder.fixtures.js';
import { eventually, startTestHub, type TestHub } from './sim.harness.js';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ faults: { failClusters: ['doomed'], failReleases: ['embedder'] } });
  await t.adapter.apply(buildNamespace({ name: 'vision', owner: { project: 'vision' } }));
});
afterAll(() => t?.stop());

describe('failures seen through the adapter', () => {
  it('should read a Cluster that failed to provision as failed, with a machine-readable reason', async () => {
    await t.adapter.apply(buildCapiCluster(spokeParams({ cluster: 'doomed' })));
    const failed = await eventually(async () => {
      const c = await t.adapter.get({ kind: 'Cluster', namespace: 'vision', name: 'doomed' });
      return c && readCluster(c).failed ? c : undefined;
    }, 'a failed cluster');
    expect(readCluster(failed)).toMatchObject({ phase: 'Failed', failureReason: 'CreateError', provisioned: false });
  });

  it('should report failed releases (fault, and GPUs over the quota) while the others get ready', async () => {
    // an imported spoke (no Cluster API Cluster): registration and add-ons only
    const owner = { project: 'vision', pool: 'imported' };
    await t.adapter.apply(buildManagedCluster({ cluster: 'edge1', clusterSet: 'vision-imported', gpus: { 'NVIDIA-H100': 4 }, owner }));
    await eventually(() => t.adapter.get({ kind: 'Namespace', name: 'edge1' }), 'cluster namespace');
    await t.adapter.apply(buildImportSecret({ cluster: 'edge1', kubeconfig: 'apiVersion: v1\nkind: Config\n', owner }));
    await eventually(async () => {
      const mc = await t.adapter.get({ kind: 'ManagedCluster', name: 'edge1' });
      return mc && readManagedCluster(mc).available;
    }, 'an available spoke');
    for (const addOn of Object.values(AddOns)) await t.adapter.apply(buildManagedClusterAddOn({ cluster: 'edge1', addOn, owner }));
    await eventually(async () => {
      const flux = await t.adapter.get({ kind: 'ManagedClusterAddOn', namespace: 'edge1', name: AddOns.Flux.name });
      return flux && isAddOnAvailable(flux);
    }, 'flux available');

    // 1 GPU reserved, but llm-server asks for 2: the quota refuses its pod
    const ui = { ...COMPONENTS.ui, gpuCount: 0 };
    await t.adapter.apply(buildAppManifestWork({ project: 'vision', deployment: 'bad', cluster: 'edge1', gpuReservation: 1, components: [COMPONENTS.llm, COMPONENTS.embed, ui] }));
    const ns = appNamespaceName('vision', 'bad');
    const states = async () => {
      const mw = (await t.adapter.get({ kind: 'ManifestWork', namespace: 'edge1', name: manifestWorkName('vision', 'bad') })) as KubeObject;
      return Object.fromEntries(
        [COMPONENTS.llm, COMPONENTS.embed, ui].map((c) => [c.name, releaseFromFeedback(feedbackValues(mw, helmReleaseIdentifier(ns, c.name)))]),
      );
    };
    const final = await eventually(async () => {
      const s = await states();
      return Object.values(s).every((r) => r.state !== 'progressing') ? s : undefined;
    }, 'every release settled');
    expect(final).toEqual({
      'llm-server': { state: 'failed', reason: 'InstallFailed' },
      embedder: { state: 'failed', reason: 'InstallFailed' },
      'chat-ui': { state: 'ready', reason: 'InstallSucceeded' },
    });
  });
});
