/**
 * OpenTelemetry tracing, the part every layer may use: only `@opentelemetry/api`, which is a few
 * kilobytes and does nothing until a tracer exists. The SDK and the OTLP exporter are loaded by
 * tracing.setup.ts, imported dynamically and only when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT, or
 * a test's span processor), so a gateway without tracing pays no start-up time for them.
 *
 * Each app has its own tracer provider (several apps share a process in tests), and the tracer rides
 * in the OpenTelemetry context next to the active span: code deep in a service opens a span with
 * `inSpan` without being handed a tracer, and does nothing at all when no app traces the call.
 */
import { context, createContextKey, ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

const TRACER = createContextKey('spokegraph.tracer');

export interface Tracing {
  tracer: Tracer;
  /** Exports what is still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

/**
 * The app's tracing, or null when it is off. `spanProcessors` (tests: an in-memory exporter) turns it
 * on without an endpoint.
 */
export async function startTracing(config: Pick<Config, 'tracing'>, log: Logger, spanProcessors?: SpanProcessor[]): Promise<Tracing | null> {
  if (!config.tracing.endpoint && !spanProcessors?.length) return null;
  const { createTracing } = await import('./tracing.setup.js');
  const tracing = await createTracing(config.tracing, log, spanProcessors ?? []);
  if (config.tracing.endpoint) log.info('traces are exported over OTLP', { endpoint: config.tracing.endpoint, serviceName: config.tracing.serviceName });
  return tracing;
}

/** `ctx` carrying the app's tracer, so spans opened below it (inSpan) belong to that app. */
export function withTracer(ctx: Context, tracer: Tracer): Context {
  return ctx.setValue(TRACER, tracer);
}

export function tracerOf(ctx: Context = context.active()): Tracer | undefined {
  return ctx.getValue(TRACER) as Tracer | undefined;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span context a W3C `traceparent` names, or null when it is absent or malformed (then ignored). */
export function parseTraceparent(value: unknown): SpanContext | null {
  if (typeof value !== 'string') return null;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return null;
  return { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & TraceFlags.SAMPLED, isRemote: true };
}

export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & TraceFlags.SAMPLED}`;
}

/** A context whose parent is the caller's span (from a `traceparent`), or the root when there is none. */
export function remoteParent(traceparent: unknown, tracer: Tracer): Context {
  const sc = parseTraceparent(traceparent);
  return withTracer(sc ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT, tracer);
}

/** The `traceparent` of the active span: stored with a job so that its steps join this trace. */
export function currentTraceparent(): string | null {
  const span = tracerOf() ? trace.getSpan(context.active()) : undefined;
  return span && span.spanContext().traceId ? formatTraceparent(span.spanContext()) : null;
}

export function failSpan(span: Span, e: unknown): void {
  if (e instanceof Error) span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
}

/**
 * Runs `fn` inside a child span of the active one — when the active context belongs to a tracing app;
 * otherwise it just runs `fn`.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  const tracer = tracerOf();
  if (!tracer) return fn();
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (e) {
      failSpan(span, e);
      throw e;
    } finally {
      span.end();
    }
  });
}
