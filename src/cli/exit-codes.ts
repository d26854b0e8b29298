/**
 * Exit codes of the `spokegraph` CLI: scripts may rely on them (documented in README, "Clients").
 * Every failure is a CliError carrying one of these; main.ts turns it into the process exit code.
 */
export const ExitCode = {
  OK: 0,
  /** anything not below: a fault in the gateway or the CLI */
  ERROR: 1,
  /** bad command line: unknown command or option, missing or malformed argument */
  USAGE: 2,
  /** no token, or the gateway refused it (UNAUTHENTICATED, FORBIDDEN) */
  AUTH: 3,
  /** a mutation refused its input (userErrors), or a dry run that would be refused */
  USER_ERROR: 4,
  /** a project, pool, bundle or deployment does not exist or is not visible */
  NOT_FOUND: 5,
  /** the deployment (or pool) followed with --watch / --follow ended FAILED */
  FAILED: 6,
  /** the gateway could not be reached, or the event stream could not be resumed */
  CONNECTION: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** machine-readable code for --output json (e.g. QUOTA_EXCEEDED, UNAUTHENTICATED) */
    readonly code: string = 'ERROR',
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(ExitCode.USAGE, message, 'USAGE');
export const notFound = (message: string) => new CliError(ExitCode.NOT_FOUND, message, 'NOT_FOUND');

/** Domain codes that mean "not found" whether they come as userErrors or top-level errors. */
const NOT_FOUND_CODES = new Set(['NOT_FOUND', 'INVALID_ID']);
const AUTH_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

/** The exit code for a GraphQL error code (extensions.code or userErrors[].code). */
export function exitCodeFor(code: string | undefined): ExitCode {
  if (!code) return ExitCode.ERROR;
  if (AUTH_CODES.has(code)) return ExitCode.AUTH;
  if (NOT_FOUND_CODES.has(code)) return ExitCode.NOT_FOUND;
  if (['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST'].includes(code)) return ExitCode.USAGE;
  if (code === 'INTERNAL_SERVER_ERROR' || code === 'LIMIT_EXCEEDED') return ExitCode.ERROR;
  return ExitCode.USER_ERROR;
}
