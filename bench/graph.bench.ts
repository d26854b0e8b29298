/**
 * Graph read path: throughput and latency of a realistic nested page (one tenant with 50 projects,
 * each with its quotas, its tenant and its first bundles) against a bare Apollo Server 5
 * hello-world on the same HTTP stack and the same load generator; SQL statements per page for two
 * page sizes (no N+1); cold start to /readyz on an empty and on an existing data directory; idle RSS.
 *
 * The gateway is the production bundle as `npm start` runs it (`node dist/spokegraph.mjs`, built
 * first when its sources changed) on a SQLite file in a temp dir, seeded beforehand through the
 * public API; with TEST_DATABASE_URL (or a postgres:// DATABASE_URL) the same dataset is also seeded
 * on a fresh PostgreSQL database (dropped afterwards), where the gateway, the limit and the peer
 * (PostGraphile v4, bench/peer: installed on demand into bench/peer/node_modules, never a
 * dependency of spokegraph) serve the same page. A small query (viewer + one project by name) is
 * measured against the same hello-world. Servers run as child processes; the load generator
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
import { execFileSync } from 'node:child_process';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { summarise as summariseProfile } from './lib/profile-summary.js';
import { q as gqlQ, runLoad, type LoadResult } from './lib/http.js';
import { benchLib, cpuMsOf, descendants, freePort, killAndWait, repoRoot, rssOf, spawnNode, spawnTsx, tempDir, waitFor200 } from './lib/proc.js';
import { A100, appBundleInput, createBundles, createProjects, createTenants, H100, infraBundleInput } from './lib/seed.js';
import { createPgDatabase, pgAdminUrl, pgInfo, type PgDatabase } from './lib/pg.js';
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
/** leave PostgreSQL (gateway, limit, peer) out even when a database is configured */
const NO_PG = a.flag('no-pg');
/** only the dataset and the cold starts (start-up time, CPU until ready, idle RSS): no load windows */
const COLD_ONLY = a.flag('cold-only');
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

/** issue 10: a small query — who am I, and one project by name — against the same hello-world */
const SMALL_QUERY = `query Small($name: String!) {
  viewer { name isPlatformAdmin }
  project(name: $name) { id name displayName namespace createdAt }
}`;
const TARGET_SMALL = 0.5;

/**
 * The same page in PostGraphile's schema: same nesting and the same fields (its names: a tenant's
 * own quota rows are those with level TENANT; `available` is the computed column bench/peer adds,
 * greatest(0, hard_limit - used), as the gateway computes it).
 */
const PEER_QUERY = `query Page($first: Int!, $after: Cursor) {
  allTenants(first: 1, after: $after, orderBy: ID_ASC) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      name
      gpuQuotasByTenantId(condition: { level: "TENANT" }, orderBy: GPU_FAMILY_ASC) { nodes { gpuFamily hardLimit used available } }
      projectsByTenantId(first: $first, orderBy: ID_ASC) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node {
          nodeId
          name
          gpuQuotasByProjectId(orderBy: GPU_FAMILY_ASC) { nodes { gpuFamily hardLimit used available } }
          tenantByTenantId { name }
          profileBundlesByProjectId(first: 5, orderBy: ID_ASC) { nodes { name version type } }
        } }
      }
    } }
  }
}`;
const peerDir = path.join(repoRoot, 'bench', 'peer');

interface Seeded {
  dataDir: string;
  token: string;
  afters: (string | null)[];
  statements: { label: string; n: number }[];
  seedMs: number;
  counts: { tenants: number; projects: number; bundles: number };
  /** a project of the dataset, for the small query */
  projectName: string;
}

