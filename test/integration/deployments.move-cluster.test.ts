/**
 * A concurrent writer fills the cluster an admission would choose while the admission is under way:
 * the admission must land on the next cluster, and the deployment row (and the answer) must name the
 * cluster whose GPUs it holds. The test forces that window with a real row lock on the first
 * choice's GPU row, filling the cluster before letting go. On PostgreSQL an admission onto a SHARED
 * pool goes through the group commit (deployment.batch.ts), with and without a GPU-hour budget; its
 * lock statement waits on the row and must rank from what it reads after the wait. Each admission on
 * its own (what the group commit falls back to) ranks before the wait and must move its row to the
 * next cluster. SQLite runs an
 * admission's reads and writes under one write lock, so no writer can come between them:
 * PostgreSQL only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { deployApp } from '../helpers/deploy.js';
import { deployWorld, ledger, sharedPool, sqlOf, type DeployWorld } from '../helpers/deployments.js';
import { lockSessions, settled, waitForLockWaiters } from '../helpers/pg-locks.js';
import { uniq } from '../helpers/seed.js';

const H100 = 'NVIDIA-H100';
const SET_BUDGET = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { userErrors { field message code } } }`;

const suite = (batchAdmissions: boolean) => () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ batchAdmissions });
  });
  afterAll(async () => {
    await app?.close();
  });
  const locks = lockSessions(() => app);

  /** The pool's clusters in rank order for an empty pool (fewest left over, then index): id and name. */
  const clustersOf = (w: DeployWorld, poolName: string) =>
    sqlOf(app)<{ id: string; name: string }>(
      'select c.id, c.name from pool_cluster c join compute_pool p on p.id = c.pool_id join project j on j.id = p.project_id where p.name = ? and j.name = ? order by c."index"',
      [poolName, w.project.name],
    );
  const allocatedOn = async (clusterId: string) =>
    Number((await sqlOf(app)<{ n: number }>('select allocated as n from cluster_gpu where cluster_id = ? and gpu_family = ?', [clusterId, H100]))[0].n);

  async function admitPastFilledFirstChoice(w: DeployWorld): Promise<void> {
    const pool = await sharedPool(app, w, { clusters: 2, gpuNodes: 1 });
    const [first, second] = await clustersOf(w, pool.name);
    // the "concurrent admission": fills the first choice and holds its row until the admission waits on it
    await locks.holder.query('begin');
    await locks.holder.query('update cluster_gpu set allocated = capacity where cluster_id = $1 and gpu_family = $2', [first.id, H100]);
    const name = uniq('mv');
    const admission = settled(deployApp(app, { projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id }));
    await waitForLockWaiters(locks.probe, 1, { until: admission.done });
    await locks.holder.query('commit');
    const answer = await admission.promise;

    expect(answer.userErrors ?? []).toEqual([]);
    expect(answer.appDeployment.cluster).toBe(second.name);
    const [row] = await sqlOf(app)<{ cluster: string; holds_allocation: boolean }>('select d.cluster, d.holds_allocation from app_deployment d join project j on j.id = d.project_id where d.name = ? and j.name = ?', [name, w.project.name]);
    expect(row).toEqual({ cluster: second.name, holds_allocation: true });
    expect(await allocatedOn(second.id)).toBe(2);
    expect(await allocatedOn(first.id)).toBe(8); // the writer's fill, nothing of the admission's
    const books = await ledger(sqlOf(app), w.project.name);
    expect(books.overAllocated).toBe(0);
    expect(books.projectUsed).toBe(2);
    expect(books.heldByDeployments).toBe(2);
  }

  it('should land on the next cluster and name it, for a project with a GPU-hour budget', async () => {
    const w = await deployWorld(app, { quota: 64, tenantQuota: 64, gpus: 2, machines: { controlPlanes: 2, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] } });
    const set = await app.gql(SET_BUDGET, { input: { id: w.project.id, monthlyGpuHourBudget: 100_000 } });
    expect(set.data.updateProject.userErrors).toEqual([]);
    await admitPastFilledFirstChoice(w);
  });

  it('should land on the next cluster and name it for a project without a budget', async () => {
    const w = await deployWorld(app, { quota: 64, tenantQuota: 64, gpus: 2, machines: { controlPlanes: 2, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] } });
    await admitPastFilledFirstChoice(w);
  });
};

describe.runIf(testDialect() === 'postgresql')('a concurrent writer fills the first-choice cluster: group commit (PostgreSQL row lock)', suite(true));
// the path the group commit hands an admission back to: ranked from a plain read, the GPUs taken by
// one statement per cluster, so the admission moves its already-inserted row to the next cluster
describe.runIf(testDialect() === 'postgresql')('a concurrent writer fills the first-choice cluster: each admission on its own (PostgreSQL row lock)', suite(false));
