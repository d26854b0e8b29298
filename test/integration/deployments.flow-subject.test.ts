/**
 * The deploy flow reads its subject as a plain row (deployment.flow.subject.ts): every field its
 * steps and the runner read must hold what the entity holds, on both dialects — JSON columns
 * parsed, integers as numbers, the relations' ids, a null hub name kept null.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Em } from '../../src/db/orm.js';
import { AppDeployment } from '../../src/deployments/deployment.entity.js';
import { FLOW_SUBJECT_FIELDS, readFlowDeployment, type DeploySubject } from '../../src/deployments/deployment.flow.subject.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { deployApp } from '../helpers/deploy.js';
import { deployWorld, gatewayOf, sharedPool, sqlOf, waitForPhase } from '../helpers/deployments.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('the deploy flow subject row', () => {
  it('should hold the same values as the entity for every field the flow reads', async () => {
    const w = await deployWorld(app, { quota: 8, tenantQuota: 8, gpus: 2 });
    const pool = await sharedPool(app, w);
    const r = await deployApp(app, { projectId: w.project.id, name: uniq('plain'), bundleIds: [w.appBundle], poolId: pool.id });
    expect(r.userErrors).toEqual([]);
    expect((await waitForPhase(gatewayOf(app), r.appDeployment.id, ['RUNNING', 'FAILED'], 60_000)).phase).toBe('RUNNING');
    const [{ id }] = await sqlOf(app)<{ id: string }>('select id from app_deployment where name = ?', [r.appDeployment.name]);
    const em = app.orm.em.fork() as Em;

    const entity = await em.findOneOrFail(AppDeployment, { id });
    const plain = await readFlowDeployment(em, id);
    expect(plain).not.toBeNull();
    const pick = (d: DeploySubject) => Object.fromEntries(FLOW_SUBJECT_FIELDS.map((f) => [f, d[f]]));
    expect(pick(plain!)).toEqual(pick(entity));
    expect(entity.gpuRequests.length).toBeGreaterThan(0);
    expect(plain!.project.id).toBe(entity.project.id);
    expect(plain!.pool.id).toBe(entity.pool.id);

    // a null hub name (rows admitted by the previous release) stays null, not "null"
    await sqlOf(app)('update app_deployment set hub_name = null where id = ?', [id]);
    expect((await readFlowDeployment(app.orm.em.fork() as Em, id))!.hubName).toBeNull();
    expect(await readFlowDeployment(em, '00000000-0000-0000-0000-000000000000')).toBeNull();
  }, 120_000);
});