/** Seeds the dataset through the API on an in-process gateway, and counts SQL statements per page. */
async function seed(databaseUrl: string | null = null): Promise<Seeded> {
  const dataDir = tempDir('graph');
  const token = 'sg_bench_' + randomBytes(24).toString('base64url');
  let recording: string[] | null = null;
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'warn', BOOTSTRAP_ADMIN_TOKEN: token, SIM_SPEED: '0', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }, repoRoot);
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

    if (databaseUrl) return { dataDir, token, afters, statements: [], seedMs, counts: { tenants: tenants.length, projects: projects.length, bundles: bundleInputs.length }, projectName: projects[0].name };
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
    return { dataDir, token, afters, statements, seedMs, counts: { tenants: tenants.length, projects: projects.length, bundles: bundleInputs.length }, projectName: projects[0].name };
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
  /** the gateway: when /readyz stopped reporting `"hub": "connecting"` (the hub is connected after the API is served) */
  hubMs?: number;
}

/** Polls /readyz until it no longer says the hub is connecting; ms since `since`. */
async function hubConnected(port: number, since: number, timeoutMs = 60_000): Promise<number> {
  for (;;) {
    const body = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { hub?: string };
    if (!body.hub) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`the hub did not connect within ${timeoutMs} ms`);
    await sleep(5);
  }
}

function serverPidOf(child: ChildProcess): number {
  const d = descendants(child.pid!);
  return d.length ? d[d.length - 1] : child.pid!;
}

/** The bundle `npm start` runs (`node dist/spokegraph.mjs`), built now if its sources changed. */
async function ensureBundle(): Promise<string> {
  const buildScript = pathToFileURL(path.join(repoRoot, 'scripts', 'build.mjs')).href;
  const { build, isStale, ENTRY, NODE_FLAGS } = (await import(buildScript)) as { build(outdir: string): Promise<unknown>; isStale(outdir: string): boolean; ENTRY: string; NODE_FLAGS?: string[] };
  const outdir = path.join(repoRoot, 'dist');
  if (isStale(outdir)) await build(outdir);
  nodeFlags = NODE_FLAGS ?? [];
  return path.join(outdir, ENTRY);
}
let bundlePath = '';
/** the Node options every start of the bundle passes (scripts/build.mjs NODE_FLAGS: the image, `npm start`) */
let nodeFlags: string[] = [];

/** `node dist/spokegraph.mjs` on `dataDir` (what `npm start` imports once the bundle is built); resolves at the first 200 from /readyz. */
async function startGateway(dataDir: string, execArgv: string[] = [], databaseUrl = ''): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const env = { NODE_ENV: 'production', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIM_SPEED: '0' };
  const child = spawnNode(bundlePath, env, { quiet: true, execArgv: [...nodeFlags, ...execArgv] });
  const readyMs = await waitFor200(`http://127.0.0.1:${port}/readyz`, t0, 60_000, 5);
  const cpuMs = cpuMsOf(child.pid!);
  // idle figures (RSS) are taken from here on: with the hub loaded, not in the moment before
  const hubMs = await hubConnected(port, t0);
  return { child, serverPid: child.pid!, readyMs, cpuMs, port, hubMs };
}

/**
 * The limit: bare node:http + the minimal SQL (bench/lib/limit.server.ts), on the SQLite file or on
 * PostgreSQL; it writes the `extensions` the gateway answered the page with (the cost report), so
 * both send the same bytes.
 */
async function startLimit(db: { file: string } | { url: string }, extensions: unknown): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const where: Record<string, string> = 'url' in db ? { DATABASE_URL: db.url } : { DATABASE_URL: '', DB_FILE: db.file };
  const child = spawnTsx(path.join(benchLib, 'limit.server.ts'), { NODE_ENV: 'production', PORT: String(port), PAGE_EXTENSIONS: JSON.stringify(extensions), ...where }, { quiet: true });
  const readyMs = await waitFor200(`http://127.0.0.1:${port}/readyz`, t0, 60_000, 5);
  return { child, serverPid: serverPidOf(child), readyMs, cpuMs: NaN, port };
}

