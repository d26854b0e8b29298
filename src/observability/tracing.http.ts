/**
 * Spans of the API surface: one per HTTP request (its parent is the caller's W3C `traceparent`, and
 * the answer carries the request span's own `traceparent` back), one per GraphQL operation, over
 * HTTP (a span Apollo's plugin names once the operation is known) and over graphql-ws (whose parent
 * is the `traceparent` of the connection: its `connectionParams`, else the upgrade request's header)
 * and over graphql-sse (a stream is one HTTP request, so its parent is that request's span).
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getOperationAST, type ExecutionArgs } from 'graphql';
import type { NextFunction, Request, Response } from 'express';
import type { Conn } from '../graphql/socket.registry.js';
import { routeOf } from './http.access.js';
import { currentScope } from './request.scope.js';
import { formatTraceparent, remoteParent, tracerOf } from './tracing.js';

export const TRACEPARENT_HEADER = 'traceparent';
const SSE_ROUTE = '/graphql/stream';

/**
 * The span of an API request (GraphQL over HTTP, SSE streams). Probes, scrapes and the static files
 * of GraphiQL and the console are not traced: they say nothing about what the gateway did.
 */
export function httpTracing(tracer: Tracer) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // the stream endpoint has the metrics' route label 'other'; its span says what it is
    const route = req.path === SSE_ROUTE ? SSE_ROUTE : routeOf(req);
    if (route !== '/graphql' && route !== SSE_ROUTE) return next();
    const parent = remoteParent(req.headers[TRACEPARENT_HEADER], tracer);
    const requestId = currentScope()?.requestId;
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': route, ...(requestId ? { 'spokegraph.request_id': requestId } : {}) } },
      parent,
    );
    res.setHeader(TRACEPARENT_HEADER, formatTraceparent(span.spanContext()));
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

const operationSpans = new WeakSet<Span>();

/** On /graphql: the operation's span, named by the Apollo plugin below once the operation is resolved. */
export function graphqlTracing() {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const tracer = tracerOf();
    if (!tracer) return next();
    const span = tracer.startSpan('graphql', { attributes: { 'spokegraph.transport': 'http' } });
    operationSpans.add(span);
    res.once('close', () => span.end());
    context.with(trace.setSpan(context.active(), span), next);
  };
}

function nameOperation(span: Span, type: string | undefined, name: string | null | undefined): void {
  if (type) span.setAttribute('graphql.operation.type', type);
  if (name) span.setAttribute('graphql.operation.name', name);
  span.updateName(name ? `${type ?? 'graphql'} ${name}` : (type ?? 'graphql'));
}

function recordErrors(span: Span, errors: readonly { message: string; extensions?: { code?: unknown } }[]): void {
  if (!errors.length) return;
  const codes = errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
  for (const [i, e] of errors.entries()) span.addEvent('exception', { 'exception.type': codes[i], 'exception.message': e.message });
  span.setAttribute('graphql.error.codes', [...new Set(codes)]);
  span.setStatus({ code: SpanStatusCode.ERROR, message: [...new Set(codes)].join(',') });
}

/** Names the operation's span (type and name) and records the errors the client is sent. */
export function apolloTracingPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    requestDidStart: async () => {
      const span = trace.getActiveSpan();
      if (!span || !operationSpans.has(span)) return {};
      return {
        didResolveOperation: async (rc) => nameOperation(span, rc.operation?.operation, rc.operationName),
        didEncounterErrors: async (rc) => recordErrors(span, rc.errors),
      };
    },
  };
}

/** graphql-ws: a parent per connection, a span per operation, and its context for the execution. */
export class WsTracing {
  private readonly parents = new WeakMap<Conn, Context>();
  private readonly spans = new WeakMap<Conn, Map<string, Span>>();
  private readonly contexts = new WeakMap<object, Context>();

  constructor(private readonly tracer: Tracer) {}

  /** The upgrade request's header, overridden by a `traceparent` in connectionParams. */
  connected(conn: Conn, header: unknown, params: Record<string, unknown> | undefined): void {
    const fromParams = params?.[TRACEPARENT_HEADER];
    this.parents.set(conn, remoteParent(typeof fromParams === 'string' ? fromParams : header, this.tracer));
  }

  /** `contextValue` (the operation's GraphQL context) keys the span's context for `run`. */
  started(conn: Conn, id: string, type: string, name: string | null | undefined, contextValue: object): void {
    const parent = this.parents.get(conn) ?? remoteParent(undefined, this.tracer);
    const span = this.tracer.startSpan('graphql', { kind: SpanKind.SERVER, attributes: { 'spokegraph.transport': 'graphql-ws', 'spokegraph.operation_id': id } }, parent);
    nameOperation(span, type, name);
    let ops = this.spans.get(conn);
    if (!ops) this.spans.set(conn, (ops = new Map()));
    ops.set(id, span);
    this.contexts.set(contextValue, trace.setSpan(parent, span));
  }

  errors(conn: Conn, id: string, errors: readonly { message: string; extensions?: { code?: unknown } }[]): void {
    const span = this.spans.get(conn)?.get(id);
    if (span) recordErrors(span, errors);
  }

  completed(conn: Conn, id: string): void {
    const ops = this.spans.get(conn);
    ops?.get(id)?.end();
    ops?.delete(id);
  }

  /** Runs an operation's execution inside its span. */
  run<T>(contextValue: unknown, fn: () => T): T {
    const ctx = typeof contextValue === 'object' && contextValue ? this.contexts.get(contextValue) : undefined;
    return ctx ? context.with(ctx, fn) : fn();
  }
}

/**
 * graphql-sse: the operation's span around its execution (for a subscription, until its stream is
 * set up; the request's span lasts as long as the stream).
 */
export function tracedExecution<R>(run: (args: ExecutionArgs) => R | Promise<R>): (args: ExecutionArgs) => Promise<R> {
  return async (args) => {
    const tracer = tracerOf();
    if (!tracer) return await run(args);
    const op = getOperationAST(args.document, args.operationName);
    return tracer.startActiveSpan('graphql', { attributes: { 'spokegraph.transport': 'graphql-sse' } }, async (span) => {
      nameOperation(span, op?.operation, args.operationName ?? op?.name?.value);
      try {
        const result = await run(args);
        const errors = (result as { errors?: readonly { message: string; extensions?: { code?: unknown } }[] } | null)?.errors;
        if (errors) recordErrors(span, errors);
        return result;
      } catch (e) {
        recordErrors(span, [{ message: e instanceof Error ? e.message : String(e) }]);
        throw e;
      } finally {
        span.end();
      }
    });
  };
}
