/** Roles and what they may do (design §5), as pure decisions on a Viewer. */
import { describe, expect, it } from 'vitest';
import { AuthError, NotFoundError } from '../../src/errors.js';
import { assertPlatformAdmin, assertProject, assertTenant, canGrant, canReadProject, ProjectAction } from '../../src/tenancy/access.policy.js';
import { Role } from '../../src/tenancy/role-binding.entity.js';
import { Viewer, type Binding } from '../../src/tenancy/viewer.js';

const T = 'tenant-a';
const T2 = 'tenant-b';
const P = 'project-a1';
const P2 = 'project-a2';
const Q = 'project-b1';

const viewers: Record<string, Viewer> = {
  PLATFORM_ADMIN: new Viewer('t0', 'pa', [{ role: Role.PLATFORM_ADMIN, tenantId: null, projectId: null }]),
  TENANT_ADMIN: new Viewer('t1', 'ta', [{ role: Role.TENANT_ADMIN, tenantId: T, projectId: null }]),
  PROJECT_ADMIN: new Viewer('t2', 'padm', [{ role: Role.PROJECT_ADMIN, tenantId: T, projectId: P }]),
  PROJECT_EDITOR: new Viewer('t3', 'ped', [{ role: Role.PROJECT_EDITOR, tenantId: T, projectId: P }]),
  PROJECT_VIEWER: new Viewer('t4', 'pvw', [{ role: Role.PROJECT_VIEWER, tenantId: T, projectId: P }]),
  NO_ROLE: new Viewer('t5', 'none', [{ role: Role.PROJECT_VIEWER, tenantId: T2, projectId: Q }]),
};
const ROLES = Object.keys(viewers);

/** Outcome of an assertion: ok, NOT_FOUND (invisible), FORBIDDEN. */
function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof NotFoundError) return 'NF';
    if (e instanceof AuthError) return e.code === 'FORBIDDEN' ? 'F' : e.code;
    throw e;
  }
}

describe('Viewer', () => {
  it.each([
    ['PLATFORM_ADMIN', 3, 3, 3, true, true],
    ['TENANT_ADMIN', 3, 3, 0, true, false],
    ['PROJECT_ADMIN', 3, 0, 0, true, false],
    ['PROJECT_EDITOR', 2, 0, 0, true, false],
    ['PROJECT_VIEWER', 1, 0, 0, true, false],
    ['NO_ROLE', 0, 0, 0, false, true],
  ])('%s: level in own project %d, sibling %d, other tenant %d; sees own tenant %s, other %s', (role, own, sibling, other, seesT, seesT2) => {
    const v = viewers[role];
    expect(v.projectLevel(T, P)).toBe(own);
    expect(v.projectLevel(T, P2)).toBe(sibling);
    expect(v.projectLevel(T2, Q)).toBe(role === 'NO_ROLE' ? 1 : other);
    expect(v.canSeeTenant(T)).toBe(seesT);
    expect(v.canSeeTenant(T2)).toBe(seesT2);
  });

  it('takes the highest of several roles on one project, and lists visible ids', () => {
    const v = new Viewer('t', 'multi', [
      { role: Role.PROJECT_VIEWER, tenantId: T, projectId: P },
      { role: Role.PROJECT_ADMIN, tenantId: T, projectId: P },
      { role: Role.PROJECT_EDITOR, tenantId: T, projectId: P2 },
    ]);
    expect(v.projectLevel(T, P)).toBe(3);
    expect(v.projectLevel(T, P2)).toBe(2);
    expect(v.visibleTenantIds()).toEqual([T]);
    expect(v.visibleProjectIds(T)?.sort()).toEqual([P, P, P2].sort());
    expect(v.visibleProjectIds(T2)).toEqual([]);
    expect(viewers.TENANT_ADMIN.visibleProjectIds(T)).toBeNull();
    expect(viewers.PLATFORM_ADMIN.visibleTenantIds()).toBeNull();
  });

  it('a token without bindings sees nothing', () => {
    const v = new Viewer('t', 'empty', []);
    expect(v.isPlatformAdmin).toBe(false);
    expect(v.canSeeTenant(T)).toBe(false);
    expect(v.visibleTenantIds()).toEqual([]);
    expect(v.projectLevel(T, P)).toBe(0);
  });
});

describe('assertProject', () => {
  // one row per action, columns in ROLES order, for own project / sibling / other tenant
  const table: [keyof typeof ProjectAction, string, string, string][] = [
    ['read', 'ok ok ok ok ok NF', 'ok ok NF NF NF NF', 'ok NF NF NF NF NF'],
    ['manageBundles', 'ok ok ok ok F NF', 'ok ok NF NF NF NF', 'ok NF NF NF NF NF'],
    ['managePools', 'ok ok ok ok F NF', 'ok ok NF NF NF NF', 'ok NF NF NF NF NF'],
    ['deploy', 'ok ok ok ok F NF', 'ok ok NF NF NF NF', 'ok NF NF NF NF NF'],
    ['update', 'ok ok ok F F NF', 'ok ok NF NF NF NF', 'ok NF NF NF NF NF'],
  ];
  const cells = table.flatMap(([action, ...rows]) =>
    (
      [
        ['own', { id: P, tenantId: T }],
        ['sibling', { id: P2, tenantId: T }],
        ['other', { id: 'project-b2', tenantId: T2 }],
      ] as const
    ).flatMap(([scope, p], i) => rows[i].split(' ').map((exp, r) => [action, scope, ROLES[r], exp, p] as const)),
  );

  it.each(cells)('%s in the %s project as %s → %s', (action, _scope, role, expected, p) => {
    expect(outcome(() => assertProject(viewers[role], p, action))).toBe(expected);
    expect(canReadProject(viewers[role], p)).toBe(action === 'read' ? expected === 'ok' : canReadProject(viewers[role], p));
  });
});

