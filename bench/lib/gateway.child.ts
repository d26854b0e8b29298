/**
 * The gateway under test, in its own process: `startApp` with the configuration from the
 * environment (exactly as `npm start` reads it), plus an IPC channel the benchmark uses to read the
 * process's memory and CPU, stop the workflow runner, run verification SQL, count subscribers and
 * append events through the EventLog (fan-out benchmark). Load never comes from this process.
 *
 * Extra environment: BENCH_NO_RUNNER=1 starts without the workflow runner. `profileStart` /
 * `profileStop` record a V8 CPU profile of just the measured window (see lib/profile-summary.ts).
 * BENCH_SQL_COUNT=1 counts the statements run, by shape (values taken out; `sqlCounts` reads and
 * resets them): the query log it needs costs CPU of its own, so not for CPU figures.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Em } from '../../src/db/orm.js';
import { EventType, SubjectKind } from '../../src/events/event.entity.js';
import { fromGlobalId, NodeKind } from '../../src/graphql/relay/global-id.js';
import { serveIpc } from './proc.js';
import { wallNow } from './report.js';
import { topics } from '../../src/events/event.bus.js';

const config = loadConfig(process.env);
const sqlCounts = new Map<string, number>();
/** A logged statement's shape: its text without the log's decorations and with literals as `?`. */
const shapeOf = (msg: string) =>
  msg
    .replace(/^\[query\]\s*/, '')
    .replace(/\s*\[took [^\]]*\]\s*$/, '')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(\.\d+)?\b/g, '?')
    .replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)');
const onQuery = process.env.BENCH_SQL_COUNT === '1' ? (msg: string) => {
  if (!msg.startsWith('[query]')) return;
  const k = shapeOf(msg);
  sqlCounts.set(k, (sqlCounts.get(k) ?? 0) + 1);
} : undefined;
if (onQuery) {
  // hub calls by verb and kind, counted with the statements
  const diagnostics = await import('node:diagnostics_channel');
  diagnostics.channel('spokegraph.hub.call').subscribe((m) => {
    const c = m as { verb: string; kind: string; status: string };
    const k = `[hub] ${c.verb} ${c.kind} ${c.status}`;
    sqlCounts.set(k, (sqlCounts.get(k) ?? 0) + 1);
  });
}
const app = await startApp(config, { noRunner: process.env.BENCH_NO_RUNNER === '1', onQuery });

const inspectorSession = new inspector.Session();
const post = (method: string, params?: Record<string, unknown>) =>
  new Promise<any>((resolve, reject) => inspectorSession.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));

let cpuMark = process.cpuUsage();
/** the fan-out probe (see `probe`) */
const probeStarts = new Map<number, { at: number; cpu: NodeJS.CpuUsage; heap: number; main: number }>();
/**
 * CPU time of the main (JS) thread alone, ms (Linux: the scheduler's run time of the thread whose id
 * is the process id): process.cpuUsage also counts V8's compiler and GC helper threads.
 */
const mainThreadMs = (): number => {
  try {
    return Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
};
let probeOff: (() => void) | null = null;
/** BENCH_THREADS=1: print each event's loop CPU per thread (by thread name) */
const perThread = process.env.BENCH_THREADS === '1';
const threadTimes = (): Map<string, number> => {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const ns = Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      out.set(`${name}#${tid}`, ns / 1e6);
    } catch {
      // the thread ended
    }
  }
  return out;
};
let threadMark = new Map<string, number>();
let cpuWall = performance.now();

