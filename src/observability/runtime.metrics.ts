/**
 * Metrics of what runs behind the API: the workflow runner, hub calls, the database and live event
 * streams. Counted from the diagnostics channels (channels.ts), filtered to this app's own runner,
 * adapter, ORM and bus; gauges that describe state (jobs by state, the connection pool) are read at
 * scrape time instead of tracked, so they cannot drift.
 */
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Orm } from '../db/orm.js';
import { all } from '../db/sql.js';
import type { Em } from '../db/orm.js';
import { admissionBatches, hubCalls, runnerEvents, streamEvents, transactionRetries, workflowSteps, type AdmissionBatchMessage, type HubCallMessage, type RunnerEventMessage, type StepMessage, type StreamMessage, type TransactionRetryMessage } from './channels.js';

export interface RuntimeSources {
  orm: Orm;
  runner: object;
  hub: object;
  bus: object;
  /** the admissions waiting for a group-commit batch */
  admissions: { admissionsQueued(): number };
}

const LATENCY = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STEP = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60];

interface Tarn {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max?: number;
}

/** Registers the metrics on `registry` and starts counting; returns the function that stops it. */
export function attachRuntimeMetrics(registry: Registry, sources: RuntimeSources): () => void {
  const registers = [registry];
  const { orm } = sources;
  new Gauge({
    name: 'spokegraph_workflow_jobs',
    help: 'Workflow jobs by state (read from the database at scrape time)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset();
      try {
        const rows = await all<{ state: string; n: number | string }>(orm.em.fork() as Em, 'select "state", count(*) as "n" from "workflow_job" group by "state"');
        for (const r of rows) this.set({ state: r.state }, Number(r.n));
      } catch {
        // the database is away: no sample rather than a false zero (spokegraph_up-style alerts use /readyz)
      }
    },
  });
  const stepDuration = new Histogram({ name: 'spokegraph_workflow_step_duration_seconds', help: 'Duration of one run of a workflow step, by flow, step and outcome (done, wait, fail, error)', labelNames: ['flow', 'step', 'outcome'] as const, buckets: STEP, registers });
  const stepRetries = new Counter({ name: 'spokegraph_workflow_step_retries_total', help: 'Workflow step runs that hit a transient error and are retried after a backoff', labelNames: ['flow', 'step'] as const, registers });
  const takeovers = new Counter({ name: 'spokegraph_workflow_lease_takeovers_total', help: 'Jobs whose step was in flight under another runner whose lease expired, taken over by this one', labelNames: ['flow'] as const, registers });
  const leasesLost = new Counter({ name: 'spokegraph_workflow_leases_lost_total', help: 'Jobs this runner lost to another runner before recording an outcome', labelNames: ['flow'] as const, registers });
  const hubRequests = new Counter({ name: 'spokegraph_hub_requests_total', help: 'Requests to the hub API server by verb, kind and status (ok, HTTP status, or error)', labelNames: ['verb', 'kind', 'status'] as const, registers });
  const hubDuration = new Histogram({ name: 'spokegraph_hub_request_duration_seconds', help: 'Hub API request latency by verb and kind', labelNames: ['verb', 'kind'] as const, buckets: LATENCY, registers });
  const txRetries = new Counter({ name: 'spokegraph_db_transaction_retries_total', help: 'Transactions run again after a deadlock, serialization failure or lock timeout, by SQLSTATE', labelNames: ['code'] as const, registers });
  new Gauge({
    name: 'spokegraph_db_pool_connections',
    help: 'Database connections of this process by state (used, free, pending acquires)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const pool = (orm.em.getConnection() as AbstractSqlConnection).getKnex?.()?.client?.pool as Tarn | undefined;
      if (!pool) return;
      this.set({ state: 'used' }, pool.numUsed());
      this.set({ state: 'free' }, pool.numFree());
      this.set({ state: 'pending' }, pool.numPendingAcquires());
    },
  });
  new Gauge({
    name: 'spokegraph_admissions_queued',
    help: "Admissions waiting for their project's next group-commit batch in this process (PostgreSQL)",
    registers,
    collect() {
      this.set(sources.admissions.admissionsQueued());
    },
  });
  const batches = new Counter({ name: 'spokegraph_admission_batches_total', help: 'Group-commit admission batches by outcome (committed, rolled_back: its members were admitted one by one)', labelNames: ['outcome'] as const, registers });
  const batchMembers = new Counter({ name: 'spokegraph_admission_batch_members_total', help: 'Admissions taken into a group-commit batch, by the outcome of their batch', labelNames: ['outcome'] as const, registers });
  const delivered = new Counter({ name: 'spokegraph_subscription_events_delivered_total', help: 'Events delivered to GraphQL subscriptions', registers });
  const lagging = new Counter({ name: 'spokegraph_subscription_lagging_total', help: 'Subscriptions ended because the subscriber fell behind its buffer (SUBSCRIPTION_LAGGING)', registers });

  const onHub = (m: unknown) => {
    const c = m as HubCallMessage;
    if (c.source !== sources.hub) return;
    hubRequests.inc({ verb: c.verb, kind: c.kind, status: c.status });
    hubDuration.observe({ verb: c.verb, kind: c.kind }, c.seconds);
  };
  const onTx = (m: unknown) => {
    const t = m as TransactionRetryMessage;
    if (t.source === orm.config) txRetries.inc({ code: t.code });
  };
  const onStep = (m: unknown) => {
    const s = m as StepMessage;
    if (s.source !== sources.runner) return;
    stepDuration.observe({ flow: s.flow, step: s.step, outcome: s.outcome }, s.seconds);
    if (s.outcome === 'error') stepRetries.inc({ flow: s.flow, step: s.step });
  };
  const onRunner = (m: unknown) => {
    const r = m as RunnerEventMessage;
    if (r.source !== sources.runner) return;
    (r.event === 'takeover' ? takeovers : leasesLost).inc({ flow: r.flow });
  };
  const onStream = (m: unknown) => {
    const s = m as StreamMessage;
    if (s.source === sources.bus) (s.event === 'delivered' ? delivered : lagging).inc(s.count ?? 1);
  };
  const onBatch = (m: unknown) => {
    const b = m as AdmissionBatchMessage;
    if (b.source !== orm.config) return;
    batches.inc({ outcome: b.outcome });
    batchMembers.inc({ outcome: b.outcome }, b.members);
  };
  const subscriptions: [typeof hubCalls, (m: unknown) => void][] = [
    [admissionBatches, onBatch],
    [hubCalls, onHub],
    [transactionRetries, onTx],
    [workflowSteps, onStep],
    [runnerEvents, onRunner],
    [streamEvents, onStream],
  ];
  for (const [channel, fn] of subscriptions) channel.subscribe(fn);
  return () => {
    for (const [channel, fn] of subscriptions) channel.unsubscribe(fn);
  };
}
