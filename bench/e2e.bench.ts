/**
 * End to end at simulator speed 0: `deployApp` onto a big SHARED pool until the deployment is
 * RUNNING on the (simulated) hub, with a fixed number of deployments in flight. Completions are
 * observed through a `projectEvents` subscription (the PHASE_CHANGED → RUNNING event), so the
 * benchmark adds no polling load. Reports steady-state completions per second (between the 10th
 * and the 90th percentile of completions) and the deploy→RUNNING latency.
 *
 * The gateway (with its workflow runner) runs in a child process; the simulated hub in another
 * (src/sim/standalone.ts, reached through HUB_KUBECONFIG as a real hub would be), so the gateway's
 * CPU is its own. `--embedded-hub` runs the hub inside the gateway instead (the default setup of
 * `npm start`). `--profile DIR` records a V8 CPU profile of the gateway over the measured window.
 *
 * `--pg` runs on a fresh PostgreSQL database (from TEST_DATABASE_URL) instead of SQLite. Besides
 * completions/s it prints the gateway's and the hub's CPU per completed deployment (admission,
 * every workflow step, the events delivered to the benchmark's subscription): on a machine shared
 * with other work, the figure that moves least with the load.
 *
 *   npm run bench:e2e -- [--runs 3] [--total 400] [--warmup 100] [--inflight 100] [--poll-ms 50] [--concurrency 64] [--embedded-hub] [--pg] [--profile DIR] [--hub-profile DIR]
 *   npm run bench:e2e -- --sweep          (tries several WORKFLOW_POLL_MS × WORKFLOW_CONCURRENCY, one run each)
 *   (--hub-profile: a CPU profile of the simulated hub process over its whole life, summarised after the run)
 *   npm run bench:e2e -- --count-sql      (statements per deployment by shape; the query log costs CPU: no CPU figures then)
 */
import fs from 'node:fs';
import path from 'node:path';
import { startGateway, type Gateway } from './lib/gateway.js';
import { startHubProcess, type HubProcess } from './lib/hub.process.js';
import { createPgDatabase, type PgDatabase } from './lib/pg.js';
import { rssOf } from './lib/proc.js';
import { summarise } from './lib/profile-summary.js';
import { appBundleInput, createBundles, infraBundleInput, quotaProject, registerFleet, sharedPool } from './lib/seed.js';
import { args, environment, fmt, heading, mb, median, ms, percentile, printSqlCounts, table, verdicts, type Target } from './lib/report.js';
import { subscribe } from './lib/ws.js';

const a = args();
const RUNS = a.int('runs', 3);
const TOTAL = a.int('total', 400);
/**
 * Deployments completed in the same gateway before the clock starts, not counted: a fresh
 * gateway's first deployments run while V8 compiles their paths (the first of three runs measured
 * 21.7 ms of gateway CPU per deployment, the next 18.0 and 17.7, all fresh processes), and a short
 * run would measure mostly that. The lanes do not pause between them and the measured ones (the
 * pipeline stays full). The figure is the steady state of a running gateway; `--warmup 0` measures a
 * cold one, as before 2026-12-07.
 */
const WARMUP = a.int('warmup', 100);
const INFLIGHT = a.int('inflight', 100);
const POLL_MS = a.int('poll-ms', 50);
const CONCURRENCY = a.int('concurrency', 64);
const SWEEP = a.flag('sweep');
const CLUSTERS = a.int('clusters', 4);
const WORKERS = a.int('workers', 4);
const GPUS_PER_WORKER = 32;
const TARGET = 50;
const TIMEOUT_MS = a.int('timeout-s', 600) * 1000;
const EMBEDDED_HUB = a.flag('embedded-hub');
const PROFILE = a.get('profile');
const HUB_PROFILE = a.get('hub-profile');
const PG = a.flag('pg');
const COUNT_SQL = a.flag('count-sql');

const DEPLOY = `mutation($input: DeployAppInput!) { deployApp(input: $input) { appDeployment { id } userErrors { field message code } } }`;
const EVENTS = `subscription($p: ID!) { projectEvents(projectId: $p) { subjectId type phase } }`;

