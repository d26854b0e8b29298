/**
 * Seeding through the public GraphQL API (the same rules as any client), batched: up to 25 aliased
 * mutations per request, so a dataset of thousands of objects seeds in seconds.
 */
import { randomBytes } from 'node:crypto';
import { sleep } from './report.js';

export interface Client {
  q<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export const uniq = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
export const H100 = 'NVIDIA-H100';
export const A100 = 'NVIDIA-A100';

export type Quota = { gpuFamily: string; limit: number }[];

/**
 * Runs `mutation(input)` for every input, `perRequest` aliased fields per HTTP request, `parallel`
 * requests at a time; returns each payload (in input order) and throws on any userError.
 */
export async function batch<T = any>(
  c: Client,
  mutation: string,
  inputType: string,
  selection: string,
  inputs: Record<string, unknown>[],
  opts: { perRequest?: number; parallel?: number } = {},
): Promise<T[]> {
  const per = opts.perRequest ?? 25;
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < inputs.length; i += per) chunks.push(inputs.slice(i, i + per));
  const out: T[][] = new Array(chunks.length);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const k = next++;
      const chunk = chunks[k];
      const vars = chunk.map((_, i) => `$i${i}: ${inputType}!`).join(', ');
      const fields = chunk.map((_, i) => `m${i}: ${mutation}(input: $i${i}) { ${selection} userErrors { field message code } }`).join('\n');
      const data = await c.q<Record<string, any>>(`mutation(${vars}) {\n${fields}\n}`, Object.fromEntries(chunk.map((inp, i) => [`i${i}`, inp])));
      out[k] = chunk.map((_, i) => {
        const p = data[`m${i}`];
        if (p.userErrors?.length) throw new Error(`${mutation}: ${JSON.stringify(p.userErrors)}`);
        return p as T;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.parallel ?? 1, chunks.length) }, worker));
  return out.flat();
}

export async function createTenants(c: Client, inputs: { name: string; gpuQuota?: Quota }[]): Promise<{ id: string; name: string }[]> {
  return (await batch<{ tenant: { id: string; name: string } }>(c, 'createTenant', 'CreateTenantInput', 'tenant { id name }', inputs)).map((p) => p.tenant);
}

export async function createProjects(c: Client, inputs: { tenantId: string; name: string; gpuQuota?: Quota }[]): Promise<{ id: string; name: string }[]> {
  return (await batch<{ project: { id: string; name: string } }>(c, 'createProject', 'CreateProjectInput', 'project { id name }', inputs)).map((p) => p.project);
}

export function infraBundleInput(projectId: string, name = uniq('infra')) {
  return {
    projectId,
    name,
    type: 'INFRASTRUCTURE',
    clusterProfile: { kubernetesVersion: '1.31.4', cni: 'cilium', csi: 'longhorn', addons: [{ name: 'metallb', version: '0.14.9' }] },
    workloadProfiles: [
      {
        name: 'gpu-operator',
        type: 'INFRASTRUCTURE',
        components: [{ name: 'gpu-operator', chart: { repository: 'oci://registry.example.com/nvidia/charts', chart: 'gpu-operator', version: 'v24.9.1' } }],
      },
    ],
  };
}

/** An inference app: one component, `gpus` GPUs of `family`, exposed on a port, values from variables. */
export function appBundleInput(projectId: string, opts: { name?: string; gpus?: number; family?: string } = {}) {
  return {
    projectId,
    name: opts.name ?? uniq('app'),
    type: 'APPLICATION',
    description: 'LLM inference',
    variables: [
      { name: 'model', type: 'STRING', default: 'llama-3-8b' },
      { name: 'replicas', type: 'INT32', default: 1 },
      { name: 'temperature', type: 'FLOAT64', default: 0.7, locked: true },
    ],
    workloadProfiles: [
      {
        name: 'serving',
        type: 'APPLICATION',
        components: [
          {
            name: 'server',
            chart: { repository: 'https://charts.example.com/stable', chart: 'inference-server', version: '1.2.3' },
            values: { model: '{{ .var.model }}', replicaCount: '{{ .var.replicas }}', banner: 'model={{ .var.model }}' },
            ...(opts.gpus === 0 ? {} : { gpu: { family: opts.family ?? H100, count: opts.gpus ?? 1 } }),
            expose: { port: 8080, path: '/api' },
          },
        ],
      },
    ],
  };
}

