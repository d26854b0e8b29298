/** Compute-pool fixtures shared by the pools.* and events.* integration tests (public API + the simulated hub). */
import type { KubeObject, SimulatedHub } from '../../src/sim/index.js';
import type { TestApp } from './app.js';
import { createInfraBundle, registerMachines, type MachineSpec } from './compute.js';
import { createProject, createTenant, uniq, type Quota } from './seed.js';
import type { GqlResponse } from './graphql.js';

export const H100 = 'NVIDIA-H100';

export interface PoolWorld {
  tenant: { id: string; name: string };
  project: { id: string; name: string };
  bundle: string;
  hosts: string[];
}

/** A tenant and project with GPU quota, machines and an infrastructure bundle. */
export async function poolWorld(app: TestApp, opts: { quota?: number; tenantQuota?: number; machines?: MachineSpec } = {}): Promise<PoolWorld> {
  const quota: Quota = [{ gpuFamily: H100, limit: opts.quota ?? 64 }];
  const tenant = await createTenant(app, uniq('t'), [{ gpuFamily: H100, limit: opts.tenantQuota ?? opts.quota ?? 64 }]);
  const project = await createProject(app, tenant.id, uniq('p'), quota);
  const hosts = await registerMachines(app, tenant.id, opts.machines ?? { controlPlanes: 3, gpuHosts: [{ family: H100, count: 3, gpusEach: 8 }] });
  const bundle = await createInfraBundle(app, project.id);
  return { tenant, project, bundle, hosts };
}

export const gpuWorker = (nodeCount = 1, countPerNode = 8) => [{ name: 'gpu', nodeCount, gpu: { family: H100, countPerNode } }];

/** hostId → state and pool name of every machine of a tenant. */
export async function machineStates(app: TestApp, tenantName: string): Promise<Record<string, { state: string; pool: string | null }>> {
  const d = await app.q(`query($n: String!) { tenant(name: $n) { machines(first: 100) { nodes { hostId state assignedPool { name } } } } }`, { n: tenantName });
  return Object.fromEntries(d.tenant.machines.nodes.map((m: any) => [m.hostId, { state: m.state, pool: m.assignedPool?.name ?? null }]));
}

export async function quotaUsed(app: TestApp, projectName: string): Promise<Record<string, number>> {
  const d = await app.q(`query($n: String!) { project(name: $n) { gpuQuota { gpuFamily used } tenant { gpuQuota { gpuFamily used } } } }`, { n: projectName });
  const out: Record<string, number> = {};
  for (const q of d.project.gpuQuota) out[`project:${q.gpuFamily}`] = q.used;
  for (const q of d.project.tenant.gpuQuota) out[`tenant:${q.gpuFamily}`] = q.used;
  return out;
}

export async function poolCount(app: TestApp, projectName: string): Promise<number> {
  const d = await app.q(`query($n: String!) { project(name: $n) { computePools(first: 100) { totalCount } } }`, { n: projectName });
  return d.project.computePools.totalCount;
}

/** Objects we wrote on the hub for a project (label spokegraph.io/project), as kind/namespace/name. */
export function hubObjectsOf(hub: SimulatedHub, project: string): string[] {
  return hub
    .objects()
    .filter((o: KubeObject) => o.metadata.labels?.['spokegraph.io/project'] === project)
    .map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)
    .sort();
}

export function userErrorsOf(r: GqlResponse<any>, mutation: string): { field: string[] | null; message: string; code: string }[] {
  if (r.errors?.length) throw new Error(`top-level errors: ${JSON.stringify(r.errors)}`);
  return r.data[mutation].userErrors;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