/** PostGraphile from bench/peer/node_modules, installed there (pinned, npm ci) when missing: never part of `npm ci` of the project. */
function ensurePeer(): void {
  if (fs.existsSync(path.join(peerDir, 'node_modules', 'postgraphile', 'package.json'))) return;
  console.log('installing the peer (PostGraphile, bench/peer/package-lock.json) into bench/peer/node_modules …');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: peerDir, stdio: 'inherit' });
}

async function startPeer(url: string): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnNode(path.join(peerDir, 'server.mjs'), { NODE_ENV: 'production', PORT: String(port), DATABASE_URL: url }, { quiet: true });
  const readyMs = await waitFor200(`http://127.0.0.1:${port}/readyz`, t0, 120_000, 5);
  return { child, serverPid: child.pid!, readyMs, cpuMs: NaN, port };
}

async function startHello(): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnTsx(path.join(benchLib, 'hello.server.ts'), { NODE_ENV: 'production', PORT: String(port) }, { quiet: true });
  const readyMs = await waitFor200(`http://127.0.0.1:${port}/readyz`, t0, 60_000, 5);
  return { child, serverPid: serverPidOf(child), readyMs, cpuMs: NaN, port };
}

async function coldStarts(
  seededDir: string,
): Promise<{ empty: number[]; existing: number[]; rssEmpty: number[]; rssExisting: number[]; cpuEmpty: number[]; cpuExisting: number[]; hubEmpty: number[]; hubExisting: number[] }> {
  // one discarded start: the OS page cache is warm afterwards, as on any restart
  const warm = tempDir('cold');
  const w = await startGateway(warm);
  await killAndWait(w.child);
  fs.rmSync(warm, { recursive: true, force: true });
  const out = { empty: [] as number[], existing: [] as number[], rssEmpty: [] as number[], rssExisting: [] as number[], cpuEmpty: [] as number[], cpuExisting: [] as number[], hubEmpty: [] as number[], hubExisting: [] as number[] };
  for (let i = 0; i < COLD_RUNS; i++) {
    const dir = tempDir('cold');
    const e = await startGateway(dir);
    await sleep(IDLE_MS);
    out.empty.push(e.readyMs);
    out.hubEmpty.push(e.hubMs ?? NaN);
    out.cpuEmpty.push(e.cpuMs);
    out.rssEmpty.push(rssOf(e.serverPid));
    await killAndWait(e.child);
    fs.rmSync(dir, { recursive: true, force: true });
    const x = await startGateway(seededDir);
    await sleep(IDLE_MS);
    out.existing.push(x.readyMs);
    out.hubExisting.push(x.hubMs ?? NaN);
    out.cpuExisting.push(x.cpuMs);
    out.rssExisting.push(rssOf(x.serverPid));
    await killAndWait(x.child);
  }
  return out;
}

