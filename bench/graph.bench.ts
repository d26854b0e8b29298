/**
 * Graph read path: throughput and latency of a realistic nested page (one tenant with 50 projects,
 * each with its quotas, its tenant and its first bundles) against a bare Apollo Server 5
 * hello-world on the same HTTP stack and the same load generator; SQL statements per page for two
 * page sizes (no N+1); cold start to /readyz on an empty and on an existing data directory; idle RSS.
 *
 * The gateway is the production bundle as `npm start` runs it (`node dist/spokegraph.mjs`, built
 * first when its sources changed) on a SQLite file in a temp dir, seeded beforehand through the
 * public API. Servers run as child processes; the load generator
 * (node:http, keep-alive, closed loop) runs in this process.
 *
 *   npm run bench:graph -- [--runs 3] [--seconds 10] [--concurrency 32] [--tenants 12] [--projects 60] [--bundles 6] [--profile DIR]
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import 'reflect-metadata';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { summarise as summariseProfile } from './lib/profile-summary.js';
import { q as gqlQ, runLoad, type LoadResult } from './lib/http.js';
import { benchLib, cpuMsOf, descendants, freePort, killAndWait, repoRoot, rssOf, spawnNode, spawnTsx, tempDir, waitFor200 } from './lib/proc.js';
import { A100, appBundleInput, createBundles, createProjects, createTenants, H100, infraBundleInput } from './lib/seed.js';
import { args, environment, fmt, heading, mb, median, ms, sleep, summaryRows, table, verdicts, type Target } from './lib/report.js';

const a = args();
const RUNS = a.int('runs', 3);
const SECONDS = a.int('seconds', 10);
const WARMUP_SECONDS = a.int('warmup', 5);
const CONCURRENCY = a.int('concurrency', 32);
const TENANTS = a.int('tenants', 12);
const PROJECTS = a.int('projects', 60);
const BUNDLES = a.int('bundles', 6);
const PAGE = 50;
const COLD_RUNS = a.int('cold-runs', 3);
/** write a V8 CPU profile of the gateway under the page load into this directory, and summarise it */
const PROFILE = a.get('profile');
const IDLE_MS = 2_000;

/** issue 10: p99 within 3 × p50 under the closed loop; cold start of the built bundle < 1 s and < 150 MB */
const TARGET_TAIL = 3;
const TARGET_COLD_MS = 1_000;
const TARGET_RSS = 150 * 1024 * 1024;

const PAGE_QUERY = `query Page($first: Int!, $after: String) {
  tenants(first: 1, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      name
      gpuQuota { gpuFamily limit used available }
      projects(first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node {
          id
          name
          gpuQuota { gpuFamily limit used available }
          tenant { name }
          profileBundles(first: 5) { nodes { name version bundleType } }
        } }
      }
    } }
  }
}`;

/** Several tenants per page, for the statement count along the other axis. */
const TENANTS_QUERY = `query Tenants($n: Int!) {
  tenants(first: $n) { edges { node { name gpuQuota { gpuFamily limit used available }
    projects(first: 5) { totalCount edges { node { name gpuQuota { gpuFamily limit used available } tenant { name } profileBundles(first: 5) { nodes { name version bundleType } } } } } } } }
}`;

const HELLO = JSON.stringify({ query: '{ hello }' });

interface Seeded {
  dataDir: string;
  token: string;
  afters: (string | null)[];
  statements: { label: string; n: number }[];
  seedMs: number;
  counts: { tenants: number; projects: number; bundles: number };
}

