/**
 * Who may do what (design §5). Reads return "not found" when the viewer may not see the object at all
 * (other tenants' objects are invisible); writes the viewer may see but not perform are FORBIDDEN.
 */
import { forbidden, NotFoundError } from '../errors.js';
import { Role } from './role-binding.entity.js';
import type { Binding, Viewer } from './viewer.js';

/** Minimum project level per action: 1 viewer, 2 editor, 3 project admin (tenant admins rank 3). */
export const ProjectAction = {
  read: 1,
  manageBundles: 2,
  managePools: 2,
  deploy: 2,
  update: 3,
} as const;
export type ProjectAction = keyof typeof ProjectAction;

export interface ProjectScope {
  id: string;
  tenantId: string;
  name?: string;
}

export function canReadProject(viewer: Viewer, p: ProjectScope): boolean {
  return viewer.projectLevel(p.tenantId, p.id) >= 1;
}

/** Throws NotFound if the project is invisible to the viewer, FORBIDDEN if visible but not allowed. */
export function assertProject(viewer: Viewer, p: ProjectScope, action: ProjectAction, field: string[] | null = null): void {
  const level = viewer.projectLevel(p.tenantId, p.id);
  if (level < 1) throw new NotFoundError('Project', field);
  if (level < ProjectAction[action]) throw forbidden(`${action} in project ${p.name ?? p.id}`);
}

export type TenantAction = 'read' | 'administer' | 'platform';

/** read: any role in the tenant; administer: tenant admin; platform: platform admin only. */
export function assertTenant(viewer: Viewer, tenantId: string, action: TenantAction, field: string[] | null = null): void {
  if (!viewer.canSeeTenant(tenantId)) throw new NotFoundError('Tenant', field);
  if (action === 'administer' && !viewer.isTenantAdmin(tenantId)) throw forbidden('administer this tenant');
  if (action === 'platform' && !viewer.isPlatformAdmin) throw forbidden('perform this platform-admin operation');
}

export function assertPlatformAdmin(viewer: Viewer, what: string): void {
  if (!viewer.isPlatformAdmin) throw forbidden(what);
}

/**
 * Whether `viewer` may hand out `b` in a new token: platform admins grant anything, tenant admins
 * grant roles inside their tenant, project admins grant project roles in their project. Nobody mints
 * a role above their own.
 */
export function canGrant(viewer: Viewer, b: Binding): boolean {
  if (viewer.isPlatformAdmin) return true;
  switch (b.role) {
    case Role.PLATFORM_ADMIN:
      return false;
    case Role.TENANT_ADMIN:
      return !!b.tenantId && viewer.isTenantAdmin(b.tenantId);
    default:
      return !!b.tenantId && !!b.projectId && viewer.projectLevel(b.tenantId, b.projectId) >= 3;
  }
}
