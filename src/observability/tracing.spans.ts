/**
 * Spans of the layers below GraphQL, attached from outside so that those layers import no
 * OpenTelemetry: SQL statements (knex's query events), hub calls (the adapter's `hubCalls` messages),
 * workflow steps (the runner's step scope) and the trace context a new job remembers (the job
 * store's hook). SQL statements and hub calls get a span only inside a trace (a request or a step):
 * the runner's polling and the informers' watches would otherwise fill the backend with orphans.
 */
import diagnostics from 'node:diagnostics_channel';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Knex } from '@mikro-orm/knex';
import type { HubAdapter } from '../kube/index.js';
import type { JobStore } from '../workflow/job.store.js';
import type { WorkflowRunner } from '../workflow/runner.js';
import { hubCalls, type HubCallMessage, type StepScope } from './channels.js';
import { currentTraceparent, failSpan, parseTraceparent, tracerOf, withTracer } from './tracing.js';

export interface TracedParts {
  tracer: Tracer;
  knex: Knex;
  dialect: 'sqlite' | 'postgresql';
  hub: HubAdapter;
  runner: WorkflowRunner;
  jobs: JobStore;
}

/** Whether a span is active in a context that belongs to this app's tracer. */
function parentIn(tracer: Tracer): boolean {
  const ctx = context.active();
  return tracerOf(ctx) === tracer && trace.getSpan(ctx) !== undefined;
}

/** `select`, `insert`… and the first table named: what a statement does, never its values. */
export function describeSql(sql: string): { operation: string; table: string | undefined } {
  const operation = (/^\s*(\w+)/.exec(sql)?.[1] ?? 'sql').toLowerCase();
  const table = /\b(?:from|into|update|join)\s+[`"]?(\w+)[`"]?/i.exec(sql)?.[1];
  return { operation, table };
}

interface KnexQuery {
  __knexQueryUid?: string;
  sql?: string;
}

function traceSql(tracer: Tracer, knex: Knex, dialect: string): () => void {
  const open = new Map<string, Span>();
  const onQuery = (q: KnexQuery) => {
    if (!q.__knexQueryUid || !q.sql || !parentIn(tracer)) return;
    const { operation, table } = describeSql(q.sql);
    const span = tracer.startSpan(table ? `${operation} ${table}` : operation, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': dialect, 'db.operation.name': operation, ...(table ? { 'db.collection.name': table } : {}) },
    });
    open.set(q.__knexQueryUid, span);
  };
  const onResponse = (_res: unknown, q: KnexQuery) => {
    const uid = q?.__knexQueryUid;
    const span = uid ? open.get(uid) : undefined;
    if (!span) return;
    open.delete(uid!);
    span.end();
  };
  const onError = (e: unknown, q: KnexQuery) => {
    const uid = q?.__knexQueryUid;
    const span = uid ? open.get(uid) : undefined;
    if (!span) return;
    open.delete(uid!);
    // the code only (a constraint name, a deadlock): the message may quote the values
    span.setStatus({ code: SpanStatusCode.ERROR, message: String((e as { code?: unknown })?.code ?? (e as Error)?.name ?? 'error') });
    span.end();
  };
  knex.on('query', onQuery).on('query-response', onResponse).on('query-error', onError);
  return () => {
    knex.off('query', onQuery).off('query-response', onResponse).off('query-error', onError);
    for (const span of open.values()) span.end();
    open.clear();
  };
}

/** Hub calls are reported when they end, in the caller's context: the span is drawn backwards from then. */
function traceHubCalls(tracer: Tracer, hub: HubAdapter): () => void {
  const onCall = (m: unknown) => {
    const msg = m as HubCallMessage;
    if (msg.source !== hub || !parentIn(tracer)) return;
    const end = Date.now();
    const span = tracer.startSpan(`hub ${msg.verb} ${msg.kind}`, {
      kind: SpanKind.CLIENT,
      startTime: end - msg.seconds * 1000,
      attributes: { 'spokegraph.hub.verb': msg.verb, 'spokegraph.hub.kind': msg.kind, 'spokegraph.hub.status': msg.status, ...(msg.namespace ? { 'spokegraph.hub.namespace': msg.namespace } : {}) },
    });
    // a 404 is an answer (the object is gone, which callers often expect), not a failure of the call
    if (msg.status !== 'ok' && msg.status !== '404') span.setStatus({ code: SpanStatusCode.ERROR, message: `hub answered ${msg.status}` });
    span.end(end);
  };
  diagnostics.subscribe(hubCalls.name, onCall);
  return () => diagnostics.unsubscribe(hubCalls.name, onCall);
}

/** Each run of a step and its outcome's transaction: a span whose parent is the span that created its job (stored on the job). */
function stepScope(tracer: Tracer): StepScope {
  return (run, fn) => {
    const sc = parseTraceparent(run.traceparent);
    const parent = withTracer(sc ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT, tracer);
    return tracer.startActiveSpan(
      `step ${run.flow}.${run.step}`,
      { attributes: { 'spokegraph.flow': run.flow, 'spokegraph.step': run.step, 'spokegraph.subject.id': run.subjectId, 'spokegraph.subject.name': run.subjectName, 'spokegraph.job.attempt': run.attempt } },
      parent,
      async (span) => {
        try {
          const result = await fn();
          span.setAttribute('spokegraph.step.outcome', result.kind);
          if (result.error !== undefined) failSpan(span, result.error);
          else if (result.kind === 'fail') span.setStatus({ code: SpanStatusCode.ERROR, message: 'the step failed its subject' });
          return result;
        } catch (e) {
          // the outcome could not be recorded
          failSpan(span, e);
          throw e;
        } finally {
          span.end();
        }
      },
    );
  };
}

/** Hooks tracing into the app's lower layers; the returned function unhooks it. */
export function attachTracing(parts: TracedParts): () => void {
  const { tracer } = parts;
  const detachSql = traceSql(tracer, parts.knex, parts.dialect);
  const detachHub = traceHubCalls(tracer, parts.hub);
  parts.runner.stepScope = stepScope(tracer);
  parts.jobs.traceparent = () => (tracerOf() === tracer ? currentTraceparent() : null);
  return () => {
    detachSql();
    detachHub();
  };
}
