/**
 * What the gateway knows about the request being served, carried through async calls with
 * AsyncLocalStorage: every log line written while serving it (by a resolver, a service, the ORM,
 * the error formatter) carries its request id without each call site passing a logger along, and
 * the access log line at the end reads the operation and outcome that Apollo or graphql-ws filled in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  requestId: string;
  /** id of the bearer token that authenticated the request (never the secret) */
  tokenId?: string;
  operationName?: string | null;
  operationType?: string;
  /** `extensions.code` of every error the client was sent */
  errorCodes: string[];
  /** set once the operation was counted in the metrics (by Apollo's plugin or as a refusal) */
  counted?: boolean;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/**
 * Notes a refusal the metrics plugin will not see (Apollo runs no plugin for a request whose context
 * failed, nor for one the body parser refused): the access log counts it at the end. Returns `what`
 * so a thrown error can pass through.
 */
export function refused<T extends { extensions?: { code?: unknown } } | string>(what: T): T {
  const scope = currentScope();
  const code = typeof what === 'string' ? what : String(what.extensions?.code ?? 'UNKNOWN');
  if (scope && !scope.counted) scope.errorCodes.push(code);
  return what;
}
