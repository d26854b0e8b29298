import { describe, expect, it } from 'vitest';
import { MachineRole } from '../../src/compute/machine.entity.js';
import { PoolMode, type NodeRequirements, type WorkerPoolRequirement } from '../../src/compute/pool.model.js';
import { gpusOf, poolNameProblem, requirementProblems, selectMachines, type Candidate, type Selection } from '../../src/compute/pool.rules.js';

const cp = (over: Partial<NodeRequirements['controlPlane']> = {}): NodeRequirements['controlPlane'] => ({
  nodeCount: 1,
  workerNodeEligible: false,
  architecture: null,
  minCpuCount: 0,
  minMemoryMiB: 0,
  ...over,
});
const worker = (over: Partial<WorkerPoolRequirement> = {}): WorkerPoolRequirement => ({
  name: 'gpu',
  nodeCount: 1,
  architecture: null,
  minCpuCount: 0,
  minMemoryMiB: 0,
  gpu: { family: 'NVIDIA-H100', countPerNode: 8 },
  ...over,
});
const req = (controlPlane = cp(), workerPools: WorkerPoolRequirement[] = [worker()]): NodeRequirements => ({ controlPlane, workerPools });

const fieldsOf = (mode: PoolMode, clusters: number, r: NodeRequirements) => requirementProblems(mode, clusters, r).map((e) => e.field!.join('.'));

