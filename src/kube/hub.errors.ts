/**
 * Every failure of a hub call is classified once, here, into a HubError. Flows branch on `kind` (and
 * `retryable`); clients only ever see `publicMessage`, which is built from our own names and the HTTP
 * status, never from API server text. The API server's message is kept in `kubeMessage` for logs.
 */

/** What a failure means for the caller. */
export const HubErrorKind = {
  /** worth retrying: 5xx, 429, timeouts, reset connections, 409 on apply */
  Transient: 'transient',
  /** the hub refused the request; retrying the same request will not help (400/401/403/415/422, 404 on apply) */
  Permanent: 'permanent',
  /** the object does not exist (get/delete) */
  NotFound: 'notFound',
  /** optimistic-concurrency or AlreadyExists conflict outside apply */
  Conflict: 'conflict',
  /** no connection to the hub at all (refused, DNS, no route): retry, and report HUB_UNREACHABLE */
  Unreachable: 'unreachable',
  /**
   * an object of the name we need exists on the hub and is not ours (hub.owned.ts): it is left
   * untouched, and the step waits (HUB_NAME_CONFLICT) until someone removes it
   */
  NameConflict: 'nameConflict',
} as const;
export type HubErrorKind = (typeof HubErrorKind)[keyof typeof HubErrorKind];

/** The adapter verbs, for messages and classification (404/409 mean different things per verb). */
export type HubVerb = 'apply' | 'get' | 'list' | 'delete' | 'watch' | 'approve';

export interface HubErrorTarget {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** A Kubernetes `Status` as found in an error body. */
export interface KubeStatus {
  code?: number;
  reason?: string;
  message?: string;
}

export class HubError extends Error {
  constructor(
    readonly kind: HubErrorKind,
    readonly publicMessage: string,
    readonly verb: HubVerb,
    readonly target: HubErrorTarget | undefined,
    readonly status?: number,
    /** Kubernetes Status reason (CamelCase token) or our own, e.g. Timeout */
    readonly reason?: string,
    /** API server or socket text: logs only */
    readonly kubeMessage?: string,
    /** server-suggested wait (Retry-After), if any */
    readonly retryAfterMs?: number,
  ) {
    super(publicMessage);
    this.name = 'HubError';
  }

  get retryable(): boolean {
    return this.kind === HubErrorKind.Transient || this.kind === HubErrorKind.Unreachable;
  }

  /** Everything worth logging, including the raw API text. */
  logFields(): Record<string, unknown> {
    return { hubErrorKind: this.kind, verb: this.verb, target: this.target, status: this.status, reason: this.reason, kubeMessage: this.kubeMessage };
  }
}

/** Parse an ApiException body (raw text in client-node 1.4.0, or already an object) as a Status. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const status: KubeStatus = {};
  if (typeof v.code === 'number') status.code = v.code;
  if (typeof v.reason === 'string') status.reason = v.reason;
  if (typeof v.message === 'string') status.message = v.message;
  return Object.keys(status).length ? status : undefined;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET']);

/** The HTTP status → kind table; 404 and 409 depend on the verb. */
export function kindForStatus(status: number, verb: HubVerb): HubErrorKind {
  if (status === 404) return verb === 'apply' ? HubErrorKind.Permanent : HubErrorKind.NotFound;
  if (status === 409) return verb === 'apply' ? HubErrorKind.Transient : HubErrorKind.Conflict;
  // 410: an expired list continue token or watch history; the caller re-lists
  if (status === 408 || status === 410 || status === 429 || status >= 500) return HubErrorKind.Transient;
  return HubErrorKind.Permanent;
}

const SAFE_REASON = /^[A-Za-z]{1,64}$/;

function describe(t: HubErrorTarget | undefined): string {
  if (!t?.kind && !t?.name) return 'objects';
  const name = t.name ? ` ${t.namespace ? `${t.namespace}/` : ''}${t.name}` : '';
  return `${t.kind ?? 'object'}${name}`;
}

function publicMessageFor(kind: HubErrorKind, verb: HubVerb, t: HubErrorTarget | undefined, status?: number, reason?: string): string {
  const what = describe(t);
  const http = status ? `HTTP ${status}${reason && SAFE_REASON.test(reason) ? ` ${reason}` : ''}` : reason && SAFE_REASON.test(reason) ? reason : '';
  switch (kind) {
    case HubErrorKind.Unreachable:
      return `Cannot reach the hub (${verb} ${what})`;
    case HubErrorKind.Transient:
      return `The hub failed temporarily (${verb} ${what}${http ? `, ${http}` : ''})`;
    case HubErrorKind.NotFound:
      return `${what} not found on the hub`;
    case HubErrorKind.Conflict:
      return `${what} was changed concurrently on the hub`;
    case HubErrorKind.Permanent:
      return `The hub refused to ${verb} ${what}${http ? ` (${http})` : ''}`;
    case HubErrorKind.NameConflict:
      return `${what} on the hub is not ours; it is left untouched`;
  }
}

export function hubError(
  kind: HubErrorKind,
  verb: HubVerb,
  target: HubErrorTarget | undefined,
  details: { status?: number; reason?: string; kubeMessage?: string; retryAfterMs?: number } = {},
): HubError {
  return new HubError(
    kind,
    publicMessageFor(kind, verb, target, details.status, details.reason),
    verb,
    target,
    details.status,
    details.reason,
    details.kubeMessage,
    details.retryAfterMs,
  );
}

function retryAfterMs(headers: unknown): number | undefined {
  const raw = typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>)['retry-after'] : undefined;
  const seconds = typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function errorCode(e: Record<string, unknown>): string | undefined {
  const cause = typeof e.cause === 'object' && e.cause !== null ? (e.cause as Record<string, unknown>) : {};
  const code = e.code ?? e.errno ?? cause.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Classify anything a client-node call can throw: ApiException (numeric `code`, raw `body`), node-fetch
 * FetchError / system errors (`code` like ECONNRESET), AbortError (our request timeout), or a bug.
 */
export function toHubError(err: unknown, verb: HubVerb, target?: HubErrorTarget): HubError {
  if (err instanceof HubError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const message = typeof e.message === 'string' ? e.message : String(err);

  if (typeof e.code === 'number' && e.code >= 400) {
    const status = parseStatus(e.body);
    return hubError(kindForStatus(e.code, verb), verb, target, {
      status: e.code,
      reason: status?.reason,
      kubeMessage: status?.message ?? (typeof e.body === 'string' ? e.body.slice(0, 2000) : undefined),
      retryAfterMs: retryAfterMs(e.headers),
    });
  }
  // client-node's Watch reports a non-200 watch response as an Error with statusCode
  if (typeof e.statusCode === 'number' && e.statusCode >= 400) {
    return hubError(kindForStatus(e.statusCode, verb), verb, target, { status: e.statusCode, kubeMessage: message });
  }
  const code = errorCode(e);
  if (code && UNREACHABLE_CODES.has(code)) return hubError(HubErrorKind.Unreachable, verb, target, { reason: 'Unreachable', kubeMessage: message });
  if (e.name === 'AbortError' || e.type === 'request-timeout' || code === 'ETIMEDOUT') {
    return hubError(HubErrorKind.Transient, verb, target, { reason: 'Timeout', kubeMessage: message });
  }
  if ((code && TRANSIENT_CODES.has(code)) || /socket hang up|ECONNRESET|premature close/i.test(message)) {
    return hubError(HubErrorKind.Transient, verb, target, { reason: 'ConnectionReset', kubeMessage: message });
  }
  return hubError(HubErrorKind.Permanent, verb, target, { reason: 'ClientError', kubeMessage: message });
}
