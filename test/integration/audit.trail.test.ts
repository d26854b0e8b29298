/**
 * The audit trail: what a record says (actor, operation, targets, digest, redacted input, outcome,
 * request id, time), that secrets never reach it, the auditEvents query (filters, keyset pages newest
 * first), and that a record and its effect commit together or not at all (a failure injected into
 * the database at the audit insert, and at COMMIT), also under concurrent mutations of one subject.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, REDACTED, redact } from '../../src/audit/audit.redact.js';
import { toGlobalId } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { AUDIT_EVENTS, auditEvents, auditRows, type AuditEvent } from '../helpers/audit.js';
import { ManualClock, HOUR } from '../helpers/clock.js';
import { testDialect } from '../helpers/db.js';
import { createProject, createTenant, createTokenWithId, uniq } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';
import { wsClient } from '../helpers/ws.js';

let app: TestApp;
const clock = new ManualClock('2031-03-10T12:00:00Z');

beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(async () => app?.close());

const CREATE_PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id name } userErrors { field message code } } }`;
const UPDATE_PROJECT = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id description } userErrors { field message code } } }`;

/** A POST with extra headers: returns the body and the response's x-request-id. */
async function post(query: string, variables: Record<string, unknown>, token: string, headers: Record<string, string> = {}) {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { body: (await res.json()) as any, requestId: res.headers.get('x-request-id') };
}

const newest = async (filter: Record<string, unknown> = {}): Promise<AuditEvent> => (await app.q(AUDIT_EVENTS, { filter, first: 1 })).auditEvents.nodes[0];