describe('requirementProblems', () => {
  it.each<[string, PoolMode, number, NodeRequirements]>([
    ['dedicated, one control plane, one GPU worker pool', PoolMode.DEDICATED, 1, req()],
    ['dedicated single node, worker-eligible control plane', PoolMode.DEDICATED, 1, req(cp({ workerNodeEligible: true }), [])],
    ['shared with 2 clusters', PoolMode.SHARED, 2, req()],
    ['shared with 20 clusters', PoolMode.SHARED, 20, req()],
    ['3 control planes', PoolMode.SHARED, 1, req(cp({ nodeCount: 3 }))],
    ['5 control planes, worker-eligible, no workers', PoolMode.SHARED, 1, req(cp({ nodeCount: 5, workerNodeEligible: true }), [])],
    ['CPU-only worker pool', PoolMode.SHARED, 1, req(cp(), [worker({ name: 'cpu', gpu: null, nodeCount: 3 })])],
    ['several worker pools with distinct names', PoolMode.SHARED, 1, req(cp(), [worker({ name: 'a' }), worker({ name: 'b', gpu: null }), worker({ name: '0x' })])],
    ['shape minimums at their bounds', PoolMode.SHARED, 1, req(cp({ minCpuCount: 4096, minMemoryMiB: 64 * 1024 * 1024 }), [worker({ minCpuCount: 0, minMemoryMiB: 0 })])],
    ['64 GPUs per node', PoolMode.SHARED, 1, req(cp(), [worker({ gpu: { family: 'AMD-MI300X', countPerNode: 64 } })])],
    ['exactly 500 machines', PoolMode.SHARED, 5, req(cp({ nodeCount: 1 }), [worker({ nodeCount: 99 })])],
  ])('should accept %s', (_what, mode, clusters, r) => {
    expect(requirementProblems(mode, clusters, r)).toEqual([]);
  });

  it.each<[string, PoolMode, number, NodeRequirements, string[]]>([
    ['2 control-plane nodes', PoolMode.DEDICATED, 1, req(cp({ nodeCount: 2 })), ['nodeRequirements.controlPlane.nodeCount']],
    ['0 control-plane nodes', PoolMode.DEDICATED, 1, req(cp({ nodeCount: 0 })), ['nodeRequirements.controlPlane.nodeCount']],
    ['4 control-plane nodes', PoolMode.SHARED, 1, req(cp({ nodeCount: 4 })), ['nodeRequirements.controlPlane.nodeCount']],
    ['7 control-plane nodes', PoolMode.SHARED, 1, req(cp({ nodeCount: 7 })), ['nodeRequirements.controlPlane.nodeCount']],
    ['no workers and a control plane that is not worker-eligible', PoolMode.DEDICATED, 1, req(cp(), []), ['nodeRequirements.controlPlane.workerNodeEligible']],
    ['3 control planes, no workers, not worker-eligible', PoolMode.SHARED, 1, req(cp({ nodeCount: 3 }), []), ['nodeRequirements.controlPlane.workerNodeEligible']],
    ['a DEDICATED pool with 2 clusters', PoolMode.DEDICATED, 2, req(), ['clusterCount']],
    ['0 clusters', PoolMode.SHARED, 0, req(), ['clusterCount']],
    ['21 clusters', PoolMode.SHARED, 21, req(), ['clusterCount']],
    ['a fractional cluster count', PoolMode.SHARED, 1.5, req(), ['clusterCount']],
    ['a worker pool of 0 nodes', PoolMode.SHARED, 1, req(cp(), [worker({ nodeCount: 0 })]), ['nodeRequirements.workerPools.0.nodeCount']],
    ['a worker pool of 101 nodes', PoolMode.SHARED, 1, req(cp(), [worker({ nodeCount: 101 })]), ['nodeRequirements.workerPools.0.nodeCount']],
    ['a worker pool named in capitals', PoolMode.SHARED, 1, req(cp(), [worker({ name: 'GPU' })]), ['nodeRequirements.workerPools.0.name']],
    ['a worker pool name starting with "-"', PoolMode.SHARED, 1, req(cp(), [worker({ name: '-gpu' })]), ['nodeRequirements.workerPools.0.name']],
    ['a worker pool name of 33 characters', PoolMode.SHARED, 1, req(cp(), [worker({ name: 'a'.repeat(33) })]), ['nodeRequirements.workerPools.0.name']],
    ['an empty worker pool name', PoolMode.SHARED, 1, req(cp(), [worker({ name: '' })]), ['nodeRequirements.workerPools.0.name']],
    ['the same worker pool twice', PoolMode.SHARED, 1, req(cp(), [worker({ name: 'gpu' }), worker({ name: 'gpu' })]), ['nodeRequirements.workerPools.1.name']],
    ['a GPU family with a space', PoolMode.SHARED, 1, req(cp(), [worker({ gpu: { family: 'NVIDIA H100', countPerNode: 1 } })]), ['nodeRequirements.workerPools.0.gpu.family']],
    ['0 GPUs per node', PoolMode.SHARED, 1, req(cp(), [worker({ gpu: { family: 'NVIDIA-H100', countPerNode: 0 } })]), ['nodeRequirements.workerPools.0.gpu.countPerNode']],
    ['65 GPUs per node', PoolMode.SHARED, 1, req(cp(), [worker({ gpu: { family: 'NVIDIA-H100', countPerNode: 65 } })]), ['nodeRequirements.workerPools.0.gpu.countPerNode']],
    ['negative control-plane CPUs', PoolMode.SHARED, 1, req(cp({ minCpuCount: -1 })), ['nodeRequirements.controlPlane.minCpuCount']],
    ['4097 worker CPUs', PoolMode.SHARED, 1, req(cp(), [worker({ minCpuCount: 4097 })]), ['nodeRequirements.workerPools.0.minCpuCount']],
    ['negative worker memory', PoolMode.SHARED, 1, req(cp(), [worker({ minMemoryMiB: -1 })]), ['nodeRequirements.workerPools.0.minMemoryMiB']],
    ['11 worker pools', PoolMode.SHARED, 1, req(cp(), Array.from({ length: 11 }, (_, i) => worker({ name: `w${i}` }))), ['nodeRequirements.workerPools']],
    ['more than 500 machines', PoolMode.SHARED, 20, req(cp({ nodeCount: 5 }), [worker({ nodeCount: 21 })]), ['nodeRequirements']],
  ])('should refuse %s', (_what, mode, clusters, r, fields) => {
    const problems = requirementProblems(mode, clusters, r);
    expect(problems.map((p) => p.field!.join('.'))).toEqual(fields);
    for (const p of problems) {
      expect(p.code).toBe('INVALID_INPUT');
      expect(p.message.length).toBeGreaterThan(0);
    }
  });

  it('should report every problem of an input at once', () => {
    const fields = fieldsOf(PoolMode.DEDICATED, 2, req(cp({ nodeCount: 2 }), [worker({ name: 'X', nodeCount: 0, gpu: { family: 'bad family', countPerNode: 0 } })]));
    expect(fields).toEqual(
      expect.arrayContaining([
        'clusterCount',
        'nodeRequirements.controlPlane.nodeCount',
        'nodeRequirements.workerPools.0.name',
        'nodeRequirements.workerPools.0.nodeCount',
        'nodeRequirements.workerPools.0.gpu.family',
        'nodeRequirements.workerPools.0.gpu.countPerNode',
      ]),
    );
    expect(fields).toHaveLength(6);
  });
});

