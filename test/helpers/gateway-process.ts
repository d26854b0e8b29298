/**
 * The gateway as a child process (`node --import tsx src/main.ts`, what `npm start` runs), for
 * crash-recovery tests: start it against a database and a hub kubeconfig, SIGKILL it, start it
 * again on the same database. Also direct SQL on that database from the test process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestApp } from './app.js';
import { createTestDatabase, type TestDialect } from './db.js';
import { gqlRequest, ok } from './graphql.js';

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

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => res(port));
    });
  });
}

export interface GatewayProcess {
  url: string;
  wsUrl: string;
  adminToken: string;
  pid: number;
  /** stderr/stdout lines, for failure messages */
  output: string[];
  /** A TestApp-shaped client for the seeding helpers (they only use q/gql/url/adminToken). */
  client: TestApp;
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export interface GatewayOptions {
  databaseUrl: string;
  kubeconfig: string;
  adminToken: string;
  port: number;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

export const newAdminToken = () => 'sg_crash_' + randomBytes(24).toString('base64url');

export async function startGateway(o: GatewayOptions): Promise<GatewayProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(SIM_|HUB_|DATABASE_URL|TEST_DATABASE_URL|DB$|PORT$|VITEST)/.test(k)) env[k] = v;
  Object.assign(env, {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(o.port),
    DATABASE_URL: o.databaseUrl,
    DATA_DIR: join(tmpdir(), 'sg-gw-data'),
    HUB_KUBECONFIG: o.kubeconfig,
    BOOTSTRAP_ADMIN_TOKEN: o.adminToken,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    WORKFLOW_LEASE_MS: '1000',
    WORKFLOW_POLL_MS: '50',
    ...o.env,
  });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (b: Buffer) => {
    output.push(...b.toString().split('\n').filter(Boolean));
    if (output.length > 2000) output.splice(0, 500);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${o.port}`;
  const deadline = Date.now() + (o.readyTimeoutMs ?? 90_000);
  let dead = false;
  void exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error(`gateway exited during start:\n${output.slice(-30).join('\n')}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway not ready in time:\n${output.slice(-30).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const graphql = `${url}/graphql`;
  const client = {
    url: graphql,
    wsUrl: graphql.replace(/^http/, 'ws'),
    adminToken: o.adminToken,
    gql: (query: string, variables?: Record<string, unknown>, token: string | null = o.adminToken) => gqlRequest(graphql, query, variables, token),
    q: async (query: string, variables?: Record<string, unknown>, token: string | null = o.adminToken) => ok(await gqlRequest(graphql, query, variables, token)),
  } as unknown as TestApp;
  return {
    url: graphql,
    wsUrl: client.wsUrl,
    adminToken: o.adminToken,
    pid: child.pid!,
    output,
    client,
    exited,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
