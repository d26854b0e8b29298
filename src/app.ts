/**
 * Composition root: database, services, schema, HTTP/WS server. Returns a handle the CLI (main.ts),
 * the tests and the benchmarks share, so all of them run the same assembly.
 */
import 'reflect-metadata';
import type { Config } from './config.js';
import { acquireStartupLock, dialectOf, initOrm, migrate, type Em, type Orm, type StartupLock } from './db/orm.js';
import { poolDeleteFlow, poolProvisionFlow } from './compute/pool.flow.js';
import { poolScaleFlow } from './compute/pool.scale.flow.js';
import { deployFlow, undeployFlow } from './deployments/deployment.flow.js';
import { upgradeFlow } from './deployments/deployment.update.flow.js';
import { InProcessEventBus, type EventBus } from './events/event.bus.js';
import { EventLog } from './events/event.log.js';
import { databaseHighWater } from './events/event.highwater.js';
import { installationNamespace } from './db/installation.js';
import type { RedisConnectionCounters } from './graphql/connection.counters.redis.js';
import { connectHub, registrationOptions, type HubHandle } from './hub.setup.js';
import { hubWatches, subjectLocator } from './hub.watches.js';
import { HubNudger } from './workflow/hub.nudger.js';
import { JobStore } from './workflow/job.store.js';
import { defaultRunnerOptions, WorkflowRunner, type RunnerOptions } from './workflow/runner.js';
import { InProcessWakeSignal, type WakeSignal } from './workflow/wake.js';
import { PostgresWakeSignal } from './workflow/wake.postgres.js';
import { seedDemo } from './demo.seed.js';
import { buildGatewaySchema } from './graphql/schema.js';
import { Metrics } from './graphql/metrics.js';
import { createGatewayServer, type GatewayServer } from './graphql/server.js';
import { createLogger, type Logger } from './logger.js';
import { createServices, type Services } from './services.js';
import { busAccessNotifier } from './tenancy/access.change.js';
import { AuditPurger } from './audit/audit.purge.js';
import type { Clock } from './common/clock.js';
import { attachRuntimeMetrics } from './observability/runtime.metrics.js';
import { startTracing, type Tracing } from './observability/tracing.js';
import { attachTracing } from './observability/tracing.spans.js';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { knexOf } from './db/sql.js';

