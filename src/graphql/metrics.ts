/**
 * Prometheus metrics for /metrics. One registry per app instance (tests run several in a process).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { currentScope } from '../observability/request.scope.js';

const MAX_OPERATION_NAMES = 200;

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'spokegraph_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'spokegraph_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly operations = new Counter({
    name: 'spokegraph_graphql_operations_total',
    help: 'GraphQL operations by type, name and outcome',
    labelNames: ['type', 'name', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly operationDuration = new Histogram({
    name: 'spokegraph_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration',
    labelNames: ['type'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly errors = new Counter({ name: 'spokegraph_graphql_errors_total', help: 'GraphQL errors by code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly websockets = new Gauge({ name: 'spokegraph_websockets_open', help: 'Open graphql-ws connections', registers: [this.registry] });
  readonly websocketRefusals = new Counter({
    name: 'spokegraph_websocket_refusals_total',
    help: 'graphql-ws connections refused or closed by the gateway, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly subscriptions = new Gauge({ name: 'spokegraph_subscriptions_active', help: 'Active GraphQL subscriptions', registers: [this.registry] });
  private readonly names = new Set<string>();

  constructor() {
    // unprefixed: process_* and nodejs_* are the names dashboards and alerts for Node.js expect
    collectDefaultMetrics({ register: this.registry });
    // gauges named like counters (promtool: non-counter metrics should not have "_total" suffix);
    // nodejs_active_handles / _requests / _resources carry the same counts by type
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
  }

  /** Operation names are client-chosen: cap their cardinality. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'other';
    this.names.add(name);
    return name;
  }

  /** One finished operation (HTTP or graphql-ws); `seconds` null for a subscription, which lives long. */
  operation(type: string, name: string | null | undefined, errorCodes: string[], seconds: number | null): void {
    this.operations.inc({ type, name: this.operationLabel(name), outcome: errorCodes.length ? 'error' : 'ok' });
    if (seconds !== null) this.operationDuration.observe({ type }, seconds);
    for (const code of errorCodes) this.errors.inc({ code });
  }

  /** An operation refused before it ran (authentication, limits, validation): counted once, as `refused`. */
  refusal(name: string | null | undefined, errorCodes: string[]): void {
    this.operations.inc({ type: 'refused', name: this.operationLabel(name), outcome: 'error' });
    for (const code of errorCodes) this.errors.inc({ code });
  }

  apolloPlugin(): ApolloServerPlugin {
    return {
      requestDidStart: async () => {
        const started = process.hrtime.bigint();
        return {
          willSendResponse: async (rc) => {
            const type = rc.operation?.operation ?? 'unknown';
            // the formatted errors, i.e. the codes clients see (rc.errors are the raw ones)
            const errors = (rc.response.body.kind === 'single' ? rc.response.body.singleResult.errors : undefined) ?? rc.errors ?? [];
            const codes = errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            // no operation resolved (parse or validation failure, unknown name): a refusal
            if (rc.operation) this.operation(type, rc.operationName, codes, seconds);
            else this.refusal(rc.request.operationName, codes);
            const scope = currentScope();
            if (scope) {
              scope.counted = true;
              scope.operationName = rc.operationName ?? rc.request.operationName ?? null;
              scope.operationType = rc.operation ? type : 'refused';
              scope.errorCodes.push(...codes);
            }
          },
        };
      },
    };
  }
}
