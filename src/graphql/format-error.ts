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
]);

export function createFormatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, path: formatted.path, locations: formatted.locations };
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
    log.error('internal error in GraphQL operation', { err: original instanceof Error ? original : String(original), path: formatted.path });
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: ErrorCode.INTERNAL } };
  };
}
