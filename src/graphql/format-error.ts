/**
 * The one mapping from thrown errors to top-level GraphQL errors, used by Apollo (HTTP) and by the
 * graphql-ws server alike. Known errors keep their message and get a typed `extensions.code`;
 * anything else — SQL, Kubernetes, bugs — is logged and reported as a bare INTERNAL_SERVER_ERROR.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { AuthError, DomainError, DomainErrors, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** Codes produced by graphql-js/Apollo itself that are safe to pass through. */
const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.LIMIT_EXCEEDED,
  ErrorCode.RATE_LIMITED,
]);

export interface FormatErrorOptions {
  /**
   * graphql-js's "Did you mean …?" hints (field, argument, type and enum value names) kept in
   * messages; false (introspection off) strips them, or they would hand out the schema piece by piece.
   */
  suggestions?: boolean;
}

const SUGGESTION = / ?Did you mean(.+?)\?$/;

export function createFormatError(log: Logger, opts: FormatErrorOptions = {}) {
  const suggestions = opts.suggestions ?? true;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    // Domain messages are ours; only graphql-js's own (validation, variable coercion) carry hints.
    const message = suggestions ? formatted.message : formatted.message.replace(SUGGESTION, '');
    const base = { message, path: formatted.path, locations: formatted.locations };
    // Apollo re-labels every validation-rule error GRAPHQL_VALIDATION_FAILED; ours keep LIMIT_EXCEEDED.
    if (carriesCode(error, ErrorCode.LIMIT_EXCEEDED)) return { ...base, extensions: { code: ErrorCode.LIMIT_EXCEEDED } };
    if (original instanceof AuthError) return { ...base, message: original.message, extensions: { code: original.code } };
    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { code: original.code, field: original.field ?? undefined, ...original.details } };
    }
    if (original instanceof DomainErrors) {
      return { ...base, message: original.message, extensions: { code: original.errors[0]?.code ?? ErrorCode.INVALID_INPUT } };
    }
    if (original instanceof ArgumentValidationError) return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
    if (original instanceof UniqueConstraintViolationException) return { ...base, message: 'Conflict', extensions: { code: ErrorCode.CONFLICT } };
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PASS_THROUGH.has(code) && !(original instanceof DriverException)) {
      return { ...base, extensions: { code } };
    }
    // A GraphQLError raised by graphql-js for bad input (e.g. variable coercion) has no original error.
    if (original instanceof GraphQLError && !original.originalError && typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      return { ...base, extensions: { code } };
    }
    // graphql-ws hands us graphql-js's own parse/validation/coercion errors untyped (Apollo types them
    // on HTTP): a request error has neither an original error nor a path (execution errors have one).
    const requestCode = requestErrorCode(original);
    if (requestCode) return { ...base, extensions: { code: requestCode } };
    log.error('internal error in GraphQL operation', { err: original instanceof Error ? original : String(original), path: formatted.path });
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: ErrorCode.INTERNAL } };
  };
}

/** A GraphQLError of any realm, or one of Apollo's subclasses (which rename themselves). */
function isGraphQLError(e: unknown): e is GraphQLError {
  return e instanceof GraphQLError || (e instanceof Error && 'extensions' in e && 'locations' in e);
}

/** Whether `error` or an error it wraps carries `code` (a few levels, as Apollo nests them). */
function carriesCode(error: unknown, code: string): boolean {
  let e: unknown = error;
  for (let i = 0; i < 4 && isGraphQLError(e); i++, e = e.originalError) {
    if (e.extensions?.code === code) return true;
  }
  return false;
}

function requestErrorCode(e: unknown): string | null {
  if (!isGraphQLError(e) || e.name !== 'GraphQLError' || e.originalError || e.path || e.extensions?.code != null) return null;
  if (e.message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  // the variable coercion failures Apollo reports as BAD_USER_INPUT (not "never used" etc.)
  if (/^Variable "\$[^"]+" (got invalid value|has invalid value|of required type|of non-null type)/.test(e.message)) return 'BAD_USER_INPUT';
  return 'GRAPHQL_VALIDATION_FAILED';
}
