/**
 * The runner's plain statements and outcome transactions on the driver's connection
 * (src/db/driver.sql.ts) against the knex/MikroORM path they replace: the same rows for the same
 * job store calls (dates, booleans, JSON, RETURNING), the same events and numbers from an
 * EventLog.commit, rollback on a throw, a retry after a retryable conflict, and the same statements
 * in the query log (BEGIN and COMMIT included) — on SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { driverSqlUsable, inDriverTransaction } from '../../src/db/driver.sql.js';
import { readRows } from '../../src/db/read-rows.js';
import { all, allBound, runBound } from '../../src/db/sql.js';
import { EventType, SubjectKind } from '../../src/events/event.entity.js';
import { loggedApp } from '../helpers/logged-app.js';

const { app, statements, em, store } = loggedApp();

/** Runs `fn` with knex's query listeners on, so sql.ts takes the knex path (as under SQL tracing). */
async function throughKnex<T>(fn: () => Promise<T>): Promise<T> {
  const knex = em().getKnex();
  const listener = () => undefined;
  knex.on('query-response', listener);
  try {
    expect(driverSqlUsable(em())).toBe(false);
    return await fn();
  } finally {
    knex.off('query-response', listener);
  }
}

async function newJob(): Promise<{ id: string; subjectId: string }> {
  const subjectId = randomUUID();
  const f = em();
  const job = store().create(f, 'test-flow', subjectId, randomUUID(), { a: 1 });
  await f.flush();
  return { id: job.id, subjectId };
}

const rowOf = async (id: string) => {
  const [r] = await allBound<Record<string, unknown>>(em(), 'select "state", "step_id", "step_started", "checkpoint", "wait_key", "attempts", "error_attempts", "lease_owner", "run_at", "finished_at" from "workflow_job" where "id" = ?', [id]);
  return r;
};

/** One job's life through the store: claim, heartbeat, outcome writes, nudge, next claimable. */
async function life(job: { id: string; subjectId: string }, owner: string, at: Date) {
  const s = store();
  const claimed = (await s.claim(em(), owner, 100, 15_000)).filter((c) => c.id === job.id);
  const beat = await s.heartbeat(em(), job.id, owner, 15_000);
  const wrote = await s.write(em(), job.id, owner, { stepId: 'b', stepStarted: true, checkpoint: { a: 1, b: [true] }, waitKey: null, errorAttempts: 2, runAt: at });
  const foreign = await s.write(em(), job.id, 'someone-else', { stepId: 'c' });
  const released = await s.write(em(), job.id, owner, { leaseOwner: null, leaseUntil: null, runAt: new Date(at.getTime() + 60_000) });
  const nudged = await s.nudge(em(), job.subjectId);
  const next = await s.nextClaimableInMs(em(), 'nobody');
  return { claimed: claimed.map(({ id: _id, subjectId: _s, projectId: _p, ...c }) => c), beat, wrote, foreign, released, nudged, next: next !== null };
}

describe('plain statements and transactions on the driver connection', () => {
  it('should leave the same job rows and answer the same as the knex path', async () => {
    const at = new Date(Date.now() - 1000);
    // one after the other: a claim takes every due job
    const viaKnex = await newJob();
    const a = await throughKnex(() => life(viaKnex, 'owner-k', at));
    const ka = await rowOf(viaKnex.id);
    expect(driverSqlUsable(em())).toBe(true);
    const direct = await newJob();
    const b = await life(direct, 'owner-d', at);
    const da = await rowOf(direct.id);
    expect(b).toEqual(a);
    expect(a.claimed).toHaveLength(1);
    // (run_at is "now" of each nudge: the same type and form, a different instant)
    const form = (v: unknown) => (v instanceof Date ? 'Date' : typeof v === 'string' ? `string ${/^\d+$/.test(v)}` : typeof v);
    expect({ ...da, run_at: form(da.run_at) }).toEqual({ ...ka, run_at: form(ka.run_at) });
  });

  it('should commit events and writes as the ORM transaction does, and roll back on a throw', async () => {
    const log = app().services.events.log;
    const project = randomUUID();
    const run = (plain: boolean, fail = false) => {
      const job = newJob();
      return job.then(async (j) => {
        const owner = `o-${plain}`;
        await store().claim(em(), owner, 100, 15_000);
        const done = log.commit(
          em(),
          async (tem, events) => {
            events.emit({ subjectKind: SubjectKind.APP_DEPLOYMENT, subjectId: j.subjectId, subjectName: 'x', projectId: project, type: EventType.STEP_STARTED, phase: 'DEPLOYING', percent: 10, message: 'm', details: { k: [1] } });
            expect(await store().write(tem, j.id, owner, { stepId: 's', stepStarted: true })).toBe(true);
            if (fail) throw new Error('boom');
            return 'ok';
          },
          { plain },
        );
        return { j, done };
      });
    };
    const orm = await run(false);
    const plain = await run(true);
    expect(await orm.done).toBe('ok');
    expect(await plain.done).toBe('ok');
    const eventsOf = (subjectId: string) => allBound<Record<string, unknown>>(em(), 'select "type", "phase", "seq", "percent", "message", "details" from "deployment_event" where "subject_id" = ?', [subjectId]);
    const norm = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, seq: Number(r.seq), details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details }));
    expect(norm(await eventsOf(plain.j.subjectId))).toEqual(norm(await eventsOf(orm.j.subjectId)));
    expect((await rowOf(plain.j.id)).step_id).toBe('s');

    const failed = await run(true, true);
    await expect(failed.done).rejects.toThrow('boom');
    expect(await eventsOf(failed.j.subjectId)).toEqual([]);
    expect((await rowOf(failed.j.id)).step_id).toBeNull();
    // the project's numbering has no gap: the rolled-back event took its number back
    const [{ n }] = await allBound<{ n: number }>(em(), 'select max("project_seq") as n from "deployment_event" where "project_id" = ?', [project]);
    expect(Number(n)).toBe(2);
  });

  it('should read its own writes with readRows inside, and refuse the ORM connection\'s run/all there', async () => {
    const j = await newJob();
    const seen = await inDriverTransaction(em(), async (tem) => {
      await runBound(tem, 'update "workflow_job" set "wait_key" = ? where "id" = ?', ['inside', j.id]);
      const [r] = await readRows<{ wait_key: string }>(tem, 'select "wait_key" from "workflow_job" where "id" = ?', [j.id]);
      await expect(all(tem, 'select 1')).rejects.toThrow(/plain \(driver\) transaction/);
      return r.wait_key;
    });
    expect(seen).toBe('inside');
  });

  it('should run the transaction again after a retryable conflict, and log BEGIN and COMMIT like the ORM', async () => {
    const j = await newJob();
    let attempts = 0;
    statements.length = 0;
    await inDriverTransaction(em(), async (tem) => {
      attempts++;
      await allBound(tem, 'update "workflow_job" set "attempts" = "attempts" + 1 where "id" = ? returning "attempts"', [j.id]);
      if (attempts === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    });
    const shown = statements.map((s) => s.replace(/^\[query\] /, '').split(' ')[0].toLowerCase());
    expect(shown).toEqual(['begin', 'update', 'rollback', 'begin', 'update', 'commit']);
    expect(attempts).toBe(2);
    expect((await rowOf(j.id)).attempts).toBe(1);
  });
});
