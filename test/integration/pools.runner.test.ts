/**
 * The workflow runner over real pool rows and the real job store (both databases), with scripted
 * steps instead of the hub: transient hub errors become waits and never fail a pool, unexpected
 * errors fail it after a bounded number of attempts, a permanent refusal fails it at once, a job
 * leased by a dead runner is taken over only once its lease expires, an outcome written without the
 * lease is rolled back, and waits report a stable `since`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ComputePool } from '../../src/compute/pool.entity.js';
import { POOL_PROVISION_FLOW } from '../../src/compute/pool.flow.names.js';
import { poolMachine } from '../../src/compute/pool.machine.js';
import { PoolPhase } from '../../src/compute/pool.model.js';
import { releasePool } from '../../src/compute/pool.admission.js';
import type { Em } from '../../src/db/orm.js';
import { SubjectKind } from '../../src/events/event.entity.js';
import { HubError, HubErrorKind, type HubAdapter } from '../../src/kube/index.js';
import { createLogger } from '../../src/logger.js';
import { runnerEvents, type RunnerEventMessage } from '../../src/observability/channels.js';
import { done, fail, FailureReason, wait, WaitReason, type FlowDefinition, type StepContext, type StepResult } from '../../src/workflow/flow.js';
import { WorkflowJob } from '../../src/workflow/job.entity.js';
import { defaultRunnerOptions, WorkflowRunner, type RunnerOptions } from '../../src/workflow/runner.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { pgSession, waitForLockWaiters } from '../helpers/pg-locks.js';
import { createPool, poolPhase, waitForPoolPhase } from '../helpers/compute.js';
import { isGapless, poolEventLog } from '../helpers/events.js';
import { gpuWorker, machineStates, poolWorld, sleep, type PoolWorld } from '../helpers/pools.js';
import { sql } from '../helpers/snapshot.js';

let app: TestApp;
let w: PoolWorld;
const runners: WorkflowRunner[] = [];
beforeAll(async () => {
  // the app's own runner stays off: these tests run the pools' jobs with runners of their own
  app = await startTestApp({ noRunner: true });
  w = await poolWorld(app, { quota: 800, machines: { controlPlanes: 20, gpuHosts: [{ family: 'NVIDIA-H100', count: 20, gpusEach: 8 }] } });
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await app?.close();
});

type Script = (ctx: StepContext<ComputePool>, stepId: string) => Promise<StepResult>;

/** A provision flow whose steps the test scripts (same name, subject, machine and outcomes as the real one). */
function scriptedFlow(steps: string[], script: Script): FlowDefinition<ComputePool> {
  return {
    name: POOL_PROVISION_FLOW,
    subjectKind: SubjectKind.COMPUTE_POOL,
    entity: ComputePool,
    machine: poolMachine,
    donePhase: PoolPhase.RUNNING,
    // the scripted steps provision; two trivial steps walk the pool through the later phases
    steps: [
      ...steps.map((id) => ({ id, title: `step ${id}`, phase: PoolPhase.PROVISIONING, run: (ctx: StepContext<ComputePool>) => script(ctx, id) })),
      { id: 'register', title: 'register', phase: PoolPhase.REGISTERING, run: async () => done() },
      { id: 'install', title: 'install', phase: PoolPhase.INSTALLING, run: async () => done() },
    ],
    onFail: async ({ em, subject }) => releasePool(em, subject.id),
  };
}

function runner(flow: FlowDefinition<ComputePool>, over: Partial<RunnerOptions> = {}): WorkflowRunner {
  const r = new WorkflowRunner(app.orm, app.runner.store, app.services.events.log, {} as HubAdapter, createLogger({ level: 'silent' }), {
    ...defaultRunnerOptions,
    maxWaitMs: 50,
    leaseMs: 2_000,
    maxErrorAttempts: 3,
    ...over,
  }, app.wake);
  r.register(flow);
  runners.push(r);
  return r;
}

async function newPool(): Promise<{ id: string; uuid: string; name: string }> {
  const d = await createPool(app, { projectId: w.project.id, infrastructureBundleId: w.bundle, mode: 'SHARED', workers: gpuWorker() });
  expect(d.createComputePool.userErrors).toEqual([]);
  const p = d.createComputePool.computePool;
  const row = await (app.orm.em.fork() as Em).findOneOrFail(ComputePool, { name: p.name, activeName: p.name });
  return { id: p.id, uuid: row.id, name: p.name };
}