/** Where the slowest requests of a window sit: at its start (a burst), or anywhere but answered only once the load stopped (starved). */
function tailRow(label: string, r: LoadResult): (string | number)[] {
  const slow: number[] = [];
  for (let i = 0; i < r.latencies.length; i++) if (r.latencies[i] > 5 * r.p50) slow.push(i);
  const early = slow.filter((i) => r.startOffsets[i] < r.deadlineMs * 0.1).length;
  const late = slow.filter((i) => r.startOffsets[i] + r.latencies[i] > r.deadlineMs).length;
  return [label, ms(r.p50), `${slow.length} of ${r.latencies.length}`, String(early), String(late), slow.length ? ms(median(slow.map((i) => r.startOffsets[i]))) : '-'];
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
    gateway: '`node <NODE_FLAGS of scripts/build.mjs> dist/spokegraph.mjs` (the bundle `npm start` runs; NODE_ENV=production, LOG_LEVEL=warn), SQLite file in a temp dir, simulated hub',
    baseline: 'Apollo Server 5 hello-world, Express 5 + @as-integrations/express5, Apollo defaults (bench/lib/hello.server.ts)',
    limit: 'bare node:http + the minimal SQL (better-sqlite3, prepared) + JSON.stringify of the same response, checked byte for byte (bench/lib/limit.server.ts)',
    'small query': 'viewer { name isPlatformAdmin } + project(name) { id name displayName namespace createdAt }, against the same hello-world',
    peer: 'PostGraphile 4.14.1 (bench/peer, its own node_modules), production options, the same page in its schema, same PostgreSQL database as the gateway',
    postgresql: pgAdminUrl() && !NO_PG ? 'a fresh database per run (dropped afterwards): gateway, limit and peer' : 'skipped (no TEST_DATABASE_URL, or --no-pg)',
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
      ['data directory', ...cold.empty.map((_, i) => `run ${i + 1}`), 'median', 'CPU used until ready (median)', 'hub connected at (median)', `RSS ${IDLE_MS / 1000} s after the hub connected (median)`],
      [
        ['empty (migrate, bootstrap token, demo seed)', ...cold.empty.map((x) => ms(x)), ms(median(cold.empty)), ms(median(cold.cpuEmpty)), ms(median(cold.hubEmpty)), mb(median(cold.rssEmpty))],
        [`existing (${s.counts.projects} projects, ${s.counts.bundles} bundles)`, ...cold.existing.map((x) => ms(x)), ms(median(cold.existing)), ms(median(cold.cpuExisting)), ms(median(cold.hubExisting)), mb(median(cold.rssExisting))],
      ],
    ),
  );
  console.log('\n(one discarded start before these, so the OS page cache is warm, as on any restart; CPU = user + system of the gateway process)');
  console.log('(ready = the database answers and the API is served; the hub (client-node, the embedded simulator) is connected after, and /readyz says "hub": "connecting" until then: RSS is taken once it is connected)');

  if (COLD_ONLY) {
    verdicts(coldTargets(cold));
    return;
  }
  const pg = NO_PG ? ({ skipped: '--no-pg' } as const) : await createPgDatabase();
  const pgDb: PgDatabase | null = 'db' in pg ? pg.db : null;
  try {
    await throughput(s, cold, byPage, byTenants, pgDb, 'skipped' in pg ? pg.skipped : '');
  } finally {
    await pgDb?.drop();
  }
}

interface Measured {
  label: string;
  runs: LoadResult[];
  /** CPU (user + system) of the server process during its windows, and the share of one core */
  cpuMs: number;
  cpuShare: number;
}

/** A server under the closed loop: warm-up, then one window per run (alternated with the others by the caller). */
function measured(label: string, pid: number, opts: { url: string; headers?: Record<string, string>; bodies: string[]; ok: (b: string) => boolean }) {
  const m: Measured = { label, runs: [], cpuMs: 0, cpuShare: 0 };
  const load = (durationMs: number) => runLoad({ ...opts, concurrency: CONCURRENCY, durationMs, openFirst: true });
  return {
    m,
    warm: () => load(WARMUP_SECONDS * 1000),
    window: async () => {
      const cpu0 = cpuMsOf(pid);
      const t0 = performance.now();
      const r = await load(SECONDS * 1000);
      const used = cpuMsOf(pid) - cpu0;
      m.cpuMs += used;
      m.cpuShare += used / (performance.now() - t0) / RUNS;
      m.runs.push(r);
      return r;
    },
  };
}

const med = (xs: number[]) => median(xs.filter((x) => Number.isFinite(x)));
const cpuPerOk = (m: Measured) => m.cpuMs / Math.max(1, m.runs.reduce((n, r) => n + r.ok, 0));
const ratioOf = (a: Measured, b: Measured) => med(a.runs.map((r, i) => r.rps / (b.runs[i]?.rps ?? NaN)));

async function post(url: string, body: string, token?: string): Promise<any> {
  return (await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } })).json();
}