interface RunResult {
  pollMs: number;
  concurrency: number;
  completed: number;
  failed: number;
  steadyPerSec: number;
  overallPerSec: number;
  p50: number;
  p99: number;
  wallMs: number;
  gatewayCpu: number;
  /** gateway CPU (ms) per completed deployment */
  cpuPerDeployment: number;
  /** hub CPU (ms) per completed deployment (NaN when embedded) */
  hubCpuPerDeployment: number;
  /** CPU share of one core used by the hub process (NaN when embedded) */
  hubCpu: number;
  rss: number;
}

async function oneRun(pollMs: number, concurrency: number, total: number): Promise<RunResult> {
  const gpus = CLUSTERS * WORKERS * GPUS_PER_WORKER;
  if (total + WARMUP > gpus) throw new Error(`--total ${total} + --warmup ${WARMUP} deployments need more than the pool's ${gpus} GPUs (one each): raise --clusters or --workers`);
  let pg: PgDatabase | null = null;
  if (PG) {
    const made = await createPgDatabase();
    if ('skipped' in made) throw new Error(`--pg: ${made.skipped}`);
    pg = made.db;
  }
  const hub: HubProcess | null = EMBEDDED_HUB ? null : await startHubProcess({ speed: 0, profileDir: HUB_PROFILE });
  const gw: Gateway = await startGateway({
    env: { ...(COUNT_SQL ? { BENCH_SQL_COUNT: '1' } : {}), WORKFLOW_POLL_MS: String(pollMs), WORKFLOW_CONCURRENCY: String(concurrency), SIM_SPEED: '0', ...(hub ? { HUB_KUBECONFIG: hub.kubeconfig } : {}), ...(pg ? { DATABASE_URL: pg.url } : {}) },
  });
  try {
    const { tenant, project } = await quotaProject(gw, total + WARMUP + 10, 'e2e');
    await registerFleet(gw, tenant.id, { controlPlanes: CLUSTERS, gpuHosts: CLUSTERS * WORKERS, gpusPerHost: GPUS_PER_WORKER });
    const [infra] = await createBundles(gw, [infraBundleInput(project.id)]);
    const [app] = await createBundles(gw, [appBundleInput(project.id, { gpus: 1 })]);
    const pool = await sharedPool(gw, { projectId: project.id, infraBundleId: infra, clusters: CLUSTERS, gpuWorkersPerCluster: WORKERS, gpusPerWorker: GPUS_PER_WORKER });

    // completion → resolver; an event may arrive before deployApp's answer, so both sides are kept
    const doneAt = new Map<string, { at: number; phase: string }>();
    const waiting = new Map<string, (v: { at: number; phase: string }) => void>();
    const sub = subscribe<{ projectEvents: { subjectId: string; type: string; phase: string } }>(gw.wsUrl, gw.token, EVENTS, { p: project.id }, (d) => {
      const e = d.projectEvents;
      if (e.type !== 'PHASE_CHANGED' || (e.phase !== 'RUNNING' && e.phase !== 'FAILED')) return;
      const v = { at: performance.now(), phase: e.phase };
      const w = waiting.get(e.subjectId);
      if (w) {
        waiting.delete(e.subjectId);
        w(v);
      } else doneAt.set(e.subjectId, v);
    });
    await sub.connected;

    const deadline = performance.now() + TIMEOUT_MS;
    // The gateway's steady state: a fresh process runs its first deployments while V8 compiles the
    // admission, runner and hub paths (see WARMUP). The lanes run WARMUP + total deployments without
    // a pause; the clock, the CPU and the profile start when the WARMUP-th has completed, with the
    // pipeline full, and the next `total` completions are measured.
    const latencies: number[] = [];
    const completions: number[] = [];
    let failed = 0;
    let warmFailed = 0;
    let submitted = 0;
    let settled = 0;
    let t0 = performance.now();
    let hubCpu0 = NaN;
    let measuring: Promise<void> | null = null;
    const startClock = async () => {
      t0 = performance.now();
      await gw.cpu();
      hubCpu0 = hub?.cpuMs() ?? NaN;
      if (PROFILE) await gw.ipc.call('profileStart');
      if (COUNT_SQL) await gw.ipc.call('sqlCounts');
    };
    if (WARMUP === 0) await (measuring = startClock());
    const count = WARMUP + total;
    const lane = async () => {
      while (submitted < count && performance.now() < deadline) {
        const i = submitted++;
        const start = performance.now();
        const r = await gw.q(DEPLOY, { input: { projectId: project.id, name: `e2e-${i}`, bundleIds: [app], poolId: pool.id } });
        if (r.deployApp.userErrors.length) throw new Error(`deployApp refused: ${JSON.stringify(r.deployApp.userErrors)}`);
        const id: string = r.deployApp.appDeployment.id;
        const done =
          doneAt.get(id) ??
          (await new Promise<{ at: number; phase: string }>((resolve, reject) => {
            waiting.set(id, resolve);
            setTimeout(() => reject(new Error(`deployment ${i} not RUNNING after ${TIMEOUT_MS} ms`)), Math.max(1, deadline - performance.now())).unref();
          }));
        doneAt.delete(id);
        const counted = settled++ >= WARMUP;
        if (!counted) {
          if (done.phase === 'FAILED') warmFailed++;
          if (settled === WARMUP) measuring = startClock();
        } else if (done.phase === 'FAILED') failed++;
        else {
          latencies.push(done.at - start);
          completions.push(done.at - t0);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(INFLIGHT, count) }, lane));
    await measuring;
    if (warmFailed) throw new Error(`${warmFailed} warm-up deployments FAILED`);
    const wallMs = performance.now() - t0;
    const cpu = await gw.cpu();
    const hubCpuMs = (hub?.cpuMs() ?? NaN) - hubCpu0;
    const hubCpu = hubCpuMs / wallMs;
    const done = completions.length + failed;
    const rss = rssOf(gw.pid);
    if (COUNT_SQL) printSqlCounts(await gw.ipc.call<Record<string, number>>('sqlCounts'), done, 'completed deployment');
    if (PROFILE) {
      const file = await gw.ipc.call<string>('profileStop', { file: path.resolve(PROFILE, `e2e-${Date.now()}.cpuprofile`) });
      console.log(summarise(file));
    }
    await sub.close();
    completions.sort((x, y) => x - y);
    const lo = Math.floor(completions.length * 0.1);
    const hi = Math.floor(completions.length * 0.9) - 1;
    const steady = hi > lo ? ((hi - lo) / (completions[hi] - completions[lo])) * 1000 : NaN;
    return {
      pollMs,
      concurrency,
      completed: completions.length,
      failed,
      steadyPerSec: steady,
      overallPerSec: (completions.length / wallMs) * 1000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      wallMs,
      gatewayCpu: cpu.share,
      cpuPerDeployment: (cpu.userMs + cpu.systemMs) / done,
      hubCpuPerDeployment: hubCpuMs / done,
      hubCpu,
      rss,
    };
  } finally {
    await gw.stop();
    await hub?.stop();
    if (hub && HUB_PROFILE) {
      const newest = fs.readdirSync(HUB_PROFILE).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(HUB_PROFILE, f)).sort((x, y) => fs.statSync(y).mtimeMs - fs.statSync(x).mtimeMs)[0];
      if (newest) console.log(`simulated hub (whole life):\n${summarise(newest)}`);
    }
    await pg?.drop();
  }
}

