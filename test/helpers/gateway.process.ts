/**
 * The gateway as a child process, as `npm start` runs it in development (`node --import tsx
 * src/main.ts`, configured by the environment), for tests that SIGKILL it and start it again on the
 * same database and hub. Also a database that outlives gateway processes, with direct SQL on it.
 *
 * One process per gateway, signalled only through its ChildProcess handle: no wrapper process (the
 * `tsx` CLI runs the program in a child of its own), no process groups, no `process.kill(pid)` by
 * number. A signal sent by number can reach whatever process has that number by then — PIDs wrap
 * (at 32768 on the CI machine) and a full test run spawns thousands of processes — while a handle
 * signals only its own, still-running child. The port is chosen by the gateway (PORT=0) and read from
 * the line it prints when ready, so no other process can take it in between. A gateway that exits
 * before it is ready is reported with its exit code, its signal and ALL its output (the streams are
 * read to their end first: 'exit' may come before the last bytes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestApp } from './app.js';
import { createTestDatabase, type TestDialect } from './db.js';
import { gqlRequest, ok, type GqlResponse } from './graphql.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type Sql = <T = Record<string, unknown>>(query: string, params?: unknown[]) => Promise<T[]>;

export interface GatewayDb {
  /** DATABASE_URL for the child */
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

/** A database that outlives gateway processes: a SQLite file or a fresh PostgreSQL database. */
export async function gatewayDatabase(dialect: TestDialect): Promise<GatewayDb> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'sg-gw-'));
    const file = join(dir, 'spokegraph.sqlite');
    let db: Database.Database | null = null;
    return {
      url: `sqlite:${file}`,
      sql: async <T>(query: string, params: unknown[] = []) => {
        db ??= new Database(file, { readonly: true, fileMustExist: true });
        return db.prepare(query).all(...(params as never[])) as T[];
      },
      drop: async () => {
        db?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const t = await createTestDatabase('postgresql');
  const url = (t.db as { url: string }).url;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    sql: async <T>(query: string, params: unknown[] = []) => {
      let n = 0;
      return (await client.query(query.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    },
    drop: async () => {
      await client.end();
      await t.drop();
    },
  };
}

export const newAdminToken = () => 'sg_crash_' + randomBytes(24).toString('base64url');

export interface GatewayOptions {
  databaseUrl: string;
  /** the hub the gateway talks to (HUB_KUBECONFIG) */
  kubeconfig: string;
  adminToken: string;
  /** DATA_DIR; a fresh temporary directory per process when left out */
  dataDir?: string;
  /** more environment (wins over the defaults) */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

export interface GatewayProcess {
  url: string;
  wsUrl: string;
  adminToken: string;
  pid: number;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>>;
  q<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T>;
  /** A TestApp-shaped client for the seeding helpers (they only use q/gql/url/wsUrl/adminToken). */
  client: TestApp;
  /** stdout + stderr so far (for failure messages). */
  output(): string;
  /** Signals the gateway (default SIGKILL: no shutdown hook runs) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM (a clean shutdown) and wait. */
  stop(): Promise<void>;
  /** How it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Children still running, stopped if the test process exits first (by handle, like every signal here). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function startGateway(o: GatewayOptions): Promise<GatewayProcess> {
  const ownDataDir = o.dataDir ? null : mkdtempSync(join(tmpdir(), 'sg-gw-data-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: o.databaseUrl,
    DATA_DIR: o.dataDir ?? ownDataDir!,
    HUB_KUBECONFIG: o.kubeconfig,
    BOOTSTRAP_ADMIN_TOKEN: o.adminToken,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    WORKFLOW_LEASE_MS: '1000',
    WORKFLOW_POLL_MS: '50',
    ...o.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  // 'close' comes after 'exit' and after both streams ended: everything the process wrote is in `out`
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      live.delete(child);
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exited.then((e) => (ended = e));

  const timeoutMs = o.readyTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  let url: string | null = null;
  while (!url) {
    const m = /(?:GraphiQL|spokegraph ready): (http:\/\/[^\s]+)/.exec(out);
    if (m) url = m[1];
    else if (ended) {
      const { code, signal } = ended as { code: number | null; signal: NodeJS.Signals | null };
      throw new Error(`gateway ${child.pid} exited before it was ready (exit code ${code}, signal ${signal}); its output:\n${out.slice(-4000) || '(none)'}`);
    } else if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`gateway ${child.pid} not ready in ${timeoutMs} ms; its output:\n${out.slice(-4000) || '(none)'}`);
    } else await new Promise((r) => setTimeout(r, 25));
  }
  const graphql = url;
  const gql = <T>(query: string, variables?: Record<string, unknown>, token: string | null = o.adminToken) => gqlRequest<T>(graphql, query, variables, token);
  const q = async <T>(query: string, variables?: Record<string, unknown>, token: string | null = o.adminToken) => ok(await gql<T>(query, variables, token));
  const wsUrl = graphql.replace(/^http/, 'ws');
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    // exitCode/signalCode are set once it has exited: never signal a process that is not ours any more
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url: graphql,
    wsUrl,
    adminToken: o.adminToken,
    pid: child.pid!,
    gql,
    q,
    client: { url: graphql, wsUrl, adminToken: o.adminToken, gql, q } as unknown as TestApp,
    output: () => out,
    kill,
    stop: () => kill('SIGTERM'),
    exited,
  };
}