/** Whether the limit answers the first pages byte for byte as the gateway does (printing the first difference). */
async function sameBytes(gwUrl: string, limitUrl: string, bodies: string[], token: string, what: string): Promise<boolean> {
  let same = true;
  for (const body of bodies.slice(0, 3)) {
    const [g, l] = [JSON.stringify(await post(gwUrl, body, token)), JSON.stringify(await post(limitUrl, body))];
    if (g !== l) {
      same = false;
      const i = [...g].findIndex((c, k) => c !== l[k]);
      console.log(`${what}: the limit answers differently from the gateway at byte ${i}:\n gateway …${g.slice(Math.max(0, i - 200), i + 200)}\n limit   …${l.slice(Math.max(0, i - 200), i + 200)}`);
    }
  }
  console.log(`${what}: limit server (bare node:http + minimal SQL) answers the page byte for byte as the gateway does: ${same ? 'yes' : 'NO'}`);
  return same;
}

async function throughput(s: Seeded, cold: Awaited<ReturnType<typeof coldStarts>>, byPage: boolean, byTenants: boolean, pgDb: PgDatabase | null, pgSkipped: string) {
  let pgSeed: Seeded | null = null;
  if (pgDb) {
    heading('The same dataset on PostgreSQL (gateway, limit and peer)');
    console.log(await pgInfo(pgDb.url));
    pgSeed = await seed(pgDb.url);
    console.log(`seeded ${pgSeed.counts.tenants} tenants, ${pgSeed.counts.projects} projects, ${pgSeed.counts.bundles} bundles through the API in ${fmt(pgSeed.seedMs / 1000)} s`);
    ensurePeer();
  } else {
    console.log(`\nPostgreSQL parts skipped: ${pgSkipped}`);
  }

  heading('Throughput and latency');
  const profileDir = PROFILE ? path.resolve(PROFILE, `graph-${Date.now()}`) : null;
  const stopping: ChildProcess[] = [];
  // one profile per gateway (SQLite, PostgreSQL), named so the summaries below say which is which
  const profiled = (name: string) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `gateway-${name}.cpuprofile`] : []);
  const gw = await startGateway(s.dataDir, profiled('sqlite'));
  stopping.push(gw.child);
  await sleep(IDLE_MS);
  const idleRss = rssOf(gw.serverPid);
  const gwUrl = `http://127.0.0.1:${gw.port}/graphql`;
  const pageBodies = (x: Seeded) => x.afters.map((after) => JSON.stringify({ query: PAGE_QUERY, variables: { first: PAGE, after } }));
  const pageOk = (b: string) => !b.includes('"errors"') && b.includes('"profileBundles"');
  // the cost report the gateway adds to the page (the same for every page of this shape)
  const extensions = (await post(gwUrl, pageBodies(s)[0], s.token)).extensions;
  const hello = await startHello();
  const limit = await startLimit({ file: path.join(s.dataDir, 'spokegraph.sqlite') }, extensions);
  stopping.push(hello.child, limit.child);
  const limitUrl = `http://127.0.0.1:${limit.port}/graphql`;
  const sameShape = await sameBytes(gwUrl, limitUrl, pageBodies(s), s.token, 'SQLite');
  const auth = (x: Seeded) => ({ authorization: `Bearer ${x.token}` });

  const servers = [
    measured('gateway page, SQLite', gw.serverPid, { url: gwUrl, headers: auth(s), bodies: pageBodies(s), ok: pageOk }),
    measured('limit page, SQLite', limit.serverPid, { url: limitUrl, bodies: pageBodies(s), ok: pageOk }),
    measured('hello-world', hello.serverPid, { url: `http://127.0.0.1:${hello.port}/graphql`, bodies: [HELLO], ok: (b) => b.includes('"world"') }),
    measured('gateway small query (viewer + project by name), SQLite', gw.serverPid, {
      url: gwUrl,
      headers: auth(s),
      bodies: [JSON.stringify({ query: SMALL_QUERY, variables: { name: s.projectName } })],
      ok: (b) => !b.includes('"errors"') && b.includes('"namespace"'),
    }),
  ];
  const [gwM, limitM, helloM, smallM] = servers.map((x) => x.m);
  let pgM: { gw: Measured; limit: Measured; peer: Measured; same: boolean; peerOk: boolean } | null = null;
  if (pgDb && pgSeed) {
    const gwPg = await startGateway(pgSeed.dataDir, profiled('postgresql'), pgDb.url);
    stopping.push(gwPg.child);
    const gwPgUrl = `http://127.0.0.1:${gwPg.port}/graphql`;
    const limitPg = await startLimit({ url: pgDb.url }, (await post(gwPgUrl, pageBodies(pgSeed)[0], pgSeed.token)).extensions);
    const peer = await startPeer(pgDb.url);
    stopping.push(limitPg.child, peer.child);
    const limitPgUrl = `http://127.0.0.1:${limitPg.port}/graphql`;
    const peerUrl = `http://127.0.0.1:${peer.port}/graphql`;
    const same = await sameBytes(gwPgUrl, limitPgUrl, pageBodies(pgSeed), pgSeed.token, 'PostgreSQL');
    // the peer's pages: the same tenants, after the peer's own cursors
    const peerAfters: (string | null)[] = [null];
    for (let i = 1; i < pgSeed.afters.length; i++) {
      const r = await post(peerUrl, JSON.stringify({ query: PEER_QUERY, variables: { first: PAGE, after: peerAfters[i - 1] } }));
      peerAfters.push(r.data.allTenants.pageInfo.endCursor);
    }
    const peerBodies = peerAfters.map((after) => JSON.stringify({ query: PEER_QUERY, variables: { first: PAGE, after } }));
    const check = await post(peerUrl, peerBodies[0]);
    const nodes = check.data?.allTenants?.edges?.[0]?.node?.projectsByTenantId?.edges?.map((e: any) => e.node) ?? [];
    const peerOk =
      nodes.length === PAGE && nodes.every((n: any) => n.gpuQuotasByProjectId.nodes.length === 2 && n.tenantByTenantId?.name && n.profileBundlesByProjectId.nodes.length === Math.min(5, BUNDLES));
    console.log(`peer (PostGraphile) answers the page with ${nodes.length} projects, each with 2 quotas, its tenant and ${Math.min(5, BUNDLES)} bundles: ${peerOk ? 'yes' : `NO: ${JSON.stringify(check).slice(0, 600)}`}`);
    const more = [
      measured('gateway page, PostgreSQL', gwPg.serverPid, { url: gwPgUrl, headers: auth(pgSeed), bodies: pageBodies(pgSeed), ok: pageOk }),
      measured('limit page, PostgreSQL', limitPg.serverPid, { url: limitPgUrl, bodies: pageBodies(pgSeed), ok: pageOk }),
      measured('peer page (PostGraphile 4), PostgreSQL', peer.serverPid, { url: peerUrl, bodies: peerBodies, ok: (b) => !b.includes('"errors"') && b.includes('"profileBundlesByProjectId"') }),
    ];
    servers.push(...more);
    pgM = { gw: more[0].m, limit: more[1].m, peer: more[2].m, same, peerOk };
  }

  for (const x of servers) await x.warm();
  for (let run = 0; run < RUNS; run++) {
    // alternate windows so a noisy neighbour hurts every server alike
    for (const x of servers) await x.window();
    const r = (a: Measured, b: Measured) => (a.runs[run].rps / b.runs[run].rps).toFixed(3);
    console.log(
      `run ${run + 1}: ${servers.map((x) => `${x.m.label} ${fmt(x.m.runs[run].rps)} req/s`).join(', ')}; SQLite gateway ÷ limit ${r(gwM, limitM)}, small ÷ hello ${r(smallM, helloM)}` +
        (pgM ? `, PostgreSQL gateway ÷ peer ${r(pgM.gw, pgM.peer)}, gateway ÷ limit ${r(pgM.gw, pgM.limit)}` : ''),
    );
  }
  const loadedRss = rssOf(gw.serverPid);
  heading('Tail of the closed loop: which requests are slow');
  console.log(table(['server, run', 'p50', 'requests > 5 × p50', 'of them sent in the first 10 % of the window', 'of them answered after the window closed', 'sent at (median, ms into the window)'], servers.flatMap((x) => x.m.runs.map((r, i) => tailRow(`${x.m.label}, run ${i + 1}`, r)))));
  console.log('(a request answered only after the window closed waited while the others kept being served: an unfair queue, not slow work)');
  for (const x of servers) {
    const sample = x.m.runs[0]?.samples[0];
    if (sample) console.log(`\n${x.m.label}: failed response sample: ${sample}`);
  }
  console.log();
  console.log(table(['server', 'req/s', 'p50', 'p90', 'p99', 'max', 'failed', 'client CPU'], servers.flatMap((x) => x.m.runs.map((r, i) => row(`${x.m.label}, run ${i + 1}`, r)))));
  for (const c of stopping) await killAndWait(c);
  fs.rmSync(s.dataDir, { recursive: true, force: true });
  if (pgSeed) fs.rmSync(pgSeed.dataDir, { recursive: true, force: true });

  const rps = (m: Measured) => med(m.runs.map((r) => r.rps));
  const p50 = (m: Measured) => med(m.runs.map((r) => r.p50));
  const p99 = (m: Measured) => med(m.runs.map((r) => r.p99));
  const limitRatio = ratioOf(gwM, limitM);
  const smallRatio = ratioOf(smallM, helloM);
  console.log();
  console.log(
    table(
      ['median', 'value'],
      [
        ...servers.map((x) => [`${x.m.label}: req/s, p50 / p99`, `${fmt(rps(x.m))}, ${ms(p50(x.m))} / ${ms(p99(x.m))}`]),
        ['ratio gateway page / hello (median of per-run ratios)', ratioOf(gwM, helloM).toFixed(3)],
        ['ratio gateway page / limit, SQLite', limitRatio.toFixed(3)],
        ['ratio gateway small query / hello', smallRatio.toFixed(3)],
        ...(pgM ? [['ratio gateway page / peer (PostGraphile), PostgreSQL', ratioOf(pgM.gw, pgM.peer).toFixed(3)], ['ratio gateway page / limit, PostgreSQL', ratioOf(pgM.gw, pgM.limit).toFixed(3)]] : []),
        ['projects served per second, SQLite', fmt(rps(gwM) * PAGE)],
        ['gateway CPU during its page windows (share of one core), SQLite', `${fmt(gwM.cpuShare * 100, 0)} %`],
        ['gateway CPU per page, SQLite (user + system)', ms(cpuPerOk(gwM))],
        ...(pgM ? [['gateway CPU per page, PostgreSQL / peer CPU per page', `${ms(cpuPerOk(pgM.gw))} / ${ms(cpuPerOk(pgM.peer))}`]] : []),
        ['gateway CPU per small query', ms(cpuPerOk(smallM))],
        ['gateway RSS idle after start / after load', `${mb(idleRss)} / ${mb(loadedRss)}`],
      ],
    ),
  );
  if (profileDir) {
    // the whole life of the gateway process: start, warm-up and the measured windows
    for (const f of fs.readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile'))) {
      heading(`CPU profile of the gateway (${f})`);
      console.log(summariseProfile(path.join(profileDir, f), 25));
    }
  }

  summaryRows([
    { name: 'nested page (50 projects), SQLite: req/s, p50 / p99', value: `${fmt(rps(gwM))} req/s, ${ms(p50(gwM))} / ${ms(p99(gwM))}` },
    { name: 'gateway CPU per page (SQLite)', value: ms(cpuPerOk(gwM)) },
    ...(pgM
      ? [
          { name: 'nested page, PostgreSQL: gateway / limit / peer req/s', value: `${fmt(rps(pgM.gw))} / ${fmt(rps(pgM.limit))} / ${fmt(rps(pgM.peer))}` },
          { name: 'CPU per page on PostgreSQL: gateway / peer', value: `${ms(cpuPerOk(pgM.gw))} / ${ms(cpuPerOk(pgM.peer))}` },
        ]
      : []),
  ]);
  const notPg = { value: 'n/a', met: null, note: `PostgreSQL skipped: ${pgSkipped}` };
  const targets: Target[] = [
    { name: 'nested page req/s ÷ hello-world req/s', value: ratioOf(gwM, helloM).toFixed(3), target: '(reported; ~1,350 fields vs one)', met: null },
    {
      name: 'nested page req/s ÷ limit req/s (bare node:http + minimal SQL), SQLite',
      value: limitRatio.toFixed(3),
      target: '≥ 0.25',
      met: sameShape ? limitRatio >= 0.25 : null,
      note: sameShape ? undefined : 'limit answered differently',
    },
    pgM
      ? { name: 'nested page req/s ÷ limit req/s, PostgreSQL', value: ratioOf(pgM.gw, pgM.limit).toFixed(3), target: '≥ 0.25', met: pgM.same ? ratioOf(pgM.gw, pgM.limit) >= 0.25 : null, note: pgM.same ? undefined : 'limit answered differently' }
      : { name: 'nested page req/s ÷ limit req/s, PostgreSQL', target: '≥ 0.25', ...notPg },
    pgM
      ? { name: 'nested page req/s ÷ peer (PostGraphile 4) req/s, PostgreSQL', value: ratioOf(pgM.gw, pgM.peer).toFixed(3), target: '≥ 1.0', met: pgM.peerOk ? ratioOf(pgM.gw, pgM.peer) >= 1 : null, note: pgM.peerOk ? undefined : 'peer answered differently' }
      : { name: 'nested page req/s ÷ peer (PostGraphile 4) req/s, PostgreSQL', target: '≥ 1.0', ...notPg },
    { name: 'small query (viewer + project by name) req/s ÷ hello-world req/s', value: smallRatio.toFixed(3), target: `≥ ${TARGET_SMALL}`, met: smallRatio >= TARGET_SMALL },
    { name: 'nested page p99 ÷ p50 (closed loop), SQLite', value: (p99(gwM) / p50(gwM)).toFixed(1), target: `≤ ${TARGET_TAIL}`, met: p99(gwM) / p50(gwM) <= TARGET_TAIL },
    ...(pgM ? [{ name: 'nested page p99 ÷ p50 (closed loop), PostgreSQL', value: (p99(pgM.gw) / p50(pgM.gw)).toFixed(1), target: `≤ ${TARGET_TAIL}`, met: p99(pgM.gw) / p50(pgM.gw) <= TARGET_TAIL }] : []),
    {
      name: 'SQL statements independent of page size',
      value: `${s.statements.map((x) => x.n).join(' / ')} (${s.statements.map((x) => x.label.replace(/ each|, /g, ' ')).join(' / ')})`,
      target: '10 = 50 projects; 2 = 10 tenants',
      met: byPage && byTenants,
    },
    ...coldTargets(cold, idleRss),
  ];
  verdicts(targets);
}

/** The start-up targets; the idle RSS on existing data is the throughput gateway's when it ran, else the cold starts' median. */
function coldTargets(cold: Awaited<ReturnType<typeof coldStarts>>, idleRss = median(cold.rssExisting)): Target[] {
  return [
    { name: 'cold start to /readyz, empty data dir', value: ms(median(cold.empty)), target: `< ${TARGET_COLD_MS} ms`, met: median(cold.empty) < TARGET_COLD_MS },
    { name: 'cold start to /readyz, existing data dir', value: ms(median(cold.existing)), target: `< ${TARGET_COLD_MS} ms`, met: median(cold.existing) < TARGET_COLD_MS },
    { name: 'idle RSS after start (existing data)', value: mb(idleRss), target: `< ${mb(TARGET_RSS)}`, met: idleRss < TARGET_RSS },
    { name: 'idle RSS after start (empty data, median)', value: mb(median(cold.rssEmpty)), target: `< ${mb(TARGET_RSS)}`, met: median(cold.rssEmpty) < TARGET_RSS },
  ];
}

await main();
