/**
 * API tokens: random secrets shown once and stored as SHA-256 (design §5). A token carries its role
 * bindings; the caller of createApiToken can only grant what its own roles cover.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Ctx } from '../context.js';
import type { Em } from '../db/orm.js';
import { all } from '../db/sql.js';
import { readRows } from '../db/read-rows.js';
import { inTransaction } from '../db/transaction.js';
import { DomainError, ErrorCode, forbidden, NotFoundError, Problems } from '../errors.js';
import { textProblem } from '../common/rules.js';
import { canGrant, canReadProject } from './access.policy.js';
import { noAccessNotifier, type AccessNotifier } from './access.change.js';
import { ApiToken } from './api-token.entity.js';
import { Project } from './project.entity.js';
import { Role, RoleBinding } from './role-binding.entity.js';
import { Tenant } from './tenant.entity.js';
import { Viewer, type Binding } from './viewer.js';

const SECRET_PREFIX = 'sg_';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The secret of an `Authorization: Bearer <secret>` value (HTTP header or graphql-ws connectionParams). */
export function bearer(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return m ? m[1] : null;
}

export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** Whether the scope a binding names is visible to `viewer` (a project role: the project; a tenant role: the tenant). */
function bindingVisible(viewer: Viewer, b: Binding): boolean {
  if (b.projectId && b.tenantId) return canReadProject(viewer, { id: b.projectId, tenantId: b.tenantId });
  if (b.tenantId) return viewer.canSeeTenant(b.tenantId);
  return viewer.isPlatformAdmin;
}

export interface BindingInput {
  role: Role;
  tenantId?: string | null;
  projectId?: string | null;
}

export interface CreateTokenInput {
  name: string;
  roleBindings: BindingInput[];
  expiresAt?: Date | null;
}

/** A stored date as the driver returns it: a Date (PostgreSQL) or epoch milliseconds (SQLite). */
function epochMs(v: unknown): number | null {
  if (v == null) return null;
  return v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(String(v));
}

/** Longer bearer values are refused unread: no secret we mint is near it. */
export const MAX_SECRET_LENGTH = 256;

interface TokenRow {
  id: string;
  name: string;
  expires_at: unknown;
  revoked_at: unknown;
  role: Role | null;
  tenant_id: string | null;
  project_id: string | null;
}

const TOKEN_SELECT =
  'select t.id, t.name, t.expires_at, t.revoked_at, b.role, b.tenant_id, b.project_id from api_token t left join role_binding b on b.token_id = t.id';

/** One token's rows (the token joined with its bindings) → its Viewer, or null when revoked or expired. */
function viewerOf(rows: TokenRow[]): Viewer | null {
  const token = rows[0];
  if (!token || token.revoked_at != null) return null;
  const expiresAt = epochMs(token.expires_at);
  if (expiresAt !== null && expiresAt <= Date.now()) return null;
  return new Viewer(
    token.id,
    token.name,
    rows.filter((b) => b.role !== null).map((b) => ({ role: b.role!, tenantId: b.tenant_id ?? null, projectId: b.project_id ?? null })),
    expiresAt,
  );
}

/** PROJECT_EDITOR → "project editor". */
const roleWords = (role: Role) => role.toLowerCase().replace('_', ' ');

export class TokenService {
  constructor(private readonly access: AccessNotifier = noAccessNotifier) {}

  /**
   * Resolves a bearer secret to a Viewer, or null when unknown, revoked or expired. ONE indexed read
   * (the token joined with its role bindings), on every request: a revocation, an expiry or a deleted
   * tenant or project (whose bindings go with it) holds from the next request on, in every replica.
   * Plain SQL rather than two entity loads: every request pays for it, and no entity is needed.
   */
  async authenticate(em: Em, secret: string | undefined | null): Promise<Viewer | null> {
    if (!secret || secret.length > MAX_SECRET_LENGTH) return null;
    return this.authenticateHash(em, hashToken(secret));
  }

