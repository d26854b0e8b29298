/**
 * Every open graphql-ws connection, by token: who may keep a socket, how many, and for how long.
 *
 * - Admission (connection_init): a handshake rate per token, then the token is read, then a socket
 *   slot under the per-token and global caps.
 * - Access changes: a revoked token, or a deleted project or tenant, arrives as an AccessChange on
 *   the bus (from whichever replica committed it); every affected socket is closed with 4403 and its
 *   subscriptions end at once. An expiring token closes its sockets by timer. Tokens are also re-read
 *   from the database every `recheckMs`, so a bus message that got lost is noticed all the same.
 * - A JWT of a configured identity provider (OIDC_ISSUERS) is admitted like an API token. It cannot
 *   be revoked here and holds no row to re-read: its socket lives until the JWT's `exp` (the expiry
 *   timer) or until a tenant or project it is bound to is deleted (the access change).
 * - Every operation re-checks its socket's token: in memory (closed, expired) and, when the last read
 *   is older than `recheckMs`, against the database (one read per token, shared by its sockets).
 * - Live subscriptions count under per-socket, per-token and global caps.
 */
import { topics, type EventBus } from '../events/event.bus.js';
import { ReadBatch } from '../events/read.batch.js';
import type { Em, Orm } from '../db/orm.js';
import type { ThrottledLog } from '../logger.js';
import { isAccessChange, type AccessChange } from '../tenancy/access.change.js';
import { hashToken, MAX_SECRET_LENGTH, type TokenService } from '../tenancy/token.service.js';
// type only: jose (behind the verifier) is loaded only when OIDC issuers are configured
import type { OidcVerifier } from '../tenancy/oidc.verifier.js';
import { OidcViewer, type Viewer } from '../tenancy/viewer.js';
import type { Cap, ConnectionCounters } from './connection.counters.js';

export interface SocketLimits {
  subscriptionsPerSocket: number;
  subscriptionsPerToken: number;
  subscriptions: number;
  socketsPerToken: number;
  sockets: number;
  handshakesPerMinute: number;
}

/** Close codes and their fixed reasons: a client never sees internal text in a close frame. */
export const Close = {
  forbidden: { code: 4403, reason: 'Forbidden' },
  tooManySockets: { code: 4429, reason: 'Too many connections' },
  tooManyHandshakes: { code: 4429, reason: 'Too many connection attempts' },
  tryAgain: { code: 1013, reason: 'Try again later' },
} as const;
export type CloseWith = { code: number; reason: string };

/** setTimeout's limit; a later expiry re-arms. */
const MAX_TIMER = 2 ** 31 - 1;

/** One socket's state, as the registry sees it. The transport supplies how to close it. */
export class Conn {
  entry: TokenEntry | null = null;
  /** Operations in flight by id; true when it holds a subscription unit under the token/global caps. */
  readonly ops = new Map<string, boolean>();
  closing = false;
  /** Whether it holds a socket unit under the per-token and global caps (registry bookkeeping). */
  holdsSocketSlot = false;

  constructor(private readonly closeTransport: (code: number, reason: string) => void) {}

  get viewer(): Viewer | null {
    return this.entry?.viewer ?? null;
  }

  /** Closes once; later calls are ignored. */
  close(how: CloseWith): void {
    if (this.closing) return;
    this.closing = true;
    this.closeTransport(how.code, how.reason);
  }
}

class TokenEntry {
  readonly sockets = new Set<Conn>();
  checkedAt = Date.now();
  pending: Promise<void> | null = null;
  timer: NodeJS.Timeout | null = null;
  readonly bindingsKey: string;
  /** signed in through OIDC: nothing in the token table to re-read */
  readonly external: boolean;

  constructor(readonly viewer: Viewer) {
    this.bindingsKey = viewer.bindingsKey();
    this.external = viewer instanceof OidcViewer;
  }
}

export type Admission = { viewer: Viewer } | { refused: CloseWith; why: string };