/** Seeds the dataset through the API on an in-process gateway, and counts SQL statements per page. */
async function seed(): Promise<Seeded> {
  const dataDir = tempDir('graph');
  const token = 'sg_bench_' + randomBytes(24).toString('base64url');
  let recording: string[] | null = null;
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'warn', BOOTSTRAP_ADMIN_TOKEN: token, SIM_SPEED: '0' }, repoRoot);
  const app = await startApp(config, { onQuery: (s) => recording?.push(s), noRunner: true });
  const c = { q: <T = any>(query: string, v?: Record<string, unknown>) => gqlQ<T>(app.url, query, v, token) };
  try {
    const t0 = performance.now();
    const tenants = await createTenants(
      c,
      Array.from({ length: TENANTS }, (_, i) => ({
        name: `bench-t${String(i).padStart(3, '0')}`,
        gpuQuota: [
          { gpuFamily: H100, limit: 512 },
          { gpuFamily: A100, limit: 256 },
        ],
      })),
    );
    const projects = await createProjects(
      c,
      tenants.flatMap((t, i) =>
        Array.from({ length: PROJECTS }, (_, j) => ({
          tenantId: t.id,
          name: `bench-t${i}-p${String(j).padStart(3, '0')}`,
          gpuQuota: [
            { gpuFamily: H100, limit: 1 + (j % 16) },
            { gpuFamily: A100, limit: 1 + (j % 8) },
          ],
        })),
      ),
    );
    const bundleInputs = projects.flatMap((p) =>
      Array.from({ length: BUNDLES }, (_, k) => (k % 3 === 2 ? infraBundleInput(p.id, `infra-${k}`) : appBundleInput(p.id, { name: `app-${k}`, gpus: 1 + (k % 2) }))),
    );
    await createBundles(c, bundleInputs, 2);
    const seedMs = performance.now() - t0;

    const list = await c.q<{ tenants: { edges: { cursor: string }[] } }>(`{ tenants(first: 100) { edges { cursor } } }`);
    const cursors = list.tenants.edges.map((e) => e.cursor);
    const afters = [null, ...cursors.slice(0, -1)];

    // check one page: 50 projects with everything the query asks for
    const page = await c.q(PAGE_QUERY, { first: PAGE, after: null });
    const nodes = page.tenants.edges[0].node.projects.edges.map((e: any) => e.node);
    const bad = nodes.find((n: any) => n.gpuQuota.length !== 2 || !n.tenant?.name || n.profileBundles.nodes.length !== Math.min(5, BUNDLES));
    if (nodes.length !== PAGE || bad) throw new Error(`unexpected page (${nodes.length} projects): ${JSON.stringify(bad ?? page).slice(0, 800)}`);

    const count = async (label: string, query: string, variables: Record<string, unknown>) => {
      await c.q(query, variables); // warm (metadata, loaders)
      recording = [];
      await c.q(query, variables);
      const n = recording.length;
      recording = null;
      return { label, n };
    };
    const statements = [
      await count('1 tenant, projects(first: 10)', PAGE_QUERY, { first: 10, after: null }),
      await count('1 tenant, projects(first: 50)', PAGE_QUERY, { first: 50, after: null }),
      await count('tenants(first: 2), 5 projects each', TENANTS_QUERY, { n: 2 }),
      await count('tenants(first: 10), 5 projects each', TENANTS_QUERY, { n: 10 }),
    ];
    return { dataDir, token, afters, statements, seedMs, counts: { tenants: tenants.length, projects: projects.length, bundles: bundleInputs.length } };
  } finally {
    await app.stop();
  }
}

interface Started {
  child: ChildProcess;
  /** the node process serving (the tsx CLI runs the script in a child process) */
  serverPid: number;
  readyMs: number;
  /** CPU time (user + system) the process tree had used when it became ready */
  cpuMs: number;
  port: number;
}

function serverPidOf(child: ChildProcess): number {
  const d = descendants(child.pid!);
  return d.length ? d[d.length - 1] : child.pid!;
}

/** The bundle `npm start` runs (`node dist/spokegraph.mjs`), built now if its sources changed. */
async function ensureBundle(): Promise<string> {
  const buildScript = pathToFileURL(path.join(repoRoot, 'scripts', 'build.mjs')).href;
  const { build, isStale, ENTRY } = (await import(buildScript)) as { build(outdir: string): Promise<unknown>; isStale(outdir: string): boolean; ENTRY: string };
  const outdir = path.join(repoRoot, 'dist');
  if (isStale(outdir)) await build(outdir);
  return path.join(outdir, ENTRY);
}
let bundlePath = '';

/** `node dist/spokegraph.mjs` on `dataDir` (what `npm start` imports once the bundle is built); resolves at the first 200 from /readyz. */
async function startGateway(dataDir: string, execArgv: string[] = []): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnNode(bundlePath, { NODE_ENV: 'production', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIM_SPEED: '0' }, { quiet: true, execArgv });
  const readyMs = await waitFor200(`http://127.0.0.1:${port}/readyz`, t0, 60_000, 5);
  const cpuMs = cpuMsOf(child.pid!);
  return { child, serverPid: child.pid!, readyMs, cpuMs, port };
}

/** The limit: bare node:http + the minimal SQL on the same SQLite file (bench/lib/limit.server.ts). */
async function startLimit(dataDir: string): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnTsx(path.join(benchLib, 'limit.server.ts'), { NODE_ENV: 'production', PORT: String(port), DB_FILE: path.join(dataDir, 'spokegraph.sqlite') }, { quiet: true });
  const readyMs = await waitFor200(`http://127.0.0.1:${port}/readyz`, t0, 60_000, 5);
  return { child, serverPid: serverPidOf(child), readyMs, cpuMs: NaN, port };
}