describe('poolNameProblem', () => {
  it.each([
    ['abc', null],
    ['gpu-pool-1', null],
    ['a'.repeat(33), null],
    ['ab', 'short'],
    ['a'.repeat(34), 'long'],
    ['1pool', 'digit first'],
    ['pool-', 'dash last'],
    ['Pool', 'capital'],
    ['po_ol', 'underscore'],
    ['po ol', 'space'],
  ])('should judge %j (%s)', (name, why) => {
    const problem = poolNameProblem(name);
    if (why === null) expect(problem).toBeNull();
    else expect(problem).toMatch(/pool name/);
  });
});

// ---- selectMachines -----------------------------------------------------------------------------

let n = 0;
function machine(over: Partial<Candidate> & { hostId: string }): Candidate {
  return {
    id: `id-${over.hostId}-${++n}`,
    architecture: 'AMD64',
    cpuCount: 16,
    memoryMiB: 65536,
    gpuFamily: null,
    gpuCount: 0,
    controlPlaneCandidate: true,
    workerCandidate: true,
    ...over,
  };
}
const cpu = (hostId: string, over: Partial<Candidate> = {}) => machine({ hostId, ...over });
const gpuHost = (hostId: string, family: string, count: number, over: Partial<Candidate> = {}) =>
  machine({ hostId, gpuFamily: family, gpuCount: count, cpuCount: 64, memoryMiB: 262144, controlPlaneCandidate: false, ...over });

type Picked = { cluster: number; host: string; role: MachineRole; workerPool: string | null }[];
function picked(s: Selection): Picked {
  if (!s.ok) throw new Error(`expected a selection, got problems: ${s.problems.join('; ')}`);
  return s.clusters.flatMap((c) => c.hosts.map((h) => ({ cluster: c.index, host: h.machine.hostId, role: h.role, workerPool: h.workerPool }))).sort((a, b) => a.cluster - b.cluster || (a.host < b.host ? -1 : 1));
}

