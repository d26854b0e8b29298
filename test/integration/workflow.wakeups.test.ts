/**
 * The workflow runner wakes by notification, not by polling (issue 8). Every SQL statement of the app
 * is counted (the app's onQuery hook, which also sees the wake-up connection's statements): an idle
 * gateway issues at most one a second, and one while a deployment's step waits on the hub at most
 * twenty a second (with the default WORKFLOW_POLL_MS of 500). On PostgreSQL a job committed through
 * one replica wakes the runner of another (LISTEN/NOTIFY), and a database that goes away is waited
 * out with backoff and reported once, not once per attempt.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { testDialect } from '../helpers/db.js';
import { deployApp } from '../helpers/deploy.js';
import { deployWorld, gatewayOf, getDeployment, sharedPool } from '../helpers/deployments.js';
import { gpuWorker, poolWorld, sleep } from '../helpers/pools.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const apps: TestApp[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  for (const a of apps.reverse()) await a.close();
});

/** An app whose SQL statements are counted in `counter.n`. */
async function countedApp(env: Record<string, string> = {}) {
  const counter = { n: 0 };
  const app = await startTestApp({ env, onQuery: () => void counter.n++ });
  apps.push(app);
  return { app, counter };
}

async function statementsPerSecond(counter: { n: number }, windowMs: number): Promise<number> {
  const before = counter.n;
  await sleep(windowMs);
  return ((counter.n - before) * 1000) / windowMs;
}

describe('workflow runner load on the database', () => {
  it('should issue at most one statement a second while idle', async () => {
    const { counter } = await countedApp();
    await sleep(500); // start-up settles
    const rate = await statementsPerSecond(counter, 4_000);
    console.log(`[figures] idle gateway (${testDialect()}): ${rate.toFixed(2)} statements/s`);
    expect(rate).toBeLessThanOrEqual(1);
  });

  it('should issue at most twenty statements a second while a deployment step waits on the hub', async () => {
    const { app, counter } = await countedApp({ WORKFLOW_POLL_MS: '500' });
    const w = await deployWorld(app, { quota: 8, gpus: 1 });
    const pool = await sharedPool(app, w);
    // the hub stops writing status: the deployment's flow waits (placement or rollout) and polls
    app.hub.sim!.faults.set({ statusDelayMs: 600_000 });
    const r = await deployApp(app, { projectId: w.project.id, name: 'waits', bundleIds: [w.appBundle], poolId: pool.id });
    expect(r.userErrors).toEqual([]);
    const gw = gatewayOf(app);
    let before: any;
    for (const end = Date.now() + 30_000; Date.now() < end; await sleep(50)) {
      before = await getDeployment(gw, r.appDeployment.id);
      if (before.status.waitingOn) break;
    }
    expect(before.status.waitingOn).not.toBeNull();
    const rate = await statementsPerSecond(counter, 4_000);
    const after = await getDeployment(gw, r.appDeployment.id);
    console.log(`[figures] one deployment waiting in ${after.status.currentStep} (${testDialect()}): ${rate.toFixed(1)} statements/s`);
    // the same step waited all along, and was looked at again (its wait is re-recorded every poll)
    expect(after.status.currentStep).toBe(before.status.currentStep);
    expect(after.status.waitingOn).not.toBeNull();
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThanOrEqual(20);
    app.hub.sim!.faults.clear();
  }, 60_000);
});

describe.runIf(testDialect() === 'postgresql')('wake-ups across replicas (PostgreSQL)', () => {
  it('should wake the runner of another replica when a job is committed, however long its timer', async () => {
    // replica A serves the API and runs no runner; replica B runs one, on the same database and hub,
    // and would not look for work on its own for an hour
    const a = await startTestApp({ noRunner: true });
    apps.push(a);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sg-wake-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const kubeconfig = path.join(dir, 'hub.kubeconfig');
    writeFileSync(kubeconfig, a.hub.sim!.kubeconfigYaml());
    const b = await startTestApp({
      runnerOptions: { maxSleepMs: 3_600_000 },
      configure: (c) => ({ ...c, db: a.config.db, hub: { kind: 'kubeconfig', file: kubeconfig, context: undefined } }),
    });
    apps.push(b);
    await sleep(300); // B's runner has looked once, found nothing, and sleeps

    const w = await poolWorld(a, { quota: 16 });
    const d = await createPool(a, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'SHARED', workers: gpuWorker() });
    expect(d.createComputePool.userErrors).toEqual([]);
    // only B's runner can provision it, and only a wake-up from A can make it look
    expect((await waitForPoolPhase(a, d.createComputePool.computePool.id, ['RUNNING', 'FAILED'], 60_000)).phase).toBe('RUNNING');
  }, 90_000);
});

describe.runIf(testDialect() === 'postgresql')('the database going away (PostgreSQL)', () => {
  it('should back off and say so once when the database goes, and once when it is back', async () => {
    const target = new URL(process.env.TEST_DATABASE_URL!);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    cleanups.push(() => proxy.close());
    const lines: { level: string; msg: string; component?: string; err?: unknown }[] = [];
    const log = createLogger({ level: 'info', json: true, write: (l) => lines.push(JSON.parse(l)) });
    const app = await startTestApp({
      log,
      // a runner that looks every 200 ms on its own, as one with work in flight would
      runnerOptions: { maxSleepMs: 200 },
      configure: (c) => {
        if (c.db.kind !== 'postgresql') return c;
        const url = new URL(c.db.url);
        url.hostname = '127.0.0.1';
        url.port = String(proxy.port);
        return { ...c, db: { kind: 'postgresql', url: url.toString() } };
      },
    });
    apps.push(app);
    await sleep(500);
    const seen = lines.length;
    proxy.cut();
    await sleep(4_000);
    proxy.restore();
    const end = Date.now() + 20_000;
    while (!lines.slice(seen).some((l) => /database reachable again/.test(l.msg)) && Date.now() < end) await sleep(100);
    const runner = lines.slice(seen).filter((l) => l.component === 'workflow' && !/LISTEN/.test(l.msg));
    expect(runner.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'workflow runner: database unreachable; backing off until it is back'],
      ['info', 'workflow runner: database reachable again; resuming'],
    ]);
    // no stack traces: the reason is one line
    expect(runner.some((l) => JSON.stringify(l).includes('"stack"'))).toBe(false);
  }, 60_000);
});