const line = (r: RunResult) => [
  `poll ${r.pollMs} ms, concurrency ${r.concurrency}`,
  `${r.completed}${r.failed ? ` (+${r.failed} FAILED)` : ''}`,
  fmt(r.steadyPerSec),
  fmt(r.overallPerSec),
  ms(r.p50),
  ms(r.p99),
  `${fmt(r.gatewayCpu * 100, 0)} %`,
  ms(r.cpuPerDeployment),
  Number.isNaN(r.hubCpu) ? '(embedded)' : `${fmt(r.hubCpu * 100, 0)} %, ${ms(r.hubCpuPerDeployment)}`,
  mb(r.rss),
];
const HEAD = ['configuration', 'RUNNING', 'steady /s', 'overall /s', 'p50 deploy→RUNNING', 'p99', 'gateway CPU', 'gateway CPU per deployment', 'hub CPU, per deployment', 'gateway RSS'];

async function main() {
  environment('End to end: deployApp → RUNNING (SIM_SPEED=0)', {
    runs: RUNS,
    'deployments per run': `${TOTAL} measured, after ${WARMUP} warm-up deployments in the same gateway (not counted)`,
    'in flight': INFLIGHT,
    'WORKFLOW_POLL_MS': POLL_MS,
    'WORKFLOW_CONCURRENCY': CONCURRENCY,
    sweep: SWEEP,
    pool: `SHARED, ${CLUSTERS} clusters × (1 control plane + ${WORKERS} workers × ${GPUS_PER_WORKER} GPUs); 1 GPU per deployment`,
    'completion signal': 'projectEvents subscription (PHASE_CHANGED to RUNNING), graphql-ws from the benchmark process',
    'steady state': 'completions between the 10th and the 90th percentile ÷ the time between them',
    database: PG ? 'PostgreSQL, a fresh database per run (TEST_DATABASE_URL)' : 'SQLite file in a temp dir',
    hub: EMBEDDED_HUB ? 'simulated, embedded in the gateway process' : 'simulated, its own process (src/sim/standalone.ts via HUB_KUBECONFIG)',
  });
  if (SWEEP) {
    heading('Sweep (one run each, 200 deployments)');
    const rows: RunResult[] = [];
    for (const poll of [20, 100, 500]) for (const conc of [32, 128]) {
      const r = await oneRun(poll, conc, Math.min(TOTAL, 200));
      rows.push(r);
      console.log(`poll ${poll} ms, concurrency ${conc}: ${fmt(r.steadyPerSec)}/s steady, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}`);
    }
    console.log();
    console.log(table(HEAD, rows.map(line)));
  }
  heading(`Runs at WORKFLOW_POLL_MS=${POLL_MS}, WORKFLOW_CONCURRENCY=${CONCURRENCY}`);
  const results: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await oneRun(POLL_MS, CONCURRENCY, TOTAL);
    results.push(r);
    console.log(`run ${i + 1}: ${fmt(r.steadyPerSec)}/s steady, ${fmt(r.overallPerSec)}/s overall, ${ms(r.cpuPerDeployment)} gateway CPU per deployment, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ${r.completed} RUNNING, ${r.failed} FAILED in ${fmt(r.wallMs / 1000)} s`);
  }
  console.log();
  console.log(table(HEAD, results.map(line)));
  const steady = median(results.map((r) => r.steadyPerSec));
  console.log();
  console.log(
    table(
      [`median of ${results.length} runs`, 'value'],
      [
        ['steady-state completions/s', fmt(steady)],
        ['overall completions/s (incl. ramp-up and tail)', fmt(median(results.map((r) => r.overallPerSec)))],
        ['deploy→RUNNING p50', ms(median(results.map((r) => r.p50)))],
        ['deploy→RUNNING p99', ms(median(results.map((r) => r.p99)))],
        ['gateway CPU (share of one core)', `${fmt(median(results.map((r) => r.gatewayCpu)) * 100, 0)} %`],
        ['gateway CPU per completed deployment', ms(median(results.map((r) => r.cpuPerDeployment)))],
        ['hub CPU (share of one core)', EMBEDDED_HUB ? '(embedded)' : `${fmt(median(results.map((r) => r.hubCpu)) * 100, 0)} %`],
      ],
    ),
  );
  const targets: Target[] = [
    { name: `deployments/s to RUNNING, ${INFLIGHT} in flight`, value: fmt(steady), target: `≥ ${TARGET}`, met: steady >= TARGET },
    { name: 'no deployment FAILED', value: String(results.reduce((n, r) => n + r.failed, 0)), target: '0', met: results.every((r) => r.failed === 0) },
  ];
  verdicts(targets);
}

await main();
