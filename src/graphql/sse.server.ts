/**
 * GraphQL over Server-Sent Events (graphql-sse's protocol, "distinct connections" mode) on
 * /graphql/stream, for clients without WebSockets: curl, EventSource-style readers, notebooks.
 * One HTTP response = one operation = one "connection" in the socket registry, so an SSE stream
 * is held to everything a graphql-ws socket is: the bearer token (re-checked on every operation),
 * the handshake rate and socket caps per token and in all, the subscription caps, query depth,
 * aliases and cost, and revocation (the stream gets a FORBIDDEN error event and ends).
 *
 * Resuming: every `next` event of a subscription whose root field selects `cursor` carries that
 * cursor as its SSE `id`. A request with `Last-Event-ID` subscribes with `after:` set to it (it
 * overrides an `after` in the document), so a reconnecting reader continues without gaps.
 *
 * graphql-sse's handler does the protocol (GET or POST, event framing, keep-alive comments); this
 * module owns the Node response so it can add ids and end streams on its own terms.
 */
import type http from 'node:http';
import { execute, getOperationAST, GraphQLError, Kind, NoSchemaIntrospectionCustomRule, specifiedRules, validate, type DocumentNode, type ExecutionResult, type FieldNode, type GraphQLSchema } from 'graphql';
import { createHandler, type Request as SseRequest } from 'graphql-sse';
import type { Config } from '../config.js';
import type { Ctx } from '../context.js';
import { Loaders } from '../db/loaders.js';
import type { Em, Orm } from '../db/orm.js';
import { ErrorCode } from '../errors.js';
import type { Logger, ThrottledLog } from '../logger.js';
import type { Services } from '../services.js';
import { bearer } from '../tenancy/token.service.js';
import { bearerChallenge } from './cors.js';
import type { createFormatError } from './format-error.js';
import { assertCost, limitError, limitRules } from './limits.js';
import { sharedSubscribe } from './shared-subscribe.js';
import { Close, Conn, errorText, type CloseWith, type SocketRegistry } from './socket.registry.js';
import { DocumentCache } from './ws.server.js';
import { tracedExecution } from '../observability/tracing.http.js';

export const SSE_PATH = '/graphql/stream';

export interface SseServerDeps {
  config: Config;
  schema: GraphQLSchema;
  orm: Orm;
  services: Services;
  log: Logger;
  throttled: ThrottledLog;
  formatError: ReturnType<typeof createFormatError>;
  /** graphql-ws's registry: SSE streams share its caps and its revocation handling */
  registry: SocketRegistry;
  /** a span per operation (tracing is on) */
  traced?: boolean;
}

export interface SseServer {
  handle(req: http.IncomingMessage & { body?: unknown }, res: http.ServerResponse): Promise<void>;
  dispose(): void;
}

/** What one stream's hooks share (graphql-sse's request context). */
interface StreamState {
  conn: Conn;
  lastEventId: string | null;
  /** the SSE ids of the `next` events graphql-sse is about to print, in order (null: none) */
  ids: (string | null)[];
  rootField: string | null;
}

/** A cursor safe on an SSE `id:` line (no line breaks, no NUL). */
const SAFE_ID = /^[\w\-+/=.:~]{1,512}$/;
const OP_ID = 'sse';

/** The error event a stream ends with when the registry closes it (revocation, caps, shutdown). */
function closingMessage(how: CloseWith): string {
  const [message, code] =
    how.code === Close.forbidden.code
      ? ['The token of this stream lost access (revoked, expired or changed); authenticate again', ErrorCode.FORBIDDEN]
      : how.code === Close.tryAgain.code
        ? ['The gateway could not re-check the token; reconnect', 'SERVICE_UNAVAILABLE']
        : ['The gateway is going away; reconnect with Last-Event-ID', 'SERVICE_UNAVAILABLE'];
  return `event: next\ndata: ${JSON.stringify({ errors: [{ message, extensions: { code } }] })}\n\nevent: complete\ndata:\n\n`;
}

