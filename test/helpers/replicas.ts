/**
 * N gateway replicas as a platform team runs them: real gateway processes (gateway.process.ts) on one
 * PostgreSQL database and one Redis (a private redis-server, so a test can stop it), the simulated
 * hub in a process of its own (src/sim/standalone.ts), and HAProxy in front (round robin, WebSocket
 * upgrades, health checks on /readyz). Clients use `lb` only; tests reach a replica directly only to
 * look (metrics) or to kill it.
 *
 * Every replica listens on a port fixed at the start, so one that is killed comes back where HAProxy
 * expects it. Every child is signalled through its own handle, never by PID number.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Gateway } from './deployments.js';
import net from 'node:net';
import { gatewayDatabase, newAdminToken, startGateway, type GatewayDb, type GatewayProcess } from './gateway.process.js';
import { gqlRequest, ok } from './graphql.js';
import { startPrivateRedis, type PrivateRedis } from './redis.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function haproxyAvailable(): boolean {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

export interface Replica {
  port: number;
  /** the running process; replaced by restart() */
  process: GatewayProcess;
  /** http://127.0.0.1:<port> (for looking, not for clients) */
  base: string;
}

export interface ReplicaCluster {
  /** the load balancer, as a Gateway for the client helpers */
  lb: Gateway;
  replicas: Replica[];
  redis: PrivateRedis;
  db: GatewayDb;
  hub: { url: string; kubeconfig: string };
  q<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T>;
  kill(i: number): Promise<void>;
  restart(i: number): Promise<void>;
  /** output of every process so far (failure messages) */
  output(): string;
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Spawns a child, resolves with its first stdout line matching `ready`; rejects with its output if it exits first. */
async function spawnUntil(cmd: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.once('exit', () => live.delete(child));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = ready.exec(out);
    if (m) return { child, match: m, output: () => out };
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${cmd} exited before it was ready:\n${out.slice(-3000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${cmd} not ready in ${timeoutMs} ms:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stopChild(c: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

/**
 * A free port below the kernel's ephemeral range (32768+ here and by default): a port that must stay
 * ours across a replica's restart, which an outgoing connection's source port would otherwise take.
 */
async function stablePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

function haproxyConfig(lbPort: number, ports: number[]): string {
  return [
    'global',
    '  maxconn 8000',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    // a WebSocket, once upgraded, is a tunnel: it lives as long as its client wants
    '  timeout tunnel 1h',
    '  option redispatch',
    '  retries 3',
    'frontend gateway',
    `  bind 127.0.0.1:${lbPort}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    // a busy replica answers /readyz slowly: a short check timeout would take every replica out at once
    '  timeout check 5s',
    '  default-server inter 500ms fall 3 rise 1',
    ...ports.map((p, i) => `  server r${i} 127.0.0.1:${p} check`),
    '',
  ].join('\n');
}

export interface ClusterOptions {
  replicas: number;
  /** more environment for every replica */
  env?: Record<string, string>;
  /** simulated hub speed (0: instant) */
  simSpeed?: number;
}

export async function startReplicaCluster(o: ClusterOptions): Promise<ReplicaCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-replicas-'));
  const cleanups: (() => Promise<void>)[] = [];
  const outputs: (() => string)[] = [];
  try {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const db = await gatewayDatabase('postgresql');
    cleanups.push(() => db.drop());

    const kubeconfig = join(dir, 'hub.kubeconfig');
    const sim = await spawnUntil(
      process.execPath,
      ['--import', 'tsx', 'src/sim/standalone.ts', '--port', '0', '--kubeconfig', kubeconfig, '--speed', String(o.simSpeed ?? 0)],
      /^\{"url":"([^"]+)"/m,
      { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn' },
    );
    cleanups.push(() => stopChild(sim.child));
    outputs.push(() => `--- simulated hub\n${sim.output().slice(-2000)}`);

    const adminToken = newAdminToken();
    const ports: number[] = [];
    while (ports.length < o.replicas) {
      const p = await stablePort();
      if (!ports.includes(p)) ports.push(p);
    }
    const startReplica = (port: number) =>
      startGateway({ databaseUrl: db.url, kubeconfig, adminToken, env: { PORT: String(port), REDIS_URL: redis.url, ...o.env } });
    // together, as a rollout starts them (the startup lock orders migrations and the bootstrap)
    const replicas: Replica[] = await Promise.all(ports.map(async (port) => ({ port, process: await startReplica(port), base: `http://127.0.0.1:${port}` })));
    cleanups.push(async () => void (await Promise.all(replicas.map((r) => r.process.stop()))));
    for (const [i, r] of replicas.entries()) outputs.push(() => `--- replica ${i}\n${r.process.output().slice(-3000)}`);

    const lbPort = await stablePort();
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(lbPort, ports));
    const lb = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(lb);
    lb.once('exit', () => live.delete(lb));
    let lbOut = '';
    lb.stdout!.on('data', (d) => (lbOut += String(d)));
    lb.stderr!.on('data', (d) => (lbOut += String(d)));
    cleanups.push(() => stopChild(lb));
    outputs.push(() => `--- haproxy\n${lbOut.slice(-2000)}`);
    const url = `http://127.0.0.1:${lbPort}/graphql`;
    const gateway: Gateway = { url, wsUrl: url.replace(/^http/, 'ws'), adminToken };
    // through the balancer: every replica answers
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await fetch(url.replace(/\/graphql$/, '/readyz')).catch(() => null);
      if (r?.ok) break;
      if (Date.now() > deadline || lb.exitCode !== null) throw new Error(`HAProxy not serving:\n${lbOut.slice(-2000)}`);
      await new Promise((r2) => setTimeout(r2, 50));
    }

    return {
      lb: gateway,
      replicas,
      redis,
      db,
      hub: { url: sim.match[1], kubeconfig },
      q: async (query, variables, token = adminToken) => ok(await gqlRequest(url, query, variables, token)),
      kill: async (i) => replicas[i].process.kill('SIGKILL'),
      restart: async (i) => {
        replicas[i].process = await startReplica(replicas[i].port);
      },
      output: () => outputs.map((f) => f()).join('\n'),
      close: async () => {
        for (const c of cleanups.reverse()) await c().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** How many graphql-ws sockets each replica holds now (its /metrics), in replica order. */
export async function socketsPerReplica(cluster: ReplicaCluster): Promise<number[]> {
  return Promise.all(
    cluster.replicas.map(async (r) => {
      const text = await (await fetch(`${r.base}/metrics`)).text();
      const m = /^spokegraph_websockets_open(?:\{[^}]*\})? (\d+)/m.exec(text);
      return m ? Number(m[1]) : NaN;
    }),
  );
}
