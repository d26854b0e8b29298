/**
 * Who reads which audit records (README "Audit trail"): a platform admin every record; a tenant admin
 * the records of their tenants; a project admin those of their projects; nobody else any (FORBIDDEN).
 * A record belongs to the tenant and project of what the mutation named (audit.targets.ts), so a
 * record without a tenant (creating a tenant, a refusal naming nothing that exists) is for platform
 * admins only. The same rule is a SQL condition (pages, replay) and a predicate (live records).
 */
import type { Knex } from '@mikro-orm/knex';
import { forbidden } from '../errors.js';
import { Role } from '../tenancy/role-binding.entity.js';
import type { Viewer } from '../tenancy/viewer.js';
import type { AuditDto, AuditOutcome } from './audit.model.js';

export interface AuditReader {
  all: boolean;
  tenants: string[];
  projects: string[];
}

export function auditReaderOf(viewer: Viewer): AuditReader {
  const tenants = viewer.bindings.filter((b) => b.role === Role.TENANT_ADMIN && b.tenantId).map((b) => b.tenantId!);
  const projects = viewer.bindings.filter((b) => b.role === Role.PROJECT_ADMIN && b.projectId).map((b) => b.projectId!);
  if (!viewer.isPlatformAdmin && !tenants.length && !projects.length) throw forbidden('read the audit trail', 'that takes the tenant admin, project admin or platform admin role');
  return { all: viewer.isPlatformAdmin, tenants, projects };
}

/** A filter, decoded (ids are database ids). */
export interface AuditFilter {
  tenantId?: string | null;
  projectId?: string | null;
  actorTokenId?: string | null;
  actorSubject?: string | null;
  operation?: string | null;
  outcome?: AuditOutcome | null;
  from?: Date | null;
  to?: Date | null;
}

export function readerSql(r: AuditReader): (qb: Knex.QueryBuilder) => void {
  return (qb) => {
    if (r.all) return;
    qb.where((w) => {
      if (r.tenants.length) w.orWhereIn('tenant_id', r.tenants);
      if (r.projects.length) w.orWhereIn('project_id', r.projects);
    });
  };
}

export function filterSql(f: AuditFilter): (qb: Knex.QueryBuilder) => void {
  return (qb) => {
    if (f.tenantId) qb.andWhere('tenant_id', f.tenantId);
    if (f.projectId) qb.andWhere('project_id', f.projectId);
    if (f.actorTokenId) qb.andWhere('actor_token_id', f.actorTokenId);
    if (f.actorSubject) qb.andWhere('actor_subject', f.actorSubject);
    if (f.operation) qb.andWhere('operation', f.operation);
    if (f.outcome) qb.andWhere('outcome', f.outcome);
    if (f.from) qb.andWhere('created_at', '>=', f.from);
    if (f.to) qb.andWhere('created_at', '<', f.to);
  };
}

export function readerSees(r: AuditReader, e: Pick<AuditDto, 'tenantId' | 'projectId'>): boolean {
  return r.all || (e.tenantId !== null && r.tenants.includes(e.tenantId)) || (e.projectId !== null && r.projects.includes(e.projectId));
}

export function filterMatches(f: AuditFilter, e: AuditDto): boolean {
  const t = new Date(e.time).getTime();
  return (
    (!f.tenantId || e.tenantId === f.tenantId) &&
    (!f.projectId || e.projectId === f.projectId) &&
    (!f.actorTokenId || e.actor.tokenId === f.actorTokenId) &&
    (!f.actorSubject || e.actor.subject === f.actorSubject) &&
    (!f.operation || e.operation === f.operation) &&
    (!f.outcome || e.outcome === f.outcome) &&
    (!f.from || t >= f.from.getTime()) &&
    (!f.to || t < f.to.getTime())
  );
}
