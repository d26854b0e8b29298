/**
 * A FAILED deployment is retried once per failure (issue 8): a second retry — right after the first,
 * or at the same moment — is refused, starts no second job and reserves nothing twice; the database
 * itself holds at most one ACTIVE job per subject. The app's runner is stopped between the failure
 * and the retries, so the second retry meets the deployment exactly as the first one left it (with the
 * runner on, it may already have moved the phase and hidden the bug).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../src/sim/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { deployApp } from '../helpers/deploy.js';
import { DELETE_DEPLOYMENT, deployWorld, gatewayOf, ledger, RETRY_DEPLOYMENT, sharedPool, sqlOf, waitForPhase, type Gateway } from '../helpers/deployments.js';
import { quotaUsed } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;
let gw: Gateway;
let hub: SimulatedHub;
beforeAll(async () => {
  app = await startTestApp();
  gw = gatewayOf(app);
  hub = app.hub.sim!;
});
afterEach(() => {
  hub.faults.clear();
  app.runner.start();
});
afterAll(async () => {
  await app?.close();
});

/** A deployment of 2 H100s on a shared pool, FAILED at rollout, with the runner stopped. */
async function failedDeployment() {
  const w = await deployWorld(app, { quota: 8, tenantQuota: 8, gpus: 2 });
  const pool = await sharedPool(app, w);
  hub.faults.set({ failReleases: ['server'] });
  const r = await deployApp(app, { projectId: w.project.id, name: uniq('twice'), bundleIds: [w.appBundle], poolId: pool.id });
  expect(r.userErrors).toEqual([]);
  const id: string = r.appDeployment.id;
  expect((await waitForPhase(gw, id, ['FAILED', 'RUNNING'], 60_000)).phase).toBe('FAILED');
  await app.runner.stop();
  hub.faults.clear();
  const [{ id: uuid }] = await sqlOf(app)<{ id: string }>('select id from app_deployment where name = ?', [r.appDeployment.name]);
  return { w, id, uuid };
}

const retry = async (id: string) => (await app.q(RETRY_DEPLOYMENT, { id })).retryAppDeployment;
const activeJobs = async (uuid: string) => Number((await sqlOf(app)<{ n: number }>(`select count(*) as n from workflow_job where subject_id = ? and state = 'ACTIVE'`, [uuid]))[0].n);

describe('retryAppDeployment runs once per failure', () => {
  it('should refuse a second retry made right after the first, and reserve the GPUs once', async () => {
    const { w, id, uuid } = await failedDeployment();
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 0, 'tenant:NVIDIA-H100': 0 });

    const first = await retry(id);
    const second = await retry(id);
    // the GPUs are reserved once, and one job runs
    expect(await quotaUsed(app, w.project.name)).toEqual({ 'project:NVIDIA-H100': 2, 'tenant:NVIDIA-H100': 2 });
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 2, heldByDeployments: 2, allocated: 2, allocationHeld: 2 });
    expect(await activeJobs(uuid)).toBe(1);
    expect(first.userErrors).toEqual([]);
    // the retry left FAILED at once, into the phase of the step it resumes at
    expect(first.appDeployment).toMatchObject({ phase: 'DEPLOYING', retries: 1, status: { failure: null } });
    expect(second.userErrors).toEqual([{ code: 'ILLEGAL_STATE', field: ['input', 'id'], message: expect.stringMatching(/is DEPLOYING; only FAILED deployments can be retried/) }]);

    // it runs, and its delete gives back exactly what it held
    app.runner.start();
    expect((await waitForPhase(gw, id, ['RUNNING', 'FAILED'], 60_000)).phase).toBe('RUNNING');
    expect((await app.q(DELETE_DEPLOYMENT, { id })).deleteAppDeployment.userErrors).toEqual([]);
    await waitForPhase(gw, id, ['DELETED'], 60_000);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 0, tenantUsed: 0, heldByDeployments: 0, allocated: 0, allocationHeld: 0, overAllocated: 0 });
  }, 120_000);

  it('should let exactly one of two simultaneous retries through', async () => {
    const { w, id, uuid } = await failedDeployment();
    const results = await Promise.all([retry(id), retry(id)]);
    const ok = results.filter((r) => r.userErrors.length === 0);
    const refused = results.filter((r) => r.userErrors.length > 0);
    expect(ok).toHaveLength(1);
    expect(refused.map((r) => r.userErrors[0].code)).toEqual(['ILLEGAL_STATE']);
    expect(await activeJobs(uuid)).toBe(1);
    expect((await waitForPhase(gw, id, ['DEPLOYING'], 5_000)).retries).toBe(1);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 2, heldByDeployments: 2, allocated: 2, allocationHeld: 2 });
  }, 120_000);

  it('should refuse a second ACTIVE job of one subject in the database itself', async () => {
    const sql = sqlOf(app);
    const subject = randomUUID();
    const insert = (id: string, state: string) =>
      sql(
        `insert into workflow_job (id, created_at, updated_at, flow, subject_id, project_id, state, step_started, error_attempts, attempts, bookkeeping_failures, run_at, checkpoint)
         values (?, ?, ?, 'app-deployment.deploy', ?, ?, ?, ?, 0, 0, 0, ?, '{}')`,
        [id, new Date(), new Date(), subject, randomUUID(), state, false, new Date()],
      );
    await insert(randomUUID(), 'DONE');
    await insert(randomUUID(), 'ACTIVE');
    await insert(randomUUID(), 'FAILED');
    await expect(insert(randomUUID(), 'ACTIVE')).rejects.toThrow(/unique/i);
    expect(Number((await sql<{ n: number }>('select count(*) as n from workflow_job where subject_id = ?', [subject]))[0].n)).toBe(3);
  });
});
