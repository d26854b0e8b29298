/**
 * Whether an error means "the database cannot be reached right now" (refused or dropped connection,
 * server shutting down, no pooled connection in time) rather than "this statement is wrong". The
 * first passes by itself and is waited out; the second is a bug or a conflict.
 */
import { ConnectionException } from '@mikro-orm/core';

/** Node socket errors and PostgreSQL SQLSTATEs of a lost or refused connection (class 08, 57P0x). */
const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur: unknown = e, i = 0; cur && i < 4; cur = (cur as { cause?: unknown }).cause, i++) {
    if (cur instanceof ConnectionException) return true;
    const err = cur as { code?: unknown; name?: unknown; message?: unknown };
    const code = typeof err.code === 'string' ? err.code : '';
    if (CODES.has(code) || code.startsWith('08')) return true;
    if (err.name === 'KnexTimeoutError') return true;
    if (typeof err.message === 'string' && /Connection terminated|connection (is )?(closed|ended)|Timeout acquiring a connection|Client has encountered a connection error/i.test(err.message)) return true;
  }
  return false;
}