describe('a record', () => {
  it('names the actor, the operation, the tenant, the project created, the input and the request id it was given', async () => {
    const t = await createTenant(app);
    const admin = await createTokenWithId(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    const name = uniq('aud');
    const input = { tenantId: t.id, name, description: 'vision', tags: [{ key: 'team', value: 'cv' }] };
    const r = await post(CREATE_PROJECT, { input }, admin.secret, { 'x-request-id': 'req-abc.123' });
    expect(r.requestId).toBe('req-abc.123');
    const project = r.body.data.createProject.project;
    const e = await newest({ operation: 'createProject' });
    expect(e).toMatchObject({
      operation: 'createProject',
      outcome: 'OK',
      errorCode: null,
      errors: [],
      requestId: 'req-abc.123',
      actor: { tokenId: admin.id, subject: null },
      tenantId: t.id,
      projectId: project.id,
      targetKind: 'Project',
      targetId: project.id,
      input,
      time: clock.now().toISOString(),
    });
    // the digest is of the canonical input: key order does not matter
    const reordered = { tags: [{ value: 'cv', key: 'team' }], description: 'vision', name, tenantId: t.id };
    expect(e.inputDigest).toBe(digestOf(redact(reordered)));
    expect(e.inputDigest).toBe(createHash('sha256').update(JSON.stringify({ description: 'vision', name, tags: [{ key: 'team', value: 'cv' }], tenantId: t.id })).digest('hex'));
  });

  it('gets a fresh request id when none (or a malformed one) is given, and answers with it', async () => {
    const t = await createTenant(app);
    for (const headers of [{}, { 'x-request-id': 'bad id with spaces' }] as Record<string, string>[]) {
      const r = await post(CREATE_PROJECT, { input: { tenantId: t.id, name: uniq('rid') } }, app.adminToken, headers);
      expect(r.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect((await newest({ operation: 'createProject' })).requestId).toBe(r.requestId);
    }
  });

  it('records mutations sent over graphql-ws too (with a fresh request id each)', async () => {
    const t = await createTenant(app);
    const ws = wsClient(app.wsUrl, `Bearer ${app.adminToken}`);
    try {
      const ids: string[] = [];
      for (const name of [uniq('ws'), uniq('ws')]) {
        const r = await ws.request(CREATE_PROJECT, { input: { tenantId: t.id, name } });
        expect(r.errors).toBeUndefined();
        const e = await newest({ operation: 'createProject' });
        expect(e).toMatchObject({ outcome: 'OK', targetId: (r.data as any).createProject.project.id, tenantId: t.id });
        ids.push(e.requestId);
      }
      expect(new Set(ids).size).toBe(2);
    } finally {
      await ws.dispose();
    }
  });

  it('holds no secret: token secrets, values named like secrets, secret-looking values', async () => {
    const t = await createTenant(app);
    const minted = await createTokenWithId(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    const p = await createProject(app, t.id);
    const input = {
      id: p.id,
      description: `rotate ${minted.secret} soon`,
      tags: [
        { key: 'db-password', value: 'hunter2-the-password' },
        { key: 'owner', value: minted.secret },
        { key: 'api_key', value: 'abc-key-value' },
      ],
    };
    const r = await app.q(UPDATE_PROJECT, { input });
    expect(r.updateProject.userErrors).toEqual([]);
    const e = await newest({ operation: 'updateProject' });
    expect(e.input).toEqual({
      id: p.id,
      description: `rotate ${REDACTED} soon`,
      tags: [
        { key: 'db-password', value: REDACTED },
        { key: 'owner', value: REDACTED },
        { key: 'api_key', value: REDACTED },
      ],
    });
    // nothing anywhere in the trail holds the secrets, not even inside a longer text
    const dump = JSON.stringify(await sql(app, 'select * from audit_record'));
    for (const secret of ['hunter2-the-password', 'abc-key-value', minted.secret]) expect(dump).not.toContain(secret);
    // nor does the record of the mutation that minted the token (the secret is in its answer only)
    expect(JSON.stringify(await auditEvents(app, { operation: 'createApiToken' }))).not.toContain(minted.secret);
    expect(dump).toContain('db-password');
  });

  it('records a refusal with its codes and fields, and an authorization refusal as FORBIDDEN', async () => {
    const t = await createTenant(app);
    const p = await createProject(app, t.id);
    const viewer = await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    const bad = await app.q(CREATE_PROJECT, { input: { tenantId: t.id, name: 'Bad_Name', description: 'x'.repeat(5000) } });
    expect(bad.createProject.userErrors.map((u: any) => u.code).sort()).toEqual(['INVALID_INPUT', 'INVALID_NAME']);
    const refused = await newest({ operation: 'createProject', outcome: 'REFUSED' });
    expect(refused.errors).toEqual(bad.createProject.userErrors.map((u: any) => ({ code: u.code, field: u.field })));
    expect(refused.errorCode).toBe(bad.createProject.userErrors[0].code);
    expect(refused.tenantId).toBe(t.id);
    // long values are shortened in the summary (the digest still covers all of it)
    expect(refused.input.description).toMatch(/^x{256}…\(5000 chars\)$/);
    // text the database cannot store as such (NUL, an unpaired surrogate) is recorded escaped
    const nul = await app.q(CREATE_PROJECT, { input: { tenantId: t.id, name: 'nul\u0000name', description: 'half \uD800 pair' } });
    expect(nul.createProject.userErrors.length).toBeGreaterThan(0);
    expect((await newest({ operation: 'createProject' })).input).toMatchObject({ name: 'nul\\u0000name', description: 'half \\ud800 pair' });
    const forbidden = await app.gql(UPDATE_PROJECT, { input: { id: p.id, description: 'mine now' } }, viewer.secret);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await newest({ operation: 'updateProject', actor: viewer.id })).toMatchObject({ outcome: 'REFUSED', errorCode: 'FORBIDDEN', projectId: p.id, tenantId: t.id, targetId: p.id });
  });
});

describe('auditEvents', () => {
  it('filters by tenant, project, actor, operation, outcome and time, newest first, in keyset pages', async () => {
    const t = await createTenant(app);
    const other = await createTenant(app);
    const admin = await createTokenWithId(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    clock.set('2031-04-01T00:00:00Z');
    const projects = [];
    for (let i = 0; i < 5; i++) {
      projects.push(await createProject(app, t.id, uniq(`pg${i}`)));
      clock.advance(HOUR);
    }
    await createProject(app, other.id);
    const all = await auditEvents(app, { tenantId: t.id, operation: 'createProject' });
    expect(all.map((e) => e.targetId)).toEqual(projects.map((p) => p.id).reverse());
    // the tenant's records also hold its creation and the token minted for it
    expect((await auditEvents(app, { tenantId: t.id })).map((e) => e.operation)).toEqual([...all.map(() => 'createProject'), 'createApiToken', 'createTenant']);
    // pages of 2 with a stable cursor: the same records, in the same order
    const seen: string[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (;;) {
      const d: any = await app.q(AUDIT_EVENTS, { filter: { tenantId: t.id, operation: 'createProject' }, first: 2, after });
      seen.push(...d.auditEvents.nodes.map((n: AuditEvent) => n.id));
      totalCount = d.auditEvents.totalCount;
      if (!d.auditEvents.pageInfo.hasNextPage) break;
      after = d.auditEvents.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((e) => e.id));
    expect(totalCount).toBe(5);
    // a time window [from, to): the 2nd and 3rd project
    const window = await auditEvents(app, { tenantId: t.id, operation: 'createProject', from: '2031-04-01T01:00:00Z', to: '2031-04-01T03:00:00Z' });
    expect(window.map((e) => e.targetId)).toEqual([projects[2].id, projects[1].id]);
    expect(await auditEvents(app, { projectId: projects[3].id })).toHaveLength(1);
    expect(await auditEvents(app, { tenantId: t.id, operation: 'deleteProject' })).toEqual([]);
    expect(await auditEvents(app, { tenantId: t.id, outcome: 'REFUSED' })).toEqual([]);
    // the actor filter: by token id
    await app.q(CREATE_PROJECT, { input: { tenantId: t.id, name: uniq('mine') } }, admin.secret);
    const mine = await auditEvents(app, { actor: admin.id });
    expect(mine.map((e) => e.operation)).toEqual(['createProject']);
  });

  it('refuses a bad cursor, a bad id and an inverted window with typed errors', async () => {
    const bad = await app.gql(AUDIT_EVENTS, { after: 'nope' });
    expect(bad.errors?.[0].extensions?.code).toBe('INVALID_INPUT');
    const badId = await app.gql(AUDIT_EVENTS, { filter: { tenantId: toGlobalId('Project', '00000000-0000-7000-8000-000000000000') } });
    expect(badId.errors?.[0].extensions?.code).toBe('INVALID_ID');
    const inverted = await app.gql(AUDIT_EVENTS, { filter: { from: '2031-01-02T00:00:00Z', to: '2031-01-01T00:00:00Z' } });
    expect(inverted.errors?.[0].extensions?.code).toBe('INVALID_INPUT');
    const tooMany = await app.gql(AUDIT_EVENTS, { first: 0 });
    expect(tooMany.errors?.[0].extensions?.code).toBe('INVALID_INPUT');
  });
});

describe('records are immutable', () => {
  it('the database refuses to change or delete a record outside the retention purge', async () => {
    const t = await createTenant(app);
    await createProject(app, t.id);
    const before = await auditRows(app);
    const id = (await sql<{ id: string }>(app, 'select id from audit_record order by seq desc limit 1'))[0].id;
    await expect(sql(app, `update audit_record set outcome = 'ERROR' where id = ?`, [id])).rejects.toThrow(/immutable/);
    await expect(sql(app, 'delete from audit_record where id = ?', [id])).rejects.toThrow(/immutable/);
    await expect(sql(app, 'delete from audit_record')).rejects.toThrow(/immutable/);
    if (testDialect() === 'postgresql') await expect(sql(app, 'truncate audit_record')).rejects.toThrow(/immutable/);
    // the purge gate opens only for records older than a cutoff at least a day old
    const recent = new Date(Date.now() - HOUR);
    await expect(
      app.orm.em.fork().transactional(async (em) => {
        await em.getConnection().execute('insert into audit_purge_gate (id, cutoff) values (1, ?)', [recent], 'run', em.getTransactionContext());
        await em.getConnection().execute('delete from audit_record', [], 'run', em.getTransactionContext());
      }),
    ).rejects.toThrow(/immutable/);
    expect(await auditRows(app)).toEqual(before);
  });
});

/** Runs dialect SQL that installs a fault (a trigger) for the duration of `fn`. */
async function withFault(install: { sqlite: string[]; postgresql: string[] }, remove: { sqlite: string[]; postgresql: string[] }, fn: () => Promise<void>) {
  for (const s of install[testDialect()]) await sql(app, s);
  try {
    await fn();
  } finally {
    for (const s of remove[testDialect()]) await sql(app, s);
  }
}

describe('a record and its effect commit together or not at all', () => {
  it('when the audit insert fails inside the effect transaction, neither the project nor a record remains', async () => {
    const t = await createTenant(app);
    const name = uniq('crash-audit');
    await withFault(
      {
        sqlite: [`create trigger test_fail_audit before insert on audit_record when new.input_summary like '%crash-audit%' begin select raise(abort, 'injected fault'); end`],
        postgresql: [
          `create function test_fail_audit() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`,
          `create trigger test_fail_audit before insert on audit_record for each row when (new.input_summary::text like '%crash-audit%') execute function test_fail_audit()`,
        ],
      },
      { sqlite: ['drop trigger test_fail_audit'], postgresql: ['drop trigger test_fail_audit on audit_record', 'drop function test_fail_audit()'] },
      async () => {
        const before = await auditRows(app);
        const r = await app.gql(CREATE_PROJECT, { input: { tenantId: t.id, name } });
        expect(r.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        expect(await sql(app, 'select id from project where name = ?', [name])).toEqual([]);
        expect(await auditRows(app)).toEqual(before);
      },
    );
  });

  it('when COMMIT fails after the record was written, neither commits, and the failure is recorded alone', async () => {
    const t = await createTenant(app);
    const name = uniq('crash-commit');
    // PostgreSQL: a deferred foreign key checked only at COMMIT, violated by a row the project insert
    // adds. SQLite keeps a transaction open when its COMMIT fails, so there the transaction is failed
    // by the last statement before COMMIT instead: the audit insert, after its row was written.
    await withFault(
      {
        sqlite: [
          `create trigger test_crash_commit after insert on audit_record when new.outcome = 'OK' and new.input_summary like '%crash-commit%' begin select raise(abort, 'injected fault'); end`,
        ],
        postgresql: [
          'create table test_crash_probe (ref uuid references tenant (id) deferrable initially deferred)',
          `create function test_crash_commit() returns trigger language plpgsql as $$ begin insert into test_crash_probe values ('00000000-0000-7000-8000-000000000000'); return new; end $$`,
          `create trigger test_crash_commit after insert on project for each row when (new.name like 'crash-commit%') execute function test_crash_commit()`,
        ],
      },
      {
        sqlite: ['drop trigger test_crash_commit'],
        postgresql: ['drop trigger test_crash_commit on project', 'drop function test_crash_commit()', 'drop table test_crash_probe'],
      },
      async () => {
        const before = await auditRows(app);
        const r = await app.gql(CREATE_PROJECT, { input: { tenantId: t.id, name } });
        expect(r.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        expect(await sql(app, 'select id from project where name = ?', [name])).toEqual([]);
        const added = (await auditRows(app)).slice(before.length);
        expect(added).toEqual([expect.objectContaining({ operation: 'createProject', outcome: 'ERROR', error_code: 'INTERNAL_SERVER_ERROR', subject_id: null, seq: before.at(-1)!.seq + 1 })]);
      },
    );
  });
});

describe('concurrent mutations of one subject', () => {
  it('each call leaves exactly one record whose outcome is what its caller saw, numbered without gaps', async () => {
    const t = await createTenant(app);
    const p = await createProject(app, t.id);
    const before = await auditRows(app);
    const calls = [
      ...Array.from({ length: 8 }, (_, i) => app.gql(UPDATE_PROJECT, { input: { id: p.id, description: `v${i}` } })),
      ...Array.from({ length: 4 }, () => app.gql(UPDATE_PROJECT, { input: { id: p.id, displayName: 'x'.repeat(500) } })),
      app.gql(`mutation($id: ID!) { deleteProject(input: { id: $id }) { deletedId userErrors { code } } }`, { id: p.id }),
    ];
    const results = await Promise.all(calls);
    const outcomes = results.map((r) => {
      const payload = r.data && (Object.values(r.data)[0] as { userErrors: { code: string }[] });
      return r.errors?.length ? 'ERROR' : payload!.userErrors.length ? 'REFUSED' : 'OK';
    });
    const added = (await auditRows(app)).slice(before.length);
    expect(added.map((a) => a.seq)).toEqual(Array.from({ length: calls.length }, (_, i) => before.at(-1)!.seq + 1 + i));
    const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});
    expect(count(added.map((a) => `${a.operation}:${a.outcome}`))).toEqual(
      count(outcomes.map((o, i) => `${i === calls.length - 1 ? 'deleteProject' : 'updateProject'}:${o}`)),
    );
    // every update that reported OK committed before the delete; refusals changed nothing
    expect(outcomes.slice(8, 12)).toEqual(['REFUSED', 'REFUSED', 'REFUSED', 'REFUSED']);
    expect(added.every((a) => a.project_id !== null)).toBe(true);
  });
});
