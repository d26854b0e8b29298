/**
 * Starts the gateway under test in a child process (gateway.child.ts) on a fresh data directory and
 * hands the benchmark its URL, admin token and IPC handle.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gql, q, type GqlResponse } from './http.js';
import { pathToFileURL } from 'node:url';
import { benchLib, IpcChild, repoRoot, tempDir } from './proc.js';

export interface Gateway {
  ipc: IpcChild;
  pid: number;
  url: string;
  wsUrl: string;
  token: string;
  dataDir: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
  q<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** RSS of the gateway process (bytes), after a GC when --expose-gc was given */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** CPU share of one core used since the previous call */
  cpu(): Promise<{ share: number; userMs: number; systemMs: number; wallMs: number }>;
  sql<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** environment on top of the defaults below (PORT=0, SIM_SPEED=0, LOG_LEVEL=warn, SQLite in a temp dir) */
  env?: Record<string, string>;
  noRunner?: boolean;
  /** node flags, e.g. --expose-gc or --cpu-prof */
  execArgv?: string[];
  /** keep the data directory after stop */
  keepData?: boolean;
}

export async function startGateway(opts: GatewayOptions = {}): Promise<Gateway> {
  const dataDir = tempDir('data');
  const token = 'sg_bench_' + randomBytes(24).toString('base64url');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:${path.join(dataDir, 'spokegraph.sqlite')}`,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    BOOTSTRAP_ADMIN_TOKEN: token,
    SIM_SPEED: '0',
    ...opts.env,
  };
  if (opts.noRunner) env.BENCH_NO_RUNNER = '1';
  const child = await gatewayChild();
  const ipc = new IpcChild(child.file, env, [...child.nodeFlags, ...(opts.execArgv ?? [])]);
  const ready = await ipc.waitMessage<{ url: string; pid: number }>((m) => m?.type === 'ready', 120_000);
  const url = ready.url;
  return {
    ipc,
    pid: ipc.pid,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    token,
    dataDir,
    gql: (query, variables) => gql(url, query, variables, token),
    q: (query, variables) => q(url, query, variables, token),
    memory: () => ipc.call('memory'),
    cpu: () => ipc.call('cpu'),
    sql: (sql, params) => ipc.call('sql', { sql, params }),
    stop: async () => {
      await ipc.stop();
      if (!opts.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The gateway child compiled as the production artifact is: gateway.child.ts bundled with
 * scripts/build.mjs's options (esbuild, the same packages inlined) into dist/bench/, started with
 * plain Node and the build's NODE_FLAGS, so the benchmarks measure the code `npm start` runs. Under
 * tsx they measured other code: tsx compiles with esbuild's keepNames, which passes every function
 * and class created at run time through a helper redefining its `name` (a cost per closure, on the
 * connect path of every socket), and Node started without the production flags.
 * BENCH_TSX=1 runs the TypeScript under tsx as before, to compare.
 */
async function gatewayChild(): Promise<{ file: string; nodeFlags: string[] }> {
  if (process.env.BENCH_TSX === '1') return { file: path.join(benchLib, 'gateway.child.ts'), nodeFlags: [] };
  const scripts = pathToFileURL(path.join(repoRoot, 'scripts')).href;
  const { INLINE, NODE_FLAGS, SOURCES } = (await import(`${scripts}/build.mjs`)) as { INLINE: string[]; NODE_FLAGS: string[]; SOURCES: string[] };
  const { bundle, isStaleBundle } = (await import(`${scripts}/bundle.mjs`)) as {
    bundle(entry: string, outfile: string, o: object): Promise<unknown>;
    isStaleBundle(outfile: string, sources: string[]): boolean;
  };
  const file = path.join(repoRoot, 'dist', 'bench', 'gateway.child.mjs');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (isStaleBundle(file, [...SOURCES, 'bench/lib', 'scripts'])) {
    await bundle('bench/lib/gateway.child.ts', file, { sourcemap: 'linked', inline: INLINE, requireCjs: true });
  }
  return { file, nodeFlags: NODE_FLAGS };
}
