/**
 * Tenant read model: what the graph shows of a tenant, read as a plain row (see project.read.ts).
 * The Tenant entity has this shape too.
 */
import { dateOf } from '../db/read-rows.js';
import type { Em } from '../db/orm.js';
import { tenantNamespace } from './tenant.entity.js';

export interface TenantView {
  id: string;
  name: string;
  displayName: string;
  description: string | null;
  namespace: string;
  createdAt: Date;
  updatedAt: Date;
}

export const TENANT_COLUMNS = ['id', 'name', 'display_name', 'description', 'created_at', 'updated_at'];

export function tenantViewOf(em: Em, r: Record<string, unknown>): TenantView {
  const name = String(r.name);
  return {
    id: String(r.id),
    name,
    displayName: String(r.display_name),
    description: (r.description as string | null) ?? null,
    namespace: tenantNamespace(name),
    createdAt: dateOf(em, r.created_at),
    updatedAt: dateOf(em, r.updated_at),
  };
}