  /** authenticate() for a secret already hashed (hashToken). */
  async authenticateHash(em: Em, tokenHash: string): Promise<Viewer | null> {
    // shared: the calls of a burst with one token read it once (revocation is seen as by a read of its own)
    const rows = await readRows<TokenRow>(em, `${TOKEN_SELECT} where t.token_hash = ? order by b.id`, [tokenHash], { shared: true });
    return viewerOf(rows);
  }

  /**
   * The tokens among `tokenIds` that are still valid, with their bindings as they are now: what a
   * connection authenticated earlier re-checks. One read per 500 tokens.
   */
  async current(em: Em, tokenIds: string[]): Promise<Map<string, Viewer>> {
    const out = new Map<string, Viewer>();
    for (let i = 0; i < tokenIds.length; i += 500) {
      const ids = tokenIds.slice(i, i + 500);
      const rows = await all<TokenRow>(em, `${TOKEN_SELECT} where t.id in (${ids.map(() => '?').join(', ')}) order by t.id, b.id`, ids);
      const byToken = new Map<string, TokenRow[]>();
      for (const r of rows) {
        const list = byToken.get(r.id);
        if (list) list.push(r);
        else byToken.set(r.id, [r]);
      }
      for (const [id, list] of byToken) {
        const v = viewerOf(list);
        if (v) out.set(id, v);
      }
    }
    return out;
  }

  /** Resolves binding inputs against the database: project roles record the project's tenant. */
  private async resolveBindings(em: Em, inputs: BindingInput[]): Promise<Binding[]> {
    const p = new Problems();
    const out: Binding[] = [];
    if (inputs.length === 0) p.add('a token needs at least one role binding', ['roleBindings']);
    if (inputs.length > 50) p.add('at most 50 role bindings per token', ['roleBindings']);
    for (const [i, b] of inputs.entries()) {
      const f = ['roleBindings', String(i)];
      if (b.role === Role.PLATFORM_ADMIN) {
        if (b.tenantId || b.projectId) p.add('PLATFORM_ADMIN takes no tenant or project', f);
        out.push({ role: b.role, tenantId: null, projectId: null });
      } else if (b.role === Role.TENANT_ADMIN) {
        if (!b.tenantId || b.projectId) p.add('TENANT_ADMIN needs a tenantId and no projectId', f);
        else {
          const t = await em.findOne(Tenant, { id: b.tenantId });
          if (!t) p.push(new NotFoundError('Tenant', [...f, 'tenantId']));
          else out.push({ role: b.role, tenantId: t.id, projectId: null });
        }
      } else {
        if (!b.projectId) p.add(`${b.role} needs a projectId`, f);
        else {
          const pr = await em.findOne(Project, { id: b.projectId });
          if (!pr) p.push(new NotFoundError('Project', [...f, 'projectId']));
          else out.push({ role: b.role, tenantId: pr.tenant.id, projectId: pr.id });
        }
      }
    }
    p.throwIfAny();
    return out;
  }

