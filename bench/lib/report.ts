/**
 * Printing and statistics shared by the benchmarks: the environment block, percentiles, medians
 * over runs, aligned tables and the target verdicts. Benchmarks print figures; they never fail a
 * build on a missed target (the machine is shared and noisy).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function percentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (!n) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank];
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x));
  if (!v.length) return NaN;
  return percentile(v, 50);
}

export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}

export const ms = (n: number) => `${fmt(n, n < 10 ? 2 : 1)} ms`;
export const mb = (bytes: number) => `${fmt(bytes / (1024 * 1024), 0)} MB`;

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  const sep = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(cells[0]), sep, ...cells.slice(1).map(line)].join('\n');
}

export function heading(title: string): void {
  console.log(`\n## ${title}\n`);
}

/**
 * The machine's speed on two fixed workloads (bench/lib/calibrate.mjs, in a process of its own, about
 * 2 s): to compare figures across machines and across times of one shared machine. Lower is faster.
 */
export function machineSpeed(): string {
  try {
    const script = fileURLToPath(new URL('./calibrate.mjs', import.meta.url));
    const { js, loopback } = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 })) as { js: number; loopback: number };
    return `${fmt(js, 0)} µs per graphql-js operation, ${fmt(loopback, 1)} µs per loopback round trip`;
  } catch (e) {
    return `not measured (${(e as Error).message.split('\n')[0]})`;
  }
}

export function environment(title: string, params: Record<string, unknown>): void {
  const cpus = os.cpus();
  console.log(`# ${title}\n`);
  console.log(
    table(
      ['environment', ''],
      [
        ['node', process.version],
        ['platform', `${os.type()} ${os.release()} ${os.arch()}`],
        ['CPUs', `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`],
        ['memory', `${fmt(os.totalmem() / 2 ** 30, 1)} GiB total, ${fmt(os.freemem() / 2 ** 30, 1)} GiB free`],
        ['load average (1/5/15 min)', os.loadavg().map((l) => l.toFixed(2)).join(' / ')],
        ['machine speed (best of 7 slices; lower is faster)', machineSpeed()],
        ['date', new Date().toISOString()],
      ],
    ),
  );
  console.log();
  console.log(table(['parameter', 'value'], Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
}

export interface Target {
  name: string;
  /** what was measured, formatted */
  value: string;
  /** the target, formatted (e.g. "≥ 0.6") */
  target: string;
  met: boolean | null;
  note?: string;
}

/**
 * Rows for the one summary table of `npm run bench` (bench/run.ts): when BENCH_SUMMARY names a file,
 * each row is appended to it as a JSON line, tagged with the benchmark that measured it.
 */
export function summaryRows(rows: { name: string; value: string; target?: string; met?: boolean | null; note?: string }[]): void {
  const file = process.env.BENCH_SUMMARY;
  if (!file) return;
  const bench = path.basename(process.argv[1] ?? 'bench').replace(/\.bench\.ts$/, '');
  fs.appendFileSync(file, rows.map((r) => JSON.stringify({ bench, target: '', met: null, ...r }) + '\n').join(''));
}

export function verdicts(targets: Target[]): void {
  summaryRows(targets);
  heading('Targets');
  console.log(
    table(
      ['target', 'measured', 'goal', 'verdict'],
      targets.map((t) => [t.name, t.value, t.target, t.met === null ? `not measured${t.note ? ` (${t.note})` : ''}` : t.met ? 'MET' : `MISSED${t.note ? ` (${t.note})` : ''}`]),
    ),
  );
}

/** `--runs 3`, `--quick`, `--name value` / `--flag` from argv. */
export function args(argv = process.argv.slice(2)): { get(name: string): string | undefined; flag(name: string): boolean; int(name: string, def: number): number } {
  const map = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) map.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) map.set(a.slice(2), argv[++i]);
    else map.set(a.slice(2), 'true');
  }
  return {
    get: (n) => map.get(n),
    flag: (n) => map.has(n) && map.get(n) !== 'false',
    int: (n, def) => {
      const v = map.get(n);
      if (v === undefined) return def;
      const x = Number(v);
      if (!Number.isFinite(x)) throw new Error(`--${n} must be a number (got ${v})`);
      return x;
    },
  };
}

export const sleep = (msDelay: number) => new Promise<void>((r) => setTimeout(r, msDelay));

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one host. */
export const wallNow = () => performance.timeOrigin + performance.now();

/** Statements per unit of work (a completed deployment, a deployApp call), by shape, most frequent first (gateway.child.ts BENCH_SQL_COUNT). */
export function printSqlCounts(counts: Record<string, number>, units: number, unit: string): void {
  const rows = Object.entries(counts).sort((x, y) => y[1] - x[1]);
  const total = rows.reduce((n, [, c]) => n + c, 0);
  console.log(`\nstatements per ${unit}: ${fmt(total / units)} (${total} for ${units})\n`);
  console.log(table([`per ${unit}`, 'statement'], rows.filter(([, c]) => c / units >= 0.05).map(([sql, c]) => [fmt(c / units), sql.length > 160 ? `${sql.slice(0, 157)}…` : sql])));
}
