/**
 * Admission's group commit (src/deployments/deployment.batch.ts, PostgreSQL; on SQLite the same
 * storms go through the one-at-a-time path and must answer the same): many concurrent admissions
 * of one project, some of which must be refused, each caller getting its own answer, the books
 * exact, the project's events gapless and one audit record per call.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { isGapless } from '../helpers/events.js';
import { deployStorm, deployWorld, ledger, sharedPool, sqlOf, type DeployAnswer } from '../helpers/deployments.js';
import { uniq } from '../helpers/seed.js';
import { appHubName } from '../../src/kube/index.js';

const H100 = 'NVIDIA-H100';
const onPostgres = testDialect() === 'postgresql';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const codes = (a: DeployAnswer) => a.data.deployApp.userErrors.map((e: any) => [e.code, e.field]);

describe('group commit of the concurrent admissions of one project', () => {
  it('should answer each of many concurrent callers for itself — admitted up to the quota, a taken name, a twin and the rest refused — with exact books, gapless events and one audit record per call', async () => {
    const GPUS = 2;
    // 22 GPUs of quota: one deployment before the storm, then exactly 10 of the storm; 32 GPUs of capacity
    const w = await deployWorld(app, { quota: 22, tenantQuota: 64, gpus: GPUS, machines: { controlPlanes: 2, gpuHosts: [{ family: H100, count: 4, gpusEach: 8 }] } });
    const pool = await sharedPool(app, w, { clusters: 2, gpuNodes: 2 });
    const input = (name: string) => ({ projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id });
    const taken = uniq('taken');
    const before = await deployStorm(app, [input(taken)]);
    expect(before[0].data.deployApp.appDeployment?.name).toBe(taken);
    const auditBefore = Number((await sqlOf(app)<{ n: number }>('select max(seq) as n from audit_record'))[0].n);

    const twin = uniq('twin');
    const inputs = [...Array.from({ length: 24 }, (_, i) => input(`s${i}-${uniq('x').slice(2)}`)), input(twin), input(taken), input(twin), input(taken)];
    const answers = await deployStorm(app, inputs);
    for (const a of answers) expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();

    // each caller its own answer: an admission names the deployment it asked for
    const admitted = answers.map((a, i) => ({ a, i })).filter(({ a }) => a.data.deployApp.appDeployment);
    expect(admitted.length).toBe(10);
    for (const { a, i } of admitted) expect(a.data.deployApp.appDeployment.name).toBe(inputs[i].name);
    // the taken name is refused as taken, both times; of the twins at most one is admitted, the other told so
    for (const i of [25, 27]) expect(codes(answers[i])).toEqual([['ALREADY_EXISTS', ['input', 'name']]]);
    const twins = [24, 26].map((i) => answers[i]);
    const twinsAdmitted = twins.filter((a) => a.data.deployApp.appDeployment).length;
    expect(twinsAdmitted).toBeLessThanOrEqual(1);
    if (twinsAdmitted === 1) expect(twins.filter((a) => !a.data.deployApp.appDeployment).map(codes)).toEqual([[['ALREADY_EXISTS', ['input', 'name']]]]);
    // every other refusal is the quota's, naming the limit
    const others = answers.filter((a, i) => !a.data.deployApp.appDeployment && i !== 25 && i !== 27 && !(twinsAdmitted === 1 && (i === 24 || i === 26)));
    expect(others.length).toBe(28 - 10 - 2 - (twinsAdmitted === 1 ? 1 : 0));
    for (const a of others) {
      expect(codes(a)).toEqual([['QUOTA_EXCEEDED', ['input', 'bundleIds']]]);
      expect(a.data.deployApp.userErrors[0].message).toMatch(/requested 2, used 22, limit 22/);
    }

    // the books: used = held = allocated = what the admitted deployments request, nothing over capacity
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 22, tenantUsed: 22, heldByDeployments: 22, allocated: 22, allocationHeld: 22, overAllocated: 0 });

    // the project's events: gapless; each admitted deployment's own log starts with its CREATED event
    const sql = sqlOf(app);
    const seqs = (await sql<{ project_seq: number }>('select project_seq from deployment_event where project_id = (select id from project where name = ?) order by project_seq', [w.project.name])).map((r) => Number(r.project_seq));
    expect(isGapless(seqs)).toBe(true);
    // (the answers carry global ids; the tables the row ids)
    const rowIds = new Map((await sql<{ id: string; name: string }>('select id, name from app_deployment where project_id = (select id from project where name = ?)', [w.project.name])).map((r) => [r.name, r.id]));
    const ids = admitted.map(({ a }) => rowIds.get(a.data.deployApp.appDeployment.name)!);
    const created = await sql<{ subject_id: string; seq: number; type: string }>(`select subject_id, seq, type from deployment_event where type = 'CREATED' and subject_id in (${ids.map(() => '?').join(', ')}) order by subject_id, seq`, ids);
    expect(created.map((e) => [e.subject_id, Number(e.seq), e.type]).sort()).toEqual(ids.map((id) => [id, 1, 'CREATED']).sort());

    // one audit record per call, gapless: OK for exactly the admitted ones, naming their deployment
    const records = await sql<{ seq: number; outcome: string; subject_id: string | null; error_code: string | null }>(
      'select seq, outcome, subject_id, error_code from audit_record where seq > ? order by seq',
      [auditBefore],
    );
    expect(isGapless(records.map((r) => Number(r.seq)), auditBefore + 1)).toBe(true);
    expect(records.length).toBe(inputs.length);
    expect(records.filter((r) => r.outcome === 'OK').map((r) => r.subject_id).sort()).toEqual([...ids].sort());
    expect(records.filter((r) => r.outcome !== 'OK').map((r) => r.error_code).sort()).toEqual(
      answers.filter((a) => !a.data.deployApp.appDeployment).map((a) => a.data.deployApp.userErrors[0].code).sort(),
    );

    if (onPostgres) {
      // and they were committed together: some transaction wrote the CREATED events (rows never updated) of more than one
      const together = await sql<{ n: number }>(
        `select count(*) as n from deployment_event where type = 'CREATED' and project_id = (select id from project where name = ?) group by xmin::text order by n desc limit 1`,
        [w.project.name],
      );
      expect(Number(together[0].n)).toBeGreaterThan(1);
    }
  }, 180_000);

  it('should write the same rows and answer the same as an admission on its own: every column of the deployment, its bundle links, revision, job, reservations and idempotency record', async () => {
    // a GPU-hour budget sends an admission the single way (em.create + flush); without one, on
    // PostgreSQL, it is the group commit's plain multi-row inserts (on SQLite both are the single way)
    const w = await deployWorld(app, { quota: 40, tenantQuota: 40, gpus: 2, machines: { controlPlanes: 1, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] } });
    const pool = await sharedPool(app, w, { clusters: 1, gpuNodes: 2 });
    // the rows as admission wrote them: no step may run meanwhile
    await app.runner.stop();
    try {
      await sameRows(w, pool);
    } finally {
      app.runner.start();
    }
  }, 180_000);

  async function sameRows(w: Awaited<ReturnType<typeof deployWorld>>, pool: { id: string }) {
    const sql = sqlOf(app);
    const [{ id: projectId }] = await sql<{ id: string }>('select id from project where name = ?', [w.project.name]);
    const input = (name: string) => ({
      projectId: w.project.id,
      name,
      description: 'same rows',
      links: [{ title: 'docs', url: 'https://example.com/docs' }],
      bundleIds: [w.appBundle],
      poolId: pool.id,
      idempotencyKey: uniq('key'),
    });
    const FIELDS = `id name description links { title url } phase cluster retries variableValues gpuRequests { gpuFamily count } accessUrls { component url port }
      status { phase percent currentStep stepIndex stepCount waitingOn { reason message since } failure { reason step message } }
      project { id } computePool { id } bundles { id } createdAt updatedAt deletedAt`;
    const deploy = async (name: string) => {
      const r = await app.q(`mutation($input: DeployAppInput!) { deployApp(input: $input) { appDeployment { ${FIELDS} } userErrors { code message } } }`, { input: input(name) });
      expect(r.deployApp.userErrors).toEqual([]);
      return r.deployApp.appDeployment;
    };
    await sql(`insert into project_budget (project_id, monthly_gpu_hours, updated_at) values (?, ?, ?)`, [projectId, 1e9, onPostgres ? new Date() : Date.now()]);
    const single = await deploy(uniq('single'));
    await sql('delete from project_budget where project_id = ?', [projectId]);
    const batched = await deploy(uniq('batched'));

    // the answers: the same but for the name, the id and the times
    const answer = (d: any) => ({ ...d, id: undefined, name: undefined, createdAt: typeof d.createdAt, updatedAt: typeof d.updatedAt });
    expect(answer(batched)).toEqual(answer(single));

    // the rows: every column the same but for ids, names and times (what differs between two admissions)
    const VARYING = new Set(['id', 'name', 'active_name', 'hub_name', 'created_at', 'updated_at', 'run_at', 'key', 'request_hash', 'trace_parent']);
    const ids = new Map((await sql<{ id: string; name: string }>('select id, name from app_deployment where project_id = ?', [projectId])).map((r) => [r.name, r.id]));
    const rowsOf = async (name: string) => {
      const id = ids.get(name)!;
      const revision = await sql<{ id: string }>('select * from app_deployment_revision where deployment_id = ?', [id]);
      const tables = {
        app_deployment: await sql('select * from app_deployment where id = ?', [id]),
        app_deployment_bundle: await sql('select * from app_deployment_bundle where deployment_id = ? order by position', [id]),
        app_deployment_revision: revision,
        app_deployment_revision_bundle: await sql('select * from app_deployment_revision_bundle where revision_id = ? order by position', [revision[0]?.id]),
        workflow_job: await sql('select * from workflow_job where subject_id = ?', [id]),
        gpu_reservation: await sql('select * from gpu_reservation where holder_id = ?', [id]),
        idempotency_record: await sql('select * from idempotency_record where result_id = ?', [id]),
      };
      // (the spec names the deployment)
      const specOf = (v: unknown) => ({ ...(typeof v === 'string' ? JSON.parse(v) : (v as object)), name: 'string' });
      // a reference to its own deployment or revision is the same reference
      const own = new Set([id, revision[0]?.id]);
      return Object.fromEntries(
        Object.entries(tables).map(([table, rows]) => [
          table,
          rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, VARYING.has(k) ? (v == null ? v : typeof v) : own.has(v as string) ? 'own' : k === 'spec' ? specOf(v) : v]))),
        ]),
      );
    };
    const [a, b] = [await rowsOf(single.name), await rowsOf(batched.name)];
    for (const rows of Object.values(a)) expect(rows.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    // and what differs is still right: the deployment's name, its hub name, fresh times
    const [row] = await sql<{ name: string; active_name: string; hub_name: string }>('select name, active_name, hub_name from app_deployment where id = ?', [ids.get(batched.name)]);
    expect(row).toEqual({ name: batched.name, active_name: batched.name, hub_name: appHubName(w.project.name, batched.name) });
  }

  it('should admit once and answer every call with that deployment when concurrent calls repeat an idempotency key', async () => {
    const w = await deployWorld(app, { quota: 40, tenantQuota: 40, gpus: 2, machines: { controlPlanes: 1, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] } });
    const pool = await sharedPool(app, w, { clusters: 1, gpuNodes: 2 });
    const same = { projectId: w.project.id, name: uniq('idem'), bundleIds: [w.appBundle], poolId: pool.id, idempotencyKey: uniq('key') };
    const inputs = [same, ...Array.from({ length: 5 }, (_, i) => ({ projectId: w.project.id, name: `u${i}-${uniq('x').slice(2)}`, bundleIds: [w.appBundle], poolId: pool.id })), same, same];
    const answers = await deployStorm(app, inputs);
    for (const a of answers) expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
    for (const a of answers) expect(a.data.deployApp.userErrors).toEqual([]);
    const keyed = [0, 6, 7].map((i) => answers[i].data.deployApp.appDeployment.id);
    expect(new Set(keyed).size).toBe(1);
    const rows = await sqlOf(app)<{ n: number }>('select count(*) as n from app_deployment where project_id = (select id from project where name = ?)', [w.project.name]);
    expect(Number(rows[0].n)).toBe(6);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 12, heldByDeployments: 12, allocated: 12, allocationHeld: 12, overAllocated: 0 });
  }, 180_000);
  it('should sink no other call when one batch fails: two calls reusing a key with different inputs, one admitted, the other refused, the rest admitted', async () => {
    // on PostgreSQL, keyed calls staged in one batch make its flush fail on the idempotency index:
    // every member then goes the single way, which admits the one and refuses the other by itself
    const w = await deployWorld(app, { quota: 40, tenantQuota: 40, gpus: 2, machines: { controlPlanes: 1, gpuHosts: [{ family: H100, count: 2, gpusEach: 8 }] } });
    const pool = await sharedPool(app, w, { clusters: 1, gpuNodes: 2 });
    const key = uniq('key');
    const input = (name: string, extra: Record<string, unknown> = {}) => ({ projectId: w.project.id, name, bundleIds: [w.appBundle], poolId: pool.id, ...extra });
    const inputs = [input(uniq('ka'), { idempotencyKey: key }), ...Array.from({ length: 4 }, (_, i) => input(`v${i}-${uniq('x').slice(2)}`)), input(uniq('kb'), { idempotencyKey: key })];
    const answers = await deployStorm(app, inputs);
    for (const a of answers) expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
    const keyed = [answers[0], answers[5]];
    expect(keyed.filter((a) => a.data.deployApp.appDeployment).length).toBe(1);
    expect(keyed.filter((a) => !a.data.deployApp.appDeployment).map(codes)).toEqual([[['IDEMPOTENCY_KEY_REUSED', ['input', 'idempotencyKey']]]]);
    for (const a of answers.slice(1, 5)) expect(a.data.deployApp.userErrors).toEqual([]);
    const rows = await sqlOf(app)<{ n: number }>('select count(*) as n from app_deployment where project_id = (select id from project where name = ?)', [w.project.name]);
    expect(Number(rows[0].n)).toBe(5);
    expect(await ledger(sqlOf(app), w.project.name)).toMatchObject({ projectUsed: 10, heldByDeployments: 10, allocated: 10, allocationHeld: 10, overAllocated: 0 });
  }, 180_000);
});
