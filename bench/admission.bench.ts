/**
 * Admission storm: concurrent `deployApp` calls against one project and one big SHARED pool, on
 * SQLite and on PostgreSQL. Measures admissions per second and the latency of each call, then
 * verifies that nothing was over-allocated: the project's and the tenant's `used` equal the sum of
 * the open reservations and the number of admitted deployments, never above the limit, and no
 * cluster has more GPUs allocated than it has.
 *
 * The workflow runner is stopped once the pool is RUNNING, so the storm measures admission alone
 * (the deployments stay QUEUED). The gateway runs in its own process; the load comes from this one.
 *
 * Besides throughput and latency it reports the gateway's CPU per call (ms of CPU time, user +
 * system, all threads) and, on PostgreSQL, how many server backends were waiting on a lock,
 * sampled every 50 ms from pg_stat_activity during the storm (by wait event).
 *
 *   npm run bench:admission -- [--runs 3] [--requests 1000] [--concurrency 64] [--only sqlite|postgresql] [--profile DIR] [--count-sql]
 *   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:admission
 */
import path from 'node:path';
import pg from 'pg';
import { startGateway, type Gateway } from './lib/gateway.js';
import { runLoad } from './lib/http.js';
import { createPgDatabase, pgInfo } from './lib/pg.js';
import { summarise } from './lib/profile-summary.js';
import { appBundleInput, createBundles, H100, infraBundleInput, quotaProject, registerFleet, sharedPool } from './lib/seed.js';
import { args, environment, fmt, heading, median, ms, printSqlCounts, summaryRows, table, verdicts, type Target } from './lib/report.js';

const a = args();
const RUNS = a.int('runs', 3);
const REQUESTS = a.int('requests', 1000);
const CONCURRENCY = a.int('concurrency', 64);
const WARMUP = a.int('warmup', 50);
const CLUSTERS = a.int('clusters', 8);
const WORKERS = a.int('workers', 5);
const GPUS_PER_WORKER = a.int('gpus-per-worker', 32);
/** the quota admits this share of the storm; the rest must be refused with QUOTA_EXCEEDED */
const ADMIT_SHARE = 0.95;
const ONLY = a.get('only');
const TARGET_PG = 500;
/** a directory: record a V8 CPU profile of the gateway during each storm, and print its summary */
const PROFILE = a.get('profile');
/** statements per deployApp call of the storm, by shape (the query log costs CPU: the CPU figures are not comparable then) */
const COUNT_SQL = a.flag('count-sql');

const QUOTA = WARMUP + Math.floor(REQUESTS * ADMIT_SHARE);
const CAPACITY = CLUSTERS * WORKERS * GPUS_PER_WORKER;
if (CAPACITY < QUOTA) throw new Error(`the pool holds ${CAPACITY} GPUs, fewer than the quota ${QUOTA}: raise --clusters/--workers/--gpus-per-worker`);

const DEPLOY = `mutation($input: DeployAppInput!) { deployApp(input: $input) { appDeployment { id cluster } userErrors { field message code } } }`;

interface RunResult {
  admitted: number;
  refused: Record<string, number>;
  failed: number;
  admittedPerSec: number;
  callsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  gatewayCpu: number;
  /** gateway CPU time per deployApp call (admitted or refused), ms */
  cpuPerCall: number;
  clientCpu: number;
  /** PostgreSQL: mean number of backends of the storm's database in a lock wait (by wait event), and active ones */
  locks: LockSample | null;
  verified: boolean;
  verification: string;
  samples: string[];
}

async function seed(gw: Gateway) {
  const { tenant, project } = await quotaProject(gw, QUOTA, 'adm');
  await registerFleet(gw, tenant.id, { controlPlanes: CLUSTERS, gpuHosts: CLUSTERS * WORKERS, gpusPerHost: GPUS_PER_WORKER });
  const [infra] = await createBundles(gw, [infraBundleInput(project.id)]);
  const [app] = await createBundles(gw, [appBundleInput(project.id, { gpus: 1 })]);
  const pool = await sharedPool(gw, { projectId: project.id, infraBundleId: infra, clusters: CLUSTERS, gpuWorkersPerCluster: WORKERS, gpusPerWorker: GPUS_PER_WORKER });
  return { tenant, project, app, pool };
}