export interface App {
  config: Config;
  orm: Orm;
  services: Services;
  metrics: Metrics;
  log: Logger;
  hub: HubHandle;
  runner: WorkflowRunner;
  /** Wakes workflow runners after a commit (on every replica, with PostgreSQL). */
  wake: WakeSignal;
  auditPurger: AuditPurger;
  bus: EventBus;
  /** null when tracing is off */
  tracing: Tracing | null;
  url: string;
  port: number;
  /** The platform-admin secret minted on the first start of an empty database, else null. */
  bootstrapToken: string | null;
  stop(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  /** Every SQL statement, for tests that count queries. */
  onQuery?: (sql: string) => void;
  /** Don't start the workflow runner nor the periodic jobs (tests that drive them by hand). */
  noRunner?: boolean;
  /** Runner settings beyond the configuration (tests). */
  runnerOptions?: Partial<RunnerOptions>;
  /** The clock of audit records, admissions' reservations, usage and budgets (tests set it). */
  clock?: Clock;
  /** Span processors of the app's traces (tests: an in-memory exporter); they turn tracing on. */
  spanProcessors?: SpanProcessor[];
  /** Awaited after the server listens and before the hub is connected (tests hold the `"hub": "connecting"` window open). */
  beforeHub?: () => Promise<void>;
  /** false: every admission on its own on PostgreSQL, as when the group commit hands one back (tests) */
  batchAdmissions?: boolean;
}

export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger({ level: config.logLevel, json: config.logJson });
  for (const warning of config.warnings) log.warn(warning);
  const orm = await initOrm({ db: config.db, logger: log, onQuery: opts.onQuery, migrator: 'lazy' });
  let stopped = false;
  let hub: HubHandle | null = null;
  let startupLock: StartupLock | null = null;
  let wake: WakeSignal | null = null;
  let counters: RedisConnectionCounters | undefined;
  let openBus: EventBus | null = null;
  let tracing: Tracing | null = null;
  let server: GatewayServer | null = null;
  try {
    tracing = await startTracing(config, log, opts.spanProcessors);
    // Replicas starting together on one empty database take turns: one migrates, mints the bootstrap
    // token and seeds; the others find it done.
    startupLock = await acquireStartupLock(orm, log);
    const applied = await migrate(orm);
    if (applied.length) log.info('database migrated', { applied, db: config.db.kind });

    const metrics = new Metrics();
    const bus = await eventBusFor(config, orm, log);
    openBus = bus;
    const events = new EventLog(bus);
    const jobs = new JobStore(dialectOf(orm) === 'postgresql');
    const workflowLog = log.child({ component: 'workflow' });
    // replicas of one PostgreSQL database wake each other through it; one SQLite gateway is alone
    wake =
      config.db.kind === 'postgresql'
        ? new PostgresWakeSignal({ url: config.db.url, log: workflowLog, onQuery: opts.onQuery })
        : new InProcessWakeSignal();
    await wake.start();
    const signal = wake;
    const services = createServices({
      access: busAccessNotifier(bus),
      events,
      jobs,
      wake: () => signal.notify(),
      subscriptionBuffer: config.subscriptionBuffer,
      streamHooks: { onStart: () => metrics.subscriptions.inc(), onEnd: () => metrics.subscriptions.dec() },
      clock: opts.clock,
      batchAdmissions: opts.batchAdmissions,
    });

    const em = orm.em.fork() as Em;
    const bootstrapToken = await services.tokens.bootstrapAdmin(em, config.bootstrapAdminToken);
    if (bootstrapToken && config.seedDemo) await seedDemo(orm, services, log);
    await startupLock.release();

    const schema = await buildGatewaySchema();
    // the graphql-ws caps hold across replicas when they share a Redis, else per process
    // ioredis is loaded only when Redis is configured
    counters = config.redisUrl ? new (await import('./graphql/connection.counters.redis.js')).RedisConnectionCounters({ url: config.redisUrl, namespace: installationNamespace(config), log: log.child({ component: 'connection-caps' }) }) : undefined;
    // Ready means: the database answers and the API is served. The hub is connected after the
    // server listens (loading @kubernetes/client-node and starting the embedded simulator are most
    // of a start's CPU) — no request waits on the hub: a mutation that needs it records a workflow
    // job, which the runner, started once the hub is connected, takes up. /readyz says
    // `"hub": "connecting"` until then; a hub that cannot be set up (the embedded simulator cannot
    // listen) fails the start as before; a real hub is not contacted here, and its errors are retried later.
    let hubState: 'connecting' | null = 'connecting';
    server = await createGatewayServer({ config, schema, orm, services, metrics, log, bus, counters, tracing, readiness: (): Record<string, string> => (hubState ? { hub: hubState } : {}) });
    const { port, url } = await server.listen(config.port, config.host);

    await opts.beforeHub?.();
    hub = await connectHub(config, log);
    log.info(`hub: ${hub.description}`);
    const runner = new WorkflowRunner(
      orm,
      jobs,
      events,
      hub.adapter,
      workflowLog,
      {
        ...defaultRunnerOptions,
        concurrency: config.workflow.concurrency,
        leaseMs: config.workflow.leaseMs,
        maxWaitMs: Math.max(config.workflow.pollMs, 1000),
        ...opts.runnerOptions,
      },
      signal,
    );
    const detachMetrics = attachRuntimeMetrics(metrics.registry, { orm, runner, hub: hub.adapter, bus, admissions: services.deployments });
    const detachTracing = tracing ? attachTracing({ tracer: tracing.tracer, knex: knexOf(orm.em.fork() as Em), dialect: dialectOf(orm), hub: hub.adapter, runner, jobs }) : () => undefined;
    const flowOptions = {
      capi: config.capi,
      pollMs: config.workflow.pollMs,
      registration: registrationOptions(config, hub),
      provisionDeadlineMs: config.provisionDeadlineMs,
      gpuDevicePlugin: config.gpuDevicePlugin,
    };
    runner.register(poolProvisionFlow(flowOptions));
    runner.register(poolDeleteFlow(flowOptions));
    runner.register(poolScaleFlow(flowOptions));
    const deploymentDeps = { pools: services.pools, events, pollMs: config.workflow.pollMs, rolloutDeadlineMs: config.workflow.rolloutDeadlineMs };
    runner.register(deployFlow(deploymentDeps));
    runner.register(undeployFlow(deploymentDeps));
    runner.register(upgradeFlow(deploymentDeps));
    const nudger = new HubNudger(hub.adapter, hubWatches, subjectLocator(orm), (id) => runner.nudge(id), log.child({ component: 'hub-watch' }));
    const auditPurger = new AuditPurger(orm, services.clock, config.audit.retentionDays, config.audit.purgeIntervalMs, log.child({ component: 'audit' }));
    if (!opts.noRunner) {
      runner.start();
      nudger.start();
      auditPurger.start();
    }
    hubState = null;
    const gateway = server;

    return {
      config,
      orm,
      services,
      metrics,
      log,
      hub,
      runner,
      wake: signal,
      auditPurger,
      bus,
      tracing,
      url,
      port,
      bootstrapToken,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await gateway.stop();
        detachMetrics();
        detachTracing();
        nudger.stop();
        await auditPurger.stop();
        await runner.stop();
        await signal.close();
        await counters?.close();
        await bus.close();
        await hub?.close();
        await orm.close(true);
        await tracing?.shutdown();
      },
    };
  } catch (e) {
    await startupLock?.release().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await wake?.close().catch(() => undefined);
    await counters?.close().catch(() => undefined);
    await openBus?.close().catch(() => undefined);
    await hub?.close().catch(() => undefined);
    await orm.close(true).catch(() => undefined);
    await tracing?.shutdown().catch(() => undefined);
    throw e;
  }
}

/**
 * Where committed events are published: Redis when configured (every replica of the installation
 * hears them), else this process only. A Redis that is down at start does not stop the start: the
 * bus works from the database until Redis is back.
 */
async function eventBusFor(config: Config, orm: Orm, log: Logger): Promise<EventBus> {
  if (config.redisUrl) {
    const { RedisEventBus } = await import('./events/event.bus.redis.js');
    const bus = new RedisEventBus({ url: config.redisUrl, namespace: installationNamespace(config), log: log.child({ component: 'event-bus' }), highWater: databaseHighWater(orm) });
    if (await bus.ready()) log.info('live events and access changes are shared with the other replicas through Redis');
    return bus;
  }
  if (config.db.kind === 'postgresql') {
    log.warn('REDIS_URL is not set: live events stay local to this replica (subscribers connected to other replicas do not receive them live); set REDIS_URL when running more than one replica');
  }
  return new InProcessEventBus();
}
