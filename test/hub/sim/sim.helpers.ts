/** Shared helpers for simulated-hub tests: a hub per test file, polling, error unwrapping. */
import { ApiException } from '@kubernetes/client-node';
import { silentLogger } from '../../../src/logger.js';
import { startSimulatedHub, type SimOptions, type SimulatedHub } from '../../../src/sim/index.js';

export async function startTestHub(opts: SimOptions = {}): Promise<SimulatedHub> {
  return startSimulatedHub({ speed: 0, logger: silentLogger, bookmarkIntervalMs: 100, requireGpuDevicePlugin: false, ...opts });
}

/** Polls until `fn` returns a truthy value (or stops throwing); generous timeout, no speed assertions. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The Kubernetes Status of a failed client-node call (ApiException.body is the raw text in 1.4.0). */
export async function statusOf(p: Promise<unknown>): Promise<{ code: number; reason?: string; message?: string; details?: { causes?: Array<{ type?: string; field?: string }> } }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) {
      const body = typeof e.body === 'string' ? (JSON.parse(e.body) as Record<string, unknown>) : (e.body as Record<string, unknown>);
      return { code: e.code, ...(body as object) };
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
