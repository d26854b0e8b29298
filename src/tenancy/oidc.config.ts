/**
 * OIDC_ISSUERS: which identity providers' JWTs the gateway accepts, and how their groups map to
 * the gateway's roles (as PaletteAI maps OIDC groups to its roles). Example:
 *
 *   [{ "issuer": "https://login.example.com", "audience": "spokegraph",
 *      "jwksUri": "https://login.example.com/.well-known/jwks.json",
 *      "groupsClaim": "groups", "nameClaim": "email",
 *      "groups": { "platform-ops": [{ "role": "PLATFORM_ADMIN" }],
 *                  "ml-leads":     [{ "role": "TENANT_ADMIN", "tenant": "demo" }],
 *                  "ml-team":      [{ "role": "PROJECT_EDITOR", "project": "demo-ml" }] } }]
 *
 * Tenants and projects are named (names are what an operator knows); a name that does not exist
 * grants nothing until it does.
 */
import { Role } from './role-binding.entity.js';

export interface OidcGrant {
  role: Role;
  /** TENANT_ADMIN: the tenant's name */
  tenant?: string;
  /** project roles: the project's name (unique across tenants) */
  project?: string;
}

export interface OidcIssuer {
  /** the `iss` claim, exactly */
  issuer: string;
  /** the `aud` the token must carry */
  audience: string;
  /** where the issuer's signing keys are published (fetched on first use, cached, refetched for an unknown `kid`) */
  jwksUri: string;
  /** claim holding the user's groups, default `groups` */
  groupsClaim: string;
  /** claim shown as the caller's name, default `email` (falls back to `sub`) */
  nameClaim: string;
  /** group → the roles its members get */
  groups: Record<string, OidcGrant[]>;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** An https URL (http only on the loopback interface, for a local provider or a test). */
function urlProblem(name: string, value: unknown): string | null {
  if (typeof value !== 'string') return `${name} must be a URL`;
  try {
    const u = new URL(value);
    if (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.test(u.hostname))) return null;
  } catch {
    /* reported below */
  }
  return `${name} must be an https URL (http only for localhost), got "${value}"`;
}

export function parseOidcIssuers(raw: string | undefined): { issuers: OidcIssuer[]; problems: string[] } {
  if (!raw?.trim()) return { issuers: [], problems: [] };
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return { issuers: [], problems: ['OIDC_ISSUERS must be JSON: a list of {issuer, audience, jwksUri, groups}'] };
  }
  if (!Array.isArray(list)) return { issuers: [], problems: ['OIDC_ISSUERS must be a JSON list'] };
  const problems: string[] = [];
  const issuers: OidcIssuer[] = [];
  const roles = new Set<string>(Object.values(Role));
  for (const [i, item] of list.entries()) {
    const at = `OIDC_ISSUERS[${i}]`;
    const o = (item ?? {}) as Record<string, unknown>;
    const before = problems.length;
    for (const [field, value] of [['issuer', o.issuer], ['jwksUri', o.jwksUri]] as const) {
      const p = urlProblem(`${at}.${field}`, value);
      if (p) problems.push(p);
    }
    if (typeof o.audience !== 'string' || !o.audience) problems.push(`${at}.audience must be a non-empty string`);
    for (const field of ['groupsClaim', 'nameClaim'] as const) {
      if (o[field] !== undefined && (typeof o[field] !== 'string' || !o[field])) problems.push(`${at}.${field} must be a claim name`);
    }
    const groups: Record<string, OidcGrant[]> = {};
    if (typeof o.groups !== 'object' || o.groups === null || Array.isArray(o.groups)) problems.push(`${at}.groups must map group names to lists of roles`);
    else {
      for (const [group, grants] of Object.entries(o.groups as Record<string, unknown>)) {
        if (!Array.isArray(grants)) {
          problems.push(`${at}.groups.${group} must be a list of {role, tenant?, project?}`);
          continue;
        }
        groups[group] = [];
        for (const g of grants as Record<string, unknown>[]) {
          const role = g?.role;
          if (typeof role !== 'string' || !roles.has(role)) {
            problems.push(`${at}.groups.${group}: role must be one of ${[...roles].join(', ')}`);
            continue;
          }
          const ok =
            role === Role.PLATFORM_ADMIN
              ? g.tenant === undefined && g.project === undefined
              : role === Role.TENANT_ADMIN
                ? typeof g.tenant === 'string' && g.project === undefined
                : typeof g.project === 'string' && g.tenant === undefined;
          if (!ok) problems.push(`${at}.groups.${group}: ${role} takes ${role === Role.PLATFORM_ADMIN ? 'no tenant or project' : role === Role.TENANT_ADMIN ? 'a tenant (name) and no project' : 'a project (name) and no tenant'}`);
          else groups[group].push({ role: role as Role, tenant: g.tenant as string | undefined, project: g.project as string | undefined });
        }
      }
    }
    if (problems.length === before) {
      issuers.push({
        issuer: o.issuer as string,
        audience: o.audience as string,
        jwksUri: o.jwksUri as string,
        groupsClaim: (o.groupsClaim as string | undefined) ?? 'groups',
        nameClaim: (o.nameClaim as string | undefined) ?? 'email',
        groups,
      });
    }
  }
  if (new Set(issuers.map((x) => x.issuer)).size !== issuers.length) problems.push('OIDC_ISSUERS lists an issuer twice');
  return { issuers, problems };
}
