/**
 * `npm run bench`: every benchmark once, with short defaults, one after the other (never two at
 * once: they would measure each other), then one summary table of what each printed as its targets
 * and headline figures. The table goes to stdout and to bench/results/latest.md with the date, the
 * machine, the commit and the load average around the runs (so a loaded machine is visible in the
 * figures it produced); each benchmark's full output goes to bench/results/<name>.log.
 *
 * PostgreSQL parts run when TEST_DATABASE_URL (or DATABASE_URL) is a postgres:// URL, and are
 * reported as skipped otherwise.
 *
 *   npm run bench                                  short defaults (a few minutes)
 *   npm run bench -- --only graph,admission        a subset
 *   npm run bench -- --full                        each benchmark's own (longer) defaults
 *   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './lib/proc.js';
import { args, fmt, machineSpeed, table } from './lib/report.js';

const a = args();
const FULL = a.flag('full');
const ONLY = a.get('only')?.split(',');

/** Short defaults: enough for a figure and a profile-sized sample, not a steady-state measurement. */
const BENCHES: { name: string; file: string; short: string[]; node?: string[] }[] = [
  { name: 'graph', file: 'graph.bench.ts', short: ['--runs', '1', '--seconds', '5', '--warmup', '2', '--tenants', '4', '--projects', '55', '--bundles', '6', '--cold-runs', '2'] },
  // a throughput goal judged on a warm path: with 20 warm-up calls the storm still ran partly unoptimized code (2.5–3.1 ms of
  // gateway CPU per call against 2.0–2.5 ms after 50), and with 400 calls at 64 in flight the last 64 (a sixth) ran with fewer in flight
  // (bench/README.md, lead fourteenth part); one run of the full defaults adds about 3 s
  { name: 'admission', file: 'admission.bench.ts', short: ['--runs', '1', '--requests', '1000', '--warmup', '50'] },
  { name: 'fanout', file: 'fanout.bench.ts', short: ['--runs', '1', '--subscribers', '1000', '--events', '10', '--interval-ms', '300', '--workers', '2'] },
  { name: 'e2e', file: 'e2e.bench.ts', short: ['--runs', '1', '--total', '200', '--warmup', '100', '--inflight', '100'] },
  { name: 'sim', file: 'sim.bench.ts', short: ['--runs', '1', '--pools', '1', '--deployments', '40', '--inflight', '20', '--timeout-s', '120'], node: ['--expose-gc'] },
];

interface Row {
  bench: string;
  name: string;
  value: string;
  target: string;
  met: boolean | null;
  note?: string;
}

const resultsDir = path.join(repoRoot, 'bench', 'results');

function git(...argv: string[]): string {
  try {
    return execFileSync('git', argv, { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function runOne(b: (typeof BENCHES)[number], summary: string): Promise<{ code: number | null; ms: number }> {
  const log = fs.createWriteStream(path.join(resultsDir, `${b.name}.log`));
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(b.node ?? []), '--import', 'tsx', path.join('bench', b.file), ...(FULL ? [] : b.short), ...passThrough()], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_SUMMARY: summary },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.once('exit', (code) => {
      log.end();
      resolve({ code, ms: performance.now() - t0 });
    });
  });
}

/** Arguments after `--` go to every benchmark (e.g. `-- --profile /tmp/prof`). */
function passThrough(): string[] {
  const i = process.argv.indexOf('--');
  return i >= 0 ? process.argv.slice(i + 1) : [];
}

function verdict(r: Row): string {
  if (r.met === null) return r.note ? `(${r.note})` : '';
  return r.met ? 'MET' : `MISSED${r.note ? ` (${r.note})` : ''}`;
}

async function main() {
  fs.mkdirSync(resultsDir, { recursive: true });
  const summary = path.join(os.tmpdir(), `spokegraph-bench-summary-${process.pid}.jsonl`);
  fs.writeFileSync(summary, '');
  const started = new Date();
  const load0 = os.loadavg();
  const speed0 = machineSpeed();
  const ran: { name: string; code: number | null; ms: number }[] = [];
  for (const b of BENCHES) {
    if (ONLY && !ONLY.includes(b.name)) continue;
    process.stdout.write(`bench:${b.name} … `);
    const r = await runOne(b, summary);
    ran.push({ name: b.name, ...r });
    process.stdout.write(`${r.code === 0 ? 'done' : `exited with ${r.code}`} in ${fmt(r.ms / 1000)} s (bench/results/${b.name}.log)\n`);
  }
  const load1 = os.loadavg();
  const rows = fs
    .readFileSync(summary, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
  fs.rmSync(summary, { force: true });

  const cpus = os.cpus();
  // a load average at or above the core count before we started means someone else was using the machine
  const loaded = load0[0] >= cpus.length * 0.5;
  const dirty = git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : '';
  const md = [
    `# Benchmark summary`,
    '',
    table(
      ['', ''],
      [
        ['date', started.toISOString()],
        ['commit', `${git('rev-parse', '--short', 'HEAD')}${dirty}`],
        ['machine', `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, ${os.type()} ${os.release()}, node ${process.version}`],
        ['load average before / after (1 min)', `${load0[0].toFixed(2)} / ${load1[0].toFixed(2)}${loaded ? ' — LOADED: other work was running, figures are pessimistic' : ''}`],
        ['machine speed before / after (bench/lib/calibrate.mjs; lower is faster)', `${speed0} / ${machineSpeed()}`],
        ['defaults', FULL ? 'each benchmark’s own (--full)' : 'short (bench/run.ts)'],
        ['PostgreSQL', /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? '') ? 'yes' : 'skipped (no TEST_DATABASE_URL)'],
      ],
    ),
    '',
    table(
      ['bench', 'figure', 'measured', 'goal', 'verdict'],
      rows.map((r) => [r.bench, r.name, r.value, r.target, verdict(r)]),
    ),
    '',
    table(
      ['bench', 'exit', 'took'],
      ran.map((r) => [r.name, String(r.code), `${fmt(r.ms / 1000)} s`]),
    ),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(resultsDir, 'latest.md'), md);
  console.log('\n' + md);
  if (ran.some((r) => r.code !== 0)) process.exitCode = 1;
}

await main();
