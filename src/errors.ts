/**
 * Domain errors. Services throw these; the GraphQL layer maps them exactly once
 * (graphql/payload.ts for mutation userErrors, graphql/format-error.ts for top-level errors).
 * Messages are written for the client: they never carry SQL or Kubernetes API text.
 */

/** Codes a client may see in `userErrors[].code` or `extensions.code`. */
export const ErrorCode = {
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_NAME: 'INVALID_NAME',
  INVALID_ID: 'INVALID_ID',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  CONFLICT: 'CONFLICT',
  IN_USE: 'IN_USE',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  INSUFFICIENT_CAPACITY: 'INSUFFICIENT_CAPACITY',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  ILLEGAL_STATE: 'ILLEGAL_STATE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An expected failure: reported to the caller as a user error on mutations. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** path into the mutation input, e.g. ['input', 'name'] */
    readonly field: string[] | null = null,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, field: string[] | null = null, code: ErrorCode = ErrorCode.INVALID_INPUT) {
    super(code, message, field);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, field: string[] | null = null) {
    super(ErrorCode.NOT_FOUND, `${what} not found`, field);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, field: string[] | null = null, code: ErrorCode = ErrorCode.CONFLICT) {
    super(code, message, field);
  }
}

/** Several user errors at once (e.g. every invalid variable of a bundle). */
export class DomainErrors extends Error {
  constructor(readonly errors: DomainError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'DomainErrors';
  }
}

/** Not an expected outcome of the operation: top-level GraphQL error, never a user error. */
export class AuthError extends Error {
  constructor(
    readonly code: typeof ErrorCode.UNAUTHENTICATED | typeof ErrorCode.FORBIDDEN,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export const unauthenticated = () => new AuthError(ErrorCode.UNAUTHENTICATED, 'A valid bearer token is required');
/**
 * A refusal in the caller's words: what they tried and what it takes, never an internal permission
 * name (e.g. "You cannot deploy apps in project demo-ml: that takes the project editor role or
 * higher, and you are a project viewer there").
 */
export const forbidden = (what: string, needs: string) => new AuthError(ErrorCode.FORBIDDEN, `You cannot ${what}: ${needs}`);

/** Collects validation problems so a caller sees all of them in one answer. */
export class Problems {
  readonly list: DomainError[] = [];
  add(message: string, field: string[] | null, code: ErrorCode = ErrorCode.INVALID_INPUT): this {
    this.list.push(new DomainError(code, message, field));
    return this;
  }
  push(e: DomainError): this {
    this.list.push(e);
    return this;
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
  throwIfAny(): void {
    if (this.list.length === 1) throw this.list[0];
    if (this.list.length > 1) throw new DomainErrors(this.list);
  }
}