function jsonError(res: http.ServerResponse, status: number, message: string, code: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** The document with `after: <lastEventId>` on its subscription's root field (when it takes one). */
function resumeAfter(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, lastEventId: string): DocumentNode {
  const op = getOperationAST(document, operationName);
  const root = op?.selectionSet.selections[0];
  if (!op || op.operation !== 'subscription' || root?.kind !== Kind.FIELD) return document;
  const field = schema.getSubscriptionType()?.getFields()[root.name.value];
  if (!field?.args.some((a) => a.name === 'after')) return document;
  const after = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'after' }, value: { kind: Kind.STRING, value: lastEventId } } as const;
  const newRoot: FieldNode = { ...root, arguments: [...(root.arguments ?? []).filter((a) => a.name.value !== 'after'), after] };
  const newOp = { ...op, selectionSet: { ...op.selectionSet, selections: [newRoot, ...op.selectionSet.selections.slice(1)] } };
  return { ...document, definitions: document.definitions.map((d) => (d === op ? newOp : d)) };
}

export function createSseServer(deps: SseServerDeps): SseServer {
  const { config, schema, orm, services, log, throttled, formatError, registry } = deps;
  const docs = new DocumentCache();
  const rules = limitRules(config.limits);
  const allRules = config.introspection ? [...specifiedRules, ...rules] : [...specifiedRules, NoSchemaIntrospectionCustomRule, ...rules];
  const open = new Set<Conn>();
  // `data` present (undefined, so not serialised): graphql-sse tells results from arguments by that
  // key. Masked with every other result in onNext.
  const errorsOf = (errors: readonly GraphQLError[]): ExecutionResult => ({ data: undefined, errors });
  const masked = (errors: readonly GraphQLError[]) => errors.map((e) => (e instanceof GraphQLError ? formatError(e.toJSON(), e) : e)) as never;

  const handler = createHandler<http.IncomingMessage, StreamState, Ctx & Record<PropertyKey, unknown>>({
    schema,
    subscribe: deps.traced ? tracedExecution(sharedSubscribe) : sharedSubscribe,
    execute: deps.traced ? tracedExecution(execute) : undefined,
    // distinct connections only: no reservation tokens (PUT), every stream is one authenticated request
    authenticate: () => undefined,
    onSubscribe: async (req: SseRequest<http.IncomingMessage, StreamState>, params) => {
      const state = req.context;
      const { conn } = state;
      try {
        if (!(await registry.check(conn))) return errorsOf([new GraphQLError('This stream is closing; reconnect', { extensions: { code: ErrorCode.FORBIDDEN } })]);
      } catch (e) {
        throttled.log('sse-recheck-failed', 'error', 'could not re-check the token of an SSE stream', { err: errorText(e) });
        return errorsOf([new GraphQLError('The token could not be checked; reconnect', { extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
      }
      if (typeof params.query !== 'string') return errorsOf([new GraphQLError('Missing query', { extensions: { code: 'BAD_REQUEST' } })]);
      let document: DocumentNode;
      try {
        document = docs.get(params.query);
      } catch (e) {
        return errorsOf([e instanceof GraphQLError ? e : new GraphQLError('Syntax error')]);
      }
      const operationName = params.operationName ?? undefined;
      if (state.lastEventId) document = resumeAfter(schema, document, operationName, state.lastEventId);
      const errors = validate(schema, document, allRules);
      if (errors.length) return errorsOf(errors);
      const variables = (params.variables ?? undefined) as Record<string, unknown> | undefined;
      try {
        assertCost(schema, document, variables, operationName, config.limits.cost);
      } catch (e) {
        return errorsOf([e as GraphQLError]);
      }
      const operation = getOperationAST(document, operationName);
      if (!operation) return errorsOf([new GraphQLError('Unable to identify operation')]);
      if (operation.operation === 'mutation' && req.method === 'GET') return errorsOf([new GraphQLError('Mutations are not run over GET', { extensions: { code: 'BAD_REQUEST' } })]);
      const full = await registry.acquireOperation(conn, OP_ID, operation.operation === 'subscription');
      if (full) return errorsOf([limitError(full)]);
      const root = operation.selectionSet.selections[0];
      state.rootField = root?.kind === Kind.FIELD ? (root.alias ?? root.name).value : null;
      let em: Em | null = null;
      const contextValue: Ctx & Record<PropertyKey, unknown> = {
        get em() {
          return (em ??= orm.em.fork() as Em);
        },
        viewer: conn.viewer!,
        loaders: new Loaders(),
        services,
        log,
      };
      return { schema, document, variableValues: variables, operationName, contextValue };
    },
    onNext: (_ctx, req, result) => {
      const r = result as ExecutionResult;
      const out: ExecutionResult = r.errors?.length ? { ...r, errors: masked(r.errors) } : r;
      const state = req.context;
      const data = out.data as Record<string, { cursor?: unknown } | null> | null | undefined;
      const cursor = state.rootField ? data?.[state.rootField]?.cursor : undefined;
      state.ids.push(typeof cursor === 'string' && SAFE_ID.test(cursor) ? cursor : null);
      return out;
    },
    onComplete: (_ctx, req) => registry.releaseOperation(req.context.conn, OP_ID),
  });

  async function handle(req: http.IncomingMessage & { body?: unknown }, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST') return jsonError(res, 405, 'Use GET or POST', 'BAD_REQUEST', { allow: 'GET, POST' });
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return jsonError(res, 406, `${SSE_PATH} answers with an event stream: send Accept: text/event-stream (queries and mutations without it go to /graphql)`, 'BAD_REQUEST');
    }
    let body: AsyncGenerator<string, void, undefined> | null = null;
    let refusedLate: CloseWith | null = null;
    const conn = new Conn((code, reason) => {
      open.delete(conn);
      if (!res.headersSent) return void (refusedLate = { code, reason });
      if (res.writable) res.end(closingMessage({ code, reason }));
      body?.return(undefined).catch(() => undefined);
    });
    const lastEventId = typeof req.headers['last-event-id'] === 'string' && req.headers['last-event-id'] ? req.headers['last-event-id'] : null;
    const state: StreamState = { conn, lastEventId, ids: [], rootField: null };
    res.once('close', () => {
      open.delete(conn);
      registry.release(conn);
      body?.return(undefined).catch(() => undefined);
    });

    let admission: Awaited<ReturnType<SocketRegistry['admit']>>;
    try {
      admission = await registry.admit(conn, bearer(req.headers.authorization));
    } catch (e) {
      throttled.log('sse-connect-failed', 'error', 'an SSE stream could not be authenticated', { err: errorText(e) });
      return jsonError(res, 503, 'The token could not be checked; try again', 'SERVICE_UNAVAILABLE', { 'retry-after': '1' });
    }
    if ('refused' in admission) {
      const { refused } = admission;
      if (refused === Close.forbidden) {
        return jsonError(res, 401, 'A valid bearer token is required', ErrorCode.UNAUTHENTICATED, { 'www-authenticate': bearerChallenge(Boolean(req.headers.authorization)) });
      }
      if (refused.code === Close.tooManySockets.code) return jsonError(res, 429, `${refused.reason}: ${admission.why}`, ErrorCode.LIMIT_EXCEEDED, { 'retry-after': '60' });
      return jsonError(res, 503, refused.reason, 'SERVICE_UNAVAILABLE', { 'retry-after': '1' });
    }
    open.add(conn);

    const [result, init] = await handler({
      method: req.method,
      url: req.url ?? SSE_PATH,
      headers: { get: (key: string) => (key === 'accept' ? 'text/event-stream' : ([] as string[]).concat(req.headers[key] ?? []).join(', ') || undefined) },
      body: (req.body as Record<string, unknown> | undefined) ?? null,
      raw: req,
      context: state,
    });
    if (refusedLate) return jsonError(res, 401, 'A valid bearer token is required', ErrorCode.UNAUTHENTICATED);
    if (res.destroyed) return void (typeof result === 'object' && result?.return(undefined).catch(() => undefined));
    // answers are never cached, and the proxy in front must not buffer a stream
    res.writeHead(init.status, init.statusText, { ...init.headers, 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    if (result === null || typeof result === 'string') return void res.end(result ?? undefined);
    body = result;
    try {
      for await (const message of result) {
        if (!res.writable) break;
        const id = message.startsWith('event: next') ? state.ids.shift() : null;
        res.write(id ? `id: ${id}\n${message}` : message);
      }
    } catch (e) {
      throttled.log('sse-stream', 'error', 'an SSE stream failed', { err: errorText(e) });
    } finally {
      open.delete(conn);
      if (res.writable) res.end();
    }
  }

  return {
    handle,
    dispose: () => {
      for (const conn of [...open]) conn.close({ code: 1001, reason: 'Going away' });
    },
  };
}