async function verify(gw: Gateway, projectName: string, poolName: string): Promise<{ ok: boolean; text: string; admitted: number }> {
  const [p] = await gw.sql<{ id: string; tenant_id: string }>('select id, tenant_id from project where name = ?', [projectName]);
  const [pool] = await gw.sql<{ id: string }>('select id from compute_pool where name = ? and project_id = ?', [poolName, p.id]);
  const quota = async (scope: string) => (await gw.sql<{ used: number; hard_limit: number }>('select used, hard_limit from gpu_quota where scope_id = ? and gpu_family = ?', [scope, H100]))[0];
  const pq = await quota(p.id);
  const tq = await quota(p.tenant_id);
  const [res] = await gw.sql<{ n: number; s: number | null }>(
    "select count(*) as n, sum(count) as s from gpu_reservation where project_id = ? and holder_kind = 'APP_DEPLOYMENT' and released_at is null",
    [p.id],
  );
  const [deps] = await gw.sql<{ n: number }>('select count(*) as n from app_deployment where project_id = ?', [p.id]);
  const [alloc] = await gw.sql<{ s: number | null; over: number | null }>('select sum(allocated) as s, max(allocated - capacity) as over from cluster_gpu where pool_id = ?', [pool.id]);
  const used = Number(pq.used);
  const limit = Number(pq.hard_limit);
  const reserved = Number(res.s ?? 0);
  const admitted = Number(deps.n);
  const allocated = Number(alloc.s ?? 0);
  const over = Number(alloc.over ?? 0);
  const ok = used === reserved && used === admitted && used <= limit && Number(tq.used) === used && allocated === admitted && over <= 0;
  return {
    ok,
    admitted,
    text: `project used ${used} / limit ${limit}, tenant used ${tq.used}, open reservations ${reserved} (${res.n} rows), deployments ${admitted}, cluster GPUs allocated ${allocated} (max over capacity ${over})`,
  };
}

interface LockSample {
  active: number;
  waiting: Record<string, number>;
}

