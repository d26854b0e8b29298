/**
 * Two replicas on one PostgreSQL and one Redis, against one replica, in the same run (issue 9).
 *
 * 1. Fan-out: N graphql-ws subscribers on one project's `projectEvents`, held by worker processes;
 *    E events committed on replica A (EventLog.commit, stamped just before the commit). First with
 *    all N subscribers on A, then with them spread over A and B, where B's subscribers hear the events
 *    through Redis. Prints commit → delivery p50/p99 per replica and the RSS of each replica.
 * 2. Admission: concurrent `deployApp` calls on one SHARED pool (runner stopped, so only admission is
 *    measured), first all on A, then split over A and B. Prints admissions/s of each.
 *
 * A private redis-server is started on a free port. Defaults are small; scale with:
 *   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:replicas -- \
 *     [--subscribers 10000] [--events 20] [--interval-ms 500] [--workers 4] [--requests 1000] [--concurrency 64]
 * (or BENCH_SUBSCRIBERS / BENCH_REQUESTS in the environment)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { startGateway, type Gateway } from './lib/gateway.js';
import { runLoad } from './lib/http.js';
import { createPgDatabase } from './lib/pg.js';
import { benchLib, freePort, IpcChild, killAndWait, rssOf } from './lib/proc.js';
import { appBundleInput, createBundles, infraBundleInput, quotaProject, registerFleet, sharedPool } from './lib/seed.js';
import { args, environment, fmt, heading, mb, ms, percentile, sleep, table } from './lib/report.js';

const a = args();
const SUBSCRIBERS = a.int('subscribers', Number(process.env.BENCH_SUBSCRIBERS ?? 200));
const EVENTS = a.int('events', 10);
const INTERVAL_MS = a.int('interval-ms', 200);
const WORKERS = a.int('workers', 2);
const REQUESTS = a.int('requests', Number(process.env.BENCH_REQUESTS ?? 100));
const CONCURRENCY = a.int('concurrency', 16);
const PARALLEL_CONNECTS = 50;
const QUERY = `subscription($p: ID!) { projectEvents(projectId: $p) { id seq projectSeq type phase percent message details time } }`;
const DEPLOY = `mutation($input: DeployAppInput!) { deployApp(input: $input) { appDeployment { id } userErrors { field message code } } }`;

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return { url: `redis://127.0.0.1:${port}`, child };
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('redis-server did not start (is it installed?)');
    await sleep(50);
  }
}

interface FanOut {
  label: string;
  perReplica: { name: string; subscribers: number; delivered: number; expected: number; p50: number; p99: number; rss: number }[];
}

async function fanOut(label: string, gws: { name: string; gw: Gateway }[], publisher: Gateway, workers: IpcChild[]): Promise<FanOut> {
  const { project } = await quotaProject(publisher, 1, 'fan');
  // workers are assigned to replicas in turn; subscribers split evenly over the workers
  const per = workers.map((_, i) => Math.floor(SUBSCRIBERS / workers.length) + (i < SUBSCRIBERS % workers.length ? 1 : 0));
  const target = (i: number) => gws[i % gws.length];
  const idle = await Promise.all(gws.map((g) => g.gw.ipc.call<number>('subscribers')));
  const conns = await Promise.all(
    workers.map((w, i) => w.call<{ connected: number }>('connect', { url: target(i).gw.wsUrl, token: publisher.token, query: QUERY, variables: { p: project.id }, count: per[i], parallel: PARALLEL_CONNECTS })),
  );
  const want = gws.map((_, gi) => conns.reduce((s, c, i) => s + (i % gws.length === gi ? c.connected : 0), 0));
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const now = await Promise.all(gws.map((g) => g.gw.ipc.call<number>('subscribers')));
    if (now.every((n, i) => n >= idle[i] + want[i])) break;
    await sleep(100);
  }
  await sleep(500);
  await Promise.all(workers.map((w) => w.call('reset')));
  await publisher.ipc.call('publish', { projectId: project.id, count: EVENTS, intervalMs: INTERVAL_MS, subjectId: randomUUID() });
  const expected = conns.reduce((s, c) => s + c.connected, 0) * EVENTS;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const got = (await Promise.all(workers.map((w) => w.call<number>('count')))).reduce((s, c) => s + c, 0);
    if (got >= expected) break;
    await sleep(100);
  }
  const stats = await Promise.all(workers.map((w) => w.call<{ received: number; delays: number[] }>('stats')));
  const rss = gws.map((g) => rssOf(g.gw.pid));
  await Promise.all(workers.map((w) => w.call('close')));
  return {
    label,
    perReplica: gws.map((g, gi) => {
      const mine = stats.filter((_, i) => i % gws.length === gi);
      const delays = Float64Array.from(mine.flatMap((s) => s.delays));
      return { name: g.name, subscribers: want[gi], delivered: mine.reduce((s, x) => s + x.received, 0), expected: want[gi] * EVENTS, p50: percentile(delays, 50), p99: percentile(delays, 99), rss: rss[gi] };
    }),
  };
}

async function admissions(label: string, targets: Gateway[], body: (prefix: string) => string, token: string): Promise<{ label: string; admitted: number; perSec: number; p99: number }> {
  const headers = { authorization: `Bearer ${token}` };
  const admittedOk = (b: string) => b.includes('"userErrors":[]');
  const rs = await Promise.all(
    targets.map((gw, i) =>
      runLoad({ url: gw.url, headers, bodies: [body(`${label}-${i}`)], concurrency: Math.max(1, Math.floor(CONCURRENCY / targets.length)), total: Math.floor(REQUESTS / targets.length), ok: admittedOk }),
    ),
  );
  const admitted = rs.reduce((s, r) => s + r.ok, 0);
  const elapsed = Math.max(...rs.map((r) => r.elapsedMs));
  return { label, admitted, perSec: admitted / (elapsed / 1000), p99: Math.max(...rs.map((r) => r.p99)) };
}

async function main() {
  const created = await createPgDatabase();
  if ('skipped' in created) {
    console.log(`bench:replicas skipped: ${created.skipped}`);
    return;
  }
  const db = created.db;
  const redis = await startRedis();
  environment('Replicas: fan-out and admission, 2 replicas vs 1 (PostgreSQL + Redis)', {
    subscribers: SUBSCRIBERS,
    'events per fan-out': `${EVENTS}, one every ${INTERVAL_MS} ms, committed on replica A`,
    'subscriber processes': WORKERS,
    'admission calls': `${REQUESTS} per storm, concurrency ${CONCURRENCY} (split over the replicas)`,
    redis: redis.url,
  });
  const cap = String(Math.max(SUBSCRIBERS * 2, 1000));
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    MAX_SOCKETS_PER_TOKEN: cap,
    MAX_SOCKETS: cap,
    MAX_SUBSCRIPTIONS_PER_TOKEN: cap,
    MAX_SUBSCRIPTIONS: cap,
    MAX_HANDSHAKES_PER_MINUTE: '1000000',
  };
  const gwA = await startGateway({ env });
  // B joins A's database; its runner stays off (the pools are provisioned on A's embedded hub)
  const gwB = await startGateway({ env: { ...env, BOOTSTRAP_ADMIN_TOKEN: gwA.token }, noRunner: true });
  const workers = Array.from({ length: WORKERS }, () => new IpcChild(path.join(benchLib, 'fanout.worker.ts'), {}));
  try {
    await Promise.all(workers.map((w) => w.waitMessage((m) => m?.type === 'ready')));
    heading('fan-out');
    const one = await fanOut('1 replica', [{ name: 'A', gw: gwA }], gwA, workers);
    const two = await fanOut('2 replicas', [{ name: 'A', gw: gwA }, { name: 'B (through Redis)', gw: { ...gwB, token: gwA.token } }], gwA, workers);
    const rows = [one, two].flatMap((f) => f.perReplica.map((r) => [f.label, r.name, r.subscribers, `${r.delivered}/${r.expected}`, ms(r.p50), ms(r.p99), mb(r.rss)]));
    console.log(table(['run', 'replica', 'subscribers', 'delivered', 'commit→delivery p50', 'p99', 'replica RSS'], rows));

    heading('admission');
    const quota = 3 * REQUESTS + 64;
    const { tenant, project } = await quotaProject(gwA, quota, 'adm');
    const gpusPerWorker = 32;
    const workersPerCluster = Math.max(1, Math.ceil(quota / gpusPerWorker / 2));
    await registerFleet(gwA, tenant.id, { controlPlanes: 2, gpuHosts: 2 * workersPerCluster, gpusPerHost: gpusPerWorker });
    const [infra] = await createBundles(gwA, [infraBundleInput(project.id)]);
    const [app] = await createBundles(gwA, [appBundleInput(project.id, { gpus: 1 })]);
    const pool = await sharedPool(gwA, { projectId: project.id, infraBundleId: infra, clusters: 2, gpuWorkersPerCluster: workersPerCluster, gpusPerWorker });
    await gwA.ipc.call('stopRunner');
    const body = (prefix: string) => JSON.stringify({ query: DEPLOY, variables: { input: { projectId: project.id, name: `${prefix}-{{i}}`, bundleIds: [app], poolId: pool.id } } });
    await admissions('warm', [gwA, gwB], body, gwA.token);
    const single = await admissions('one', [gwA], body, gwA.token);
    const double = await admissions('two', [gwA, gwB], body, gwA.token);
    console.log(
      table(
        ['storm', 'admitted', 'admissions/s', 'slowest replica p99'],
        [single, double].map((r) => [r.label === 'one' ? '1 replica' : '2 replicas', r.admitted, fmt(r.perSec), ms(r.p99)]),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await gwB.stop();
    await gwA.stop();
    await killAndWait(redis.child, 'SIGTERM').catch(() => undefined);
    await db.drop();
  }
}

await main();