export async function createBundles(c: Client, inputs: Record<string, unknown>[], parallel = 1): Promise<string[]> {
  return (await batch<{ profileBundle: { id: string } }>(c, 'createProfileBundle', 'CreateProfileBundleInput', 'profileBundle { id }', inputs, { perRequest: 20, parallel })).map(
    (p) => p.profileBundle.id,
  );
}

export interface Fleet {
  controlPlanes: number;
  gpuHosts: number;
  gpusPerHost: number;
  family?: string;
}

/** Registers control-plane hosts (no GPU) and GPU worker hosts for a tenant, 500 per call. */
export async function registerFleet(c: Client, tenantId: string, f: Fleet, prefix = uniq('h')): Promise<number> {
  const family = f.family ?? H100;
  const machines: Record<string, unknown>[] = [];
  for (let i = 0; i < f.controlPlanes; i++) machines.push({ hostId: `${prefix}-cp-${i}`, cpuCount: 16, memoryMiB: 65536, roles: ['CONTROL_PLANE', 'WORKER'] });
  for (let i = 0; i < f.gpuHosts; i++) {
    machines.push({ hostId: `${prefix}-gpu-${i}`, cpuCount: 64, memoryMiB: 262144, gpu: { family, count: f.gpusPerHost, memoryMiB: 81920 }, roles: ['WORKER'] });
  }
  for (let i = 0; i < machines.length; i += 500) {
    const d = await c.q(`mutation($input: RegisterMachinesInput!) { registerMachines(input: $input) { machines { id } userErrors { field message code } } }`, {
      input: { tenantId, machines: machines.slice(i, i + 500) },
    });
    if (d.registerMachines.userErrors.length) throw new Error(JSON.stringify(d.registerMachines.userErrors));
  }
  return machines.length;
}

export interface SharedPoolSpec {
  projectId: string;
  infraBundleId: string;
  clusters: number;
  gpuWorkersPerCluster: number;
  gpusPerWorker: number;
  family?: string;
  name?: string;
}

/** Creates a SHARED pool (1 control plane + GPU workers per cluster) and waits until it is RUNNING. */
export async function sharedPool(c: Client, s: SharedPoolSpec, timeoutMs = 300_000): Promise<{ id: string; name: string; ms: number }> {
  const t0 = performance.now();
  const d = await c.q(
    `mutation($input: CreateComputePoolInput!) { createComputePool(input: $input) { computePool { id name phase } userErrors { field message code } } }`,
    {
      input: {
        projectId: s.projectId,
        name: s.name ?? uniq('pool'),
        mode: 'SHARED',
        clusterCount: s.clusters,
        infrastructureBundleId: s.infraBundleId,
        nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: s.gpuWorkersPerCluster, gpu: { family: s.family ?? H100, countPerNode: s.gpusPerWorker } }] },
      },
    },
  );
  if (d.createComputePool.userErrors.length) throw new Error(`createComputePool: ${JSON.stringify(d.createComputePool.userErrors)}`);
  const pool = d.createComputePool.computePool;
  const end = performance.now() + timeoutMs;
  for (;;) {
    const p = (await c.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { phase status { percent currentStep failure { reason message } } } } }`, { id: pool.id })).node;
    if (p.phase === 'RUNNING') return { id: pool.id, name: pool.name, ms: performance.now() - t0 };
    if (p.phase === 'FAILED' || performance.now() > end) throw new Error(`pool ${pool.name} did not become RUNNING: ${JSON.stringify(p)}`);
    await sleep(100);
  }
}

/** A tenant and a project that both allow `gpus` GPUs of H100. */
export async function quotaProject(c: Client, gpus: number, prefix = 'bench'): Promise<{ tenant: { id: string; name: string }; project: { id: string; name: string } }> {
  const [tenant] = await createTenants(c, [{ name: uniq(`${prefix}-t`), gpuQuota: [{ gpuFamily: H100, limit: gpus }] }]);
  const [project] = await createProjects(c, [{ tenantId: tenant.id, name: uniq(`${prefix}-p`), gpuQuota: [{ gpuFamily: H100, limit: gpus }] }]);
  return { tenant, project };
}
