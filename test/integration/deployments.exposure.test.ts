/**
 * Exposure without a load balancer: on spokes the simulator runs without a load-balancer
 * implementation, a LOAD_BALANCER pool's deployment waits on WAITING_FOR_ADDRESS and fails at the
 * rollout deadline with EXPOSURE_TIMEOUT (a retry starts a new deadline), while NODE_PORT and INGRESS
 * pools reach RUNNING with access URLs of their mode. Where the simulator does assign a load-balancer
 * address, the access URL answers (a loopback responder per Service) until the Service is gone. A
 * rollout whose releases are not Ready by the deadline fails with ROLLOUT_TIMEOUT.
 */
import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appHubName } from '../../src/kube/index.js';
import type { SimulatedHub } from '../../src/sim/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { waitForPoolPhase } from '../helpers/compute.js';
import { deployApp } from '../helpers/deploy.js';
import { DELETE_DEPLOYMENT, deployWorld, gatewayOf, getDeployment, RETRY_DEPLOYMENT, waitForPhase, type DeployWorld, type Gateway } from '../helpers/deployments.js';
import { H100, poolCount } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

const DEADLINE_S = 4;
let app: TestApp;
let gw: Gateway;
let hub: SimulatedHub;
beforeAll(async () => {
  app = await startTestApp({ env: { ROLLOUT_DEADLINE_SECONDS: String(DEADLINE_S) } });
  gw = gatewayOf(app);
  hub = app.hub.sim!;
});
afterEach(() => hub.faults.clear());
afterAll(async () => {
  await app?.close();
});

const CREATE_POOL = `mutation($input: CreateComputePoolInput!) { createComputePool(input: $input) {
  computePool { id name exposure ingressHostSuffix } userErrors { field message code } } }`;

function createPool(w: DeployWorld, exposure: Record<string, unknown>) {
  return app.q(CREATE_POOL, {
    input: {
      projectId: w.project.id,
      name: uniq('edge'),
      mode: 'SHARED',
      infrastructureBundleId: w.bundle,
      nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] },
      ...exposure,
    },
  });
}

async function runningPool(w: DeployWorld, exposure: Record<string, unknown>): Promise<{ id: string; name: string; exposure: string; ingressHostSuffix: string | null }> {
  const r = (await createPool(w, exposure)).createComputePool;
  expect(r.userErrors).toEqual([]);
  await waitForPoolPhase(app, r.computePool.id, ['RUNNING'], 60_000);
  return r.computePool;
}

async function deploy(w: DeployWorld, poolId: string): Promise<{ id: string; name: string }> {
  const name = uniq('app');
  const r = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId });
  expect(r.userErrors).toEqual([]);
  return { id: r.appDeployment.id, name };
}