describe('assertTenant and assertPlatformAdmin', () => {
  it.each([
    ['read', T, 'ok ok ok ok ok NF'],
    ['administer', T, 'ok ok F F F NF'],
    ['platform', T, 'ok F F F F NF'],
    ['read', T2, 'ok NF NF NF NF ok'],
    ['administer', T2, 'ok NF NF NF NF F'],
  ] as const)('%s on %s', (action, tenant, row) => {
    expect(ROLES.map((r) => outcome(() => assertTenant(viewers[r], tenant, action))).join(' ')).toBe(row);
  });

  it('platform operations', () => {
    expect(ROLES.map((r) => outcome(() => assertPlatformAdmin(viewers[r], 'create tenants'))).join(' ')).toBe('ok F F F F F');
  });
});

describe('canGrant: nobody mints a role above their own', () => {
  const grants: [string, Binding, string][] = [
    ['PLATFORM_ADMIN', { role: Role.PLATFORM_ADMIN, tenantId: null, projectId: null }, 'y n n n n n'],
    ['TENANT_ADMIN of own tenant', { role: Role.TENANT_ADMIN, tenantId: T, projectId: null }, 'y y n n n n'],
    ['TENANT_ADMIN of other tenant', { role: Role.TENANT_ADMIN, tenantId: T2, projectId: null }, 'y n n n n n'],
    ['PROJECT_ADMIN of own project', { role: Role.PROJECT_ADMIN, tenantId: T, projectId: P }, 'y y y n n n'],
    ['PROJECT_VIEWER of own project', { role: Role.PROJECT_VIEWER, tenantId: T, projectId: P }, 'y y y n n n'],
    ['PROJECT_VIEWER of sibling project', { role: Role.PROJECT_VIEWER, tenantId: T, projectId: P2 }, 'y y n n n n'],
    ['PROJECT_VIEWER of other tenant', { role: Role.PROJECT_VIEWER, tenantId: T2, projectId: Q }, 'y n n n n n'],
    ['a project role without its scope', { role: Role.PROJECT_VIEWER, tenantId: null, projectId: null }, 'y n n n n n'],
  ];
  it.each(grants)('%s', (_what, b, row) => {
    expect(ROLES.map((r) => (canGrant(viewers[r], b) ? 'y' : 'n')).join(' ')).toBe(row);
  });
});

describe('refusals are in words a user understands', () => {
  const message = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      return e instanceof AuthError ? `${e.code}: ${e.message}` : String(e);
    }
    return 'ok';
  };

  it.each([
    ['managePools', 'PROJECT_VIEWER', 'FORBIDDEN: You cannot create or delete compute pools in project demo-ml: that takes the project editor role or higher, and you are a project viewer there'],
    ['deploy', 'PROJECT_VIEWER', 'FORBIDDEN: You cannot deploy, retry or delete app deployments in project demo-ml: that takes the project editor role or higher, and you are a project viewer there'],
    ['manageBundles', 'PROJECT_VIEWER', 'FORBIDDEN: You cannot create or delete profile bundles in project demo-ml: that takes the project editor role or higher, and you are a project viewer there'],
    ['update', 'PROJECT_EDITOR', 'FORBIDDEN: You cannot change the settings of project demo-ml: that takes the project admin role or a tenant admin, and you are a project editor there'],
  ] as const)('%s as %s', (action, role, expected) => {
    expect(message(() => assertProject(viewers[role], { id: P, tenantId: T, name: 'demo-ml' }, action))).toBe(expected);
  });

  it('names the operation and who may do it for tenant and platform operations', () => {
    expect(message(() => assertTenant(viewers.PROJECT_ADMIN, T, 'administer', null, 'register machines in tenant acme'))).toBe(
      'FORBIDDEN: You cannot register machines in tenant acme: that takes the tenant admin role of this tenant',
    );
    expect(message(() => assertPlatformAdmin(viewers.TENANT_ADMIN, 'create tenants'))).toBe('FORBIDDEN: You cannot create tenants: only platform admins can');
  });

  it('never names an internal permission', () => {
    for (const action of Object.keys(ProjectAction) as (keyof typeof ProjectAction)[]) {
      for (const role of ROLES) {
        const m = message(() => assertProject(viewers[role], { id: P, tenantId: T, name: 'demo-ml' }, action));
        expect(m).not.toMatch(/manageBundles|managePools|\bdeploy in\b|\bupdate\b|Not allowed/);
      }
    }
  });
});
