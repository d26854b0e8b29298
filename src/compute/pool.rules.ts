/**
 * Pure compute-pool rules (unit-tested): node-requirement checks and the choice of machines.
 * Selection is deterministic (same inventory, same answer) and frugal: control planes prefer hosts
 * without GPUs, GPU workers prefer the smallest host that satisfies the request, so big GPU hosts
 * stay available for requests that need them.
 */
import { gpuFamilyProblem, leafNameProblem } from '../common/rules.js';
import { DomainError, ErrorCode } from '../errors.js';
import { MachineRole } from './machine.entity.js';
import { PoolMode, type NodeRequirements, type WorkerPoolRequirement } from './pool.model.js';

export const MAX_CLUSTERS_PER_POOL = 20;
export const MAX_MACHINES_PER_POOL = 500;
const POOL_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

const bad = (message: string, field: string[]) => new DomainError(ErrorCode.INVALID_INPUT, message, field);

export function requirementProblems(mode: PoolMode, clusterCount: number, req: NodeRequirements, field = ['nodeRequirements']): DomainError[] {
  const out: DomainError[] = [];
  if (!Number.isInteger(clusterCount) || clusterCount < 1 || clusterCount > MAX_CLUSTERS_PER_POOL) {
    out.push(bad(`clusterCount must be between 1 and ${MAX_CLUSTERS_PER_POOL}`, ['clusterCount']));
  } else if (mode === PoolMode.DEDICATED && clusterCount !== 1) {
    out.push(bad('a DEDICATED pool has exactly one cluster', ['clusterCount']));
  }
  const cp = req.controlPlane;
  if (![1, 3, 5].includes(cp.nodeCount)) out.push(bad('controlPlane.nodeCount must be 1, 3 or 5', [...field, 'controlPlane', 'nodeCount']));
  const shapeProblems = (s: { minCpuCount: number; minMemoryMiB: number; architecture: string | null }, f: string[]) => {
    if (!Number.isInteger(s.minCpuCount) || s.minCpuCount < 0 || s.minCpuCount > 4096) out.push(bad('minCpuCount must be between 0 and 4096', [...f, 'minCpuCount']));
    if (!Number.isInteger(s.minMemoryMiB) || s.minMemoryMiB < 0 || s.minMemoryMiB > 64 * 1024 * 1024) out.push(bad('minMemoryMiB must be between 0 and 67108864', [...f, 'minMemoryMiB']));
  };
  shapeProblems(cp, [...field, 'controlPlane']);
  if (req.workerPools.length === 0 && !cp.workerNodeEligible) {
    out.push(bad('without worker pools the control plane must be workerNodeEligible', [...field, 'controlPlane', 'workerNodeEligible']));
  }
  if (req.workerPools.length > 10) out.push(bad('at most 10 worker pools', [...field, 'workerPools']));
  const names = new Set<string>();
  req.workerPools.forEach((w, i) => {
    const f = [...field, 'workerPools', String(i)];
    if (!POOL_NAME.test(w.name)) out.push(bad('worker pool name must be 1-32 lowercase letters, digits or "-"', [...f, 'name']));
    else if (names.has(w.name)) out.push(bad(`worker pool ${w.name} is listed twice`, [...f, 'name']));
    names.add(w.name);
    if (!Number.isInteger(w.nodeCount) || w.nodeCount < 1 || w.nodeCount > 100) out.push(bad('worker nodeCount must be between 1 and 100', [...f, 'nodeCount']));
    shapeProblems(w, f);
    if (w.gpu) {
      const fp = gpuFamilyProblem(w.gpu.family);
      if (fp) out.push(bad(fp, [...f, 'gpu', 'family']));
      if (!Number.isInteger(w.gpu.countPerNode) || w.gpu.countPerNode < 1 || w.gpu.countPerNode > 64) out.push(bad('gpu.countPerNode must be between 1 and 64', [...f, 'gpu', 'countPerNode']));
    }
  });
  const perCluster = cp.nodeCount + req.workerPools.reduce((n, w) => n + (Number.isInteger(w.nodeCount) ? w.nodeCount : 0), 0);
  if (perCluster * Math.max(1, clusterCount) > MAX_MACHINES_PER_POOL) out.push(bad(`a pool may use at most ${MAX_MACHINES_PER_POOL} machines`, [...field]));
  return out;
}

export function poolNameProblem(name: string): string | null {
  return leafNameProblem(name, 'pool name');
}

export interface Candidate {
  id: string;
  hostId: string;
  architecture: string;
  cpuCount: number;
  memoryMiB: number;
  gpuFamily: string | null;
  gpuCount: number;
  controlPlaneCandidate: boolean;
  workerCandidate: boolean;
}

