/**
 * Plain inserts (src/db/plain-inserts.ts) against the unit of work they replace in admission, on
 * SQLite and PostgreSQL: the same stored values for the same staged rows (dates, booleans, JSON,
 * defaults), one statement per table on SQLite, and a unique index's refusal thrown as MikroORM's
 * UniqueConstraintViolationException (deployApp tells a taken name or idempotency key by it).
 */
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { remember, type IdempotencyScope } from '../../src/db/idempotency.js';
import { PlainInserts } from '../../src/db/plain-inserts.js';
import { allBound } from '../../src/db/sql.js';
import { inTransaction } from '../../src/db/transaction.js';
import { loggedApp } from '../helpers/logged-app.js';
import { testDialect } from '../helpers/db.js';

const { statements, em, store } = loggedApp();
const scope = (key: string): IdempotencyScope => ({ tokenId: randomUUID(), operation: 'deployApp', key, hash: 'h'.repeat(64) });

const jobRow = async (id: string) => {
  const [r] = await allBound<Record<string, unknown>>(em(), 'select * from "workflow_job" where "id" = ?', [id]);
  const { id: _id, subject_id: _s, project_id: _p, created_at: c, updated_at: u, run_at: r2, ...rest } = r;
  // the times are "now" at each create: compare their kind, not their value
  return { ...rest, times: [c, u, r2].map((v) => typeof v) };
};
const idemRow = async (resultId: string) => {
  const [r] = await allBound<Record<string, unknown>>(em(), 'select * from "idempotency_record" where "result_id" = ?', [resultId]);
  const { id: _id, token_id: _t, result_id: _r, created_at: c, updated_at: u, ...rest } = r;
  return { ...rest, times: [c, u].map((v) => typeof v) };
};

describe('plain inserts', () => {
  it('should store what the unit of work stores for the same staged rows', async () => {
    const s = store();
    const viaUow = { subject: randomUUID(), result: randomUUID() };
    await inTransaction(em(), async (tem) => {
      s.create(tem, 'test-flow', viaUow.subject, randomUUID(), { a: 1, b: [true, 'x'] }, 'second');
      remember(tem, scope('uow'), viaUow.result);
      await tem.flush();
    });
    const viaPlain = { subject: randomUUID(), result: randomUUID() };
    statements.length = 0;
    let jobId = '';
    await inTransaction(em(), async (tem) => {
      const rows = new PlainInserts(tem);
      jobId = s.create(rows, 'test-flow', viaPlain.subject, randomUUID(), { a: 1, b: [true, 'x'] }, 'second').id;
      remember(rows, scope('plain'), viaPlain.result);
      await rows.insert();
    });
    const inserts = statements.map((q) => q.replace(/^\[query\] /, '')).filter((q) => /^(insert|with) /i.test(q));
    // SQLite: one statement per table; PostgreSQL: both tables in one
    expect(inserts).toHaveLength(testDialect() === 'postgresql' ? 1 : 2);

    const [uowJob] = await allBound<{ id: string }>(em(), 'select "id" from "workflow_job" where "subject_id" = ?', [viaUow.subject]);
    expect(await jobRow(jobId)).toEqual(await jobRow(uowJob.id));
    expect(await idemRow(viaPlain.result)).toEqual({ ...(await idemRow(viaUow.result)), key: 'plain' });
  });

  it('should throw a unique index refusal as UniqueConstraintViolationException and write nothing of the transaction', async () => {
    const taken = scope('taken');
    await inTransaction(em(), async (tem) => {
      const rows = new PlainInserts(tem);
      remember(rows, taken, randomUUID());
      await rows.insert();
    });
    const subject = randomUUID();
    const second = inTransaction(em(), async (tem) => {
      const rows = new PlainInserts(tem);
      store().create(rows, 'test-flow', subject, randomUUID());
      remember(rows, taken, randomUUID());
      await rows.insert();
    });
    await expect(second).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await allBound(em(), 'select "id" from "workflow_job" where "subject_id" = ?', [subject])).toEqual([]);
  });
});
