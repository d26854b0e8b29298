/** Seeding and waiting helpers for compute-pool tests (through the public API). */
import type { TestApp } from './app.js';
import { uniq } from './seed.js';
import { untilPhase } from './poll.js';

export async function createInfraBundle(app: TestApp, projectId: string, token = app.adminToken): Promise<string> {
  const d = await app.q(
    `mutation($input: CreateProfileBundleInput!) { createProfileBundle(input: $input) { profileBundle { id } userErrors { field message code } } }`,
    { input: { projectId, name: uniq('infra'), type: 'INFRASTRUCTURE', clusterProfile: { kubernetesVersion: '1.31.4', cni: 'cilium', csi: 'longhorn' } } },
    token,
  );
  if (d.createProfileBundle.userErrors.length) throw new Error(JSON.stringify(d.createProfileBundle.userErrors));
  return d.createProfileBundle.profileBundle.id;
}

export interface MachineSpec {
  controlPlanes?: number;
  gpuHosts?: { family: string; count: number; gpusEach: number }[];
  prefix?: string;
}

/** Registers CPU-only control-plane hosts and GPU worker hosts; returns their hostIds. */
export async function registerMachines(app: TestApp, tenantId: string, spec: MachineSpec): Promise<string[]> {
  const prefix = spec.prefix ?? uniq('h');
  const machines: Record<string, unknown>[] = [];
  for (let i = 0; i < (spec.controlPlanes ?? 0); i++) {
    machines.push({ hostId: `${prefix}-cp-${i}`, cpuCount: 16, memoryMiB: 65536, roles: ['CONTROL_PLANE', 'WORKER'] });
  }
  for (const g of spec.gpuHosts ?? []) {
    for (let i = 0; i < g.count; i++) {
      machines.push({ hostId: `${prefix}-${g.family.toLowerCase()}-${i}`, cpuCount: 64, memoryMiB: 262144, gpu: { family: g.family, count: g.gpusEach, memoryMiB: 81920 }, roles: ['WORKER'] });
    }
  }
  const d = await app.q(`mutation($input: RegisterMachinesInput!) { registerMachines(input: $input) { machines { hostId } userErrors { message } } }`, { input: { tenantId, machines } });
  if (d.registerMachines.userErrors.length) throw new Error(JSON.stringify(d.registerMachines.userErrors));
  return d.registerMachines.machines.map((m: { hostId: string }) => m.hostId);
}

export const POOL_FIELDS = `id name mode phase clusterCount status { phase percent currentStep stepIndex stepCount waitingOn { reason message since } failure { reason step message } }`;

export interface PoolInput {
  projectId: string;
  infrastructureBundleId: string;
  name?: string;
  mode?: 'DEDICATED' | 'SHARED';
  clusterCount?: number;
  controlPlane?: { nodeCount?: number; workerNodeEligible?: boolean };
  workers?: { name: string; nodeCount: number; gpu?: { family: string; countPerNode: number } }[];
  idempotencyKey?: string;
}

export async function createPool(app: TestApp, p: PoolInput, token = app.adminToken): Promise<any> {
  return app.q(
    `mutation($input: CreateComputePoolInput!) { createComputePool(input: $input) { computePool { ${POOL_FIELDS} } userErrors { field message code } } }`,
    {
      input: {
        projectId: p.projectId,
        name: p.name ?? uniq('pool'),
        mode: p.mode ?? 'DEDICATED',
        clusterCount: p.clusterCount,
        infrastructureBundleId: p.infrastructureBundleId,
        nodeRequirements: { controlPlane: p.controlPlane ?? { nodeCount: 1 }, workerPools: p.workers ?? [] },
        idempotencyKey: p.idempotencyKey,
      },
    },
    token,
  );
}

export async function poolPhase(app: TestApp, id: string): Promise<any> {
  const d = await app.q(`query($id: ID!) { node(id: $id) { ... on ComputePool { ${POOL_FIELDS} } } }`, { id });
  return d.node;
}

/** Polls until the pool reaches one of `phases`; fails with its last status after `timeoutMs`. */
export const waitForPoolPhase = (app: TestApp, id: string, phases: string[], timeoutMs = 30_000): Promise<any> =>
  untilPhase('pool', () => poolPhase(app, id), phases, timeoutMs);