export interface RegistryDeps {
  bus: EventBus;
  orm: Orm;
  tokens: TokenService;
  /** verifies identity-provider JWTs (OIDC_ISSUERS); none configured: every bearer is an API token */
  oidc?: OidcVerifier | null;
  counters: ConnectionCounters;
  limits: SocketLimits;
  recheckMs: number;
  log: ThrottledLog;
  /** a connection closed because its token lost access (revoked, expired, scope deleted) */
  onAccessLost?: (why: string) => void;
}

const keys = {
  sockets: 'ws:sockets',
  tokenSockets: (tokenId: string) => `ws:sockets:token:${tokenId}`,
  subscriptions: 'ws:subscriptions',
  tokenSubscriptions: (tokenId: string) => `ws:subscriptions:token:${tokenId}`,
  handshakes: (tokenHash: string) => `ws:handshakes:${tokenHash}`,
};

export class SocketRegistry {
  private readonly tokens = new Map<string, TokenEntry>();
  /** Bumped by every access change: a token read that overlapped one is not trusted. */
  private version = 0;
  private unsubscribe: (() => void) | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping = false;
  /**
   * connection_inits of one token in the same turn share one read of it (read.batch.ts): as fresh as
   * a read of their own, since it starts after all of them arrived.
   */
  private readonly tokenReads = new ReadBatch<Viewer | null>();
  private readerEm: Em | null = null;

  constructor(private readonly deps: RegistryDeps) {}

