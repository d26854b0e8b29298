/**
 * The OpenTelemetry SDK side, imported dynamically by tracing.ts only when tracing is on: a tracer
 * provider of this app (not registered globally: each app in a process keeps its own), the OTLP/HTTP
 * JSON exporter behind a batching processor when an endpoint is configured, and the process-wide
 * AsyncLocalStorage context manager that carries the active span across awaits.
 *
 * The packages are imported dynamically here too: the production bundle inlines this file, and
 * esbuild would hoist its static imports of external packages to the top of the bundle, loading
 * the SDK at every start.
 */
import { context } from '@opentelemetry/api';
import type { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Tracing } from './tracing.js';

let contextManager: AsyncLocalStorageContextManager | null = null;

export async function createTracing(config: Config['tracing'], log: Logger, extra: SpanProcessor[]): Promise<Tracing> {
  const [{ AsyncLocalStorageContextManager }, { resourceFromAttributes }, { BasicTracerProvider, BatchSpanProcessor }] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  // One per process: a second registration would be refused by the API (and is not needed).
  if (!contextManager) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    if (!context.setGlobalContextManager(contextManager)) log.warn('another OpenTelemetry context manager is registered; spans may lose their parent across awaits');
  }
  const processors = [...extra];
  if (config.endpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const exporter = new OTLPTraceExporter({ url: `${config.endpoint.replace(/\/+$/, '')}/v1/traces`, headers: config.headers });
    processors.push(new BatchSpanProcessor(exporter));
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: processors,
  });
  return {
    tracer: provider.getTracer('spokegraph'),
    shutdown: async () => {
      await provider.shutdown().catch((e: unknown) => log.warn('could not export the last traces', { err: e as Error }));
    },
  };
}
