/**
 * Child processes for the benchmarks: servers run apart from the load they are given. Helpers to
 * fork TypeScript entries under tsx with an IPC channel, to read a process's RSS and CPU time from
 * /proc, and to wait for an HTTP endpoint.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const benchLib = fileURLToPath(new URL('.', import.meta.url));
export const tsxCli = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `spokegraph-bench-${prefix}-`));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process (bytes), from /proc; NaN when unavailable. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** user+system CPU time of a process in ms, from /proc (clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** The processes started by `pid`, recursively (e.g. the node process behind the tsx CLI). */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parentOf.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** Polls `url` until it answers 200; returns the elapsed ms since `since`, or throws after `timeoutMs`. */
export async function waitFor200(url: string, since: number, timeoutMs = 30_000, everyMs = 5): Promise<number> {
  const end = since + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      /* not listening yet */
    }
    if (performance.now() > end) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Every child this benchmark started, killed (with the processes they started) when the benchmark
 * exits however it exits, so an aborted run leaves no server behind.
 */
const started = new Set<ChildProcess>();
function killAllChildren(): void {
  for (const c of started) {
    if (c.exitCode !== null || c.signalCode !== null || !c.pid) continue;
    for (const pid of [...descendants(c.pid), c.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}
process.once('exit', killAllChildren);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}
function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** Spawns the tsx CLI on a script (as `npm start` does) with the given environment. */
export function spawnTsx(script: string, env: Record<string, string>, opts: { quiet?: boolean } = {}): ChildProcess {
  const child = track(spawn(tsxCli, [script], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', opts.quiet ? 'ignore' : 'pipe', 'pipe'] }));
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    if (code && code !== 0 && signal === null) process.stderr.write(`[bench] ${script} exited with ${code}: ${err}\n`);
  });
  return child;
}

/** Spawns plain Node on a built JavaScript entry (e.g. the gateway bundle) with the given environment. */
export function spawnNode(script: string, env: Record<string, string>, opts: { quiet?: boolean; execArgv?: string[] } = {}): ChildProcess {
  const child = track(spawn(process.execPath, [...(opts.execArgv ?? []), script], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', opts.quiet ? 'ignore' : 'pipe', 'pipe'] }));
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    if (code && code !== 0 && signal === null) process.stderr.write(`[bench] ${script} exited with ${code}: ${err}\n`);
  });
  return child;
}

/** Stops a child (and whatever it started, e.g. the node process behind the tsx CLI) and waits for all of them. */
export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const inner = child.pid ? descendants(child.pid) : [];
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(t);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const end = performance.now() + timeoutMs;
  while (inner.some(alive) && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
  for (const pid of inner.filter(alive)) process.kill(pid, 'SIGKILL');
}

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void };

/**
 * A module forked with an IPC channel: a TypeScript file under tsx (`node --import tsx`, one process),
 * a built `.mjs` with plain Node. `call(cmd, args)` sends `{ id, cmd, args }` and resolves with the
 * child's `{ id, result | error }`.
 */
export class IpcChild {
  readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly listeners = new Set<(m: any) => void>();
  readonly exited: Promise<number | null>;
  private stderrTail = '';

  constructor(file: string, env: Record<string, string>, execArgv: string[] = []) {
    this.child = track(fork(file, [], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      execArgv: file.endsWith('.mjs') ? execArgv : ['--import', 'tsx', ...execArgv],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    }));
    this.child.stderr?.on('data', (d: Buffer) => {
      const s = d.toString();
      this.stderrTail = (this.stderrTail + s).slice(-8000);
      if (env.BENCH_CHILD_STDERR === '1') process.stderr.write(s);
    });
    this.child.on('message', (m: any) => {
      if (m && typeof m.id === 'number' && this.pending.has(m.id)) {
        const p = this.pending.get(m.id)!;
        this.pending.delete(m.id);
        if (m.error) p.reject(new Error(m.error));
        else p.resolve(m.result);
      } else for (const l of this.listeners) l(m);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        for (const p of this.pending.values()) p.reject(new Error(`child exited (${code}): ${this.stderrTail.slice(-2000)}`));
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  stderr(): string {
    return this.stderrTail;
  }

  /** Resolves with the first message (not a call reply) matching `pred`. */
  waitMessage<T = any>(pred: (m: any) => boolean, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.listeners.delete(l);
        reject(new Error(`no message from child in ${timeoutMs} ms; stderr: ${this.stderrTail.slice(-2000)}`));
      }, timeoutMs);
      const l = (m: any) => {
        if (!pred(m)) return;
        clearTimeout(t);
        this.listeners.delete(l);
        resolve(m);
      };
      this.listeners.add(l);
      void this.exited.then((code) => {
        if (!this.listeners.has(l)) return;
        clearTimeout(t);
        this.listeners.delete(l);
        reject(new Error(`child exited (${code}) before the message; stderr: ${this.stderrTail.slice(-3000)}`));
      });
    });
  }

  onMessage(l: (m: any) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  call<T = any>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, cmd, args });
    });
  }

  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      await Promise.race([this.call('stop'), new Promise((r) => setTimeout(r, timeoutMs))]);
      // the child exits by itself after answering (and writes its --cpu-prof profile then)
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 15_000))]);
    } catch {
      /* exited while stopping */
    }
    await killAndWait(this.child, 'SIGTERM', 5_000);
  }
}

/** Answers IPC calls in a child: `serve({ cmd: async (args) => result })`. */
export function serveIpc(handlers: Record<string, (args: any) => unknown>): void {
  process.on('message', (m: any) => {
    if (!m || typeof m.id !== 'number') return;
    const h = handlers[m.cmd];
    Promise.resolve()
      .then(() => {
        if (!h) throw new Error(`unknown command ${m.cmd}`);
        return h(m.args ?? {});
      })
      .then(
        (result) => process.send?.({ id: m.id, result: result ?? null }),
        (e: unknown) => process.send?.({ id: m.id, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
      );
  });
}
