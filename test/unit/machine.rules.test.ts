/** Machine inventory rules and project compute defaults, without a database. */
import { describe, expect, it } from 'vitest';
import { MachineRole } from '../../src/compute/machine.entity.js';
import { machineProblems, MAX_MACHINES_PER_CALL, MAX_RESOURCE_GROUPS, registrationProblems, resourceGroupProblems, type MachineInput } from '../../src/compute/machine.rules.js';
import { computeDefaultsProblem } from '../../src/tenancy/project.service.js';

const ok = (over: Partial<MachineInput> = {}): MachineInput => ({ hostId: 'host-1', cpuCount: 8, memoryMiB: 16384, roles: [MachineRole.WORKER], ...over });
const fields = (errs: { field: string[] | null }[]) => errs.map((e) => e.field!.join('.'));

describe('machineProblems', () => {
  it.each([
    ok(),
    ok({ hostId: 'h' }),
    ok({ hostId: 'rack-1.host_2:a' }),
    ok({ hostId: 'h'.repeat(128) }),
    ok({ gpu: { family: 'NVIDIA-H100', count: 8, memoryMiB: 81920 } }),
    ok({ gpu: { family: 'NVIDIA-H100', count: 64 } }),
    ok({ roles: [MachineRole.CONTROL_PLANE, MachineRole.WORKER] }),
    ok({ cpuCount: 1, memoryMiB: 256 }),
    ok({ cpuCount: 4096, memoryMiB: 64 * 1024 * 1024 }),
    ok({ resourceGroups: [{ key: 'palette.ai', value: 'true' }] }),
  ])('accepts %j', (m) => {
    expect(machineProblems(m, ['m'])).toEqual([]);
  });

  it.each([
    [ok({ hostId: '' }), ['m.hostId']],
    [ok({ hostId: 'h'.repeat(129) }), ['m.hostId']],
    [ok({ hostId: 'has space' }), ['m.hostId']],
    [ok({ hostId: 'a/b' }), ['m.hostId']],
    [ok({ hostId: '-h' }), ['m.hostId']],
    [ok({ hostId: 'hôst' }), ['m.hostId']],
    [ok({ cpuCount: 0 }), ['m.cpuCount']],
    [ok({ cpuCount: 4097 }), ['m.cpuCount']],
    [ok({ cpuCount: 2.5 }), ['m.cpuCount']],
    [ok({ memoryMiB: 255 }), ['m.memoryMiB']],
    [ok({ memoryMiB: 64 * 1024 * 1024 + 1 }), ['m.memoryMiB']],
    [ok({ gpu: { family: 'bad family', count: 1 } }), ['m.gpu.family']],
    [ok({ gpu: { family: 'H100', count: 0 } }), ['m.gpu.count']],
    [ok({ gpu: { family: 'H100', count: 65 } }), ['m.gpu.count']],
    [ok({ gpu: { family: 'H100', count: 1, memoryMiB: -1 } }), ['m.gpu.memoryMiB']],
    [ok({ gpu: { family: 'H100', count: 1, memoryMiB: 1024 * 1024 + 1 } }), ['m.gpu.memoryMiB']],
    [ok({ roles: [] }), ['m.roles']],
    [ok({ roles: [MachineRole.WORKER, MachineRole.WORKER] }), ['m.roles']],
    [ok({ hostId: '', cpuCount: 0, roles: [] }), ['m.hostId', 'm.cpuCount', 'm.roles']],
  ])('refuses %j naming %j', (m, expected) => {
    const errs = machineProblems(m, ['m']);
    expect(fields(errs)).toEqual(expected);
    for (const e of errs) expect(e.code).toBe('INVALID_INPUT');
  });
});

describe('resourceGroupProblems', () => {
  it.each([
    [[], []],
    [[{ key: 'a', value: '1' }, { key: 'b', value: '2' }], []],
    [[{ key: 'bad key', value: '1' }], ['rg.0']],
    [[{ key: 'a', value: 'x'.repeat(257) }], ['rg.0']],
    [[{ key: 'a', value: '1' }, { key: 'a', value: '2' }], ['rg.1.key']],
    [Array.from({ length: MAX_RESOURCE_GROUPS + 1 }, (_, i) => ({ key: `k${i}`, value: 'v' })), ['rg']],
  ])('%j → %j', (groups, expected) => {
    expect(fields(resourceGroupProblems(groups, ['rg']))).toEqual(expected);
  });

  it(`accepts exactly ${MAX_RESOURCE_GROUPS} groups`, () => {
    expect(resourceGroupProblems(Array.from({ length: MAX_RESOURCE_GROUPS }, (_, i) => ({ key: `k${i}`, value: 'v' })), ['rg'])).toEqual([]);
  });
});

describe('registrationProblems (one batch, all or nothing)', () => {
  it('refuses an empty batch and one above the cap', () => {
    expect(fields(registrationProblems([]))).toEqual(['machines']);
    expect(fields(registrationProblems(Array.from({ length: MAX_MACHINES_PER_CALL + 1 }, (_, i) => ok({ hostId: `h${i}` }))))).toEqual(['machines']);
    expect(registrationProblems(Array.from({ length: MAX_MACHINES_PER_CALL }, (_, i) => ok({ hostId: `h${i}` })))).toEqual([]);
  });

  it('names every repeated hostId after its first use, with ALREADY_EXISTS', () => {
    const errs = registrationProblems([ok({ hostId: 'a' }), ok({ hostId: 'b' }), ok({ hostId: 'a' }), ok({ hostId: 'a' })]);
    expect(errs.map((e) => [e.code, e.field!.join('.')])).toEqual([
      ['ALREADY_EXISTS', 'machines.2.hostId'],
      ['ALREADY_EXISTS', 'machines.3.hostId'],
    ]);
    expect(errs[0].message).toBe('hostId a is listed twice (machines 0 and 2)');
  });

  it('reports the problems of every machine with its index', () => {
    expect(fields(registrationProblems([ok(), ok({ hostId: 'x', cpuCount: 0 }), ok({ hostId: 'y', roles: [] })]))).toEqual(['machines.1.cpuCount', 'machines.2.roles']);
  });
});

describe('computeDefaultsProblem', () => {
  it.each([
    [1, true, null],
    [3, true, null],
    [3, false, null],
    [5, false, null],
    [1, false, 'a single-node control plane must be workerNodeEligible'],
    [0, true, 'controlPlaneNodeCount must be 1, 3 or 5'],
    [2, true, 'controlPlaneNodeCount must be 1, 3 or 5'],
    [4, true, 'controlPlaneNodeCount must be 1, 3 or 5'],
    [7, true, 'controlPlaneNodeCount must be 1, 3 or 5'],
    [-1, true, 'controlPlaneNodeCount must be 1, 3 or 5'],
  ])('%d control-plane nodes, workerNodeEligible %s → %j', (controlPlaneNodeCount, workerNodeEligible, problem) => {
    expect(computeDefaultsProblem({ controlPlaneNodeCount, workerNodeEligible })).toBe(problem);
  });
});
