/**
 * Whom a mutation concerns, for the audit record and for who may read it: the tenant, the project and
 * the object. Worked out the same way for every mutation, from what it was given (every global ID in
 * its input, looked up in the database) and, for a creation, from the object its transaction returns.
 * A mutation whose ids lead to more than one tenant (or project) records none at that level: such a
 * record is for platform admins only.
 */
import type { Em } from '../db/orm.js';
import { readRows } from '../db/read-rows.js';
import { parseGlobalId, NodeKind, type DecodedId } from '../graphql/relay/global-id.js';
import { Machine } from '../compute/machine.entity.js';
import { ComputePool } from '../compute/pool.entity.js';
import { ProfileBundle } from '../catalog/profile-bundle.entity.js';
import { AppDeployment } from '../deployments/deployment.entity.js';
import { ApiToken } from '../tenancy/api-token.entity.js';
import { Project } from '../tenancy/project.entity.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import type { AuditTarget } from './audit.model.js';

/** Ids looked up per mutation at most (a deploy may name many bundle versions of one project). */
const MAX_IDS = 20;

/** Every global ID in `v` (strings that decode as one of ours), first occurrence first. */
export function idsIn(v: unknown, out: DecodedId[] = [], seen = new Set<string>()): DecodedId[] {
  if (out.length >= MAX_IDS) return out;
  if (typeof v === 'string') {
    const d = parseGlobalId(v);
    if (d && !seen.has(d.id)) {
      seen.add(d.id);
      out.push(d);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) idsIn(x, out, seen);
  } else if (v && typeof v === 'object' && !(v instanceof Date)) {
    for (const x of Object.values(v)) idsIn(x, out, seen);
  }
  return out;
}

type Owner = { tenant_id: string | null; project_id: string | null };

const viaProject = (table: string) => `select p.tenant_id, p.id as project_id from ${table} x join project p on p.id = x.project_id where x.id in`;

/** The tenant and project of objects of a kind, by id (`in (…)` follows). */
const OWNER_SQL: Partial<Record<NodeKind, string>> = {
  [NodeKind.Tenant]: 'select id as tenant_id, null as project_id from tenant where id in',
  [NodeKind.Project]: 'select tenant_id, id as project_id from project where id in',
  [NodeKind.Machine]: 'select tenant_id, null as project_id from machine where id in',
  [NodeKind.ProfileBundle]: viaProject('profile_bundle'),
  [NodeKind.ComputePool]: viaProject('compute_pool'),
  // an Environment's id is its pool's
  [NodeKind.Environment]: viaProject('compute_pool'),
  [NodeKind.AppDeployment]: viaProject('app_deployment'),
  [NodeKind.DeploymentEvent]: viaProject('deployment_event'),
  [NodeKind.ApiToken]: 'select tenant_id, project_id from role_binding where token_id in',
};

function single(values: (string | null)[]): string | null {
  const set = new Set(values.filter((v): v is string => v !== null));
  return set.size === 1 ? [...set][0] : null;
}

export interface InputTargets {
  tenantId: string | null;
  projectId: string | null;
  /** the `id` the input names (the object acted on), if any */
  subject: DecodedId | null;
}

/** Tenant and project of everything the input names (objects that do not exist name nothing). */
export async function targetsOfInput(em: Em, args: Record<string, unknown>): Promise<InputTargets> {
  const byKind = new Map<string, string[]>();
  for (const d of idsIn(args)) {
    const sql = OWNER_SQL[d.kind];
    if (sql) byKind.set(sql, [...(byKind.get(sql) ?? []), d.id]);
  }
  // one statement for every kind named (a deploy names a project, a pool and bundle versions), read
  // before the mutation runs, as a plain read: prepared, and on PostgreSQL shared by the calls of a
  // burst that name the same objects (the owners of an id are the same whoever asks)
  const parts = [...byKind].map(([sql, ids]) => `${sql} (${ids.map(() => '?').join(', ')})`);
  const owners = parts.length ? await readRows<Owner>(em, parts.join(' union all '), [...byKind.values()].flat(), { shared: true }) : [];
  const input = args.input as Record<string, unknown> | undefined;
  const subject = typeof input?.id === 'string' ? parseGlobalId(input.id) : null;
  const tenantId = single(owners.map((o) => o.tenant_id));
  // a project of another tenant than the one named cannot be this record's project
  const projectId = tenantId ? single(owners.filter((o) => o.tenant_id === tenantId).map((o) => o.project_id)) : null;
  return { tenantId, projectId, subject };
}

const KIND_OF = new Map<unknown, NodeKind>([
  [Tenant, NodeKind.Tenant],
  [Project, NodeKind.Project],
  [Machine, NodeKind.Machine],
  [ProfileBundle, NodeKind.ProfileBundle],
  [ApiToken, NodeKind.ApiToken],
  [ComputePool, NodeKind.ComputePool],
  [AppDeployment, NodeKind.AppDeployment],
]);

/**
 * The record's target once the effect is known: the object the committed transaction returned (what
 * a create made) or else the one the input named; tenant and project from that object where it
 * carries them, else from the input.
 */
export function targetOf(input: InputTargets, result: unknown): AuditTarget {
  const kind = result && typeof result === 'object' ? KIND_OF.get((result as object).constructor) : undefined;
  if (kind) {
    const r = result as { id: string; tenant?: { id: string }; project?: { id: string } };
    const tenantId = kind === NodeKind.Tenant ? r.id : (r.tenant?.id ?? input.tenantId);
    const projectId = kind === NodeKind.Project ? r.id : (r.project?.id ?? input.projectId);
    return { tenantId, projectId, subjectKind: kind, subjectId: r.id };
  }
  return { tenantId: input.tenantId, projectId: input.projectId, subjectKind: input.subject?.kind ?? null, subjectId: input.subject?.id ?? null };
}