describe('selectMachines', () => {
  it('should choose one control plane and the GPU workers of a dedicated pool', () => {
    const inv = [cpu('cp-a'), gpuHost('h100-a', 'NVIDIA-H100', 8), gpuHost('a100-a', 'NVIDIA-A100', 8)];
    expect(picked(selectMachines(req(), 1, inv))).toEqual([
      { cluster: 0, host: 'cp-a', role: MachineRole.CONTROL_PLANE, workerPool: null },
      { cluster: 0, host: 'h100-a', role: MachineRole.WORKER, workerPool: 'gpu' },
    ]);
  });

  it.each<[string, NodeRequirements, number, Candidate[], Record<string, string[]>]>([
    [
      'control planes prefer hosts without GPUs',
      req(cp(), [worker({ gpu: { family: 'NVIDIA-H100', countPerNode: 4 } })]),
      1,
      [gpuHost('gpu-cp', 'NVIDIA-H100', 4, { controlPlaneCandidate: true, cpuCount: 8 }), cpu('cpu-cp', { cpuCount: 128 }), gpuHost('w', 'NVIDIA-H100', 4)],
      { CONTROL_PLANE: ['cpu-cp'], WORKER: ['w'] },
    ],
    [
      'GPU workers take the smallest host that has enough GPUs',
      req(cp(), [worker({ gpu: { family: 'NVIDIA-H100', countPerNode: 4 } })]),
      1,
      [cpu('cp'), gpuHost('h8', 'NVIDIA-H100', 8), gpuHost('h4', 'NVIDIA-H100', 4), gpuHost('h2', 'NVIDIA-H100', 2)],
      { CONTROL_PLANE: ['cp'], WORKER: ['h4'] },
    ],
    [
      'GPU workers only take their family',
      req(cp(), [worker({ nodeCount: 2, gpu: { family: 'NVIDIA-A100', countPerNode: 1 } })]),
      1,
      [cpu('cp'), gpuHost('h100', 'NVIDIA-H100', 8), gpuHost('a100-1', 'NVIDIA-A100', 2), gpuHost('a100-2', 'NVIDIA-A100', 2)],
      { CONTROL_PLANE: ['cp'], WORKER: ['a100-1', 'a100-2'] },
    ],
    [
      'a CPU worker pool takes CPU hosts before GPU hosts',
      req(cp(), [worker({ name: 'cpu', gpu: null })]),
      1,
      [gpuHost('gpu', 'NVIDIA-H100', 8), cpu('cp', { workerCandidate: false }), cpu('w', { controlPlaneCandidate: false })],
      { CONTROL_PLANE: ['cp'], WORKER: ['w'] },
    ],
    [
      'the architecture and the minimum shape are respected',
      req(cp({ architecture: 'ARM64', minCpuCount: 8 }), [worker({ gpu: null, name: 'big', minMemoryMiB: 500_000 })]),
      1,
      [
        cpu('x86-cp', { architecture: 'AMD64' }),
        cpu('arm-small', { architecture: 'ARM64', cpuCount: 4 }),
        cpu('arm-cp', { architecture: 'ARM64', cpuCount: 8, workerCandidate: false }),
        cpu('small-w', { memoryMiB: 65536, controlPlaneCandidate: false }),
        cpu('big-w', { memoryMiB: 524288, controlPlaneCandidate: false }),
      ],
      { CONTROL_PLANE: ['arm-cp'], WORKER: ['big-w'] },
    ],
    [
      'a host that is not a worker candidate never becomes a worker',
      req(cp(), [worker({ name: 'cpu', gpu: null })]),
      1,
      [cpu('cp-only-1', { workerCandidate: false, cpuCount: 2 }), cpu('cp-only-2', { workerCandidate: false, cpuCount: 2 }), cpu('both', { cpuCount: 32 })],
      { CONTROL_PLANE: ['cp-only-1'], WORKER: ['both'] },
    ],
    [
      'control-plane candidates are kept for the control plane when workers can use other hosts',
      req(cp(), [worker({ name: 'cpu', gpu: null })]),
      1,
      // the frugal host is the only control-plane candidate; the bigger one can only be a worker
      [cpu('small-both', { cpuCount: 4 }), cpu('big-worker', { cpuCount: 64, controlPlaneCandidate: false })],
      { CONTROL_PLANE: ['small-both'], WORKER: ['big-worker'] },
    ],
    [
      'single-node clusters (worker-eligible control plane, no workers)',
      req(cp({ workerNodeEligible: true, nodeCount: 3 }), []),
      1,
      [cpu('a'), cpu('b'), cpu('c'), cpu('d')],
      { CONTROL_PLANE: ['a', 'b', 'c'] },
    ],
  ])('should select well: %s', (_what, r, clusters, inv, expected) => {
    const s = selectMachines(r, clusters, inv);
    const byRole: Record<string, string[]> = {};
    for (const p of picked(s)) (byRole[p.role] ??= []).push(p.host);
    for (const k of Object.keys(byRole)) byRole[k].sort();
    expect(byRole).toEqual(expected);
  });

  it('should give every cluster of a shared pool its own machines', () => {
    const inv = [cpu('cp-0'), cpu('cp-1'), cpu('cp-2'), ...Array.from({ length: 6 }, (_, i) => gpuHost(`h100-${i}`, 'NVIDIA-H100', 8))];
    const s = selectMachines(req(cp(), [worker({ nodeCount: 2 })]), 3, inv);
    const p = picked(s);
    expect(p).toHaveLength(9);
    expect(new Set(p.map((x) => x.host)).size).toBe(9);
    for (const c of [0, 1, 2]) {
      expect(p.filter((x) => x.cluster === c && x.role === MachineRole.CONTROL_PLANE)).toHaveLength(1);
      expect(p.filter((x) => x.cluster === c && x.role === MachineRole.WORKER)).toHaveLength(2);
    }
    if (!s.ok) throw new Error('unreachable');
    expect(s.clusters.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('should choose the same machines whatever the order of the inventory', () => {
    const inv = [cpu('cp-0'), cpu('cp-1', { cpuCount: 8 }), gpuHost('g-0', 'NVIDIA-H100', 8), gpuHost('g-1', 'NVIDIA-H100', 4), gpuHost('g-2', 'NVIDIA-H100', 4), gpuHost('g-3', 'NVIDIA-H100', 2)];
    const r = req(cp(), [worker({ nodeCount: 2, gpu: { family: 'NVIDIA-H100', countPerNode: 4 } })]);
    const first = picked(selectMachines(r, 1, inv));
    for (let i = 0; i < 10; i++) {
      const shuffled = [...inv].sort(() => Math.random() - 0.5);
      expect(picked(selectMachines(r, 1, shuffled))).toEqual(first);
    }
    expect(first.filter((p) => p.role === MachineRole.WORKER).map((p) => p.host)).toEqual(['g-1', 'g-2']);
    expect(first.filter((p) => p.role === MachineRole.CONTROL_PLANE).map((p) => p.host)).toEqual(['cp-1']);
  });

  it.each<[string, NodeRequirements, number, Candidate[], RegExp]>([
    ['too few GPU hosts of the family', req(cp(), [worker({ nodeCount: 2 })]), 1, [cpu('cp'), gpuHost('g', 'NVIDIA-H100', 8), gpuHost('a', 'NVIDIA-A100', 8)], /NVIDIA-H100.*1 matching/],
    ['hosts with too few GPUs', req(cp(), [worker({ gpu: { family: 'NVIDIA-H100', countPerNode: 8 } })]), 1, [cpu('cp'), gpuHost('g', 'NVIDIA-H100', 4)], /NVIDIA-H100.*0 matching/],
    ['no control-plane candidate', req(cp(), [worker()]), 1, [cpu('w', { controlPlaneCandidate: false }), gpuHost('g', 'NVIDIA-H100', 8)], /control-plane/],
    ['not enough control planes for 3', req(cp({ nodeCount: 3 }), [worker()]), 1, [cpu('a'), cpu('b'), gpuHost('g', 'NVIDIA-H100', 8)], /control-plane.*3 per cluster/],
    ['enough for one cluster but not for two', req(cp(), [worker()]), 2, [cpu('a'), cpu('b'), gpuHost('g', 'NVIDIA-H100', 8)], /2 cluster/],
    ['an empty inventory', req(cp({ workerNodeEligible: true }), []), 1, [], /control-plane/],
    ['the wrong architecture', req(cp({ architecture: 'ARM64' }), [worker({ gpu: null, name: 'w' })]), 1, [cpu('a'), cpu('b')], /control-plane/],
  ])('should say what is missing: %s', (_what, r, clusters, inv, message) => {
    const s = selectMachines(r, clusters, inv);
    expect(s.ok).toBe(false);
    if (s.ok) return;
    expect(s.problems.join('; ')).toMatch(message);
  });
});

describe('gpusOf', () => {
  it('should sum the GPUs of each family and ignore hosts without GPUs', () => {
    const hosts = [cpu('a'), gpuHost('b', 'NVIDIA-H100', 8), gpuHost('c', 'NVIDIA-H100', 4), gpuHost('d', 'AMD-MI300X', 2), machine({ hostId: 'e', gpuFamily: 'NVIDIA-H100', gpuCount: 0 })].map((m) => ({ machine: m }));
    expect(gpusOf(hosts)).toEqual({ 'NVIDIA-H100': 12, 'AMD-MI300X': 2 });
    expect(gpusOf([])).toEqual({});
  });
});
