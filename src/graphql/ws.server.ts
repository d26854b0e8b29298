/**
 * graphql-ws on /graphql. graphql-ws's protocol core (`makeServer`) on our own `ws` transport
 * rather than its `useServer`, which prints stack traces to stderr and puts internal error text in
 * close frames: here every failure a client can trigger is logged once per interval through our
 * logger, every close carries a fixed reason, and protocol violations close with 4400.
 *
 * The WS path bypasses Apollo, so auth, limits, introspection policy, error masking and metrics are
 * applied here explicitly; the socket registry re-checks the token on every operation and closes
 * sockets whose token lost access.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { execute, getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { handleProtocols, makeServer, type Context as WsContext } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config.js';
import type { Orm } from '../db/orm.js';
import { ErrorCode } from '../errors.js';
import type { EventBus } from '../events/event.bus.js';
import { ProjectScopes } from '../events/project-scope.cache.js';
import type { Logger, ThrottledLog } from '../logger.js';
import type { Services } from '../services.js';
import { bearer } from '../tenancy/token.service.js';
import type { OidcVerifier } from '../tenancy/oidc.verifier.js';
import { LocalConnectionCounters, type ConnectionCounters } from './connection.counters.js';
import type { createFormatError } from './format-error.js';
import { assertCost, limitError, limitRules } from './limits.js';
import type { Metrics } from './metrics.js';
import { sharedSubscribe } from './shared-subscribe.js';
import { bytesHeld, writeBatchedThen } from './ws.batch.js';
import { NextEncoder, textFrame } from './ws.encoding.js';
import { directWriter, releaseIfShared, subscriptionContext } from './ws.subscription.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { runInScope, type RequestScope } from '../observability/request.scope.js';
import { WsOperations } from '../observability/ws.operations.js';
import type { WsTracing } from '../observability/tracing.http.js';
import { Close, Conn, errorText, SocketRegistry, type CloseWith } from './socket.registry.js';

export const WS_PATH = '/graphql';

export interface WsServerDeps {
  httpServer: http.Server;
  config: Config;
  schema: GraphQLSchema;
  orm: Orm;
  services: Services;
  metrics: Metrics;
  log: Logger;
  throttled: ThrottledLog;
  bus: EventBus;
  formatError: ReturnType<typeof createFormatError>;
  /** where the connection caps are counted; this process alone by default */
  counters?: ConnectionCounters;
  /** a span per operation, when tracing is on */
  traces?: WsTracing | null;
  /** identity-provider JWTs are admitted too (OIDC_ISSUERS) */
  oidc?: OidcVerifier | null;
}

export interface WsServer {
  registry: SocketRegistry;
  dispose(): Promise<void>;
}

/** Reasons for the close codes graphql-ws itself uses: fixed text, whatever it passed. */
const LIBRARY_CLOSE: Record<number, string> = {
  4400: 'Invalid message received',
  4401: 'Unauthorized',
  4403: 'Forbidden',
  4406: 'Subprotocol not acceptable',
  4408: 'Connection initialisation timeout',
  4409: 'Subscriber already exists',
  4429: 'Too many initialisation requests',
  4500: 'Internal server error',
};
const BAD_MESSAGE: CloseWith = { code: 4400, reason: 'Invalid message received' };
const INTERNAL: CloseWith = { code: 4500, reason: 'Internal server error' };
const GOING_AWAY: CloseWith = { code: 1001, reason: 'Going away' };
/** A peer that does not answer our close frame is cut off after this. */
const CLOSE_GRACE_MS = 1_000;
const KEEPALIVE_MS = 12_000;
/** cost analyses kept per document, by operation name and variables */
const COSTS_PER_DOCUMENT = 256;

/**
 * What graphql-ws carries per connection for its whole life. Not the upgrade request: it held the
 * request's headers and parser state for every idle subscriber; only its TCP socket (the direct
 * live path's writes) and its `traceparent` are needed later.
 */
type Extra = { socket: WebSocket; tcp: Socket; traceparent: string | string[] | undefined; conn: Conn; ctx: WsContext<Params, Extra> | null; scope: RequestScope };
type Params = Record<string, unknown> | undefined;

/** Parsed documents by query text: graphql-ws re-parses every subscribe otherwise. */
export class DocumentCache {
  private readonly map = new Map<string, DocumentNode>();
  constructor(private readonly max = 1000) {}
  get(text: string): DocumentNode {
    let doc = this.map.get(text);
    if (!doc) {
      doc = parse(text, { maxTokens: 10_000 });
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
      this.map.set(text, doc);
    }
    return doc;
  }
}

