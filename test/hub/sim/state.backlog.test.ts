/**
 * A state save that is slow to write (busy event loop, slow disk) must delay and coalesce the next
 * saves, never queue serialised copies of the whole state behind it: that backlog is what made
 * an embedded simulated hub grow by hundreds of MB under load.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const gate = vi.hoisted(() => ({ release: [] as Array<() => void>, written: [] as string[] }));

vi.mock('node:fs/promises', async (original) => {
  const real = await original<typeof import('node:fs/promises')>();
  return {
    ...real,
    mkdir: vi.fn(async () => undefined),
    rename: vi.fn(async () => undefined),
    // Every write waits until the test lets it through.
    writeFile: vi.fn(async (_file: string, body: string) => {
      await new Promise<void>((resolve) => gate.release.push(resolve));
      gate.written.push(body);
    }),
  };
});

const { StatePersister } = await import('../../../src/sim/state.persist.js');
const { silentLogger } = await import('../../../src/logger.js');

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

afterEach(() => {
  gate.release.splice(0).forEach((r) => r());
  gate.written.length = 0;
});

describe('state persister under a slow disk', () => {
  it('should serialise nothing while a save is being written, then save the latest state once', async () => {
    let version = 0;
    let captures = 0;
    const p = new StatePersister('/nowhere/state.json', () => (captures++, { hub: { rv: version, objects: [] }, spokes: {} }), silentLogger, 2);

    version = 1;
    p.schedule();
    await tick();
    expect(captures).toBe(1);
    expect(gate.release).toHaveLength(1);

    // Many changes while the first write hangs: no new snapshot, no second write queued.
    for (let i = 2; i <= 50; i++) {
      version = i;
      p.schedule();
      await tick(1);
    }
    await tick(20);
    expect(captures).toBe(1);
    expect(gate.release).toHaveLength(1);

    // The first write completes: one more save, of the latest state.
    gate.release.shift()!();
    await tick(20);
    expect(captures).toBe(2);
    expect(gate.release).toHaveLength(1);
    gate.release.shift()!();
    await tick(5);
    expect(gate.written.map((b) => JSON.parse(b).hub.rv)).toEqual([1, 50]);

    // Nothing changed since: flush writes nothing.
    await p.flush();
    expect(captures).toBe(2);
  });

  it('should wait for a write in flight on flush, then write what changed meanwhile', async () => {
    let version = 1;
    const p = new StatePersister('/nowhere/state.json', () => ({ hub: { rv: version, objects: [] }, spokes: {} }), silentLogger, 1_000);
    const first = p.flush();
    await tick();
    version = 2;
    p.schedule();
    let done = false;
    const second = p.flush().then(() => (done = true));
    await tick();
    expect(done).toBe(false);
    gate.release.shift()!();
    await first;
    await tick();
    expect(gate.release).toHaveLength(1);
    gate.release.shift()!();
    await second;
    expect(gate.written.map((b) => JSON.parse(b).hub.rv)).toEqual([1, 2]);
  });
});
