/**
 * The authenticated caller of one request or subscription: a token and its role bindings, loaded once
 * and then consulted in memory by access.policy.ts.
 */
import { Role } from './role-binding.entity.js';

export interface Binding {
  role: Role;
  tenantId: string | null;
  projectId: string | null;
}

const PROJECT_RANK: Partial<Record<Role, number>> = {
  [Role.PROJECT_VIEWER]: 1,
  [Role.PROJECT_EDITOR]: 2,
  [Role.PROJECT_ADMIN]: 3,
};

export class Viewer {
  readonly isPlatformAdmin: boolean;
  private readonly tenantAdminOf = new Set<string>();
  private readonly projectRank = new Map<string, number>();
  /** Tenants in which the viewer holds any role. */
  private readonly tenantsTouched = new Set<string>();

  constructor(
    readonly tokenId: string,
    readonly tokenName: string,
    readonly bindings: Binding[],
    /** When the token stops being valid (epoch ms), or null: live connections close then. */
    readonly expiresAt: number | null = null,
  ) {
    this.isPlatformAdmin = bindings.some((b) => b.role === Role.PLATFORM_ADMIN);
    for (const b of bindings) {
      if (b.tenantId) this.tenantsTouched.add(b.tenantId);
      if (b.role === Role.TENANT_ADMIN && b.tenantId) this.tenantAdminOf.add(b.tenantId);
      const rank = PROJECT_RANK[b.role];
      if (rank && b.projectId) this.projectRank.set(b.projectId, Math.max(rank, this.projectRank.get(b.projectId) ?? 0));
    }
  }

  /** The bindings as one comparable string: two viewers of a token with equal keys grant the same. */
  bindingsKey(): string {
    return this.bindings
      .map((b) => `${b.role}/${b.tenantId ?? ''}/${b.projectId ?? ''}`)
      .sort()
      .join(',');
  }

  /** Whether any binding is scoped to this tenant or project. */
  holdsScope(id: string): boolean {
    return this.bindings.some((b) => b.tenantId === id || b.projectId === id);
  }

  isTenantAdmin(tenantId: string): boolean {
    return this.isPlatformAdmin || this.tenantAdminOf.has(tenantId);
  }

  /** 0 none, 1 viewer, 2 editor, 3 admin; tenant and platform admins count as project admins. */
  projectLevel(tenantId: string, projectId: string): number {
    if (this.isTenantAdmin(tenantId)) return 3;
    return this.projectRank.get(projectId) ?? 0;
  }

  canSeeTenant(tenantId: string): boolean {
    return this.isPlatformAdmin || this.tenantsTouched.has(tenantId);
  }

  /** null = every tenant; otherwise the ids the viewer may see. */
  visibleTenantIds(): string[] | null {
    return this.isPlatformAdmin ? null : [...this.tenantsTouched];
  }

  /**
   * Restriction for listing projects across tenants: null = every project (platform admin),
   * otherwise the tenants whose projects the viewer sees all of (tenant admin) and the projects it
   * holds a role in.
   */
  visibleProjectScope(): { tenantIds: string[]; projectIds: string[] } | null {
    if (this.isPlatformAdmin) return null;
    return { tenantIds: [...this.tenantAdminOf], projectIds: [...this.projectRank.keys()] };
  }

  /**
   * Restriction for listing projects of one tenant: null = all of them (tenant/platform admin),
   * otherwise exactly the projects the viewer holds a role in.
   */
  visibleProjectIds(tenantId: string): string[] | null {
    if (this.isTenantAdmin(tenantId)) return null;
    return this.bindings.filter((b) => b.tenantId === tenantId && b.projectId).map((b) => b.projectId!);
  }
}

/** A caller signed in through OIDC: a Viewer that also names its subject. */
export class OidcViewer extends Viewer {
  constructor(
    tokenId: string,
    name: string,
    bindings: Binding[],
    expiresAt: number | null,
    readonly subject: string,
  ) {
    super(tokenId, name, bindings, expiresAt);
  }
}
