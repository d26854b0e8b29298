/**
 * Migration…AuditTrailGpuBudgets fills the new gpu_reservation columns of existing rows by hand (the
 * generated statements only add them): a dedicated pool's reservation gets its pool and the
 * deployment that made it, a shared-pool deployment's reservation its deployment and pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectOf, initOrm, migrate, type Orm } from '../../src/db/orm.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let database: TestDatabase;
let orm: Orm;
const BEFORE = 'Migration20261206004337DeploymentHubName';

beforeAll(async () => {
  database = await createTestDatabase();
  orm = await initOrm({ db: database.db });
});
afterAll(async () => {
  await orm?.close(true);
  await database?.drop();
});

const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('the GPU reservation backfill', () => {
  it('attributes existing reservations to their pool and deployment', async () => {
    await orm.getMigrator().up({ to: BEFORE });
    const conn = orm.em.fork().getConnection();
    const run = (sql: string, params: unknown[]) => conn.execute(sql, params, 'run');
    const now = new Date();
    const yes = dialectOf(orm) === 'postgresql' ? true : 1;
    const [T, P, B, SHARED, DEDICATED, LONE, D, E] = [1, 2, 3, 4, 5, 6, 7, 8].map(id);
    await run('insert into tenant (id, created_at, updated_at, name, display_name) values (?, ?, ?, ?, ?)', [T, now, now, 'bt', 'bt']);
    await run('insert into project (id, created_at, updated_at, tenant_id, name, display_name, tags) values (?, ?, ?, ?, ?, ?, ?)', [P, now, now, T, 'bp', 'bp', '[]']);
    await run(`insert into profile_bundle (id, created_at, updated_at, project_id, name, version, type, workload_profiles, variables) values (?, ?, ?, ?, 'infra', 1, 'INFRASTRUCTURE', '[]', '[]')`, [B, now, now, P]);
    const pool = (pid: string, name: string, mode: string, owner: string | null) =>
      run(
        `insert into compute_pool (id, created_at, updated_at, project_id, name, mode, phase, bundle_id, node_requirements, kubernetes_version, cluster_set, owner_deployment_id) values (?, ?, ?, ?, ?, ?, 'RUNNING', ?, '{}', '1.31.4', ?, ?)`,
        [pid, now, now, P, name, mode, B, `bp--${name}`, owner],
      );
    await pool(SHARED, 'shared', 'SHARED', null);
    await pool(DEDICATED, 'ded', 'DEDICATED', D);
    await pool(LONE, 'lone', 'DEDICATED', null);
    const deployment = (did: string, name: string, poolId: string) =>
      run(
        `insert into app_deployment (id, created_at, updated_at, project_id, name, links, phase, pool_id, cluster, spec, resolved_variables, gpu_requests, access_urls, holds_allocation) values (?, ?, ?, ?, ?, '[]', 'RUNNING', ?, 'c', '{}', '{}', '[]', '[]', ?)`,
        [did, now, now, P, name, poolId, yes],
      );
    await deployment(D, 'd', DEDICATED);
    await deployment(E, 'e', SHARED);
    const reservation = (rid: string, kind: string, holder: string, count: number) =>
      run(`insert into gpu_reservation (id, created_at, updated_at, tenant_id, project_id, gpu_family, count, holder_kind, holder_id) values (?, ?, ?, ?, ?, 'NVIDIA-H100', ?, ?, ?)`, [rid, now, now, T, P, count, kind, holder]);
    await reservation(id(11), 'COMPUTE_POOL', DEDICATED, 8);
    await reservation(id(12), 'APP_DEPLOYMENT', E, 2);
    await reservation(id(13), 'COMPUTE_POOL', LONE, 4);

    expect(await migrate(orm)).toContain('Migration20261206015753AuditTrailGpuBudgets');
    const rows = (await conn.execute('select id, pool_id, deployment_id from gpu_reservation order by id')) as { id: string; pool_id: string | null; deployment_id: string | null }[];
    expect(rows).toEqual([
      { id: id(11), pool_id: DEDICATED, deployment_id: D },
      { id: id(12), pool_id: SHARED, deployment_id: E },
      { id: id(13), pool_id: LONE, deployment_id: null },
    ]);
  });
});
