/**
 * Both registration paths (HUB_REGISTRATION) end in a RUNNING pool that serves a deployment. On
 * stock OCM (klusterlet) the simulated hub ignores auto-import-secret: the spoke joins only because
 * the ClusterResourceSet put the klusterlet on it, its agent filed a CSR, and the gateway approved it
 * and accepted the cluster.
 */
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createInfraBundle, createPool, registerMachines, waitForPoolPhase } from '../helpers/compute.js';
import { createAppBundle, deployApp, waitForDeploymentPhase } from '../helpers/deploy.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function poolAndDeployment(a: TestApp) {
  const t = await createTenant(a, uniq('t'), [{ gpuFamily: 'NVIDIA-H100', limit: 16 }]);
  const p = await createProject(a, t.id, uniq('p'), [{ gpuFamily: 'NVIDIA-H100', limit: 16 }]);
  await registerMachines(a, t.id, { controlPlanes: 1, gpuHosts: [{ family: 'NVIDIA-H100', count: 1, gpusEach: 8 }] });
  const infra = await createInfraBundle(a, p.id);
  const appBundle = await createAppBundle(a, p.id, { gpus: 2 });
  const pool = await createPool(a, { projectId: p.id, infrastructureBundleId: infra, mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] });
  expect(pool.createComputePool.userErrors).toEqual([]);
  const poolId = pool.createComputePool.computePool.id;
  const running = await waitForPoolPhase(a, poolId, ['RUNNING', 'FAILED'], 90_000);
  expect(running.phase, JSON.stringify(running)).toBe('RUNNING');
  const d = await deployApp(a, { projectId: p.id, name: uniq('inf'), bundleIds: [appBundle], poolId, variables: [{ name: 'model', value: 'mistral-7b' }] });
  expect(d.userErrors).toEqual([]);
  const deployed = await waitForDeploymentPhase(a, d.appDeployment.id, ['RUNNING', 'FAILED'], 90_000);
  expect(deployed.phase).toBe('RUNNING');
  return { project: p.name };
}

describe('spoke registration', () => {
  it('auto-import (multicluster-engine): joins by the auto-import-secret, writes no klusterlet bootstrap', async () => {
    app = await startTestApp();
    const { project } = await poolAndDeployment(app);
    const hub = app.hub.sim!;
    const clusters = hub.objects({ kind: 'ManagedCluster' }).map((m) => m.metadata.name!);
    expect(clusters.length).toBe(1);
    expect(hub.objects({ kind: 'Secret', namespace: clusters[0] }).map((s) => s.metadata.name)).toContain('auto-import-secret');
    expect(hub.objects({ kind: 'ClusterResourceSet', namespace: project })).toEqual([]);
    expect(hub.objects({ kind: 'CertificateSigningRequest' })).toEqual([]);
  }, 200_000);

  it('klusterlet (stock OCM): bootstraps through a ClusterResourceSet, approves the CSR, then runs a deployment', async () => {
    app = await startTestApp({ env: { HUB_REGISTRATION: 'klusterlet' } });
    const { project } = await poolAndDeployment(app);
    const hub = app.hub.sim!;
    const [mc] = hub.objects({ kind: 'ManagedCluster' });
    const cluster = mc.metadata.name!;
    expect(mc.spec).toMatchObject({ hubAcceptsClient: true });
    // nothing the stock hub would ignore
    expect(hub.objects({ kind: 'Secret' }).filter((s) => s.metadata.name === 'auto-import-secret')).toEqual([]);
    const [crs] = hub.objects({ kind: 'ClusterResourceSet', namespace: project });
    expect(crs.metadata.name).toBe(`${cluster}-klusterlet`);
    expect((crs.status as any).conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ResourcesApplied', status: 'True' })]));
    const csrs = hub.objects({ kind: 'CertificateSigningRequest' });
    expect(csrs.length).toBe(1);
    expect(csrs[0].metadata.labels?.['open-cluster-management.io/cluster-name']).toBe(cluster);
    expect((csrs[0].status as any).conditions).toEqual([expect.objectContaining({ type: 'Approved', status: 'True' })]);
    const spoke = hub.spoke(cluster);
    expect(spoke.get('operator.open-cluster-management.io/v1', 'Klusterlet', undefined, 'klusterlet')?.spec).toMatchObject({ clusterName: cluster });
    expect(spoke.get('apps/v1', 'Deployment', 'open-cluster-management', 'klusterlet')).toBeTruthy();
    expect(spoke.get('v1', 'Secret', 'open-cluster-management-agent', 'hub-kubeconfig-secret')).toBeTruthy();
  }, 200_000);

  it('klusterlet: an auto-import-secret alone never joins a spoke on a stock hub', async () => {
    app = await startTestApp({ env: { HUB_REGISTRATION: 'klusterlet' } });
    const hub = app.hub.sim!;
    const objs = KubernetesObjectApi.makeApiClient(hub.kubeConfig());
    const name = uniq('lone');
    await objs.create({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name }, spec: { hubAcceptsClient: true } } as never);
    for (let i = 0; i < 100 && !hub.objects({ kind: 'Namespace' }).some((n) => n.metadata.name === name); i++) await new Promise((r) => setTimeout(r, 20));
    await objs.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'auto-import-secret', namespace: name }, stringData: { kubeconfig: 'x' } } as never);
    await new Promise((r) => setTimeout(r, 500));
    const mc = hub.objects({ kind: 'ManagedCluster' }).find((m) => m.metadata.name === name)!;
    expect(((mc.status as any)?.conditions ?? []).find((c: any) => c.type === 'ManagedClusterJoined')).toBeUndefined();
  }, 60_000);
});
