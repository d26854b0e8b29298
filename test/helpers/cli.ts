/**
 * Runs the `spokegraph` CLI as a child process, exactly as `npx spokegraph` does (`node
 * bin/spokegraph.mjs`), with an environment of the test's choosing (its own XDG_CONFIG_HOME).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'spokegraph.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh, empty config home (XDG_CONFIG_HOME) for a test. */
export const configHome = () => mkdtempSync(path.join(tmpdir(), 'sg-cli-'));

export async function runCli(args: string[], env: Record<string, string | undefined> = {}, opts: { input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'test' };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  childEnv.HOME ??= childEnv.XDG_CONFIG_HOME ?? tmpdir();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b.toString()));
  child.stderr.on('data', (b) => (stderr += b.toString()));
  child.stdin.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
