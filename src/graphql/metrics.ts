/**
 * Prometheus metrics for /metrics. One registry per app instance (tests run several in a process).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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
    collectDefaultMetrics({ register: this.registry, prefix: 'spokegraph_' });
  }

  /** Operation names are client-chosen: cap their cardinality. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'other';
    this.names.add(name);
    return name;
  }

  /** An operation over graphql-ws (Apollo's plugins never see those). */
  wsOperation(type: string, name: string | null | undefined, errorCodes: string[]): void {
    this.operations.inc({ type, name: this.operationLabel(name), outcome: errorCodes.length ? 'error' : 'ok' });
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
            this.operations.inc({ type, name: this.operationLabel(rc.operationName), outcome: errors.length ? 'error' : 'ok' });
            this.operationDuration.observe({ type }, Number(process.hrtime.bigint() - started) / 1e9);
            for (const e of errors) this.errors.inc({ code: String(e.extensions?.code ?? 'UNKNOWN') });
          },
        };
      },
    };
  }
}