async function startHello(): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnTsx(path.join(benchLib, 'hello.server.ts'), { NODE_ENV: 'production', PORT: String(port) }, { quiet: true });
  const readyMs = await waitFor200(`http://127.0.0.1:${port}/readyz`, t0, 60_000, 5);
  return { child, serverPid: serverPidOf(child), readyMs, cpuMs: NaN, port };
}

async function coldStarts(seededDir: string): Promise<{ empty: number[]; existing: number[]; rssEmpty: number[]; rssExisting: number[]; cpuEmpty: number[]; cpuExisting: number[] }> {
  // one discarded start: the OS page cache is warm afterwards, as on any restart
  const warm = tempDir('cold');
  const w = await startGateway(warm);
  await killAndWait(w.child);
  fs.rmSync(warm, { recursive: true, force: true });
  const out = { empty: [] as number[], existing: [] as number[], rssEmpty: [] as number[], rssExisting: [] as number[], cpuEmpty: [] as number[], cpuExisting: [] as number[] };
  for (let i = 0; i < COLD_RUNS; i++) {
    const dir = tempDir('cold');
    const e = await startGateway(dir);
    await sleep(IDLE_MS);
    out.empty.push(e.readyMs);
    out.cpuEmpty.push(e.cpuMs);
    out.rssEmpty.push(rssOf(e.serverPid));
    await killAndWait(e.child);
    fs.rmSync(dir, { recursive: true, force: true });
    const x = await startGateway(seededDir);
    await sleep(IDLE_MS);
    out.existing.push(x.readyMs);
    out.cpuExisting.push(x.cpuMs);
    out.rssExisting.push(rssOf(x.serverPid));
    await killAndWait(x.child);
  }
  return out;
}

function row(label: string, r: LoadResult): (string | number)[] {
  return [label, fmt(r.rps), ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), String(r.failed), `${fmt(r.clientCpu * 100, 0)} %`];
}