/** Polls the deployment, keeping every waitingOn reason seen, until it is in one of `phases`. */
async function follow(id: string, phases: string[]): Promise<{ d: any; reasons: Set<string> }> {
  const reasons = new Set<string>();
  const end = Date.now() + 60_000;
  for (;;) {
    const d = await getDeployment(gw, id);
    if (d.status.waitingOn) reasons.add(d.status.waitingOn.reason);
    if (phases.includes(d.phase)) return { d, reasons };
    if (Date.now() > end) throw new Error(`not ${phases.join('|')} in time: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('exposure on a spoke without a load balancer', () => {
  it('should refuse INGRESS without a host suffix and a suffix on other modes, creating nothing', async () => {
    const w = await deployWorld(app);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ exposure: 'INGRESS' }, /needs ingressHostSuffix/],
      [{ exposure: 'INGRESS', ingressHostSuffix: 'Not A Host!' }, /must be a DNS name/],
      [{ exposure: 'NODE_PORT', ingressHostSuffix: 'apps.example.com' }, /only used with exposure INGRESS/],
    ];
    for (const [input, message] of cases) {
      const r = (await createPool(w, input)).createComputePool;
      expect(r.computePool).toBeNull();
      expect(r.userErrors).toEqual([{ field: ['input', 'ingressHostSuffix'], code: 'INVALID_INPUT', message: expect.stringMatching(message) }]);
    }
    expect(await poolCount(app, w.project.name)).toBe(0);
  });

  it('should fail a LOAD_BALANCER deployment at the deadline with EXPOSURE_TIMEOUT, and start a new deadline on retry', async () => {
    const w = await deployWorld(app);
    hub.faults.set({ noLoadBalancerClusters: [`${w.project.name}--*`] });
    const pool = await runningPool(w, {});
    expect(pool).toMatchObject({ exposure: 'LOAD_BALANCER', ingressHostSuffix: null });
    const { id, name } = await deploy(w, pool.id);

    const { d: failed, reasons } = await follow(id, ['FAILED', 'RUNNING']);
    expect(failed.phase).toBe('FAILED');
    expect(reasons.has('WAITING_FOR_ADDRESS')).toBe(true);
    expect(failed.status.failure).toEqual({ reason: 'EXPOSURE_TIMEOUT', step: 'rollout', message: expect.stringMatching(/the load-balancer address of server.*exposure LOAD_BALANCER/) });
    expect(failed.accessUrls).toEqual([]);
    // the spoke really has the Service, and no load balancer ever gave it an address
    const svc = hub.spoke(failed.cluster).get('v1', 'Service', appHubName(w.project.name, name), 'server-lb')!;
    expect(svc.spec).toMatchObject({ type: 'LoadBalancer' });
    expect((svc.status as any)?.loadBalancer?.ingress).toBeUndefined();

    // a retry starts a new deadline: it waits on the address again for the whole of it
    const retriedAt = Date.now();
    expect((await app.q(RETRY_DEPLOYMENT, { id })).retryAppDeployment.userErrors).toEqual([]);
    const again = await follow(id, ['FAILED', 'RUNNING']);
    expect(again.d.status.failure).toMatchObject({ reason: 'EXPOSURE_TIMEOUT' });
    expect(again.reasons.has('WAITING_FOR_ADDRESS')).toBe(true);
    expect(Date.now() - retriedAt).toBeGreaterThanOrEqual(DEADLINE_S * 1000);

    // once the spoke has a load balancer, a retry runs, and the access URL answers
    hub.faults.clear();
    expect((await app.q(RETRY_DEPLOYMENT, { id })).retryAppDeployment.userErrors).toEqual([]);
    const running = await waitForPhase(gw, id, ['RUNNING'], 60_000);
    expect(running.accessUrls).toEqual([{ component: 'server', url: expect.stringMatching(/^http:\/\/127\.\d+\.\d+\.\d+:8080\/api$/), port: 8080 }]);
    const res = await fetch(running.accessUrls[0].url);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ simulated: true, release: 'server', service: 'server-lb', cluster: running.cluster });

    // the responder goes with the Service
    expect((await app.q(DELETE_DEPLOYMENT, { id })).deleteAppDeployment.userErrors).toEqual([]);
    await waitForPhase(gw, id, ['DELETED'], 60_000);
    await expect(fetch(running.accessUrls[0].url)).rejects.toThrow();
  });

  it('should run a NODE_PORT deployment with a URL on the control-plane endpoint host and the allocated node port', async () => {
    const w = await deployWorld(app);
    hub.faults.set({ noLoadBalancerClusters: [`${w.project.name}--*`] });
    const pool = await runningPool(w, { exposure: 'NODE_PORT' });
    expect(pool).toMatchObject({ exposure: 'NODE_PORT', ingressHostSuffix: null });
    const { id, name } = await deploy(w, pool.id);
    const { d: running } = await follow(id, ['RUNNING', 'FAILED']);
    expect(running.phase, JSON.stringify(running.status)).toBe('RUNNING');
    const svc = hub.spoke(running.cluster).get('v1', 'Service', appHubName(w.project.name, name), 'server-lb')!;
    const nodePort = (svc.spec as any).ports[0].nodePort as number;
    expect(svc.spec).toMatchObject({ type: 'NodePort' });
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    const cluster = hub.objects({ kind: 'Cluster', namespace: w.project.name }).find((c) => c.metadata.name === running.cluster)!;
    const host = (cluster.spec as any).controlPlaneEndpoint.host as string;
    expect(running.accessUrls).toEqual([{ component: 'server', url: `http://${host}:${nodePort}/api`, port: nodePort }]);
  });

  it('should run an INGRESS deployment with a URL on its host under the pool suffix', async () => {
    const w = await deployWorld(app);
    hub.faults.set({ noLoadBalancerClusters: [`${w.project.name}--*`] });
    const pool = await runningPool(w, { exposure: 'INGRESS', ingressHostSuffix: 'Apps.Edge.Example.com.' });
    expect(pool).toMatchObject({ exposure: 'INGRESS', ingressHostSuffix: 'apps.edge.example.com' });
    const { id, name } = await deploy(w, pool.id);
    const { d: running } = await follow(id, ['RUNNING', 'FAILED']);
    expect(running.phase, JSON.stringify(running.status)).toBe('RUNNING');
    const ns = appHubName(w.project.name, name);
    const ingress = hub.spoke(running.cluster).get('networking.k8s.io/v1', 'Ingress', ns, 'server-lb')!;
    const host = `server-${ns}.apps.edge.example.com`;
    expect((ingress.spec as any).rules[0]).toMatchObject({ host, http: { paths: [{ backend: { service: { name: 'server-lb', port: { number: 8080 } } } }] } });
    expect(hub.spoke(running.cluster).get('v1', 'Service', ns, 'server-lb')!.spec).toMatchObject({ type: 'ClusterIP' });
    expect(running.accessUrls).toEqual([{ component: 'server', url: `http://${host}/api`, port: 80 }]);
  });

  it('should fail with ROLLOUT_TIMEOUT, naming what was pending, when the app is not up by the deadline', async () => {
    const w = await deployWorld(app);
    const pool = await runningPool(w, { exposure: 'NODE_PORT' });
    // every simulated controller write now waits 2 s: the work agent, the chart source and the two
    // release steps take several of them in a row, more than the deadline
    hub.faults.set({ statusDelayMs: 2000 });
    const { id } = await deploy(w, pool.id);
    const { d: failed, reasons } = await follow(id, ['FAILED', 'RUNNING']);
    expect(failed.phase).toBe('FAILED');
    expect(reasons.has('WAITING_FOR_ROLLOUT')).toBe(true);
    expect(reasons.has('WAITING_FOR_ADDRESS')).toBe(false);
    expect(failed.status.failure).toEqual({
      reason: 'ROLLOUT_TIMEOUT',
      step: 'rollout',
      message: expect.stringMatching(new RegExp(`^Rollout not done after \\d+s \\(ROLLOUT_DEADLINE_SECONDS ${DEADLINE_S}\\): (waiting for the work agent to apply the ManifestWork|0/1 component\\(s\\) ready; server .+)$`)),
    });
  });

  it('should give a new dedicated pool made by deployApp the exposure asked for, and refuse a bad one', async () => {
    const w = await deployWorld(app);
    hub.faults.set({ noLoadBalancerClusters: [`${w.project.name}--*`] });
    const nodeRequirements = { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] };
    const bad = await deployApp(app, { projectId: w.project.id, name: uniq('bad'), bundleIds: [w.appBundle], newDedicatedPool: { infrastructureBundleId: w.bundle, nodeRequirements, exposure: 'INGRESS' } });
    expect(bad.appDeployment).toBeNull();
    expect(bad.userErrors).toEqual([{ field: ['input', 'newDedicatedPool', 'ingressHostSuffix'], code: 'INVALID_INPUT', message: expect.stringMatching(/needs ingressHostSuffix/) }]);
    expect(await poolCount(app, w.project.name)).toBe(0);

    const name = uniq('edge');
    const r = await deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], newDedicatedPool: { infrastructureBundleId: w.bundle, nodeRequirements, exposure: 'NODE_PORT' } });
    expect(r.userErrors).toEqual([]);
    const { d: running } = await follow(r.appDeployment.id, ['RUNNING', 'FAILED']);
    expect(running.phase, JSON.stringify(running.status)).toBe('RUNNING');
    expect(running.computePool).toMatchObject({ mode: 'DEDICATED' });
    const pool = (await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { exposure ingressHostSuffix } } }`, { id: running.computePool.id })).node;
    expect(pool).toEqual({ exposure: 'NODE_PORT', ingressHostSuffix: null });
    expect(running.accessUrls).toEqual([{ component: 'server', url: expect.stringMatching(/^http:\/\/[a-z0-9.-]+\.spoke\.sim\.spokegraph\.invalid:3\d{4}\/api$/), port: expect.any(Number) }]);
  });
});
