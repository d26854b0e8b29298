/**
 * GraphQL over HTTP for the CLI (Node's fetch), with every failure turned into a CliError whose exit
 * code scripts can rely on: unreachable gateway, refused token, top-level errors by extensions.code,
 * and mutation userErrors.
 */
import { CliError, ExitCode, exitCodeFor } from '../exit-codes.js';

export interface GqlError {
  message: string;
  extensions?: { code?: string; [k: string]: unknown };
}

export interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

export const formatUserError = (e: UserError) => `${e.code} ${(e.field ?? []).join('.') || '-'}: ${e.message}`;

export function requestError(errors: GqlError[], status?: number): CliError {
  const code = errors[0]?.extensions?.code;
  const text = errors.map((e) => `${e.message} (${e.extensions?.code ?? '?'})`).join('; ') || `HTTP ${status}`;
  return new CliError(exitCodeFor(code), text, code ?? 'ERROR', errors);
}

export function userErrorsError(operation: string, errors: UserError[]): CliError {
  const lines = errors.map((e) => `  ${formatUserError(e)}`).join('\n');
  return new CliError(exitCodeFor(errors[0]?.code), `${operation} refused:\n${lines}`, errors[0]?.code ?? 'INVALID_INPUT', errors);
}

export class Api {
  constructor(
    readonly url: string,
    readonly token: string | null,
    private readonly timeoutMs = 30_000,
  ) {}

  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws');
  }

  /** Throws AUTH before any request when there is no token at all. */
  requireToken(): string {
    if (!this.token) throw new CliError(ExitCode.AUTH, 'No token: run `spokegraph login` or set SPOKEGRAPH_TOKEN', 'UNAUTHENTICATED');
    return this.token;
  }

  async query<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const token = this.requireToken();
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const why = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (e as Error).message;
      throw new CliError(ExitCode.CONNECTION, `Cannot reach ${this.url}: ${why}`, 'CONNECTION_FAILED');
    }
    let body: { data?: T; errors?: GqlError[] } | null;
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new CliError(ExitCode.ERROR, `${this.url} answered HTTP ${res.status} without a GraphQL response`, 'PROTOCOL_ERROR');
    }
    if (body?.errors?.length) throw requestError(body.errors, res.status);
    if (!body?.data) throw new CliError(ExitCode.ERROR, `${this.url} answered HTTP ${res.status} without data`, 'PROTOCOL_ERROR');
    return body.data;
  }

  /** A mutation's payload (`data[field]`); its userErrors throw. */
  async mutate<T = any>(query: string, variables: Record<string, unknown>, field: string): Promise<T> {
    const data = await this.query<Record<string, T & { userErrors?: UserError[] }>>(query, variables);
    const payload = data[field];
    if (payload.userErrors?.length) throw userErrorsError(field, payload.userErrors);
    return payload;
  }
}
