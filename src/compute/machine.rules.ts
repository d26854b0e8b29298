/** Pure checks on machine inventory input (unit-tested). */
import { gpuCountProblem, gpuFamilyProblem, keyValueProblem } from '../common/rules.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Architecture, MachineRole } from './machine.entity.js';

export interface MachineInput {
  hostId: string;
  architecture?: Architecture | null;
  cpuCount: number;
  memoryMiB: number;
  gpu?: { family: string; count: number; memoryMiB?: number | null } | null;
  roles: MachineRole[];
  resourceGroups?: { key: string; value: string }[] | null;
}

export const MAX_MACHINES_PER_CALL = 500;
export const MAX_RESOURCE_GROUPS = 32;
const HOST_ID = /^[A-Za-z0-9]([A-Za-z0-9._:-]{0,126}[A-Za-z0-9])?$/;

const err = (message: string, field: string[]) => new DomainError(ErrorCode.INVALID_INPUT, message, field);

export function resourceGroupProblems(groups: { key: string; value: string }[], field: string[]): DomainError[] {
  const out: DomainError[] = [];
  if (groups.length > MAX_RESOURCE_GROUPS) return [err(`at most ${MAX_RESOURCE_GROUPS} resource groups`, field)];
  const keys = new Set<string>();
  groups.forEach((g, i) => {
    const p = keyValueProblem(g.key, g.value, 'resource group');
    if (p) out.push(err(p, [...field, String(i)]));
    else if (keys.has(g.key)) out.push(err(`resource group ${g.key} is listed twice`, [...field, String(i), 'key']));
    keys.add(g.key);
  });
  return out;
}

export function machineProblems(m: MachineInput, field: string[]): DomainError[] {
  const out: DomainError[] = [];
  if (typeof m.hostId !== 'string' || !HOST_ID.test(m.hostId)) {
    out.push(err('hostId must be 1-128 characters of letters, digits, ".", "_", ":" or "-", starting and ending with a letter or digit', [...field, 'hostId']));
  }
  if (!Number.isInteger(m.cpuCount) || m.cpuCount < 1 || m.cpuCount > 4096) out.push(err('cpuCount must be between 1 and 4096', [...field, 'cpuCount']));
  if (!Number.isInteger(m.memoryMiB) || m.memoryMiB < 256 || m.memoryMiB > 64 * 1024 * 1024) {
    out.push(err('memoryMiB must be between 256 and 67108864', [...field, 'memoryMiB']));
  }
  if (m.gpu) {
    const fp = gpuFamilyProblem(m.gpu.family);
    if (fp) out.push(err(fp, [...field, 'gpu', 'family']));
    const cp = gpuCountProblem(m.gpu.count, 'gpu.count', 1);
    if (cp || m.gpu.count > 64) out.push(err('gpu.count must be between 1 and 64', [...field, 'gpu', 'count']));
    const mem = m.gpu.memoryMiB ?? 0;
    if (!Number.isInteger(mem) || mem < 0 || mem > 1024 * 1024) out.push(err('gpu.memoryMiB must be between 0 and 1048576', [...field, 'gpu', 'memoryMiB']));
  }
  if (!m.roles?.length) out.push(err('a machine needs at least one role (CONTROL_PLANE, WORKER)', [...field, 'roles']));
  else if (new Set(m.roles).size !== m.roles.length) out.push(err('roles are listed twice', [...field, 'roles']));
  out.push(...resourceGroupProblems(m.resourceGroups ?? [], [...field, 'resourceGroups']));
  return out;
}

export function registrationProblems(machines: MachineInput[]): DomainError[] {
  if (machines.length === 0) return [err('register at least one machine', ['machines'])];
  if (machines.length > MAX_MACHINES_PER_CALL) return [err(`at most ${MAX_MACHINES_PER_CALL} machines per call`, ['machines'])];
  const out: DomainError[] = [];
  const seen = new Map<string, number>();
  machines.forEach((m, i) => {
    out.push(...machineProblems(m, ['machines', String(i)]));
    if (typeof m.hostId === 'string') {
      const prev = seen.get(m.hostId);
      if (prev !== undefined) out.push(new DomainError(ErrorCode.ALREADY_EXISTS, `hostId ${m.hostId} is listed twice (machines ${prev} and ${i})`, ['machines', String(i), 'hostId']));
      seen.set(m.hostId, i);
    }
  });
  return out;
}

