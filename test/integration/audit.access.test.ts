/**
 * Who reads the audit trail, over HTTP and over graphql-ws: a platform admin everything, a tenant
 * admin their tenant's records only, a project admin their project's only, editors and viewers
 * nothing (FORBIDDEN). Another tenant's admin sees nothing of yours, live or replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InProcessEventBus } from '../../src/events/event.bus.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { AUDIT_EVENTS, auditEvents, auditSubscription, type AuditEvent } from '../helpers/audit.js';
import { until } from '../helpers/ws.js';
import { createProject, createTenant, createTokenWithId } from '../helpers/seed.js';

let app: TestApp;
let A: { id: string }, B: { id: string }, A1: { id: string }, A2: { id: string }, B1: { id: string };
const tok: Record<string, { id: string; secret: string }> = {};

const UPDATE = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id } userErrors { code } } }`;
const touch = (projectId: string, description: string, token = app.adminToken) => app.gql(UPDATE, { input: { id: projectId, description } }, token);

beforeAll(async () => {
  app = await startTestApp();
  A = await createTenant(app);
  B = await createTenant(app);
  A1 = await createProject(app, A.id);
  A2 = await createProject(app, A.id);
  B1 = await createProject(app, B.id);
  tok.tenantA = await createTokenWithId(app, [{ role: 'TENANT_ADMIN', tenantId: A.id }]);
  tok.tenantB = await createTokenWithId(app, [{ role: 'TENANT_ADMIN', tenantId: B.id }]);
  tok.adminA1 = await createTokenWithId(app, [{ role: 'PROJECT_ADMIN', projectId: A1.id }]);
  tok.editorA1 = await createTokenWithId(app, [{ role: 'PROJECT_EDITOR', projectId: A1.id }]);
  tok.viewerA1 = await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: A1.id }]);
  for (const [p, d] of [
    [A1, 'a1'],
    [A2, 'a2'],
    [B1, 'b1'],
  ] as const)
    await touch(p.id, d);
});
afterAll(async () => app?.close());

const mine = (events: AuditEvent[], pred: (e: AuditEvent) => boolean) => expect(events.filter((e) => !pred(e))).toEqual([]);

describe('auditEvents over HTTP', () => {
  it('a platform admin reads every record', async () => {
    const all = await auditEvents(app, { operation: 'updateProject' });
    expect(all.map((e) => e.projectId)).toEqual([B1.id, A2.id, A1.id]);
  });

  it("a tenant admin reads their tenant's records and nothing of another tenant's", async () => {
    const a = await auditEvents(app, {}, tok.tenantA.secret);
    mine(a, (e) => e.tenantId === A.id);
    expect(a.filter((e) => e.operation === 'updateProject').map((e) => e.projectId)).toEqual([A2.id, A1.id]);
    // createTenant A and its projects and tokens are A's too
    expect(a.map((e) => e.operation)).toEqual(expect.arrayContaining(['createTenant', 'createProject', 'createApiToken']));
    const b = await auditEvents(app, {}, tok.tenantB.secret);
    mine(b, (e) => e.tenantId === B.id);
    expect(b.some((e) => e.projectId === B1.id)).toBe(true);
    // asking for the other tenant by id reads like asking for nothing
    expect(await auditEvents(app, { tenantId: A.id }, tok.tenantB.secret)).toEqual([]);
    expect(await auditEvents(app, { projectId: A1.id }, tok.tenantB.secret)).toEqual([]);
    expect((await app.q(AUDIT_EVENTS, { filter: { tenantId: A.id } }, tok.tenantB.secret)).auditEvents.totalCount).toBe(0);
  });

  it('node(id:) answers a record to whoever may read it, and null to anyone else', async () => {
    const [record] = (await auditEvents(app, { operation: 'updateProject', projectId: A1.id })) as (AuditEvent & { id: string })[];
    const NODE = `query($id: ID!) { node(id: $id) { __typename ... on AuditEvent { id operation projectId } } }`;
    const seen = { __typename: 'AuditEvent', id: record.id, operation: 'updateProject', projectId: A1.id };
    expect((await app.q(NODE, { id: record.id })).node).toEqual(seen);
    expect((await app.q(NODE, { id: record.id }, tok.tenantA.secret)).node).toEqual(seen);
    expect((await app.q(NODE, { id: record.id }, tok.adminA1.secret)).node).toEqual(seen);
    for (const other of [tok.tenantB, tok.viewerA1, tok.editorA1]) expect((await app.q(NODE, { id: record.id }, other.secret)).node).toBeNull();
  });

  it("a project admin reads their project's records only", async () => {
    const p = await auditEvents(app, {}, tok.adminA1.secret);
    expect(p.length).toBeGreaterThan(0);
    mine(p, (e) => e.projectId === A1.id);
  });

  it('editors and viewers read nothing (FORBIDDEN)', async () => {
    for (const t of [tok.editorA1, tok.viewerA1]) {
      const r = await app.gql(AUDIT_EVENTS, {}, t.secret);
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(r.data).toBeNull();
    }
  });

  it("an attempt on another tenant's project is that tenant's record", async () => {
    const r = await touch(B1.id, 'mine', tok.tenantA.secret);
    expect(r.data.updateProject.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
    const [attempt] = await auditEvents(app, { actor: tok.tenantA.id, operation: 'updateProject' });
    expect(attempt).toMatchObject({ outcome: 'REFUSED', errorCode: 'NOT_FOUND', tenantId: B.id, projectId: B1.id });
    expect((await auditEvents(app, { actor: tok.tenantA.id }, tok.tenantA.secret)).some((e) => e.id === attempt.id)).toBe(false);
    expect((await auditEvents(app, { actor: tok.tenantA.id }, tok.tenantB.secret)).map((e) => e.id)).toContain(attempt.id);
  });
});

describe('auditEvents over graphql-ws', () => {
  it('streams each reader only what it may read, live, in order', async () => {
    const listening = (app.bus as InProcessEventBus).size();
    const subs = {
      platform: auditSubscription(app, { filter: { operation: 'updateProject' } }),
      tenantA: auditSubscription(app, {}, tok.tenantA.secret),
      tenantB: auditSubscription(app, {}, tok.tenantB.secret),
      adminA1: auditSubscription(app, {}, tok.adminA1.secret),
    };
    try {
      // without a cursor a subscription starts live: wait until every stream listens
      await until(() => (app.bus as InProcessEventBus).size() >= listening + 4);
      const order = [A1, B1, A2, A1, B1];
      for (const [i, p] of order.entries()) expect((await touch(p.id, `live-${i}`)).data.updateProject.userErrors).toEqual([]);
      await subs.platform.until((es) => es.length >= 5);
      await subs.tenantA.until((es) => es.length >= 3);
      await subs.tenantB.until((es) => es.length >= 2);
      await subs.adminA1.until((es) => es.length >= 2);
      await new Promise((r) => setTimeout(r, 200));
      const descs = (es: unknown[]) => (es as AuditEvent[]).map((e) => e.input.description);
      expect(descs(subs.platform.events)).toEqual(['live-0', 'live-1', 'live-2', 'live-3', 'live-4']);
      expect(descs(subs.tenantA.events)).toEqual(['live-0', 'live-2', 'live-3']);
      expect(descs(subs.tenantB.events)).toEqual(['live-1', 'live-4']);
      expect(descs(subs.adminA1.events)).toEqual(['live-0', 'live-3']);
      for (const s of Object.values(subs)) expect(s.errors).toEqual([]);
    } finally {
      await Promise.all(Object.values(subs).map((s) => s.close()));
    }
  });

  it('replays after a cursor what the reader may read, then goes on live', async () => {
    const [first] = (await auditEvents(app, { projectId: A1.id, operation: 'updateProject' }, tok.tenantA.secret)).slice(-1);
    const expected = (await auditEvents(app, { operation: 'updateProject' }, tok.tenantA.secret)).reverse();
    const after = expected.findIndex((e) => e.id === first.id);
    const sub = auditSubscription(app, { filter: { operation: 'updateProject' }, after: first.cursor }, tok.tenantB.secret);
    const subA = auditSubscription(app, { filter: { operation: 'updateProject' }, after: first.cursor }, tok.tenantA.secret);
    try {
      await subA.until((es) => es.length >= expected.length - after - 1);
      expect((subA.events as unknown as AuditEvent[]).map((e) => e.id)).toEqual(expected.slice(after + 1).map((e) => e.id));
      await touch(A2.id, 'after-replay');
      await subA.until((es) => es.length >= expected.length - after);
      expect((subA.events.at(-1) as unknown as AuditEvent).input.description).toBe('after-replay');
      // B's admin, replaying from the same cursor, got nothing of A's
      await new Promise((r) => setTimeout(r, 200));
      mine(sub.events as unknown as AuditEvent[], (e) => e.tenantId === B.id);
    } finally {
      await sub.close();
      await subA.close();
    }
  });

  it('refuses editors and viewers (FORBIDDEN) when the subscription starts', async () => {
    const sub = auditSubscription(app, {}, tok.viewerA1.secret);
    try {
      await until(() => sub.ended);
      expect(sub.errors[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(sub.events).toEqual([]);
    } finally {
      await sub.close();
    }
  });
});
