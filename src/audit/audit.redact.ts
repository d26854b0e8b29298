/**
 * What the audit trail keeps of a mutation's input: a digest and a summary, neither of which holds a
 * secret. A value is redacted when its key is named like a secret (password, token, secret, api key,
 * credential, private key…), when it is the value or default of a name/value pair (a variable, a tag)
 * whose name is named like one or that is marked `secret`/`sensitive`; and wherever text holds
 * something that looks like a credential (a spokegraph token, a JWT, an authorization header), that
 * part of the text is.
 *
 * The digest is taken over the redacted input: a digest of the raw input would let anyone who reads
 * the trail confirm a guessed secret by hashing candidates. Inputs that differ only in a secret value
 * therefore share a digest.
 */
import { createHash } from 'node:crypto';

export const REDACTED = '[REDACTED]';

const SECRET_NAME = /pass(word|wd|phrase)?|secret|token|credential|api[-_]?key|private[-_]?key|authorization|cookie|session/i;
/** Credentials by their look, also inside longer text: spokegraph tokens, JWTs, authorization headers. */
const SECRET_VALUE = /\bsg_[A-Za-z0-9_-]{16,}|\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*|\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/**
 * Deeper than this, a value is replaced by TOO_DEEP: the audit wrapper runs before the input check
 * that refuses absurd nesting (graphql/input.sanity.ts), so it must not recurse into it either.
 */
const MAX_DEPTH = 64;
export const TOO_DEEP = '[nested too deep]';

/** A deep copy of `v` with secrets replaced by REDACTED, dates as ISO strings and undefined dropped. */
export function redact(v: unknown, key: string | null = null, depth = 0): unknown {
  if (v === undefined) return undefined;
  if (v === null) return null;
  // (a flag such as `secret: true` is no secret)
  if (key !== null && isSecretName(key) && typeof v !== 'boolean') return REDACTED;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return v.replace(SECRET_VALUE, REDACTED);
  if (typeof v !== 'object') return v;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(v)) return v.map((x) => redact(x, null, depth + 1));
  const o = v as Record<string, unknown>;
  const label = typeof o.name === 'string' ? o.name : typeof o.key === 'string' ? o.key : null;
  const secretPair = (label !== null && isSecretName(label)) || o.secret === true || o.sensitive === true;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    if (o[k] === undefined || typeof o[k] === 'function') continue;
    out[k] = secretPair && (k === 'value' || k === 'default') && o[k] !== null ? REDACTED : redact(o[k], k, depth + 1);
  }
  return out;
}

/** Sorted keys, so key order in the request never changes the digest. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** SHA-256 (hex) of the canonical JSON of an already redacted input. */
export function digestOf(redacted: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(redacted) ?? null))
    .digest('hex');
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text the database can store: PostgreSQL refuses NUL in text and json, and an unpaired surrogate
 * has no UTF-8 form. They are written as `\u0000`-style escapes, so a refused input with them (the
 * very reason for its refusal, often) is still recorded, and readably.
 */
export function storable(s: string): string {
  return s.replace(UNSTORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface Limits {
  string: number;
  items: number;
  depth: number;
}

const LIMITS: Limits[] = [
  { string: 256, items: 25, depth: 6 },
  { string: 64, items: 5, depth: 3 },
];
/** A summary bigger than this (as JSON) is shortened further, then replaced by its top-level keys. */
export const MAX_SUMMARY_BYTES = 8192;

function shorten(v: unknown, l: Limits, depth: number): unknown {
  if (typeof v === 'string') return storable(v.length > l.string ? `${v.slice(0, l.string)}…(${v.length} chars)` : v);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= l.depth) return Array.isArray(v) ? `[${v.length} items]` : '{…}';
  if (Array.isArray(v)) {
    const head = v.slice(0, l.items).map((x) => shorten(x, l, depth + 1));
    return v.length > l.items ? [...head, `…(${v.length} items)`] : head;
  }
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [storable(k), shorten(x, l, depth + 1)]));
}

/** The redacted input, shortened for people to at most MAX_SUMMARY_BYTES of JSON. */
export function summarize(redacted: unknown): unknown {
  for (const l of LIMITS) {
    const s = shorten(redacted, l, 0);
    if (Buffer.byteLength(JSON.stringify(s ?? null)) <= MAX_SUMMARY_BYTES) return s;
  }
  const keys = redacted && typeof redacted === 'object' ? Object.keys(redacted).slice(0, 50).map(storable) : [];
  return { truncated: true, keys };
}
