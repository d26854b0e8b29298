/**
 * Starts the gateway under test in a child process (gateway.child.ts) on a fresh data directory and
 * hands the benchmark its URL, admin token and IPC handle.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gql, q, type GqlResponse } from './http.js';
import { benchLib, IpcChild, tempDir } from './proc.js';

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
  const ipc = new IpcChild(path.join(benchLib, 'gateway.child.ts'), env, opts.execArgv ?? []);
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