  start(): void {
    this.unsubscribe = this.deps.bus.subscribe(
      topics.access,
      (m) => this.onAccessChange(m),
      // the bus between replicas was cut off: a revocation may have been lost, so re-read every token now
      () => void this.sweep(true),
    );
    this.sweeper = setInterval(() => void this.sweep(), this.deps.recheckMs);
    this.sweeper.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const entry of this.tokens.values()) if (entry.timer) clearTimeout(entry.timer);
  }

  /**
   * connection_init. May throw when the database cannot be read (the caller closes with 1013).
   * On success the socket is registered and holds a socket slot until release().
   */
  async admit(conn: Conn, secret: string | null): Promise<Admission> {
    const { oidc } = this.deps;
    // a JWT is longer than any secret we mint; OidcVerifier.handles bounds its length itself
    const jwt = !!secret && !!oidc?.handles(secret);
    if (!secret || (!jwt && secret.length > MAX_SECRET_LENGTH)) return { refused: Close.forbidden, why: 'no valid bearer token' };
    const hash = hashToken(secret);
    // before the database is read: a flood of handshakes costs no queries
    if (!(await this.deps.counters.hit(keys.handshakes(hash), this.deps.limits.handshakesPerMinute, 60_000))) {
      return { refused: Close.tooManyHandshakes, why: 'handshake rate' };
    }
    // the token whose socket slot this admission holds until the socket is registered
    let holding: string | null = null;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const seen = this.version;
        const viewer = jwt ? await oidc!.authenticate(this.em(), secret) : await this.tokenReads.read(hash, () => this.deps.tokens.authenticateHash(this.reader(), hash));
        if (!viewer) return { refused: Close.forbidden, why: 'unknown, revoked or expired token' };
        if (holding === null) {
          const full = await this.deps.counters.acquire(this.socketCaps(viewer.tokenId));
          if (full) return { refused: Close.tooManySockets, why: full.key === keys.sockets ? 'global socket cap' : 'socket cap per token' };
          holding = viewer.tokenId;
        }
        if (conn.closing) return { refused: Close.forbidden, why: 'closed while connecting' };
        // Registered in the same tick as the version check: an access change either came before
        // (and the token is read again) or finds this socket registered.
        if (this.version === seen) {
          this.register(conn, viewer);
          conn.holdsSocketSlot = true;
          holding = null;
          return { viewer };
        }
      }
      return { refused: Close.tryAgain, why: 'access changes kept arriving' };
    } finally {
      if (holding !== null) this.releaseKeys(this.socketKeys(holding));
    }
  }

  /**
   * Before every operation on an admitted socket: false (and the socket closed with 4403) when its
   * token no longer grants what the socket was admitted with. May throw when the database cannot be
   * read (the caller closes with 1013).
   */
  async check(conn: Conn): Promise<boolean> {
    const entry = conn.entry;
    if (conn.closing || !entry) return false;
    const expiresAt = entry.viewer.expiresAt;
    if (expiresAt !== null && Date.now() >= expiresAt) {
      this.closeToken(entry, 'expired');
      return false;
    }
    if (Date.now() - entry.checkedAt >= this.deps.recheckMs) {
      entry.pending ??= this.recheck([entry]).finally(() => (entry.pending = null));
      await entry.pending;
    }
    return !conn.closing;
  }

  /**
   * Reserves a place for operation `id`: null when taken, else the LIMIT_EXCEEDED message. Every
   * operation counts under the per-socket cap; subscriptions also under the per-token and global ones.
   */
  async acquireOperation(conn: Conn, id: string, subscription: boolean): Promise<string | null> {
    const { limits } = this.deps;
    if (conn.ops.size >= limits.subscriptionsPerSocket) return `at most ${limits.subscriptionsPerSocket} subscriptions per connection`;
    conn.ops.set(id, false);
    if (!subscription) return null;
    const tokenId = conn.viewer!.tokenId;
    const full = await this.deps.counters.acquire([
      { key: keys.tokenSubscriptions(tokenId), max: limits.subscriptionsPerToken },
      { key: keys.subscriptions, max: limits.subscriptions },
    ]);
    if (full) {
      conn.ops.delete(id);
      return full.key === keys.subscriptions ? `the gateway serves at most ${limits.subscriptions} subscriptions at once` : `at most ${limits.subscriptionsPerToken} subscriptions per token`;
    }
    if (!conn.ops.has(id)) {
      // released meanwhile (the socket closed): give the unit back
      await this.deps.counters.release(this.subscriptionKeys(tokenId));
      return 'connection closed';
    }
    conn.ops.set(id, true);
    return null;
  }

  releaseOperation(conn: Conn, id: string): void {
    const sub = conn.ops.get(id);
    if (sub === undefined) return;
    conn.ops.delete(id);
    if (sub) this.releaseKeys(this.subscriptionKeys(conn.viewer!.tokenId));
  }

  /** The socket closed: everything it held is given back. */
  release(conn: Conn): void {
    conn.closing = true;
    const entry = conn.entry;
    const tokenId = entry?.viewer.tokenId;
    for (const [, sub] of conn.ops) if (sub && tokenId) this.releaseKeys(this.subscriptionKeys(tokenId));
    conn.ops.clear();
    if (tokenId && conn.holdsSocketSlot) this.releaseKeys(this.socketKeys(tokenId));
    conn.holdsSocketSlot = false;
    if (entry) {
      entry.sockets.delete(conn);
      if (entry.sockets.size === 0 && this.tokens.get(entry.viewer.tokenId) === entry) this.forget(entry);
    }
  }

  // ---- access changes ------------------------------------------------------------------------

  private onAccessChange(m: unknown): void {
    if (!isAccessChange(m)) {
      this.deps.log.log('access-message', 'warn', 'ignored a malformed access-change message from the event bus');
      return;
    }
    this.version++;
    for (const entry of this.affected(m)) this.closeToken(entry, `${m.kind} access changed`);
  }

  private affected(change: AccessChange): TokenEntry[] {
    if (change.kind === 'token') {
      const e = this.tokens.get(change.tokenId);
      return e ? [e] : [];
    }
    const scope = change.kind === 'project' ? change.projectId : change.tenantId;
    return [...this.tokens.values()].filter((e) => e.viewer.holdsScope(scope));
  }

  /** Re-reads tokens; closes the sockets of those that are gone, revoked, expired or changed. */
  private async recheck(all: TokenEntry[]): Promise<void> {
    const now0 = Date.now();
    for (const e of all) if (e.external) e.checkedAt = now0;
    const entries = all.filter((e) => !e.external);
    if (!entries.length) return;
    const seen = this.version;
    const current = await this.deps.tokens.current(
      this.em(),
      entries.map((e) => e.viewer.tokenId),
    );
    const now = Date.now();
    for (const entry of entries) {
      if (this.tokens.get(entry.viewer.tokenId) !== entry) continue;
      const fresh = current.get(entry.viewer.tokenId);
      if (!fresh || fresh.bindingsKey() !== entry.bindingsKey) this.closeToken(entry, 'token changed (re-read)');
      // a read that overlapped an access change may predate it: the next operation reads again
      else if (this.version === seen) entry.checkedAt = now;
    }
  }

  private async sweep(all = false): Promise<void> {
    if (this.sweeping) return;
    const stale = [...this.tokens.values()].filter((e) => (all || Date.now() - e.checkedAt >= this.deps.recheckMs) && !e.pending);
    if (!stale.length) return;
    this.sweeping = true;
    try {
      await this.recheck(stale);
    } catch (e) {
      this.deps.log.log('token-recheck', 'warn', 'could not re-check the tokens of open connections', { err: errorText(e) });
    } finally {
      this.sweeping = false;
    }
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  private register(conn: Conn, viewer: Viewer): void {
    let entry = this.tokens.get(viewer.tokenId);
    if (entry && entry.bindingsKey !== viewer.bindingsKey()) {
      // this read saw a change the older sockets were never told about
      this.closeToken(entry, 'token changed (new connection)');
      entry = undefined;
    }
    if (!entry) {
      entry = new TokenEntry(viewer);
      this.tokens.set(viewer.tokenId, entry);
      this.armExpiry(entry);
    } else {
      entry.checkedAt = Date.now();
    }
    entry.sockets.add(conn);
    conn.entry = entry;
  }

  private armExpiry(entry: TokenEntry): void {
    const at = entry.viewer.expiresAt;
    if (at === null) return;
    const wait = Math.max(0, at - Date.now());
    entry.timer = setTimeout(() => {
      if (this.tokens.get(entry.viewer.tokenId) !== entry) return;
      if (wait > MAX_TIMER) this.armExpiry(entry);
      else this.closeToken(entry, 'expired');
    }, Math.min(wait, MAX_TIMER));
    entry.timer.unref();
  }

  private closeToken(entry: TokenEntry, why: string): void {
    if (this.tokens.get(entry.viewer.tokenId) === entry) this.forget(entry);
    for (const conn of [...entry.sockets]) {
      if (conn.closing) continue;
      conn.close(Close.forbidden);
      this.deps.onAccessLost?.(why);
    }
  }

  private forget(entry: TokenEntry): void {
    this.tokens.delete(entry.viewer.tokenId);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
  }

  private socketCaps(tokenId: string): Cap[] {
    return [
      { key: keys.tokenSockets(tokenId), max: this.deps.limits.socketsPerToken },
      { key: keys.sockets, max: this.deps.limits.sockets },
    ];
  }

  private socketKeys(tokenId: string): string[] {
    return [keys.tokenSockets(tokenId), keys.sockets];
  }

  private subscriptionKeys(tokenId: string): string[] {
    return [keys.tokenSubscriptions(tokenId), keys.subscriptions];
  }

  private releaseKeys(k: string[]): void {
    this.deps.counters.release(k).catch((e) => this.deps.log.log('counters', 'error', 'could not release a connection counter', { err: errorText(e) }));
  }

  private em(): Em {
    return this.deps.orm.em.fork() as Em;
  }

  /**
   * For the token read at connection_init, a plain-row read (readRows) that uses an EntityManager
   * only for its connection, never its identity map: one fork for all of them, not one per read.
   */
  private reader(): Em {
    return (this.readerEm ??= this.em());
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
