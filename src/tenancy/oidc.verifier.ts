/**
 * Sign-in with an identity provider: a bearer value that is a JWT from a configured issuer
 * (oidc.config.ts) is verified with jose against the issuer's JWKS (fetched on first use, cached,
 * refetched when a token names an unknown `kid`) and becomes a Viewer whose roles come from its
 * groups. API tokens are untouched: a value that is not a JWT, or names no configured issuer, goes
 * to the token table as before.
 *
 * The Viewer's `tokenId` is a UUID derived from issuer and subject, so what is keyed by caller
 * (idempotency keys, "tokens you created", audit) works per person and survives re-login; its
 * `subject` (`<issuer>#<sub>`) is what audit records name as the actor.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { Em } from '../db/orm.js';
import type { Logger } from '../logger.js';
import type { OidcIssuer } from './oidc.config.js';
import { Project } from './project.entity.js';
import { Role } from './role-binding.entity.js';
import { Tenant } from './tenant.entity.js';
import { OidcViewer, type Binding } from './viewer.js';

// where it was first declared; it lives in viewer.ts so that reading it does not load jose
export { OidcViewer };

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Larger bearer values are refused unread. */
const MAX_JWT_LENGTH = 16 * 1024;
/** Accepted clock difference with the provider (seconds). */
const CLOCK_TOLERANCE_S = 30;

/** A stable UUID (v8 layout) for one issuer's subject. */
function subjectUuid(issuer: string, sub: string): string {
  const h = createHash('sha256').update(`${issuer}\n${sub}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class OidcVerifier {
  private readonly byIssuer = new Map<string, { cfg: OidcIssuer; keys: ReturnType<typeof createRemoteJWKSet> }>();

  constructor(
    issuers: OidcIssuer[],
    private readonly log: Logger,
  ) {
    for (const cfg of issuers) {
      this.byIssuer.set(cfg.issuer, { cfg, keys: createRemoteJWKSet(new URL(cfg.jwksUri), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 }) });
    }
  }

  /** Whether this bearer value is for us: a JWT whose (unverified) `iss` is a configured issuer. */
  handles(secret: string): boolean {
    if (secret.length > MAX_JWT_LENGTH || !JWT_SHAPE.test(secret)) return false;
    try {
      const iss = decodeJwt(secret).iss;
      return typeof iss === 'string' && this.byIssuer.has(iss);
    } catch {
      return false;
    }
  }

  /** The Viewer of a valid JWT, else null (bad signature, expired, wrong audience, unknown key...). */
  async authenticate(em: Em, jwt: string): Promise<OidcViewer | null> {
    if (!this.handles(jwt)) return null;
    const { cfg, keys } = this.byIssuer.get(decodeJwt(jwt).iss!)!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, keys, { issuer: cfg.issuer, audience: cfg.audience, clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['sub', 'exp'] }));
    } catch (e) {
      this.log.debug('OIDC token refused', { issuer: cfg.issuer, reason: (e as { code?: string }).code ?? (e as Error).message });
      return null;
    }
    const sub = payload.sub!;
    const groupsClaim = payload[cfg.groupsClaim];
    const groups = Array.isArray(groupsClaim) ? groupsClaim.filter((g): g is string => typeof g === 'string') : typeof groupsClaim === 'string' ? [groupsClaim] : [];
    const bindings = await this.bindingsOf(em, cfg, groups);
    const nameClaim = payload[cfg.nameClaim];
    const name = typeof nameClaim === 'string' && nameClaim ? nameClaim : sub;
    return new OidcViewer(subjectUuid(cfg.issuer, sub), name.slice(0, 200), bindings, payload.exp! * 1000, `${cfg.issuer}#${sub}`);
  }

  /** The roles the user's groups map to, on the tenants and projects that exist now. */
  private async bindingsOf(em: Em, cfg: OidcIssuer, groups: string[]): Promise<Binding[]> {
    const out = new Map<string, Binding>();
    for (const group of groups) {
      for (const grant of cfg.groups[group] ?? []) {
        let b: Binding | null = null;
        if (grant.role === Role.PLATFORM_ADMIN) b = { role: grant.role, tenantId: null, projectId: null };
        else if (grant.tenant) {
          const t = await em.findOne(Tenant, { name: grant.tenant });
          if (t) b = { role: grant.role, tenantId: t.id, projectId: null };
        } else if (grant.project) {
          const p = await em.findOne(Project, { name: grant.project });
          if (p) b = { role: grant.role, tenantId: p.tenant.id, projectId: p.id };
        }
        if (b) out.set(`${b.role}/${b.tenantId}/${b.projectId}`, b);
      }
    }
    return [...out.values()];
  }
}
