/** Pure quota rules (design §1), unit-tested without a database. */
import { gpuCountProblem, gpuFamilyProblem } from '../common/rules.js';
import { DomainError, ErrorCode } from '../errors.js';

export interface LimitInput {
  gpuFamily: string;
  limit: number;
}

export const MAX_QUOTA_FAMILIES = 64;

/** Shape checks on a quota list: families well-formed and unique, limits sane. */
export function limitListProblems(limits: LimitInput[], field: string[]): DomainError[] {
  const out: DomainError[] = [];
  if (limits.length > MAX_QUOTA_FAMILIES) {
    out.push(new DomainError(ErrorCode.INVALID_INPUT, `at most ${MAX_QUOTA_FAMILIES} GPU families per quota`, field));
    return out;
  }
  const seen = new Set<string>();
  limits.forEach((l, i) => {
    const fp = gpuFamilyProblem(l.gpuFamily);
    if (fp) out.push(new DomainError(ErrorCode.INVALID_INPUT, fp, [...field, String(i), 'gpuFamily']));
    else if (seen.has(l.gpuFamily)) out.push(new DomainError(ErrorCode.INVALID_INPUT, `GPU family ${l.gpuFamily} is listed twice`, [...field, String(i), 'gpuFamily']));
    seen.add(l.gpuFamily);
    const cp = gpuCountProblem(l.limit, 'limit');
    if (cp) out.push(new DomainError(ErrorCode.INVALID_INPUT, cp, [...field, String(i), 'limit']));
  });
  return out;
}

/** A project's limit for a family may not exceed its tenant's (a family with no entry has limit 0). */
export function projectWithinTenantProblems(projectLimits: LimitInput[], tenantLimits: Map<string, number>, field: string[]): DomainError[] {
  const out: DomainError[] = [];
  projectLimits.forEach((l, i) => {
    const t = tenantLimits.get(l.gpuFamily) ?? 0;
    if (l.limit > t) {
      out.push(new DomainError(ErrorCode.INVALID_INPUT, `project limit ${l.limit} for ${l.gpuFamily} exceeds the tenant limit ${t}`, [...field, String(i), 'limit']));
    }
  });
  return out;
}

/** Lowering a tenant limit may not leave any project above it. */
export function tenantAboveProjectsProblems(
  tenantLimits: LimitInput[],
  projectMax: Map<string, { limit: number; projectName: string }>,
  field: string[],
): DomainError[] {
  const out: DomainError[] = [];
  const newLimits = new Map(tenantLimits.map((l) => [l.gpuFamily, l.limit]));
  for (const [family, p] of projectMax) {
    const t = newLimits.get(family) ?? 0;
    if (p.limit > t) {
      const i = tenantLimits.findIndex((l) => l.gpuFamily === family);
      out.push(
        new DomainError(
          ErrorCode.CONFLICT,
          `tenant limit ${t} for ${family} would be below project ${p.projectName}'s limit ${p.limit}; lower the project first`,
          i >= 0 ? [...field, String(i), 'limit'] : field,
        ),
      );
    }
  }
  return out;
}