async function main() {
  environment('Graph read path (nested page) vs Apollo hello-world', {
    runs: RUNS,
    'measured seconds per window': SECONDS,
    'warm-up seconds': WARMUP_SECONDS,
    'in flight (closed loop)': CONCURRENCY,
    dataset: `${TENANTS} tenants × ${PROJECTS} projects (2 quota families each) × ${BUNDLES} bundles`,
    page: `tenants(first: 1, after: rotating) → projects(first: ${PAGE}) { gpuQuota, tenant, profileBundles(first: 5) }`,
    gateway: '`node dist/spokegraph.mjs` (the bundle `npm start` runs; NODE_ENV=production, LOG_LEVEL=warn), SQLite file in a temp dir, simulated hub',
    baseline: 'Apollo Server 5 hello-world, Express 5 + @as-integrations/express5, Apollo defaults (bench/lib/hello.server.ts)',
    limit: 'bare node:http + the minimal SQL (better-sqlite3, prepared) + JSON.stringify of the same response, checked byte for byte (bench/lib/limit.server.ts)',
    'load generator': 'node:http keep-alive, closed loop, in the benchmark process (servers are child processes)',
  });

  bundlePath = await ensureBundle();
  heading('Dataset and SQL statements per page');
  const s = await seed();
  console.log(`seeded ${s.counts.tenants} tenants, ${s.counts.projects} projects, ${s.counts.bundles} bundles through the API in ${fmt(s.seedMs / 1000)} s\n`);
  console.log(table(['page', 'SQL statements (incl. 2 for auth)'], s.statements.map((x) => [x.label, x.n])));
  const byPage = s.statements[0].n === s.statements[1].n;
  const byTenants = s.statements[2].n === s.statements[3].n;

  heading('Cold start to the first 200 from /readyz (`node dist/spokegraph.mjs`, the built bundle `npm start` runs)');
  const cold = await coldStarts(s.dataDir);
  console.log(
    table(
      ['data directory', ...cold.empty.map((_, i) => `run ${i + 1}`), 'median', 'CPU used until ready (median)', `RSS ${IDLE_MS / 1000} s after ready (median)`],
      [
        ['empty (migrate, bootstrap token, demo seed)', ...cold.empty.map((x) => ms(x)), ms(median(cold.empty)), ms(median(cold.cpuEmpty)), mb(median(cold.rssEmpty))],
        [`existing (${s.counts.projects} projects, ${s.counts.bundles} bundles)`, ...cold.existing.map((x) => ms(x)), ms(median(cold.existing)), ms(median(cold.cpuExisting)), mb(median(cold.rssExisting))],
      ],
    ),
  );
  console.log('\n(one discarded start before these, so the OS page cache is warm, as on any restart; CPU = user + system of the gateway process)');

  heading('Throughput and latency');
  const profileDir = PROFILE ? path.resolve(PROFILE, `graph-${Date.now()}`) : null;
  const gw = await startGateway(s.dataDir, profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []);
  await sleep(IDLE_MS);
  const idleRss = rssOf(gw.serverPid);
  const hello = await startHello();
  const limit = await startLimit(s.dataDir);
  const limitUrl = `http://127.0.0.1:${limit.port}/graphql`;
  const gwUrl = `http://127.0.0.1:${gw.port}/graphql`;
  const helloUrl = `http://127.0.0.1:${hello.port}/graphql`;
  const pageBodies = s.afters.map((after) => JSON.stringify({ query: PAGE_QUERY, variables: { first: PAGE, after } }));
  const gwLoad = (durationMs: number) =>
    runLoad({
      url: gwUrl,
      headers: { authorization: `Bearer ${s.token}` },
      bodies: pageBodies,
      concurrency: CONCURRENCY,
      durationMs,
      ok: (b) => !b.includes('"errors"') && b.includes('"profileBundles"'),
    });
  const limitLoad = (durationMs: number) =>
    runLoad({ url: limitUrl, bodies: pageBodies, concurrency: CONCURRENCY, durationMs, ok: (b) => !b.includes('"errors"') && b.includes('"profileBundles"') });
  // the limit must answer the very same document, or its ratio means nothing
  const post = async (url: string, body: string, auth: boolean) =>
    (await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${s.token}` } : {}) } })).json();
  let sameShape = true;
  for (const body of pageBodies.slice(0, 3)) {
    const [g, l] = [await post(gwUrl, body, true), await post(limitUrl, body, false)];
    if (JSON.stringify(g) !== JSON.stringify(l)) {
      sameShape = false;
      console.log(`limit server answers differently from the gateway:\n gateway ${JSON.stringify(g).slice(0, 600)}\n limit   ${JSON.stringify(l).slice(0, 600)}`);
    }
  }
  console.log(`limit server (bare node:http + minimal SQL) answers the page byte for byte as the gateway does: ${sameShape ? 'yes' : 'NO'}`);
  const helloLoad = (durationMs: number) => runLoad({ url: helloUrl, bodies: [HELLO], concurrency: CONCURRENCY, durationMs, ok: (b) => b.includes('"world"') });

  await gwLoad(WARMUP_SECONDS * 1000);
  await helloLoad(WARMUP_SECONDS * 1000);
  await limitLoad(WARMUP_SECONDS * 1000);
  const gwRuns: LoadResult[] = [];
  const helloRuns: LoadResult[] = [];
  const limitRuns: LoadResult[] = [];
  let gwCpuShare = 0;
  let gwCpuMs = 0;
  let gwPages = 0;
  for (let run = 0; run < RUNS; run++) {
    // alternate windows so a noisy neighbour hurts both sides alike
    const cpu0 = cpuMsOf(gw.serverPid);
    const t0 = performance.now();
    gwRuns.push(await gwLoad(SECONDS * 1000));
    const used = cpuMsOf(gw.serverPid) - cpu0;
    gwCpuShare += used / (performance.now() - t0) / RUNS;
    gwCpuMs += used;
    gwPages += gwRuns[run].ok;
    helloRuns.push(await helloLoad(SECONDS * 1000));
    limitRuns.push(await limitLoad(SECONDS * 1000));
    console.log(
      `run ${run + 1}: gateway ${fmt(gwRuns[run].rps)} req/s, hello ${fmt(helloRuns[run].rps)} req/s, limit ${fmt(limitRuns[run].rps)} req/s; ` +
        `gateway ÷ hello ${(gwRuns[run].rps / helloRuns[run].rps).toFixed(3)}, gateway ÷ limit ${(gwRuns[run].rps / limitRuns[run].rps).toFixed(3)}`,
    );
  }
  const loadedRss = rssOf(gw.serverPid);
  const sample = gwRuns[0].samples[0] ?? helloRuns[0].samples[0];
  if (sample) console.log(`\nfailed response sample: ${sample}`);
  console.log();
  console.log(table(['server', 'req/s', 'p50', 'p90', 'p99', 'max', 'failed', 'client CPU'], [...gwRuns.map((r, i) => row(`gateway page, run ${i + 1}`, r)), ...limitRuns.map((r, i) => row(`limit (node:http + SQL) page, run ${i + 1}`, r)), ...helloRuns.map((r, i) => row(`hello-world, run ${i + 1}`, r))]));
  const gwRps = median(gwRuns.map((r) => r.rps));
  const helloRps = median(helloRuns.map((r) => r.rps));
  const ratio = median(gwRuns.map((r, i) => r.rps / helloRuns[i].rps));
  const limitRatio = median(gwRuns.map((r, i) => r.rps / limitRuns[i].rps));
  console.log();
  console.log(
    table(
      ['median', 'value'],
      [
        ['gateway nested page (50 projects) req/s', fmt(gwRps)],
        ['gateway p50 / p99', `${ms(median(gwRuns.map((r) => r.p50)))} / ${ms(median(gwRuns.map((r) => r.p99)))}`],
        ['hello-world req/s', fmt(helloRps)],
        ['hello-world p50 / p99', `${ms(median(helloRuns.map((r) => r.p50)))} / ${ms(median(helloRuns.map((r) => r.p99)))}`],
        ['ratio gateway / hello (median of per-run ratios)', ratio.toFixed(3)],
        ['limit (bare node:http + minimal SQL) req/s', fmt(median(limitRuns.map((r) => r.rps)))],
        ['ratio gateway / limit (median of per-run ratios)', limitRatio.toFixed(3)],
        ['projects served per second', fmt(gwRps * PAGE)],
        ['gateway CPU during its windows (share of one core)', `${fmt(gwCpuShare * 100, 0)} %`],
        ['gateway CPU per page (user + system)', ms(gwCpuMs / gwPages)],
        ['gateway RSS idle after start / after load', `${mb(idleRss)} / ${mb(loadedRss)}`],
      ],
    ),
  );
  await killAndWait(gw.child);
  await killAndWait(hello.child);
  await killAndWait(limit.child);
  fs.rmSync(s.dataDir, { recursive: true, force: true });
  if (profileDir) {
    // the whole life of the gateway process: start, warm-up and the measured windows
    for (const f of fs.readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile'))) {
      heading(`CPU profile of the gateway (${f})`);
      console.log(summariseProfile(path.join(profileDir, f), 25));
    }
  }

  const gwP50 = median(gwRuns.map((r) => r.p50));
  const gwP99 = median(gwRuns.map((r) => r.p99));
  summaryRows([
    { name: 'nested page (50 projects), SQLite: req/s, p50 / p99', value: `${fmt(gwRps)} req/s, ${ms(gwP50)} / ${ms(gwP99)}` },
    { name: 'gateway CPU per page', value: ms(gwCpuMs / gwPages) },
  ]);
  const targets: Target[] = [
    { name: 'nested page req/s ÷ hello-world req/s', value: ratio.toFixed(3), target: '(reported; ~1,350 fields vs one)', met: null },
    {
      name: 'nested page req/s ÷ limit req/s (bare node:http + minimal SQL, SQLite)',
      value: limitRatio.toFixed(3),
      target: '≥ 0.25',
      met: sameShape ? limitRatio >= 0.25 : null,
      note: sameShape ? undefined : 'limit answered differently',
    },
    { name: 'peer: PostGraphile on PostgreSQL', value: 'n/a', target: '≥ 1.0 × PostGraphile', met: null, note: 'not built yet (bench/README.md)' },
    { name: 'nested page p99 ÷ p50 (closed loop)', value: (gwP99 / gwP50).toFixed(1), target: `≤ ${TARGET_TAIL}`, met: gwP99 / gwP50 <= TARGET_TAIL },
    {
      name: 'SQL statements independent of page size',
      value: `${s.statements.map((x) => x.n).join(' / ')} (${s.statements.map((x) => x.label.replace(/ each|, /g, ' ')).join(' / ')})`,
      target: '10 = 50 projects; 2 = 10 tenants',
      met: byPage && byTenants,
    },
    { name: 'cold start to /readyz, empty data dir', value: ms(median(cold.empty)), target: `< ${TARGET_COLD_MS} ms`, met: median(cold.empty) < TARGET_COLD_MS },
    { name: 'cold start to /readyz, existing data dir', value: ms(median(cold.existing)), target: `< ${TARGET_COLD_MS} ms`, met: median(cold.existing) < TARGET_COLD_MS },
    { name: 'idle RSS after start (existing data)', value: mb(idleRss), target: `< ${mb(TARGET_RSS)}`, met: idleRss < TARGET_RSS },
    { name: 'idle RSS after start (empty data, median)', value: mb(median(cold.rssEmpty)), target: `< ${mb(TARGET_RSS)}`, met: median(cold.rssEmpty) < TARGET_RSS },
  ];
  verdicts(targets);
}

await main();