/** Samples pg_stat_activity of one database every 50 ms until stopped: mean active and lock-waiting backends. */
function sampleLocks(dbUrl: string): { stop(): Promise<LockSample> } {
  const dbName = new URL(dbUrl).pathname.slice(1);
  const c = new pg.Client({ connectionString: dbUrl });
  let samples = 0;
  let active = 0;
  const waiting: Record<string, number> = {};
  let stopped = false;
  const loop = (async () => {
    await c.connect();
    while (!stopped) {
      const { rows } = await c.query<{ state: string; wait_event_type: string | null; wait_event: string | null }>(
        'select state, wait_event_type, wait_event from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [dbName],
      );
      samples++;
      for (const r of rows) {
        if (r.state !== 'active' && r.state !== 'idle in transaction') continue;
        active++;
        if (r.wait_event_type === 'Lock' || r.wait_event_type === 'LWLock') waiting[`${r.wait_event_type}:${r.wait_event}`] = (waiting[`${r.wait_event_type}:${r.wait_event}`] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await c.end();
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      const n = Math.max(1, samples);
      return { active: active / n, waiting: Object.fromEntries(Object.entries(waiting).map(([k, v]) => [k, v / n])) };
    },
  };
}

const lockText = (l: LockSample | null) =>
  l ? `${fmt(l.active)} busy, waiting ${Object.entries(l.waiting).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none'}` : 'n/a';

async function oneRun(dialect: 'sqlite' | 'postgresql', dbUrl: string | null): Promise<RunResult> {
  const gw = await startGateway({ env: { ...(dbUrl ? { DATABASE_URL: dbUrl } : {}), ...(COUNT_SQL ? { BENCH_SQL_COUNT: '1' } : {}) } });
  try {
    const { project, app, pool } = await seed(gw);
    await gw.ipc.call('stopRunner');
    const body = (prefix: string) =>
      JSON.stringify({ query: DEPLOY, variables: { input: { projectId: project.id, name: `${prefix}-{{i}}`, bundleIds: [app], poolId: pool.id, variables: [{ name: 'model', value: 'mistral-7b' }] } } });
    const headers = { authorization: `Bearer ${gw.token}` };
    const admittedOk = (b: string) => b.includes('"userErrors":[]');
    // warm-up: JIT, statement caches, connection pool
    const warm = await runLoad({ url: gw.url, headers, bodies: [body('warm')], concurrency: Math.min(16, CONCURRENCY), total: WARMUP, ok: admittedOk });
    if (warm.ok !== WARMUP) throw new Error(`warm-up admitted ${warm.ok}/${WARMUP}: ${warm.samples.join('\n')}`);
    if (PROFILE) await gw.ipc.call('profileStart');
    if (COUNT_SQL) await gw.ipc.call('sqlCounts');
    const sampler = dbUrl ? sampleLocks(dbUrl) : null;
    await gw.cpu();
    // the storm runs on established connections: 64 connects at once into a gateway kept busy by the
    // first ones would measure its accept queue, not admission (bench/README.md: cold7, and the last-measured section of 2026-12-07)
    const r = await runLoad({ url: gw.url, headers, bodies: [body('storm')], concurrency: CONCURRENCY, total: REQUESTS, ok: admittedOk, openFirst: JSON.stringify({ query: '{ viewer { name } }' }) });
    const gcpu = await gw.cpu();
    if (COUNT_SQL) printSqlCounts(await gw.ipc.call<Record<string, number>>('sqlCounts'), REQUESTS, `deployApp call (${dialect})`);
    const locks = (await sampler?.stop()) ?? null;
    if (PROFILE) {
      const file = await gw.ipc.call<string>('profileStop', { file: path.resolve(PROFILE, `admission-${dialect}-${Date.now()}.cpuprofile`) });
      console.log(summarise(file, 25));
    }
    const refused: Record<string, number> = {};
    // failed responses are refusals (userErrors) or errors: classify from the samples we keep, and count from the DB
    const v = await verify(gw, project.name, pool.name);
    const stormAdmitted = v.admitted - WARMUP;
    if (stormAdmitted !== r.ok) refused.MISMATCH = stormAdmitted - r.ok;
    const refusedCount = REQUESTS - r.ok;
    if (refusedCount > 0) {
      const codes = r.samples.map((s) => /"code":"([A-Z_]+)"/.exec(s)?.[1] ?? 'OTHER');
      refused[[...new Set(codes)].join('|') || 'OTHER'] = refusedCount;
    }
    return {
      admitted: r.ok,
      refused,
      failed: r.failed,
      admittedPerSec: r.okPerSec,
      callsPerSec: r.rps,
      p50: r.p50,
      p99: r.p99,
      max: r.max,
      gatewayCpu: gcpu.share,
      cpuPerCall: (gcpu.userMs + gcpu.systemMs) / REQUESTS,
      clientCpu: r.clientCpu,
      locks,
      verified: v.ok,
      verification: v.text,
      samples: r.samples.filter((s) => !s.includes('QUOTA_EXCEEDED')).slice(0, 2),
    };
  } finally {
    await gw.stop();
  }
}

async function main() {
  environment('Admission storm (deployApp)', {
    runs: RUNS,
    'storm requests': REQUESTS,
    'in flight': CONCURRENCY,
    'warm-up admissions': WARMUP,
    'GPUs per deployment': 1,
    'project & tenant quota (H100)': `${QUOTA} (admits ${Math.round(ADMIT_SHARE * 100)} % of the storm; the rest must be QUOTA_EXCEEDED)`,
    pool: `SHARED, ${CLUSTERS} clusters × (1 control plane + ${WORKERS} workers × ${GPUS_PER_WORKER} GPUs) = ${CAPACITY} GPUs`,
    'workflow runner': 'stopped after the pool is RUNNING (admission only; deployments stay QUEUED)',
    'load generator': 'node:http keep-alive, closed loop, in the benchmark process; gateway in a child process',
  });
  const targets: Target[] = [];
  for (const dialect of ['sqlite', 'postgresql'] as const) {
    if (ONLY && ONLY !== dialect) continue;
    heading(dialect === 'sqlite' ? 'SQLite (file in a temp dir, WAL)' : 'PostgreSQL');
    const results: RunResult[] = [];
    if (dialect === 'postgresql') {
      const probe = await createPgDatabase();
      if ('skipped' in probe) {
        console.log(`PostgreSQL skipped: ${probe.skipped}`);
        targets.push({ name: `admissions/s on PostgreSQL`, value: 'n/a', target: `≥ ${TARGET_PG}`, met: null, note: 'skipped' });
        continue;
      }
      console.log(await pgInfo(probe.db.url));
      await probe.db.drop();
    }
    for (let run = 1; run <= RUNS; run++) {
      let db: { url: string; drop(): Promise<void> } | null = null;
      if (dialect === 'postgresql') {
        const c = await createPgDatabase();
        if ('skipped' in c) throw new Error(c.skipped);
        db = c.db;
      }
      try {
        const r = await oneRun(dialect, db?.url ?? null);
        results.push(r);
        console.log(
          `run ${run}: ${fmt(r.admittedPerSec)} admitted/s, ${fmt(r.callsPerSec)} calls/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, gateway CPU ${fmt(r.gatewayCpu * 100, 0)} % (${ms(r.cpuPerCall)}/call), ` +
            (r.locks ? `PG backends ${lockText(r.locks)}, ` : '') +
            `admitted ${r.admitted}, refused ${JSON.stringify(r.refused)}; ${r.verified ? 'verified' : 'OVER-ALLOCATION OR MISMATCH'}: ${r.verification}`,
        );
        for (const s of r.samples) console.log(`  unexpected response: ${s}`);
      } finally {
        await db?.drop();
      }
    }
    console.log();
    console.log(
      table(
        ['median of ' + results.length + ' runs', 'value'],
        [
          ['admitted/s', fmt(median(results.map((r) => r.admittedPerSec)))],
          ['deployApp calls/s (admitted + refused)', fmt(median(results.map((r) => r.callsPerSec)))],
          ['latency p50', ms(median(results.map((r) => r.p50)))],
          ['latency p99', ms(median(results.map((r) => r.p99)))],
          ['latency max', ms(median(results.map((r) => r.max)))],
          ['gateway CPU (share of one core)', `${fmt(median(results.map((r) => r.gatewayCpu)) * 100, 0)} %`],
          ['gateway CPU per deployApp call', ms(median(results.map((r) => r.cpuPerCall)))],
          ...(results[0]?.locks
            ? [
                ['PG backends busy (mean)', fmt(median(results.map((r) => r.locks!.active)))],
                ['PG backends in a lock wait (mean)', fmt(median(results.map((r) => Object.values(r.locks!.waiting).reduce((x, y) => x + y, 0))))],
              ]
            : []),
          ['client CPU (share of one core)', `${fmt(median(results.map((r) => r.clientCpu)) * 100, 0)} %`],
          ['zero over-allocation verified', results.every((r) => r.verified) ? `yes (${results.length}/${results.length})` : `NO (${results.filter((r) => r.verified).length}/${results.length})`],
        ],
      ),
    );
    const rate = median(results.map((r) => r.admittedPerSec));
    summaryRows([
      {
        name: `deployApp on ${dialect}: p50 / p99, gateway CPU per call${results[0]?.locks ? ', PG backends in a lock wait' : ''}`,
        value:
          `${ms(median(results.map((r) => r.p50)))} / ${ms(median(results.map((r) => r.p99)))}, ${ms(median(results.map((r) => r.cpuPerCall)))}` +
          (results[0]?.locks ? `, ${fmt(median(results.map((r) => Object.values(r.locks!.waiting).reduce((x, y) => x + y, 0))))}` : ''),
      },
    ]);
    targets.push({ name: `admissions/s on ${dialect}`, value: fmt(rate), target: dialect === 'postgresql' ? `≥ ${TARGET_PG}` : '(reported)', met: dialect === 'postgresql' ? rate >= TARGET_PG : null, note: dialect === 'sqlite' ? 'no target' : undefined });
    targets.push({ name: `no over-allocation on ${dialect}`, value: results.every((r) => r.verified) ? 'used == reservations == deployments ≤ limit' : 'violated', target: 'always', met: results.every((r) => r.verified) });
  }
  verdicts(targets);
}

await main();