async function job(subjectId: string): Promise<WorkflowJob> {
  return (app.orm.em.fork() as Em).findOneOrFail(WorkflowJob, { subjectId }, { orderBy: { createdAt: 'desc' } });
}

const transient = () => new HubError(HubErrorKind.Transient, 'The hub answered 503', 'get', { kind: 'Cluster', name: 'x' }, 503);

describe('workflow runner', () => {
  it('should turn transient hub errors into waits, however many, and never fail the pool for them', async () => {
    const pool = await newPool();
    let errors = 0;
    const seen: (string | null)[] = [];
    const r = runner(
      scriptedFlow(['a', 'b'], async (ctx, id) => {
        if (id === 'a' && errors < 8) {
          errors++;
          if (errors === 4) seen.push((await poolPhase(app, pool.id)).status.waitingOn?.reason ?? null);
          throw transient();
        }
        return done();
      }),
    );
    r.start();
    const final = await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED']);
    expect(errors).toBe(8); // more than maxErrorAttempts (3)
    expect(final.phase).toBe('RUNNING');
    expect(seen).toEqual(['HUB_UNREACHABLE']);
    const log = await poolEventLog(app, pool.id);
    expect(isGapless(log.map((e) => e.seq))).toBe(true);
    expect(log.filter((e) => e.type === 'STEP_FAILED')).toEqual([]);
    expect(log.some((e) => e.type === 'STEP_WAITING' && e.details?.reason === 'HUB_UNREACHABLE')).toBe(true);
  });

  it('should fail the pool after a bounded number of unexpected errors, and release its machines', async () => {
    const pool = await newPool();
    let calls = 0;
    runner(
      scriptedFlow(['a'], async () => {
        calls++;
        throw new Error('a bug');
      }),
    ).start();
    const final = await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED']);
    expect(final.phase).toBe('FAILED');
    expect(calls).toBe(3);
    expect(final.status.failure).toEqual({ reason: 'INTERNAL_ERROR', step: 'a', message: expect.not.stringContaining('a bug') });
    const machines = await machineStates(app, w.tenant.name);
    expect(Object.values(machines).filter((m) => m.pool === pool.name)).toEqual([]);
  });

  it('should fail the pool at once when the hub refuses a request', async () => {
    const pool = await newPool();
    let calls = 0;
    runner(
      scriptedFlow(['a'], async () => {
        calls++;
        throw new HubError(HubErrorKind.Permanent, 'The hub refused Cluster x (422)', 'apply', { kind: 'Cluster', name: 'x' }, 422, 'Invalid', 'spec.topology: Invalid value');
      }),
    ).start();
    const final = await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED']);
    expect(calls).toBe(1);
    expect(final.status.failure).toEqual({ reason: 'HUB_REJECTED', step: 'a', message: 'The hub refused Cluster x (422)' });
    const log = await poolEventLog(app, pool.id);
    expect(log.map((e) => e.message).join('\n')).not.toContain('spec.topology');
    expect(log.slice(-2).map((e) => [e.type, e.phase])).toEqual([
      ['STEP_FAILED', 'FAILED'],
      ['PHASE_CHANGED', 'FAILED'],
    ]);
  });

  it('should pass a wait checkpoint and earlier results to later attempts', async () => {
    const pool = await newPool();
    const seen: unknown[] = [];
    runner(
      scriptedFlow(['a', 'b'], async (ctx, id) => {
        if (id === 'a') return done({ clusters: ['x'] });
        seen.push({ checkpoint: ctx.checkpoint, results: ctx.results.a });
        const n = (ctx.checkpoint as { n?: number } | undefined)?.n ?? 0;
        return n < 3 ? wait(WaitReason.WAITING_FOR_CLUSTER, `round ${n}`, { retryAfterMs: 1, data: { n: n + 1 } }) : done();
      }),
    ).start();
    await waitForPoolPhase(app, pool.id, ['RUNNING']);
    expect(seen).toEqual([
      { checkpoint: undefined, results: { clusters: ['x'] } },
      { checkpoint: { n: 1 }, results: { clusters: ['x'] } },
      { checkpoint: { n: 2 }, results: { clusters: ['x'] } },
      { checkpoint: { n: 3 }, results: { clusters: ['x'] } },
    ]);
  });

  it('should keep waitingOn.since while the same wait only makes progress, and reset it when the reason changes', async () => {
    const pool = await newPool();
    let round = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const samples: { reason: string; message: string; since: string; percent: number }[] = [];
    runner(
      scriptedFlow(['a'], async () => {
        round++;
        if (round <= 4) return wait(WaitReason.WAITING_FOR_CLUSTER, `Waiting for Cluster API: c Provisioning ${round * 20}%`, { progress: round / 5, retryAfterMs: 1 });
        if (round <= 6) return wait(WaitReason.WAITING_FOR_REGISTRATION, 'Waiting for spokes: c joining', { progress: 0.9, retryAfterMs: 1 });
        await gate;
        return done();
      }),
    ).start();
    const deadline = Date.now() + 20_000;
    while (round < 7 && Date.now() < deadline) {
      const s = (await poolPhase(app, pool.id)).status;
      if (s.waitingOn) samples.push({ ...s.waitingOn, percent: s.percent });
      await sleep(5);
    }
    release();
    await waitForPoolPhase(app, pool.id, ['RUNNING']);
    const log = await poolEventLog(app, pool.id);
    const waits = log.filter((e) => e.type === 'STEP_WAITING' || e.type === 'STEP_PROGRESS');
    // a new reason is STEP_WAITING; the same reason with more progress is STEP_PROGRESS
    expect(waits.map((e) => [e.type, e.details?.reason])).toEqual([
      ['STEP_WAITING', 'WAITING_FOR_CLUSTER'],
      ['STEP_PROGRESS', 'WAITING_FOR_CLUSTER'],
      ['STEP_PROGRESS', 'WAITING_FOR_CLUSTER'],
      ['STEP_PROGRESS', 'WAITING_FOR_CLUSTER'],
      ['STEP_WAITING', 'WAITING_FOR_REGISTRATION'],
    ]);
    // step 1 of 3: percent = (progress of the step) / 3
    expect(waits.map((e) => e.percent)).toEqual([0.2, 0.4, 0.6, 0.8, 0.9].map((p) => Math.floor((p / 3) * 100)));
    const byReason = (reason: string) => new Set(samples.filter((s) => s.reason === reason).map((s) => s.since));
    expect(byReason('WAITING_FOR_CLUSTER').size).toBeLessThanOrEqual(1);
    expect(byReason('WAITING_FOR_REGISTRATION').size).toBeLessThanOrEqual(1);
    const cluster = samples.find((s) => s.reason === 'WAITING_FOR_CLUSTER');
    const registration = samples.find((s) => s.reason === 'WAITING_FOR_REGISTRATION');
    if (cluster && registration) expect(Date.parse(registration.since)).toBeGreaterThanOrEqual(Date.parse(cluster.since));
  });

  it('should leave a job leased by a dead runner alone until its lease expires, then take it over', async () => {
    const pool = await newPool();
    // a runner claims the job and dies at once: no heartbeat, no outcome
    const claimedAt = Date.now();
    const claimed = await app.runner.store.claim(app.orm.em.fork() as Em, 'runner-dead', 100, 1_500);
    expect(claimed.map((j) => j.subjectId)).toContain(pool.uuid);
    const runs: number[] = [];
    runner(
      scriptedFlow(['a'], async () => {
        runs.push(Date.now());
        return done();
      }),
      { leaseMs: 1_500 },
    ).start();
    await waitForPoolPhase(app, pool.id, ['RUNNING']);
    expect(runs).toHaveLength(1);
    expect(runs[0] - claimedAt).toBeGreaterThanOrEqual(1_400);
    const j = await job(pool.uuid);
    expect(j.state).toBe('DONE');
    expect(j.attempts).toBe(2);
  });

  it('should roll back an outcome when the runner lost its lease meanwhile', async () => {
    const pool = await newPool();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered = false;
    // what the runner reports (the lease-loss metric counts the reports whose source is its app's runner)
    const reports: RunnerEventMessage[] = [];
    const onReport = (m: unknown) => reports.push(m as RunnerEventMessage);
    runnerEvents.subscribe(onReport);
    const r = runner(
      scriptedFlow(['a', 'b'], async (_ctx, id) => {
        if (id === 'a') {
          entered = true;
          await gate;
        }
        return done();
      }),
      { leaseMs: 60_000 },
    );
    r.start();
    const deadline = Date.now() + 10_000;
    while (!entered && Date.now() < deadline) await sleep(10);
    expect(entered).toBe(true);
    const before = await poolEventLog(app, pool.id);
    // another runner took the job over (the first one stalled past its lease)
    await (app.orm.em.fork() as Em).nativeUpdate(WorkflowJob, { subjectId: pool.uuid }, { leaseOwner: 'runner-other', leaseUntil: new Date(Date.now() + 60_000) });
    release();
    await sleep(300);
    runnerEvents.unsubscribe(onReport);
    expect(reports.filter((m) => m.source === r)).toEqual([expect.objectContaining({ event: 'lease_lost', flow: POOL_PROVISION_FLOW })]);
    const after = await poolEventLog(app, pool.id);
    expect(after).toEqual(before);
    const j = await job(pool.uuid);
    expect(j.stepId).toBe('a');
    expect(j.leaseOwner).toBe('runner-other');
    expect((await poolPhase(app, pool.id)).status.currentStep).toBe('a');
  });

  it('should let only one of two runners run a job at a time', async () => {
    const pools = await Promise.all([newPool(), newPool(), newPool()]);
    let inFlight = new Map<string, number>();
    let overlap = 0;
    const script: Script = async (ctx) => {
      const n = (inFlight.get(ctx.subject.id) ?? 0) + 1;
      inFlight.set(ctx.subject.id, n);
      if (n > 1) overlap++;
      await sleep(20);
      inFlight.set(ctx.subject.id, (inFlight.get(ctx.subject.id) ?? 1) - 1);
      const k = (ctx.checkpoint as { k?: number } | undefined)?.k ?? 0;
      return k < 3 ? wait(WaitReason.WAITING_FOR_CLUSTER, `k ${k}`, { retryAfterMs: 1, data: { k: k + 1 } }) : done();
    };
    runner(scriptedFlow(['a', 'b'], script)).start();
    runner(scriptedFlow(['a', 'b'], script)).start();
    for (const p of pools) await waitForPoolPhase(app, p.id, ['RUNNING']);
    expect(overlap).toBe(0);
    for (const p of pools) {
      const log = await poolEventLog(app, p.id);
      expect(isGapless(log.map((e) => e.seq))).toBe(true);
      expect(log.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step)).toEqual(['a', 'b', 'register', 'install']);
      expect(log.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step)).toEqual(['a', 'b', 'register', 'install']);
    }
    inFlight = new Map();
  });

  it('should fail the pool with the reason a step gives', async () => {
    const pool = await newPool();
    runner(scriptedFlow(['a', 'b'], async (_c, id) => (id === 'a' ? done() : fail(FailureReason.CLUSTER_FAILED, 'Cluster x failed to provision')))).start();
    const final = await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED']);
    expect(final.status.failure).toEqual({ reason: 'CLUSTER_FAILED', step: 'b', message: 'Cluster x failed to provision' });
    expect(final.status.waitingOn).toBeNull();
    expect((await job(pool.uuid)).state).toBe('FAILED');
  });

  /** Runs release 1 of a flow until its job waits in step `b`, then stops that runner. */
  async function waitingInB(pool: { id: string }, steps: string[]): Promise<void> {
    const r1 = runner(scriptedFlow(steps, async (_c, id) => (id === 'b' ? wait(WaitReason.WAITING_FOR_CLUSTER, 'b waits', { retryAfterMs: 60_000 }) : done())));
    r1.start();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = (await poolPhase(app, pool.id)).status;
      if (s.currentStep === 'b' && s.waitingOn) break;
      if (Date.now() > deadline) throw new Error(`the job never waited in b: ${JSON.stringify(s)}`);
      await sleep(20);
    }
    await r1.stop();
  }

  it('should resume an in-flight job at its step, by name, after a release reorders and adds steps', async () => {
    const pool = await newPool();
    await waitingInB(pool, ['a', 'b', 'c']);
    // release 2: a new first step, and b now third — the job was in b, so it goes on with b, then c
    const ran: string[] = [];
    runner(scriptedFlow(['x', 'a', 'b', 'c'], async (_c, id) => (ran.push(id), done()))).start();
    await app.runner.nudge(pool.uuid);
    expect((await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED'])).phase).toBe('RUNNING');
    expect(ran).toEqual(['b', 'c']);
    const log = await poolEventLog(app, pool.id);
    expect(isGapless(log.map((e) => e.seq))).toBe(true);
    expect(log.filter((e) => e.type === 'STEP_SUCCEEDED').map((e) => e.step)).toEqual(['a', 'b', 'c', 'register', 'install']);
  });

  it('should fail a job whose step a release removed, with UNKNOWN_STEP, and fail its subject', async () => {
    const pool = await newPool();
    await waitingInB(pool, ['a', 'b', 'c']);
    const ran: string[] = [];
    runner(scriptedFlow(['a', 'c'], async (_c, id) => (ran.push(id), done()))).start();
    await app.runner.nudge(pool.uuid);
    const final = await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED']);
    expect(ran).toEqual([]);
    expect(final.phase).toBe('FAILED');
    expect(final.status.failure).toEqual({ reason: 'UNKNOWN_STEP', step: 'b', message: expect.stringMatching(/Step "b" is not a step of compute-pool.provision in this release/) });
    expect(await sql(app, `select state, step_id from workflow_job where subject_id = ?`, [pool.uuid])).toEqual([{ state: 'FAILED', step_id: 'b' }]);
    // the flow's onFail ran: the pool's machines are free again
    expect(Object.values(await machineStates(app, w.tenant.name)).filter((m) => m.pool === pool.name)).toEqual([]);
  });

  it('should fail a job whose outcome cannot be recorded after a bounded number of attempts, with BOOKKEEPING_FAILED', async () => {
    const pool = await newPool();
    let onDone = 0;
    const flow: FlowDefinition<ComputePool> = {
      ...scriptedFlow(['a'], async () => done()),
      onDone: async () => {
        onDone++;
        throw new Error('a bug in the completion hook');
      },
    };
    runner(flow, { maxBookkeepingFailures: 3, minBackoffMs: 10, maxBackoffMs: 50 }).start();
    const final = await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED'], 15_000);
    expect(final.phase).toBe('FAILED');
    expect(onDone).toBe(3);
    expect(final.status.failure).toEqual({ reason: 'BOOKKEEPING_FAILED', step: 'install', message: expect.stringMatching(/could not be recorded \(3 attempts\)/) });
    expect(await sql(app, `select state, bookkeeping_failures from workflow_job where subject_id = ?`, [pool.uuid])).toEqual([{ state: 'FAILED', bookkeeping_failures: 3 }]);
    const log = await poolEventLog(app, pool.id);
    expect(isGapless(log.map((e) => e.seq))).toBe(true);
    expect(log.slice(-2).map((e) => [e.type, e.phase, e.details?.reason ?? null])).toEqual([
      ['STEP_FAILED', 'FAILED', 'BOOKKEEPING_FAILED'],
      ['PHASE_CHANGED', 'FAILED', null],
    ]);
  });

  it('should still fail the job when the flow\'s failure hook fails as well', async () => {
    const pool = await newPool();
    const boom = async () => {
      throw new Error('a bug in a hook');
    };
    runner({ ...scriptedFlow(['a'], async () => done()), onDone: boom, onFail: boom }, { maxBookkeepingFailures: 2, minBackoffMs: 10, maxBackoffMs: 50 }).start();
    const final = await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED'], 15_000);
    expect(final.status.failure).toMatchObject({ reason: 'BOOKKEEPING_FAILED', step: 'install' });
    expect((await job(pool.uuid)).state).toBe('FAILED');
  });

  it.runIf(testDialect() === 'postgresql')('should make the phase change again when a step-start transaction is retried after a deadlock', async () => {
    const pool = await newPool();
    const probe = await pgSession(app);
    const holder = await pgSession(app);
    try {
      // the holder never runs the deadlock check itself: PostgreSQL breaks the cycle by aborting the runner's transaction
      await holder.query(`set deadlock_timeout = '60s'`);
      await holder.query('begin');
      await holder.query('select scope_id from event_sequence where scope_id = $1 for update', [pool.uuid]);
      runner(scriptedFlow(['a'], async () => done())).start();
      // the runner's first transaction moved the pool PENDING -> PROVISIONING, then waits for the pool's event counter
      await waitForLockWaiters(probe, 1);
      // ... and the holder now wants the pool's row: a deadlock; the runner's transaction is rolled back and retried
      await holder.query('update compute_pool set updated_at = updated_at where id = $1', [pool.uuid]);
      await holder.query('rollback');
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await holder.end();
      await probe.end();
    }
    expect((await waitForPoolPhase(app, pool.id, ['RUNNING', 'FAILED'], 20_000)).phase).toBe('RUNNING');
    const log = await poolEventLog(app, pool.id);
    expect(isGapless(log.map((e) => e.seq))).toBe(true);
    expect(log.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase)).toEqual(['PROVISIONING', 'REGISTERING', 'INSTALLING', 'RUNNING']);
    expect(log.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step)).toEqual(['a', 'register', 'install']);
    // the transaction was retried at once (one claim did it all), not left to a lease to expire
    expect(await sql(app, 'select attempts, bookkeeping_failures from workflow_job where subject_id = ?', [pool.uuid])).toEqual([{ attempts: 1, bookkeeping_failures: 0 }]);
  }, 30_000);
});