export interface ClusterAssignment {
  index: number;
  hosts: { machine: Candidate; role: MachineRole; workerPool: string | null }[];
}

export type Selection = { ok: true; clusters: ClusterAssignment[] } | { ok: false; problems: string[] };

const byFrugality = (a: Candidate, b: Candidate) =>
  a.gpuCount - b.gpuCount || a.cpuCount - b.cpuCount || a.memoryMiB - b.memoryMiB || (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0);

function fitsShape(m: Candidate, s: { architecture: string | null; minCpuCount: number; minMemoryMiB: number }): boolean {
  return (!s.architecture || m.architecture === s.architecture) && m.cpuCount >= s.minCpuCount && m.memoryMiB >= s.minMemoryMiB;
}

function fitsWorker(m: Candidate, w: WorkerPoolRequirement): boolean {
  if (!m.workerCandidate || !fitsShape(m, w)) return false;
  if (!w.gpu) return true;
  return m.gpuFamily === w.gpu.family && m.gpuCount >= w.gpu.countPerNode;
}

function describeWorker(w: WorkerPoolRequirement): string {
  const gpu = w.gpu ? ` with ≥ ${w.gpu.countPerNode} ${w.gpu.family} GPUs` : '';
  return `worker pool ${w.name}: ${w.nodeCount} machine(s)${gpu}`;
}

/** Chooses machines for `clusterCount` clusters shaped like `req`, or says what is missing. */
export function selectMachines(req: NodeRequirements, clusterCount: number, inventory: Candidate[]): Selection {
  // Among equally frugal hosts, workers prefer hosts that cannot be control planes and control planes
  // prefer hosts that cannot be workers, so neither role takes the host the other one needed.
  const forWorkers = [...inventory].sort((a, b) => a.gpuCount - b.gpuCount || +a.controlPlaneCandidate - +b.controlPlaneCandidate || byFrugality(a, b));
  const forControlPlanes = [...inventory].sort((a, b) => a.gpuCount - b.gpuCount || +a.workerCandidate - +b.workerCandidate || byFrugality(a, b));
  const used = new Set<string>();
  const take = (n: number, fits: (m: Candidate) => boolean, free: Candidate[]): Candidate[] | null => {
    const picked: Candidate[] = [];
    for (const m of free) {
      if (picked.length === n) break;
      if (!used.has(m.id) && fits(m)) picked.push(m);
    }
    if (picked.length < n) return null;
    for (const m of picked) used.add(m.id);
    return picked;
  };
  // Scarce requirements first (GPU workers), so a CPU-only control plane never takes a GPU host a
  // worker pool needed.
  const workerOrder = [...req.workerPools].sort((a, b) => (b.gpu ? 1 : 0) - (a.gpu ? 1 : 0));
  const clusters: ClusterAssignment[] = [];
  for (let index = 0; index < clusterCount; index++) {
    const hosts: ClusterAssignment['hosts'] = [];
    for (const w of workerOrder) {
      const picked = take(w.nodeCount, (m) => fitsWorker(m, w), forWorkers);
      if (!picked) {
        const matching = inventory.filter((m) => fitsWorker(m, w)).length;
        return { ok: false, problems: [`not enough machines for ${describeWorker(w)} per cluster × ${clusterCount} cluster(s); ${matching} matching machine(s) available`] };
      }
      hosts.push(...picked.map((machine) => ({ machine, role: MachineRole.WORKER, workerPool: w.name })));
    }
    const cp = take(req.controlPlane.nodeCount, (m) => m.controlPlaneCandidate && fitsShape(m, req.controlPlane), forControlPlanes);
    if (!cp) {
      const matching = inventory.filter((m) => m.controlPlaneCandidate && fitsShape(m, req.controlPlane)).length;
      return { ok: false, problems: [`not enough control-plane machines: ${req.controlPlane.nodeCount} per cluster × ${clusterCount} cluster(s); ${matching} matching machine(s) available`] };
    }
    hosts.push(...cp.map((machine) => ({ machine, role: MachineRole.CONTROL_PLANE, workerPool: null })));
    clusters.push({ index, hosts });
  }
  return { ok: true, clusters };
}

/** GPUs per family over a cluster's hosts. */
export function gpusOf(hosts: { machine: Candidate }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { machine } of hosts) if (machine.gpuFamily && machine.gpuCount > 0) out[machine.gpuFamily] = (out[machine.gpuFamily] ?? 0) + machine.gpuCount;
  return out;
}
