/**
 * The one source of request ids: the caller's `x-request-id` when it is a sane token (so a request
 * can be followed from a proxy or client through our logs and audit trail), otherwise a fresh UUID.
 * HTTP answers carry the id back in the same header.
 */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** `headers`: an HTTP request's headers (or anything keyed by lower-case header names). */
export function requestIdOf(headers?: Record<string, unknown> | null): string {
  const raw = headers?.[REQUEST_ID_HEADER];
  const v = Array.isArray(raw) ? raw[0] : raw;
  return typeof v === 'string' && SANE.test(v) ? v : randomUUID();
}
