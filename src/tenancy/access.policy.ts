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

/** What each action is, said as a person would ("You cannot … in project x"). */
const PROJECT_ACTION_WORDS: Record<ProjectAction, string> = {
  read: 'see',
  manageBundles: 'create or delete profile bundles',
  managePools: 'create or delete compute pools',
  deploy: 'deploy, retry or delete app deployments',
  update: 'change the settings of',
};

const PROJECT_ROLE_WORDS = ['no role', 'a project viewer', 'a project editor', 'a project admin'];
const PROJECT_ROLE_NEEDED = ['', 'the project viewer role', 'the project editor role or higher', 'the project admin role or a tenant admin'];

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
  if (level < ProjectAction[action]) {
    const name = p.name ?? p.id;
    const what = action === 'update' ? `${PROJECT_ACTION_WORDS[action]} project ${name}` : `${PROJECT_ACTION_WORDS[action]} in project ${name}`;
    throw forbidden(what, `that takes ${PROJECT_ROLE_NEEDED[ProjectAction[action]]}, and you are ${PROJECT_ROLE_WORDS[level]} there`);
  }
}

export type TenantAction = 'read' | 'administer' | 'platform';

/**
 * read: any role in the tenant; administer: tenant admin; platform: platform admin only. `what` is
 * the operation in the caller's words, for the refusal ("register machines in tenant acme").
 */
export function assertTenant(viewer: Viewer, tenantId: string, action: TenantAction, field: string[] | null = null, what = 'manage this tenant'): void {
  if (!viewer.canSeeTenant(tenantId)) throw new NotFoundError('Tenant', field);
  if (action === 'administer' && !viewer.isTenantAdmin(tenantId)) throw forbidden(what, 'that takes the tenant admin role of this tenant');
  if (action === 'platform' && !viewer.isPlatformAdmin) throw forbidden(what, 'only platform admins can');
}

/** `what`: the operation in the caller's words ("create tenants"). */
export function assertPlatformAdmin(viewer: Viewer, what: string): void {
  if (!viewer.isPlatformAdmin) throw forbidden(what, 'only platform admins can');
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
