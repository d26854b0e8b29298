/**
 * The event log's numbering (EventLog.append): one transaction's events for several subjects of
 * several projects, interleaved, get consecutive numbers per subject (seq) and per project
 * (projectSeq) in the order they were emitted, continuing across transactions; the numbers append
 * returns are the stored ones; a rolled-back transaction takes its numbers back (no gap). On
 * PostgreSQL the counters' bump and the insert are one statement, on SQLite two: the same numbers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Em } from '../../src/db/orm.js';
import { all } from '../../src/db/sql.js';
import { inTransaction } from '../../src/db/transaction.js';
import type { EventDto, NewEvent } from '../../src/events/event.dto.js';
import { EventType, SubjectKind } from '../../src/events/event.entity.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ noRunner: true });
});
afterAll(async () => {
  await app?.close();
});

const projectA = randomUUID();
const projectB = randomUUID();
const s1 = randomUUID();
const s2 = randomUUID();
const s3 = randomUUID();

const ev = (subjectId: string, projectId: string, message: string): NewEvent => ({
  subjectKind: SubjectKind.APP_DEPLOYMENT,
  subjectId,
  subjectName: `n-${subjectId.slice(0, 8)}`,
  projectId,
  type: EventType.STEP_PROGRESS,
  phase: 'DEPLOYING',
  stepId: 'rollout',
  stepIndex: 3,
  stepCount: 4,
  percent: 50,
  message,
  details: { message },
});

/** Appends `events` in one transaction; returns what append returned. */
const append = (events: NewEvent[]) => inTransaction(app.orm.em.fork() as Em, (tem) => app.services.events.log.append(tem, events));

describe('event numbering', () => {
  it('should number interleaved events per subject and per project in emission order, across transactions, and take back the numbers of a rollback', async () => {
    const first = await append([ev(s1, projectA, 'a'), ev(s2, projectA, 'b'), ev(s3, projectB, 'c'), ev(s1, projectA, 'd'), ev(s3, projectB, 'e'), ev(s2, projectA, 'f')]);
    const pick = (dtos: EventDto[]) => dtos.map((d) => [d.message, d.seq, d.projectSeq]);
    expect(pick(first)).toEqual([
      ['a', 1, 1],
      ['b', 1, 2],
      ['c', 1, 1],
      ['d', 2, 3],
      ['e', 2, 2],
      ['f', 2, 4],
    ]);

    // a rollback takes its numbers back
    await expect(
      inTransaction(app.orm.em.fork() as Em, async (tem) => {
        await app.services.events.log.append(tem, [ev(s1, projectA, 'rolled back')]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    const second = await append([ev(s2, projectA, 'g'), ev(s1, projectA, 'h')]);
    expect(pick(second)).toEqual([
      ['g', 3, 5],
      ['h', 3, 6],
    ]);

    // what append returned is what was stored
    const rows = await all<{ id: string; message: string; seq: number | string; project_seq: number | string }>(
      app.orm.em.fork() as Em,
      `select id, message, seq, project_seq from deployment_event where project_id in (?, ?) order by message`,
      [projectA, projectB],
    );
    const returned = [...first, ...second].sort((x, y) => (x.message < y.message ? -1 : 1));
    expect(rows.map((r) => [r.id, r.message, Number(r.seq), Number(r.project_seq)])).toEqual(returned.map((d) => [d.id, d.message, d.seq, d.projectSeq]));
  });
});
