/**
 * The gateway as a child process, exactly as `npm start` runs it (`tsx src/main.ts`, configured by
 * the environment), for tests that SIGKILL it and start it again on the same database and hub.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gqlRequest, ok, type GqlResponse } from './graphql.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export interface GatewayProcess {
  url: string;
  pid: number;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
  q<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** SIGKILL: no shutdown hook runs, in-flight transactions are lost. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** stdout + stderr so far (for failure messages). */
  output(): string;
}

export async function startGatewayProcess(env: Record<string, string>, token: string, timeoutMs = 60_000): Promise<GatewayProcess> {
  // tsx runs the program in a child node process of its own: the pair gets a process group, and
  // kill() signals the whole group, so SIGKILL really kills the gateway (not just tsx, orphaning it).
  const child: ChildProcess = spawn(TSX, ['src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  let out = '';
  child.stdout!.on('data', (b) => (out += b.toString()));
  child.stderr!.on('data', (b) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));

  const deadline = Date.now() + timeoutMs;
  let url: string | null = null;
  process.once('exit', () => signal('SIGKILL'));
  while (!url) {
    const m = /(?:GraphiQL|spokegraph ready): (http:\/\/[^\s]+)/.exec(out);
    if (m) url = m[1];
    else if (dead) throw new Error(`gateway exited before it was ready:\n${out.slice(-4000)}`);
    else if (Date.now() > deadline) {
      signal('SIGKILL');
      throw new Error(`gateway not ready in ${timeoutMs} ms:\n${out.slice(-4000)}`);
    }
    else await new Promise((r) => setTimeout(r, 25));
  }
  const gql = <T>(query: string, variables?: Record<string, unknown>) => gqlRequest<T>(url!, query, variables, token);
  return {
    url,
    pid: child.pid!,
    gql,
    q: async <T>(query: string, variables?: Record<string, unknown>) => ok(await gql<T>(query, variables)),
    kill: async () => {
      signal('SIGKILL');
      await exited;
      await groupGone(child.pid!);
    },
    stop: async () => {
      signal('SIGTERM');
      await exited;
      await groupGone(child.pid!);
    },
    output: () => out,
  };
}

/** Waits until no process of the group is left (tsx's child may outlive tsx by a moment). */
async function groupGone(pgid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
