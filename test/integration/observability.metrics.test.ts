/**
 * /metrics of a real gateway after a pool is provisioned on the simulated hub: the runner, hub
 * calls, database and subscription metrics move with what happened; Node's default metrics carry
 * their standard names; promtool (when installed) finds no problem; and the Grafana dashboard in
 * deploy/ queries only metrics the gateway exposes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createInfraBundle, createPool, registerMachines, waitForPoolPhase } from '../helpers/compute.js';
import { familyNames, sample, scrape, total } from '../helpers/metrics.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';
import { wsClient } from '../helpers/ws.js';

let app: TestApp;
let base: string;
let text: string;
let delivered = 0;

beforeAll(async () => {
  app = await startTestApp();
  base = app.url.replace(/\/graphql$/, '');
  const t = await createTenant(app, uniq('t'), [{ gpuFamily: 'NVIDIA-H100', limit: 16 }]);
  const p = await createProject(app, t.id, uniq('p'), [{ gpuFamily: 'NVIDIA-H100', limit: 16 }]);
  await registerMachines(app, t.id, { controlPlanes: 1, gpuHosts: [{ family: 'NVIDIA-H100', count: 1, gpusEach: 8 }] });
  const bundle = await createInfraBundle(app, p.id);
  const d = await createPool(app, { projectId: p.id, infrastructureBundleId: bundle, workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] });
  const id = d.createComputePool.computePool.id;
  // a subscriber that reads the pool's events as they come (replay included)
  const ws = wsClient(app.wsUrl, `Bearer ${app.adminToken}`);
  const done = new Promise<void>((resolve) => {
    const stop = ws.client.subscribe(
      { query: `subscription($id: ID!) { computePoolEvents(id: $id) { seq phase } }`, variables: { id } },
      {
        next: (r) => {
          delivered++;
          if ((r.data as { computePoolEvents: { phase: string } }).computePoolEvents.phase === 'RUNNING') {
            stop();
            resolve();
          }
        },
        error: () => resolve(),
        complete: () => resolve(),
      },
    );
  });
  expect((await waitForPoolPhase(app, id, ['RUNNING', 'FAILED'])).phase).toBe('RUNNING');
  await Promise.race([done, new Promise((r) => setTimeout(r, 20_000))]);
  await ws.dispose();
  text = await scrape(base);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('runtime metrics', () => {
  it('workflow: jobs by state, step durations by flow and step', () => {
    expect(sample(text, 'spokegraph_workflow_jobs', { state: 'DONE' })).toBeGreaterThanOrEqual(1);
    expect(total(text, 'spokegraph_workflow_step_duration_seconds_count', { flow: 'compute-pool.provision', outcome: 'done' })).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^spokegraph_workflow_step_duration_seconds_count\{flow="compute-pool\.provision",step="request-clusters",outcome="done"\} \d+/m);
    expect(text).toMatch(/^# TYPE spokegraph_workflow_lease_takeovers_total counter$/m);
    expect(text).toMatch(/^# TYPE spokegraph_workflow_step_retries_total counter$/m);
  });

  it('hub calls by verb, kind and status, with latency', () => {
    expect(total(text, 'spokegraph_hub_requests_total', { status: 'ok' })).toBeGreaterThan(0);
    expect(total(text, 'spokegraph_hub_requests_total', { verb: 'apply', status: 'ok' })).toBeGreaterThan(0);
    expect(total(text, 'spokegraph_hub_request_duration_seconds_count')).toBe(total(text, 'spokegraph_hub_requests_total'));
  });

  it('database pool and transaction retries', () => {
    expect(text).toMatch(/^# TYPE spokegraph_db_transaction_retries_total counter$/m);
    expect(sample(text, 'spokegraph_db_pool_connections', { state: 'used' })).not.toBeNull();
  });

  it('admission batches: exposed with nothing queued (their counts: deployments.batch-overlap)', () => {
    expect(text).toMatch(/^# TYPE spokegraph_admission_batches_total counter$/m);
    expect(text).toMatch(/^# TYPE spokegraph_admission_batch_members_total counter$/m);
    expect(sample(text, 'spokegraph_admissions_queued')).toBe(0);
  });

  it('subscriptions: every event delivered is counted', () => {
    expect(delivered).toBeGreaterThan(0);
    expect(sample(text, 'spokegraph_subscription_events_delivered_total')).toBe(delivered);
    expect(sample(text, 'spokegraph_subscription_lagging_total')).toBe(0);
  });

  it('Node and process metrics under their standard names', () => {
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).not.toMatch(/^spokegraph_process_/m);
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v promtool']).status !== 0)('promtool check metrics finds no problem', () => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the Grafana dashboard', () => {
  it('queries only metrics /metrics exposes', () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/spokegraph.json', import.meta.url), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const families = familyNames(text);
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:spokegraph|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!)));
    const unknown = [...used].filter((name) => !families.has(name) && !families.has(name.replace(/_(bucket|count|sum)$/, '')));
    expect(unknown).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });
});
