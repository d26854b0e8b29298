/**
 * A simulated hub plus an adapter on it, for contract tests: real HTTP through client-node, fast
 * controllers (speed 0) and a fast retry policy so injected faults do not slow the suite.
 */
import type { HubAdapterOptions, KubeObject } from '../../../src/kube/index.js';
import { KubeHubAdapter } from '../../../src/kube/hub.adapter.js';
import { loadHubKubeConfig } from '../../../src/kube/hub.connection.js';
import { silentLogger } from '../../../src/logger.js';
import { startSimulatedHub, type SimOptions, type SimulatedHub } from '../../../src/sim/index.js';

/** Six attempts, 10 ms doubling to 200 ms: an injected 10% error rate fails a verb with p = 1e-6. */
export const FAST_RETRY = { attempts: 6, baseMs: 10, maxMs: 200 };

export interface TestHub {
  hub: SimulatedHub;
  adapter: KubeHubAdapter;
  stop(): Promise<void>;
}

export async function startTestHub(sim: SimOptions = {}, adapter: HubAdapterOptions = {}): Promise<TestHub> {
  const hub = await startSimulatedHub({ speed: 0, logger: silentLogger, bookmarkIntervalMs: 200, requireGpuDevicePlugin: false, ...sim });
  const a = new KubeHubAdapter(loadHubKubeConfig({ kind: 'simulated', hub }), { retry: FAST_RETRY, logger: silentLogger, ...adapter });
  return { hub, adapter: a, stop: () => hub.stop() };
}

/** Poll `probe` until it returns a truthy value (generous timeout; no timing assertions). */
export async function eventually<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 20_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const secret = (namespace: string, name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, labels: { 'spokegraph.io/managed-by': 'spokegraph', ...labels } },
  type: 'Opaque',
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

export const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'spokegraph.io/managed-by': 'spokegraph' } } });