  async create(ctx: Ctx, input: CreateTokenInput): Promise<{ token: ApiToken; secret: string }> {
    const p = new Problems();
    const name = input.name?.trim() ?? '';
    const tp = name.length < 1 || name.length > 100 ? 'name must be 1-100 characters' : textProblem(name, 100, 'name');
    if (tp) p.add(tp, ['name']);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) p.add('expiresAt must be in the future', ['expiresAt']);
    p.throwIfAny();
    const bindings = await this.resolveBindings(ctx.em, input.roleBindings);
    for (const [i, b] of bindings.entries()) {
      // A binding to an object the caller cannot see reads exactly like a missing one (same message and
      // field as resolveBindings gives), never as a hint that it exists.
      if (!bindingVisible(ctx.viewer, b) && b.role !== Role.PLATFORM_ADMIN) {
        throw new NotFoundError(b.projectId ? 'Project' : 'Tenant', ['roleBindings', String(i), b.projectId ? 'projectId' : 'tenantId']);
      }
      if (!canGrant(ctx.viewer, b)) throw forbidden(`grant the ${roleWords(b.role)} role`, 'a token can only carry roles you could hand out yourself (tenant admins grant roles in their tenant, project admins in their project)');
    }
    const secret = newSecret();
    const token = await this.insert(ctx.em, name, secret, bindings, ctx.viewer.tokenId, input.expiresAt ?? null);
    return { token, secret };
  }

  async insert(em: Em, name: string, secret: string, bindings: Binding[], createdById: string | null, expiresAt: Date | null = null): Promise<ApiToken> {
    return inTransaction(em, async (tem) => {
      const token = tem.create(ApiToken, { name, tokenHash: hashToken(secret), prefix: secret.slice(0, 10), createdById, expiresAt });
      for (const b of bindings) {
        tem.create(RoleBinding, { token, role: b.role, tenant: b.tenantId, project: b.projectId });
      }
      await tem.flush();
      return token;
    });
  }

  /** The caller may revoke its own token, tokens it created, or tokens whose every role it could grant. */
  async revoke(ctx: Ctx, tokenId: string): Promise<ApiToken> {
    const token = await ctx.em.findOne(ApiToken, { id: tokenId }, { populate: ['roleBindings'] });
    if (!token) throw new NotFoundError('API token', ['id']);
    const bindings: Binding[] = token.roleBindings.getItems().map((b) => ({ role: b.role, tenantId: b.tenant?.id ?? null, projectId: b.project?.id ?? null }));
    // Others see a token only if they see the scope of every role it holds: a token left without
    // bindings (its projects deleted) or holding PLATFORM_ADMIN is visible to platform admins only.
    const visible =
      ctx.viewer.isPlatformAdmin ||
      token.createdById === ctx.viewer.tokenId ||
      token.id === ctx.viewer.tokenId ||
      (bindings.length > 0 && bindings.every((b) => bindingVisible(ctx.viewer, b)));
    if (!visible) throw new NotFoundError('API token', ['id']);
    const allowed = token.id === ctx.viewer.tokenId || token.createdById === ctx.viewer.tokenId || bindings.every((b) => canGrant(ctx.viewer, b));
    if (!allowed) throw forbidden('revoke this token', 'you can revoke your own token, the tokens you created, or tokens whose every role you could grant');
    if (token.revokedAt) throw new DomainError(ErrorCode.ILLEGAL_STATE, 'token is already revoked', ['id']);
    // a write is a transaction (one the request's audit record can join)
    const revoked = await inTransaction(ctx.em, async (em) => {
      const t = await em.findOneOrFail(ApiToken, { id: token.id });
      t.revokedAt = new Date();
      await em.flush();
      return t;
    });
    // after commit: a connection that re-authenticates on this message must see the revocation
    this.access.changed({ kind: 'token', tokenId: token.id });
    return revoked;
  }

  async byId(ctx: Ctx, id: string): Promise<ApiToken | null> {
    const token = await ctx.em.findOne(ApiToken, { id });
    if (!token) return null;
    if (ctx.viewer.isPlatformAdmin || token.id === ctx.viewer.tokenId || token.createdById === ctx.viewer.tokenId) return token;
    return null;
  }

  /** The calling token itself (it authenticated this request, so it exists). */
  async own(ctx: Ctx): Promise<ApiToken> {
    return ctx.em.findOneOrFail(ApiToken, { id: ctx.viewer.tokenId });
  }

  async bindingsOf(ctx: Ctx, tokenId: string): Promise<Binding[]> {
    const rows = await ctx.em.find(RoleBinding, { token: tokenId });
    return rows.map((b) => ({ role: b.role, tenantId: b.tenant?.id ?? null, projectId: b.project?.id ?? null }));
  }

  /**
   * First start of an empty database: mint the platform-admin token. Returns the secret (to print
   * once), or null when any token already exists.
   */
  async bootstrapAdmin(em: Em, fixedSecret?: string): Promise<string | null> {
    if ((await em.count(ApiToken, {})) > 0) return null;
    const secret = fixedSecret ?? newSecret();
    await this.insert(em, 'bootstrap platform admin', secret, [{ role: Role.PLATFORM_ADMIN, tenantId: null, projectId: null }], null);
    return secret;
  }
}
