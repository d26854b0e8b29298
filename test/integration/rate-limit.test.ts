/**
 * Query cost in `extensions.cost` and the per-token rate limit in cost points
 * (RATE_LIMIT_POINTS_PER_MINUTE): RateLimit-* headers, 429 RATE_LIMITED with Retry-After once the
 * bucket is empty, nothing run when refused, and buckets kept per token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTenant, createToken, uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  // a small budget: a page of 50 tenants costs ~100 points, so a few of them empty the bucket
  app = await startTestApp({ env: { RATE_LIMIT_POINTS_PER_MINUTE: '300' } });
});
afterAll(async () => {
  await app?.close();
});

const post = (query: string, token: string) =>
  fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });

describe('extensions.cost and the rate limit', () => {
  it('reports the cost and the bucket, and refuses with 429 once the bucket is empty', async () => {
    const t = await createTenant(app, uniq('rl'));
    const token = await createToken(app, [{ role: 'TENANT_ADMIN', tenantId: t.id }]);
    const PAGE = '{ tenants(first: 50) { nodes { name } } }';
    const first = await post(PAGE, token);
    expect(first.status).toBe(200);
    const body = (await first.json()) as any;
    const cost = body.extensions.cost;
    expect(cost.requested).toBeGreaterThan(50);
    expect(cost.limit).toBe(25_000);
    expect(cost.rateLimit).toMatchObject({ pointsPerMinute: 300, remaining: 300 - cost.requested });
    expect(first.headers.get('ratelimit-limit')).toBe('300');
    expect(Number(first.headers.get('ratelimit-remaining'))).toBe(300 - cost.requested);
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);

    let refused: Response | null = null;
    for (let i = 0; i < 10 && !refused; i++) {
      const r = await post(PAGE, token);
      if (r.status === 429) refused = r;
      else expect(r.status).toBe(200);
    }
    expect(refused).not.toBeNull();
    const err = ((await refused!.json()) as any).errors[0];
    expect(err.extensions.code).toBe('RATE_LIMITED');
    expect(err.message).toMatch(/per minute/);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused!.headers.get('ratelimit-limit')).toBe('300');

    // a refused mutation changes nothing (its selection costs more than the bucket holds)
    const name = uniq('rl-nope');
    const m = await post(`mutation { createProject(input: { tenantId: "${t.id}", name: "${name}" }) { project { id computePools(first: 100) { nodes { name } } } } }`, token);
    expect(m.status).toBe(429);
    const after = await app.q(`{ project(name: "${name}") { id } }`);
    expect(after.project).toBeNull();

    // another token has its own bucket
    const other = await post(PAGE, app.adminToken);
    expect(other.status).toBe(200);
  });
});