/**
 * Messages only a server may send. graphql-ws throws on them (an internal error, 4500, with the
 * message in the close frame); they are the client breaking the protocol. Checked on the parsed
 * message (a text match could be dodged with a JSON escape).
 */
const SERVER_ONLY = new Set(['next', 'error', 'connection_ack']);
function serverOnlyType(message: unknown): string | null {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && SERVER_ONLY.has(type) ? type : null;
}

/**
 * A client message parsed once, here: graphql-ws's parseMessage parses only a string and validates
 * anything else as the message itself, so it gets the object (it would parse the text a second
 * time). We give graphql-ws no reviver, which it would apply only while parsing. Anything but a
 * JSON object goes on as the text, which graphql-ws refuses itself (4400) as before: a JSON string
 * passed on as parsed would be parsed once more there.
 */
function parsed(text: string): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? value : text;
  } catch {
    return text;
  }
}

function codesOf(errors: readonly { extensions?: { code?: unknown } }[]): string[] {
  return errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
}

function isAsyncGenerator(x: unknown): x is AsyncGenerator {
  return typeof x === 'object' && x !== null && typeof (x as AsyncGenerator).return === 'function' && Symbol.asyncIterator in x;
}

export function createWsServer(deps: WsServerDeps): WsServer {
  const { config, schema, orm, services, metrics, log, throttled, formatError } = deps;
  const traces = deps.traces ?? null;
  const ownCounters = !deps.counters;
  const counters = deps.counters ?? new LocalConnectionCounters();
  const registry = new SocketRegistry({
    bus: deps.bus,
    orm,
    tokens: services.tokens,
    oidc: deps.oidc,
    counters,
    limits: config.limits,
    recheckMs: config.tokenRecheckMs,
    log: throttled,
    onAccessLost: (why) => metrics.websocketRefusals.inc({ reason: why.startsWith('expired') ? 'expired' : 'access_lost' }),
  });
  registry.start();

  // the project → tenant facts event subscriptions check access with (dropped on access changes)
  const projectScopes = new ProjectScopes(deps.bus);
  const lazyCtx = subscriptionContext(orm, services, log, projectScopes);
  const operations = new WsOperations(log, metrics);
  const docs = new DocumentCache();
  const rules = limitRules(config.limits);
  const wsRules = config.introspection ? [...specifiedRules, ...rules] : [...specifiedRules, NoSchemaIntrospectionCustomRule, ...rules];
  // Validation depends only on the document (schema and rules are fixed): thousands of subscribers
  // sending the same query text get the same cached DocumentNode, so it is validated once.
  const validations = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  const validated = (document: DocumentNode): readonly GraphQLError[] => {
    let errors = validations.get(document);
    if (!errors) validations.set(document, (errors = validate(schema, document, wsRules)));
    return errors;
  };
  // The cost analysis depends only on the document, the operation and the variables: subscribers
  // sending the same query with the same variables (every tab of a dashboard) share one analysis.
  const costs = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  const costRefusal = (document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | null | undefined): GraphQLError | null => {
    let byArgs = costs.get(document);
    if (!byArgs) costs.set(document, (byArgs = new Map()));
    const key = JSON.stringify([operationName ?? null, variables ?? null]);
    let refusal = byArgs.get(key);
    if (refusal === undefined) {
      try {
        assertCost(schema, document, variables, operationName, config.limits.cost);
        refusal = null;
      } catch (e) {
        refusal = e as GraphQLError;
      }
      // bounded: variables that differ per subscriber (ids) would otherwise grow it without end
      if (byArgs.size >= COSTS_PER_DOCUMENT) byArgs.delete(byArgs.keys().next().value!);
      byArgs.set(key, refusal);
    }
    return refusal;
  };
  const maskResult = (result: ExecutionResult): ExecutionResult =>
    result.errors?.length ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) as never } : result;
  const refusal = (message: string, code: string) => [new GraphQLError(message, { extensions: { code } })];

  const encoder = new NextEncoder();
  const server = makeServer<Params, Extra>({
    schema,
    jsonMessageReplacer: encoder.replacer,
    subscribe: traces ? (args) => traces.run(args.contextValue, () => sharedSubscribe(args)) : sharedSubscribe,
    execute: traces ? (args) => traces.run(args.contextValue, () => execute(args)) : undefined,
    onConnect: async (ctx) => {
      const { conn } = ctx.extra;
      ctx.extra.ctx = ctx;
      const secret = bearer(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
      let refused: CloseWith;
      try {
        const admission = await registry.admit(conn, secret);
        if ('viewer' in admission) {
          ctx.extra.scope.tokenId = admission.viewer.tokenId;
          traces?.connected(conn, ctx.extra.traceparent, ctx.connectionParams);
          return true;
        }
        refused = admission.refused;
        if (refused.code !== Close.forbidden.code) throttled.log(`ws-refused:${admission.why}`, 'warn', 'graphql-ws connection refused', { why: admission.why, closeCode: refused.code });
        metrics.websocketRefusals.inc({ reason: refused === Close.forbidden ? 'unauthenticated' : admission.why.replace(/\W+/g, '_') });
      } catch (e) {
        // the database could not be read: a transient state clients should retry (1013), not an error of theirs
        throttled.log('ws-connect-failed', 'error', 'graphql-ws connection could not be authenticated', { err: errorText(e) });
        metrics.websocketRefusals.inc({ reason: 'unavailable' });
        refused = Close.tryAgain;
      }
      // Closed here with its own code; graphql-ws's 4403 for `false` then finds the socket closing.
      conn.close(refused);
      return false;
    },
    onSubscribe: async (ctx, id, payload) => {
      const { conn } = ctx.extra;
      let allowed = false;
      try {
        allowed = await registry.check(conn);
      } catch (e) {
        // as at connect: the database could not be read, and the client retries on 1013
        throttled.log('ws-recheck-failed', 'error', 'could not re-check the token of a graphql-ws connection', { err: errorText(e) });
        metrics.websocketRefusals.inc({ reason: 'unavailable' });
        conn.close(Close.tryAgain);
      }
      // Not allowed = the socket is closing (4403, or 1013 above): the close is the client's answer.
      if (!allowed) return refusal('This connection is closing; reconnect', ErrorCode.FORBIDDEN);
      let document: DocumentNode;
      try {
        document = docs.get(payload.query);
      } catch (e) {
        return [e instanceof GraphQLError ? e : new GraphQLError('Syntax error')];
      }
      const errors = validated(document);
      if (errors.length) return [...errors];
      const overCost = costRefusal(document, payload.variables ?? undefined, payload.operationName);
      if (overCost) return [overCost];
      const operation = getOperationAST(document, payload.operationName);
      // refused here, not by graphql-ws: its refusal would skip onComplete and keep the operation's place
      if (!operation) return [new GraphQLError('Unable to identify operation')];
      const full = await registry.acquireOperation(conn, id, operation.operation === 'subscription');
      if (full) return [limitError(full)];
      operations.started(conn, id, operation.operation, payload.operationName ?? operation.name?.value);
      const contextValue = lazyCtx(conn.viewer!, operation.operation === 'subscription' ? directWriter(ctx.extra.socket, ctx.extra.tcp, ctx.extra.conn, () => Boolean(ctx.subscriptions[id]), id) : undefined);
      traces?.started(conn, id, operation.operation, payload.operationName ?? operation.name?.value, contextValue);
      return {
        schema,
        document,
        variableValues: payload.variables ?? undefined,
        operationName: payload.operationName ?? undefined,
        contextValue,
      };
    },
    // A shared-result subscription is set up (its per-event results never read the context): what
    // its `subscribe` loaded (the project, its access check) would otherwise stay in that
    // EntityManager and those loaders for the stream's whole life, thousands of times over.
    onOperation: (_ctx, _id, _payload, args) => {
      releaseIfShared(args.contextValue);
    },
    onComplete: (ctx, id) => {
      operations.completed(ctx.extra.conn, id, ctx.extra.scope.requestId);
      traces?.completed(ctx.extra.conn, id);
      registry.releaseOperation(ctx.extra.conn, id);
    },
    onNext: (ctx, id, payload, _args, result) => {
      const masked = maskResult(result as ExecutionResult);
      if (result.errors?.length) traces?.errors(ctx.extra.conn, id, result.errors);
      if (masked.errors?.length) operations.errors(ctx.extra.conn, id, ctx.extra.scope.requestId, payload.operationName, codesOf(masked.errors));
      return masked;
    },
    onError: (ctx, id, payload, errors) => {
      const formatted = errors.map((e) => formatError(e.toJSON(), e));
      traces?.errors(ctx.extra.conn, id, errors);
      operations.errors(ctx.extra.conn, id, ctx.extra.scope.requestId, payload.operationName, codesOf(formatted));
      return formatted as never;
    },
  });

  const conns = new Set<Conn>();
  // no permessage-deflate (ws's default, said here because the direct live path relies on it: ws.subscription.ts)
  const wss = new WebSocketServer({ server: deps.httpServer, path: WS_PATH, maxPayload: config.limits.bodyBytes, handleProtocols, perMessageDeflate: false });
  // the upgrade's request id, echoed in the 101 answer and carried by every line of the connection
  const requestIds = new WeakMap<http.IncomingMessage, string>();
  wss.on('headers', (headers, request) => {
    const id = requestIdOf(request.headers);
    requestIds.set(request, id);
    headers.push(`${REQUEST_ID_HEADER}: ${id}`);
  });
  wss.on('error', (err) => throttled.log('ws-server-error', 'error', 'WebSocket server error', { err: errorText(err) }));
  wss.on('connection', (socket, request) => {
    metrics.websockets.inc();
    const scope: RequestScope = { requestId: requestIds.get(request) ?? requestIdOf(request.headers), errorCodes: [] };
    const tcp = request.socket;
    const extra = { socket, tcp, traceparent: request.headers.traceparent, ctx: null, scope } as Omit<Extra, 'conn'> as Extra;
    extra.conn = new Conn((code, reason) => {
      socket.close(code, reason);
      // End the operations now: the peer may take its time (or never) to answer the close frame.
      for (const sub of Object.values(extra.ctx?.subscriptions ?? {})) {
        if (isAsyncGenerator(sub)) sub.return(undefined).catch(() => undefined);
      }
      const cutOff = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      cutOff.unref();
      socket.once('close', () => clearTimeout(cutOff));
    });
    const { conn } = extra;
    conns.add(conn);

    // ws has closed the socket itself (1009 for an oversized frame, 1002 for a bad one): say so, once
    socket.on('error', (err: Error & { code?: string }) => {
      throttled.log(`ws-socket:${err.code ?? err.name}`, 'warn', 'graphql-ws socket error', { code: err.code, err: err.message });
    });

    let alive = true;
    socket.on('pong', () => (alive = true));
    const keepAlive = setInterval(() => {
      if (!alive) return void socket.terminate();
      alive = false;
      socket.ping();
    }, KEEPALIVE_MS);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        // a failed send means the socket is going away; its close event cleans up
        send: (data) => {
          const frame = encoder.frame(data);
          return new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            // idle socket: the whole frame in one write beneath ws (as the direct live path does, and
            // on the same condition: see directWriter; inside a commit's publish it joins the socket's one write, ws.batch.ts);
            // otherwise ws frames and queues it
            if (socket.bufferedAmount === bytesHeld(tcp) && tcp.writable) writeBatchedThen(tcp, textFrame(frame), () => resolve());
            else socket.send(frame, { binary: false }, () => resolve());
          });
        },
        close: (code = 1000) => conn.close({ code, reason: LIBRARY_CLOSE[code] ?? 'Closed' }),
        onMessage: (cb) =>
          socket.on('message', async (data) => {
            // a socket being closed takes no new work (a revoked token's last subscribe, say)
            if (conn.closing) return;
            const message = parsed(String(data));
            const type = serverOnlyType(message);
            if (type) {
              throttled.log('ws-protocol', 'warn', 'graphql-ws client broke the protocol', { messageType: type });
              metrics.websocketRefusals.inc({ reason: 'protocol' });
              return conn.close(BAD_MESSAGE);
            }
            try {
              // typed as text by graphql-ws, taken as the parsed message (see parsed)
              await runInScope(scope, () => cb(message as string));
            } catch (e) {
              throttled.log('ws-internal', 'error', 'graphql-ws message handling failed', { err: errorText(e) });
              metrics.websocketRefusals.inc({ reason: 'internal' });
              conn.close(INTERNAL);
            }
          }),
      },
      extra,
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      metrics.websockets.dec();
      conns.delete(conn);
      registry.release(conn);
      closed(code, reason.toString()).catch((e) => throttled.log('ws-close', 'error', 'graphql-ws close handling failed', { err: errorText(e) }));
    });
  });

  return {
    registry,
    dispose: async () => {
      registry.stop();
      projectScopes.close();
      for (const conn of conns) conn.close(GOING_AWAY);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (ownCounters) await counters.close();
    },
  };
}
