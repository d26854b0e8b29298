import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startSimulatedHub } from '../src/sim/index.js';
import { createLogger } from '../src/logger.js';

const ROOT = path.resolve('.');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sg-probe-'));
const hub = await startSimulatedHub({ speed: 1, logger: createLogger({ level: 'silent' }) });
const kubeconfig = path.join(dir, 'hub.kubeconfig');
writeFileSync(kubeconfig, hub.kubeconfigYaml());
const env = { PATH: process.env.PATH!, HOME: process.env.HOME!, LOG_FORMAT: 'json', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${path.join(dir, 'g.sqlite')}`, DATA_DIR: dir, HUB_KUBECONFIG: kubeconfig, BOOTSTRAP_ADMIN_TOKEN: 'sg_crash_' + 'x'.repeat(30), SEED_DEMO: 'false', LOG_LEVEL: 'warn', WORKFLOW_LEASE_MS: '1500', WORKFLOW_POLL_MS: '100' };
const N = Number(process.argv[2] ?? 20);
for (let i = 0; i < N; i++) {
  const t0 = Date.now();
  const child = spawn(TSX, ['src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const exit = new Promise<[number | null, string | null]>((r) => child.once('exit', (c, s) => r([c, s])));
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  let ready = false;
  let res: [number | null, string | null] | null = null;
  void exit.then((x) => (res = x));
  while (!ready && !res) {
    if (/(GraphiQL|spokegraph ready): /.test(out)) ready = true;
    else await new Promise((r) => setTimeout(r, 25));
  }
  if (!ready) {
    await closed;
    console.log(`#${i} EXITED before ready code=${res![0]} signal=${res![1]} after ${Date.now() - t0} ms output:\n${out}`);
    continue;
  }
  const wait = Math.random() * 1500;
  await new Promise((r) => setTimeout(r, wait));
  try { process.kill(-child.pid!, 'SIGKILL'); } catch {}
  await exit;
  for (;;) { try { process.kill(-child.pid!, 0); } catch { break; } await new Promise((r) => setTimeout(r, 20)); }
  console.log(`#${i} ready in ${Date.now() - t0 - wait | 0} ms, killed after ${wait | 0} ms`);
}
await hub.stop();