serveIpc({
  memory: () => {
    if (typeof globalThis.gc === 'function') globalThis.gc();
    return process.memoryUsage();
  },
  /** CPU used since the previous call, as a share of one core. */
  cpu: () => {
    const u = process.cpuUsage(cpuMark);
    const wall = performance.now() - cpuWall;
    cpuMark = process.cpuUsage();
    cpuWall = performance.now();
    return { share: (u.user + u.system) / 1000 / wall, userMs: u.user / 1000, systemMs: u.system / 1000, wallMs: wall };
  },
  /** Starts the V8 sampling profiler (only the window between profileStart and profileStop is recorded). */
  profileStart: async () => {
    inspectorSession.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
    return true;
  },
  profileStop: async ({ file }: { file: string }) => {
    const { profile } = await post('Profiler.stop');
    // `--profile DIR` names a directory that may not exist yet (the whole run was lost to ENOENT here)
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    inspectorSession.disconnect();
    return file;
  },
  /** statements by shape since the previous call (BENCH_SQL_COUNT=1) */
  sqlCounts: () => {
    const out = Object.fromEntries(sqlCounts);
    sqlCounts.clear();
    return out;
  },
  stopRunner: async () => {
    await app.runner.stop();
    return true;
  },
  startRunner: () => {
    app.runner.start();
    return true;
  },
  sql: async ({ sql, params }: { sql: string; params?: unknown[] }) => {
    const em = app.orm.em.fork() as Em;
    return em.getConnection().execute(sql, params ?? [], 'all');
  },
  /**
   * A bus handler on a project's topic, registered before any subscriber's (the bus calls handlers in
   * the order they subscribed): the time each event's fan-out loop starts, by its `details.i`.
   */
  probe: ({ projectId: projectGid }: { projectId: string }) => {
    const projectId = fromGlobalId(projectGid, NodeKind.Project, ['projectId']);
    probeStarts.clear();
    probeOff?.();
    probeOff = app.bus.subscribe(topics.project(projectId), (e) => {
      const i = (e.details as { i?: unknown } | null)?.i;
      if (typeof i === 'number' && perThread) threadMark = threadTimes();
      if (typeof i === 'number') probeStarts.set(i, { at: wallNow(), cpu: process.cpuUsage(), heap: process.memoryUsage().heapUsed, main: mainThreadMs() });
    });
    return true;
  },
  /** live bus handlers (one per subscription stream) */
  subscribers: () => (app.bus as { size?: () => number }).size?.() ?? -1,
  /**
   * Appends `count` events to a project's log (project given by its global ID), one transaction each, `intervalMs` apart; every event
   * carries `details.t`, the wall-clock time (ms, µs precision) taken just before its commit.
   */
  publish: async ({ projectId: projectGid, count, intervalMs, subjectId }: { projectId: string; count: number; intervalMs: number; subjectId: string }) => {
    const projectId = fromGlobalId(projectGid, NodeKind.Project, ['projectId']);
    const commitMs: number[] = [];
    // per event: the stamp (before the commit), when the bus loop started (probe), when commit() returned (the loop is synchronous inside it)
    const stamps: number[] = [];
    const loopStarts: number[] = [];
    const loopEnds: number[] = [];
    /** the gateway's CPU (user + system, ms) from the loop's start to commit()'s return */
    const loopCpu: number[] = [];
    /** heap used after the loop minus before it (bytes): what the loop allocated, when no GC ran in between */
    const loopHeap: number[] = [];
    /** the main thread's share of loopCpu (the rest: V8's background compiler and GC threads, libuv's pool) */
    const loopMainCpu: number[] = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const due = started + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const em = app.orm.em.fork() as Em;
      const t0 = performance.now();
      await app.services.events.log.commit(em, async (_tem, batch) => {
        batch.emit({
          subjectKind: SubjectKind.APP_DEPLOYMENT,
          subjectId,
          subjectName: 'fanout-bench',
          projectId,
          type: EventType.STEP_PROGRESS,
          phase: 'DEPLOYING',
          stepId: 'rollout',
          stepIndex: 3,
          stepCount: 4,
          percent: Math.min(100, i),
          message: `fan-out event ${i + 1}/${count}`,
          details: { t: stamps[i] = wallNow(), i },
        });
      });
      loopEnds.push(wallNow());
      const heapAfter = process.memoryUsage().heapUsed;
      const start = probeStarts.get(i);
      const used = start ? process.cpuUsage(start.cpu) : null;
      loopStarts.push(start?.at ?? NaN);
      loopHeap.push(start ? heapAfter - start.heap : NaN);
      loopCpu.push(used ? (used.user + used.system) / 1000 : NaN);
      loopMainCpu.push(start ? mainThreadMs() - start.main : NaN);
      if (perThread) {
        const now = threadTimes();
        const used = [...now].map(([k, v]) => [k, v - (threadMark.get(k) ?? 0)] as const).filter(([, d]) => d > 0.2);
        console.log(`event ${i}: ${used.map(([k, d]) => `${k} ${d.toFixed(1)}`).join(', ')}`);
      }
      commitMs.push(performance.now() - t0);
    }
    return { commitMs, stamps, loopStarts, loopEnds, loopCpu, loopMainCpu, loopHeap, elapsedMs: performance.now() - started };
  },
  stop: async () => {
    await app.stop();
    setTimeout(() => process.exit(0), 10);
    return true;
  },
});

process.send?.({ type: 'ready', url: app.url, port: app.port, pid: process.pid });
