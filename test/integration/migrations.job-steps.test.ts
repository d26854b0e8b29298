/**
 * The migration that moves workflow jobs from a step index to a step id (both databases): rows written
 * by the previous release are converted with each flow's step order as it was released, an index no
 * flow had becomes an id the runner fails with UNKNOWN_STEP, and a subject left with two ACTIVE jobs
 * (a retry requested twice) keeps only its newest, so the one-ACTIVE-job index can be built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm, type Orm } from '../../src/db/orm.js';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase;
let orm: Orm;
beforeAll(async () => {
  database = await createTestDatabase();
  orm = await initOrm({ db: database.db });
});
afterAll(async () => {
  await orm?.close(true);
  await database?.drop();
});

const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const SUBJECT = id(900);
const exec = (sql: string, params: unknown[] = []) => orm.em.fork().getConnection().execute(sql, params);

describe(`workflow_job step ids on ${testDialect()}`, () => {
  it('should convert the step index of jobs written by the previous release', async () => {
    await orm.getMigrator().up({ to: 'Migration0001Initial' });
    const rows: [number, string, number, string, string][] = [
      [1, 'compute-pool.provision', 0, 'DONE', id(101)],
      [2, 'compute-pool.provision', 3, 'ACTIVE', id(102)],
      [3, 'compute-pool.provision', 5, 'FAILED', id(103)],
      [4, 'compute-pool.delete', 1, 'ACTIVE', id(104)],
      [5, 'app-deployment.deploy', 3, 'FAILED', id(105)],
      [6, 'app-deployment.deploy', 2, 'ACTIVE', id(106)],
      [7, 'app-deployment.delete', 2, 'CANCELLED', id(107)],
      [8, 'app-deployment.deploy', 7, 'ACTIVE', id(108)],
      // one subject, two ACTIVE jobs: the older goes
      [9, 'app-deployment.deploy', 1, 'ACTIVE', SUBJECT],
      [10, 'app-deployment.deploy', 1, 'ACTIVE', SUBJECT],
    ];
    for (const [n, flow, index, state, subject] of rows) {
      await exec(
        `insert into workflow_job (id, created_at, updated_at, flow, subject_id, project_id, state, step_index, step_started, error_attempts, attempts, run_at, lease_owner, lease_until, checkpoint)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?, '{}')`,
        [id(n), new Date(), new Date(), flow, subject, id(999), state, index, true, new Date(), state === 'ACTIVE' ? 'runner-old' : null, state === 'ACTIVE' ? new Date() : null],
      );
    }
    const applied = await orm.getMigrator().up();
    expect(applied.map((m) => m.name)).toContainEqual(expect.stringMatching(/JobStepNames$/));

    const after = (await exec(`select id, step_id, state, lease_owner, bookkeeping_failures from workflow_job order by id`)) as Record<string, unknown>[];
    expect(after.map((r) => [r.id, r.step_id, r.state])).toEqual([
      [id(1), 'request-clusters', 'DONE'],
      [id(2), 'wait-registration', 'ACTIVE'],
      [id(3), 'environment', 'FAILED'],
      [id(4), 'detach-spokes', 'ACTIVE'],
      [id(5), 'rollout', 'FAILED'],
      [id(6), 'apply-work', 'ACTIVE'],
      [id(7), 'release-pool', 'CANCELLED'],
      [id(8), '#7', 'ACTIVE'],
      [id(9), 'place', 'CANCELLED'],
      [id(10), 'place', 'ACTIVE'],
    ]);
    expect(after.find((r) => r.id === id(9))?.lease_owner).toBeNull();
    expect(after.every((r) => Number(r.bookkeeping_failures) === 0)).toBe(true);
    // and from now on the database refuses a second ACTIVE job for a subject
    await expect(
      exec(
        `insert into workflow_job (id, created_at, updated_at, flow, subject_id, project_id, state, step_id, step_started, error_attempts, attempts, bookkeeping_failures, run_at, checkpoint)
         values (?, ?, ?, 'app-deployment.deploy', ?, ?, 'ACTIVE', null, ?, 0, 0, 0, ?, '{}')`,
        [id(11), new Date(), new Date(), SUBJECT, id(999), false, new Date()],
      ),
    ).rejects.toThrow(/unique/i);
  });
});
