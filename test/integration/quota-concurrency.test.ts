/**
 * GPU quota admission under concurrency (design §1): many reservations race through reserveGpus, each
 * in its own transaction on its own EntityManager fork. No committed state may ever pass a Project or
 * Tenant limit, the `used` columns must equal the unreleased ledger rows exactly, releases are
 * idempotent, and quotaWhatIf (GraphQL) agrees with the ledger.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Em } from '../../src/db/orm.js';
import { inTransaction } from '../../src/db/transaction.js';
import { QuotaExceededError, releaseGpus, reserveGpus, type GpuRequest, type QuotaScope } from '../../src/tenancy/quota.ledger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';
import { sql } from '../helpers/snapshot.js';

const H100 = 'NVIDIA-H100';
const A100 = 'NVIDIA-A100';
const TENANT_LIMITS = { [H100]: 60, [A100]: 10 };
const PROJECT_LIMITS = [{ [H100]: 40, [A100]: 10 }, { [H100]: 40 }];

let app: TestApp;
let scopes: QuotaScope[];
let projectGids: string[];

beforeAll(async () => {
  app = await startTestApp();
  const t = await createTenant(app, uniq('race'), Object.entries(TENANT_LIMITS).map(([gpuFamily, limit]) => ({ gpuFamily, limit })));
  const ps = [];
  for (const limits of PROJECT_LIMITS) ps.push(await createProject(app, t.id, uniq('race'), Object.entries(limits).map(([gpuFamily, limit]) => ({ gpuFamily, limit }))));
  projectGids = ps.map((p) => p.id);
  const [tRow] = await sql<{ id: string }>(app, 'select id from tenant where name = ?', [t.name]);
  scopes = [];
  for (const p of ps) {
    const [pRow] = await sql<{ id: string }>(app, 'select id from project where name = ?', [p.name]);
    scopes.push({ tenantId: tRow.id, tenantName: t.name, projectId: pRow.id, projectName: p.name });
  }
});
afterAll(async () => {
  await app?.close();
});

interface Granted {
  holderId: string;
  project: number;
  requests: GpuRequest[];
}

/** A small deterministic PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

async function reserve(project: number, requests: GpuRequest[]): Promise<Granted | QuotaExceededError> {
  const holderId = randomUUID();
  try {
    await inTransaction(app.orm.em.fork() as Em, (em) => reserveGpus(em, scopes[project], { kind: 'APP_DEPLOYMENT', id: holderId, poolId: randomUUID() }, requests));
    return { holderId, project, requests };
  } catch (e) {
    if (e instanceof QuotaExceededError) return e;
    throw e;
  }
}

async function release(holderId: string): Promise<number> {
  return inTransaction(app.orm.em.fork() as Em, (em) => releaseGpus(em, holderId));
}

interface QuotaRow {
  scope_id: string;
  level: string;
  gpu_family: string;
  hard_limit: number;
  used: number;
}

async function quotaRows(): Promise<QuotaRow[]> {
  const rows = await sql<QuotaRow>(app, 'select scope_id, level, gpu_family, hard_limit, used from gpu_quota where tenant_id = ?', [scopes[0].tenantId]);
  return rows.map((r) => ({ ...r, hard_limit: Number(r.hard_limit), used: Number(r.used) }));
}

/** Unreleased ledger sums per (scope, family), for project and tenant scopes. */
async function ledgerSums(): Promise<Map<string, number>> {
  const rows = await sql<{ tenant_id: string; project_id: string; gpu_family: string; count: number }>(
    app,
    'select tenant_id, project_id, gpu_family, count from gpu_reservation where tenant_id = ? and released_at is null',
    [scopes[0].tenantId],
  );
  const m = new Map<string, number>();
  const add = (k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  for (const r of rows) {
    add(`${r.project_id}|${r.gpu_family}`, Number(r.count));
    add(`${r.tenant_id}|${r.gpu_family}`, Number(r.count));
  }
  return m;
}

/** The invariants that must hold in every committed state. */
async function assertInvariants(): Promise<QuotaRow[]> {
  const rows = await quotaRows();
  const sums = await ledgerSums();
  for (const r of rows) {
    expect(r.used, `${r.level} ${r.gpu_family} used ${r.used} > limit ${r.hard_limit}`).toBeLessThanOrEqual(r.hard_limit);
    expect(r.used, `${r.level} ${r.gpu_family}: used must equal the unreleased ledger`).toBe(sums.get(`${r.scope_id}|${r.gpu_family}`) ?? 0);
  }
  return rows;
}

/** Polls the committed quota rows while `work` runs; returns every over-limit state it saw. */
async function watching<T>(work: Promise<T>): Promise<{ result: T; violations: string[]; polls: number }> {
  let done = false;
  const violations: string[] = [];
  let polls = 0;
  const poller = (async () => {
    while (!done) {
      for (const r of await quotaRows()) if (r.used > r.hard_limit || r.used < 0) violations.push(`${r.level} ${r.gpu_family} ${r.used}/${r.hard_limit}`);
      polls++;
      await new Promise((res) => setTimeout(res, 2));
    }
  })();
  try {
    return { result: await work, violations, polls };
  } finally {
    done = true;
    await poller;
  }
}

const granted: Granted[] = [];

describe('concurrent reservations', () => {
  it('never pass a limit: 100 concurrent requests of 1-3 GPUs against project limits 40+40 and a tenant limit 60', async () => {
    const rnd = prng(42);
    const jobs = Array.from({ length: 100 }, (_, i) => {
      const project = i % 2;
      const requests: GpuRequest[] = [{ gpuFamily: H100, count: 1 + Math.floor(rnd() * 3) }];
      // every fifth request on project 0 also asks for A100s (two families, one transaction)
      if (project === 0 && i % 5 === 0) requests.push({ gpuFamily: A100, count: 1 + Math.floor(rnd() * 3) });
      return { project, requests };
    });
    const { result, violations, polls } = await watching(Promise.all(jobs.map((j) => reserve(j.project, j.requests))));
    expect(violations, 'an over-limit state was committed').toEqual([]);
    expect(polls).toBeGreaterThan(0);

    const refused = result.filter((r): r is QuotaExceededError => r instanceof QuotaExceededError);
    granted.push(...result.filter((r): r is Granted => !(r instanceof QuotaExceededError)));
    expect(granted.length + refused.length).toBe(100);
    expect(granted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);

    // every refusal names a level and family whose numbers really refuse the request
    for (const e of refused) {
      expect(e.code).toBe('QUOTA_EXCEEDED');
      expect(['PROJECT', 'TENANT']).toContain(e.quota.level);
      expect(e.quota.used + e.quota.requested).toBeGreaterThan(e.quota.limit);
      expect(e.message).toMatch(new RegExp(`${e.quota.level === 'PROJECT' ? 'Project' : 'Tenant'} .* GPU quota exceeded for ${e.quota.gpuFamily}: requested ${e.quota.requested}, used ${e.quota.used}, limit ${e.quota.limit}`));
    }
    // the tenant limit (below the sum of project limits) was the hard cap
    expect(refused.some((e) => e.quota.level === 'TENANT')).toBe(true);

    const rows = await assertInvariants();
    const tenantH100 = rows.find((r) => r.level === 'TENANT' && r.gpu_family === H100)!;
    // usage only grows in this phase: a tenant-level refusal of r GPUs means the final use is > 60 - r
    expect(tenantH100.used).toBeGreaterThanOrEqual(TENANT_LIMITS[H100] - 2);
    // what the callers were told matches the ledger exactly
    const byProject = (p: number, family: string) => granted.filter((g) => g.project === p).reduce((n, g) => n + (g.requests.find((r) => r.gpuFamily === family)?.count ?? 0), 0);
    for (const [p, s] of scopes.entries()) {
      for (const family of [H100, A100]) {
        const row = rows.find((r) => r.scope_id === s.projectId && r.gpu_family === family);
        expect(row?.used ?? 0, `project ${p} ${family}`).toBe(byProject(p, family));
      }
    }
    expect(tenantH100.used).toBe(byProject(0, H100) + byProject(1, H100));
  });

  it('releases are idempotent: releasing twice at once gives the GPUs back once, while new requests race in', async () => {
    const rnd = prng(7);
    const toRelease = granted.filter((_, i) => i % 2 === 0);
    const before = await quotaRows();
    const { result, violations } = await watching(
      Promise.all([
        Promise.all(toRelease.map(async (g) => [g, await Promise.all([release(g.holderId), release(g.holderId)])] as const)),
        Promise.all(Array.from({ length: 50 }, (_, i) => reserve(i % 2, [{ gpuFamily: H100, count: 1 + Math.floor(rnd() * 3) }]))),
      ]),
    );
    expect(violations).toEqual([]);
    const [releases, reservations] = result;
    for (const [g, [a, b]] of releases) {
      const total = g.requests.reduce((n, r) => n + r.count, 0);
      expect(a + b, `holder ${g.holderId}`).toBe(total);
      expect([a, b]).toContain(0);
    }
    // a third release of any of them changes nothing
    const mid = await quotaRows();
    for (const [g] of releases.slice(0, 5)) expect(await release(g.holderId)).toBe(0);
    expect(await release(randomUUID())).toBe(0);
    expect(await quotaRows()).toEqual(mid);

    const newlyGranted = reservations.filter((r): r is Granted => !(r instanceof QuotaExceededError));
    await assertInvariants();
    // freed GPUs were reusable: the tenant could admit new requests after the releases
    expect(newlyGranted.length).toBeGreaterThan(0);
    const released = releases.reduce((n, [, [a, b]]) => n + a + b, 0);
    const tenantH100 = (rows: QuotaRow[]) => rows.find((r) => r.level === 'TENANT' && r.gpu_family === H100)!.used;
    const releasedH100 = releases.reduce((n, [g]) => n + (g.requests.find((r) => r.gpuFamily === H100)?.count ?? 0), 0);
    const addedH100 = newlyGranted.reduce((n, g) => n + g.requests[0].count, 0);
    expect(tenantH100(await quotaRows())).toBe(tenantH100(before) - releasedH100 + addedH100);
    expect(released).toBeGreaterThan(0);
    // released ledger rows are kept, stamped, for audit
    const stamped = await sql<{ n: number }>(app, 'select count(*) as n from gpu_reservation where released_at is not null and tenant_id = ?', [scopes[0].tenantId]);
    expect(Number(stamped[0].n)).toBe(releases.reduce((n, [g]) => n + g.requests.length, 0));
    granted.splice(0, granted.length, ...granted.filter((_, i) => i % 2 === 1), ...newlyGranted);
  });

  it('a refused multi-family request leaves no partial reservation behind', async () => {
    const before = await quotaRows();
    // A100 fits (sorted first), H100 cannot: the A100 raise must be rolled back too
    const r = await reserve(0, [
      { gpuFamily: A100, count: 1 },
      { gpuFamily: H100, count: 1000 },
    ]);
    expect(r).toBeInstanceOf(QuotaExceededError);
    expect((r as QuotaExceededError).quota).toMatchObject({ level: 'PROJECT', gpuFamily: H100, requested: 1000, limit: 40 });
    expect(await quotaRows()).toEqual(before);
    await assertInvariants();
  });

  it('reserve and release refuse to run outside a transaction', async () => {
    const em = app.orm.em.fork() as Em;
    await expect(reserveGpus(em, scopes[0], { kind: 'APP_DEPLOYMENT', id: randomUUID(), poolId: randomUUID() }, [{ gpuFamily: H100, count: 1 }])).rejects.toThrow(/inside a transaction/);
    await expect(releaseGpus(em, randomUUID())).rejects.toThrow(/inside a transaction/);
  });
});

describe('quotaWhatIf agrees with the ledger', () => {
  it('reports used, limit, availability and the binding level per project and family', async () => {
    const rows = await assertInvariants();
    const sums = await ledgerSums();
    const q = `query($p: ID!, $f: String!, $n: Int!) { quotaWhatIf(projectId: $p, gpuFamily: $f, count: $n) { allowed bindingLevel levels { level gpuFamily requested used limit available allowed } } }`;
    for (const [i, s] of scopes.entries()) {
      for (const family of [H100, A100, 'AMD-MI300']) {
        const pLimit = rows.find((r) => r.scope_id === s.projectId && r.gpu_family === family)?.hard_limit ?? 0;
        const tLimit = rows.find((r) => r.scope_id === s.tenantId && r.gpu_family === family)?.hard_limit ?? 0;
        const pUsed = sums.get(`${s.projectId}|${family}`) ?? 0;
        const tUsed = sums.get(`${s.tenantId}|${family}`) ?? 0;
        const fits = Math.max(0, Math.min(pLimit - pUsed, tLimit - tUsed));
        for (const n of new Set([0, 1, fits, fits + 1])) {
          const d = await app.q(q, { p: projectGids[i], f: family, n });
          const pOk = pUsed + n <= pLimit;
          const tOk = tUsed + n <= tLimit;
          expect(d.quotaWhatIf).toEqual({
            allowed: pOk && tOk,
            bindingLevel: !pOk ? 'PROJECT' : !tOk ? 'TENANT' : null,
            levels: [
              { level: 'PROJECT', gpuFamily: family, requested: n, used: pUsed, limit: pLimit, available: Math.max(0, pLimit - pUsed), allowed: pOk },
              { level: 'TENANT', gpuFamily: family, requested: n, used: tUsed, limit: tLimit, available: Math.max(0, tLimit - tUsed), allowed: tOk },
            ],
          });
          // and the verdict is what admission does: the largest allowed request is admitted
          if (n === fits && n > 0 && d.quotaWhatIf.allowed) {
            const g = await reserve(i, [{ gpuFamily: family, count: n }]);
            expect(g).not.toBeInstanceOf(QuotaExceededError);
            expect(await release((g as Granted).holderId)).toBe(n);
          }
          if (n === fits + 1 && n > 0) {
            const refused = await reserve(i, [{ gpuFamily: family, count: n }]);
            expect(refused).toBeInstanceOf(QuotaExceededError);
            expect((refused as QuotaExceededError).quota.level).toBe(d.quotaWhatIf.bindingLevel);
          }
        }
      }
    }
  });

  it('the gpuQuota fields of Tenant and Project show the ledger', async () => {
    const sums = await ledgerSums();
    const d = await app.q(`query($n: String!) { project(name: $n) { gpuQuota { gpuFamily limit used available } tenant { gpuQuota { gpuFamily limit used available } } } }`, { n: scopes[0].projectName });
    for (const q of d.project.gpuQuota) expect(q.used).toBe(sums.get(`${scopes[0].projectId}|${q.gpuFamily}`) ?? 0);
    for (const q of d.project.tenant.gpuQuota) {
      expect(q.used).toBe(sums.get(`${scopes[0].tenantId}|${q.gpuFamily}`) ?? 0);
      expect(q.available).toBe(Math.max(0, q.limit - q.used));
    }
  });
});
