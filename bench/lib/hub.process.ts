/**
 * The simulated hub in a process of its own (src/sim/standalone.ts), for benchmarks that should not
 * measure the hub's CPU as the gateway's: the gateway then reaches it through HUB_KUBECONFIG, over
 * HTTP, as it would a real hub.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cpuMsOf, killAndWait, repoRoot, tempDir } from './proc.js';

export interface HubProcess {
  pid: number;
  url: string;
  kubeconfig: string;
  /** CPU (ms) the hub process has used so far */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** `profileDir`: a V8 CPU profile of the hub's whole life (`--cpu-prof`), written there when it stops. */
export async function startHubProcess(opts: { speed?: number; env?: Record<string, string>; profileDir?: string } = {}): Promise<HubProcess> {
  const dir = tempDir('hub');
  const kubeconfig = path.join(dir, 'hub.kubeconfig');
  const prof = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.profileDir)}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...prof, '--import', 'tsx', 'src/sim/standalone.ts', '--port', '0', '--kubeconfig', kubeconfig, '--speed', String(opts.speed ?? 0)], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`simulated hub did not start within 60 s: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^\{"url":"([^"]+)"/m.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`simulated hub exited with ${code}: ${err}`));
    });
  });
  child.stdout!.resume();
  return {
    pid: child.pid!,
    url,
    kubeconfig,
    cpuMs: () => cpuMsOf(child.pid!),
    stop: async () => {
      await killAndWait(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
