/**
 * Proof (4): replay-then-live subscriptions. A subscriber that drops its connection mid-flow and
 * resubscribes with its last cursor gets exactly the events it missed; subscribers joining at any
 * moment while events commit all see the whole log once, in order; access is checked when a
 * subscription starts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeKind, toGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { brief, isGapless, poolEventLog, poolEvents, projectEvents, type Ev, type Subscription } from '../helpers/events.js';
import { gpuWorker, H100, poolWorld, sleep, type PoolWorld } from '../helpers/pools.js';
import { createProject, createTenant, createToken, uniq } from '../helpers/seed.js';

let app: TestApp;
let w: PoolWorld;
const subs: Subscription[] = [];
const track = (s: Subscription) => (subs.push(s), s);
beforeAll(async () => {
  app = await startTestApp();
  w = await poolWorld(app, { quota: 640, machines: { controlPlanes: 8, gpuHosts: [{ family: H100, count: 8, gpusEach: 8 }] } });
});
afterAll(async () => {
  await Promise.all(subs.map((s) => s.close()));
  await app?.close();
});

const running = (es: Ev[]) => es.some((e) => e.type === 'PHASE_CHANGED' && e.phase === 'RUNNING');
const deleted = (es: Ev[]) => es.some((e) => e.type === 'PHASE_CHANGED' && e.phase === 'DELETED');

async function slowPool(delayMs = 60): Promise<{ id: string; name: string }> {
  // slower controllers, so the flow is still going while the test drops and reconnects
  app.hub.sim!.faults.set({ statusDelayMs: delayMs });
  const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'SHARED', workers: gpuWorker() });
  expect(d.createComputePool.userErrors).toEqual([]);
  return d.createComputePool.computePool;
}

async function logLength(id: string): Promise<number> {
  return (await poolEventLog(app, id)).length;
}

describe('event subscriptions across reconnects', () => {
  it('should give a subscriber that reconnects with its last cursor exactly the events it missed, several times over', async () => {
    const pool = await slowPool();
    const received: Ev[] = [];
    let cursor: string | null = null;
    let cycles = 0;
    for (;;) {
      const sub = track(poolEvents(app, pool.id, cursor));
      const target = received.length + 3;
      try {
        await sub.until((es) => es.length >= 3 || running(received.concat(es)), 30_000);
      } finally {
        await sub.close();
      }
      received.push(...sub.events);
      if (running(received)) break;
      cursor = received.at(-1)!.cursor;
      cycles++;
      // events commit while we are away
      const away = await logLength(pool.id);
      const deadline = Date.now() + 10_000;
      while ((await logLength(pool.id)) < Math.max(away, target) + 2 && Date.now() < deadline) await sleep(20);
    }
    app.hub.sim!.faults.clear();
    expect(cycles).toBeGreaterThanOrEqual(2);
    const log = await poolEventLog(app, pool.id);
    expect(isGapless(received.map((e) => e.seq))).toBe(true);
    expect(brief(received)).toEqual(brief(log.slice(0, received.length)));
    expect(received.map((e) => e.id)).toEqual(log.slice(0, received.length).map((e) => e.id));
  }, 90_000);

  it('should replay only the tail after a cursor once the flow is over, then stream what comes next', async () => {
    const pool = await slowPool(0);
    await waitForPoolPhase(app, pool.id, ['RUNNING']);
    const log = await poolEventLog(app, pool.id);
    const mid = Math.floor(log.length / 2);
    const tail = track(poolEvents(app, pool.id, log[mid - 1].cursor));
    await tail.until((es) => es.length >= log.length - mid);
    expect(brief(tail.events)).toEqual(brief(log.slice(mid)));
    // a replay (plain rows) carries every field exactly as the connection (entities) shows it
    expect(tail.events.slice(0, log.length - mid)).toEqual(log.slice(mid));
    // after the last cursor: nothing until something happens
    const quiet = track(poolEvents(app, pool.id, log.at(-1)!.cursor));
    await sleep(200);
    expect(quiet.events).toEqual([]);
    await app.q(`mutation($id: ID!) { deleteComputePool(input: { id: $id }) { userErrors { code } } }`, { id: pool.id });
    await quiet.until(deleted);
    await tail.until(deleted);
    const full = await poolEventLog(app, pool.id);
    expect(brief(quiet.events)).toEqual(brief(full.slice(log.length)));
    expect(brief(tail.events)).toEqual(brief(full.slice(mid)));
  });

  it('should give every subscriber the whole log once, whenever it joins while events commit', async () => {
    const pools = [await slowPool(20), await slowPool(20)];
    app.hub.sim!.faults.clear();
    const joined: { pool: string; sub: Subscription }[] = [];
    const project = track(projectEvents(app, w.project.id));
    for (let i = 0; i < 12; i++) {
      const pool = pools[i % 2];
      joined.push({ pool: pool.id, sub: track(poolEvents(app, pool.id)) });
      await sleep(25 + Math.random() * 40);
    }
    for (const p of pools) await waitForPoolPhase(app, p.id, ['RUNNING']);
    for (const p of pools) {
      const log = await poolEventLog(app, p.id);
      for (const j of joined.filter((x) => x.pool === p.id)) {
        await j.sub.until((es) => es.length >= log.length);
        await sleep(50);
        expect(brief(j.sub.events)).toEqual(brief(log));
      }
      await project.until((es) => es.filter((e) => e.subjectId === p.id).length >= log.length);
      expect(brief(project.events.filter((e) => e.subjectId === p.id))).toEqual(brief(log));
    }
    expect(isGapless(project.events.map((e) => e.projectSeq))).toBe(true);
  });

  it('should resume a project subscription from its cursor without a gap or a repeat', async () => {
    const first = track(projectEvents(app, w.project.id));
    await first.until((es) => es.length > 0);
    const pool = await slowPool(40);
    await first.until((es) => es.some((e) => e.subjectId === pool.id && e.type === 'STEP_STARTED'));
    await first.close();
    const resumeAt = first.events.at(-1)!;
    await sleep(300);
    const second = track(projectEvents(app, w.project.id, resumeAt.cursor));
    await second.until((es) => es.some((e) => e.subjectId === pool.id && e.type === 'PHASE_CHANGED' && e.phase === 'RUNNING'));
    app.hub.sim!.faults.clear();
    const all = [...first.events, ...second.events];
    expect(isGapless(all.map((e) => e.projectSeq))).toBe(true);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(brief(all.filter((e) => e.subjectId === pool.id))).toEqual(brief((await poolEventLog(app, pool.id)).slice(0, all.filter((e) => e.subjectId === pool.id).length)));
  });
});

describe('event subscriptions check access when they start', () => {
  it('should refuse a pool or project the caller cannot see with NOT_FOUND, and serve a viewer', async () => {
    const pool = await slowPool(0);
    app.hub.sim!.faults.clear();
    const t2 = await createTenant(app, uniq('t'), [{ gpuFamily: H100, limit: 8 }]);
    const p2 = await createProject(app, t2.id, uniq('p'), [{ gpuFamily: H100, limit: 8 }]);
    const outsider = await createToken(app, [{ role: 'PROJECT_ADMIN', projectId: p2.id }]);
    const viewer = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: w.project.id }]);

    for (const s of [poolEvents(app, pool.id, null, outsider), projectEvents(app, w.project.id, null, outsider), poolEvents(app, toGlobalId(NodeKind.ComputePool, randomUUID()))]) {
      track(s);
      await s.done();
      expect(s.events).toEqual([]);
      expect(s.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    const wrongKind = track(poolEvents(app, w.project.id));
    await wrongKind.done();
    expect(wrongKind.errors.map((e) => e.extensions?.code)).toEqual(['INVALID_ID']);
    const badCursor = track(poolEvents(app, pool.id, 'not-a-cursor'));
    await badCursor.done();
    expect(badCursor.errors.map((e) => e.extensions?.code)).toEqual(['INVALID_INPUT']);

    await waitForPoolPhase(app, pool.id, ['RUNNING']);
    const log = await poolEventLog(app, pool.id);
    const asViewer = track(poolEvents(app, pool.id, null, viewer));
    await asViewer.until((es) => es.length >= log.length);
    expect(brief(asViewer.events)).toEqual(brief(log));
    const projectAsViewer = track(projectEvents(app, w.project.id, null, viewer));
    await projectAsViewer.until((es) => es.some((e) => e.subjectId === pool.id && e.phase === 'RUNNING'));

    // no token, or a revoked one: the connection itself is refused
    const anonymous = track(poolEvents(app, pool.id, null, null));
    await anonymous.done(10_000);
    expect(anonymous.events).toEqual([]);
    expect(anonymous.socketError).toBeDefined();
  });
});
