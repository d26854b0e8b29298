/**
 * Two gateways on one PostgreSQL database sharing live events through Redis (issue 9): events
 * committed on A reach a subscriber connected to B, once each and in order; with Redis stopped the
 * subscriber keeps receiving them from the database, /readyz says Redis is unreachable, and once
 * Redis is back live delivery resumes without a restart; a token revoked through A closes its socket
 * on B at once (the database re-read is a minute away, so only the bus can have done it).
 *
 * PostgreSQL only (replicas share a database); a private redis-server is started, so it can be stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { emitProjectEvent, isGapless, projectEvents } from '../helpers/events.js';
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { createProject, createTenant, createTokenWithId, uniq } from '../helpers/seed.js';
import { ackedWs, until } from '../helpers/ws.js';

const REVOKE = `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { userErrors { code } } }`;
const enabled = testDialect() === 'postgresql' && redisServerAvailable();

async function readyz(app: TestApp): Promise<{ status: string; redis?: string }> {
  const res = await fetch(app.url.replace(/\/graphql$/, '/readyz'));
  return (await res.json()) as { status: string; redis?: string };
}

interface TwoReplicas {
  redis: PrivateRedis;
  a: TestApp;
  b: TestApp;
}

/**
 * A private redis-server and two gateways on one database: B is a second replica of A's database
 * with its runner off (A's hub is in A's process). Torn down after the describe block.
 */
function twoReplicas(env: Record<string, string>): TwoReplicas {
  const r = {} as TwoReplicas;
  beforeAll(async () => {
    r.redis = await startPrivateRedis();
    const all = { REDIS_URL: r.redis.url, ...env };
    r.a = await startTestApp({ env: all });
    r.b = await startTestApp({ env: all, noRunner: true, configure: (c) => ({ ...c, db: r.a.config.db }) });
  });
  afterAll(async () => {
    await r.b?.close();
    await r.a?.close();
    await r.redis?.stop();
  });
  return r;
}

describe.skipIf(!enabled)('replicas sharing events through Redis', () => {
  const r = twoReplicas({ TOKEN_RECHECK_MS: '600000' });

  it('delivers what A commits to a subscriber on B, once each and in order', async () => {
    const t = await createTenant(r.a, uniq('bus'));
    const p = await createProject(r.a, t.id);
    const sub = projectEvents(r.b, p.id, null, r.a.adminToken); // B did not mint its own: the database was not empty
    try {
      await emitProjectEvent(r.a, p.id, 'first');
      await sub.until((es) => es.length === 1);
      await Promise.all(Array.from({ length: 40 }, (_, i) => emitProjectEvent(r.a, p.id, `burst ${i}`)));
      await sub.until((es) => es.length === 41);
      expect(isGapless(sub.events.map((e) => e.projectSeq))).toBe(true);
      expect(new Set(sub.events.map((e) => e.id)).size).toBe(41);
      expect((await readyz(r.b)).redis).toBe('connected');
    } finally {
      await sub.close();
    }
  });

  it('keeps subscriptions working from the database while Redis is down, and recovers without a restart', async () => {
    const t = await createTenant(r.a, uniq('bus'));
    const p = await createProject(r.a, t.id);
    const sub = projectEvents(r.b, p.id, null, r.a.adminToken); // B did not mint its own: the database was not empty
    try {
      await emitProjectEvent(r.a, p.id, 'before');
      await sub.until((es) => es.length === 1);
      await r.redis.stop();
      await until(async () => (await readyz(r.b)).redis === 'unreachable', 10_000);
      // still ready: the database serves subscriptions meanwhile
      expect((await readyz(r.b)).status).toBe('ready');
      for (let i = 0; i < 5; i++) await emitProjectEvent(r.a, p.id, `during ${i}`);
      await sub.until((es) => es.length === 6, 20_000);
      await r.redis.start();
      await until(async () => (await readyz(r.a)).redis === 'connected' && (await readyz(r.b)).redis === 'connected', 20_000);
      await emitProjectEvent(r.a, p.id, 'after');
      await sub.until((es) => es.length === 7, 20_000);
      expect(sub.events.map((e) => e.message)).toEqual(['before', 'during 0', 'during 1', 'during 2', 'during 3', 'during 4', 'after']);
      expect(isGapless(sub.events.map((e) => e.projectSeq))).toBe(true);
    } finally {
      await sub.close();
    }
  });

  it('closes on B, with 4403, the socket of a token revoked through A', async () => {
    const t = await createTenant(r.a, uniq('bus'));
    const p = await createProject(r.a, t.id);
    const tok = await createTokenWithId(r.a, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    const raw = await ackedWs(r.b.wsUrl, tok.secret);
    const revoked = await r.a.q(REVOKE, { id: tok.id });
    expect(revoked.revokeApiToken.userErrors).toEqual([]);
    const at = Date.now();
    // TOKEN_RECHECK_MS is 10 minutes: only the access message on the bus closes it within this wait
    const closed = await Promise.race([raw.closed, new Promise((r) => setTimeout(() => r('still open'), 10_000))]);
    expect(closed).toEqual({ code: 4403, reason: 'Forbidden' });
    console.log(`revocation through A closed the socket on B after ${Date.now() - at} ms`);
  });
});

describe.skipIf(!enabled)('connection caps across replicas (Redis)', () => {
  const r = twoReplicas({ MAX_SOCKETS_PER_TOKEN: '2' });

  it('counts one token’s sockets on every replica against MAX_SOCKETS_PER_TOKEN, and gives them back when they close', async () => {
    const t = await createTenant(r.a, uniq('cap'));
    const p = await createProject(r.a, t.id);
    const tok = await createTokenWithId(r.a, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
    const onA = await ackedWs(r.a.wsUrl, tok.secret);
    const onB = await ackedWs(r.b.wsUrl, tok.secret);
    // a third socket, on either replica, is one too many for the token
    await expect(ackedWs(r.a.wsUrl, tok.secret)).rejects.toThrow(/closed 4429/);
    await expect(ackedWs(r.b.wsUrl, tok.secret)).rejects.toThrow(/closed 4429/);
    onA.socket.close();
    await onA.closed;
    // A's unit is given back in Redis: B can take it
    let third: Awaited<ReturnType<typeof ackedWs>> | null = null;
    await until(async () => {
      third = await ackedWs(r.b.wsUrl, tok.secret).catch(() => null);
      return third !== null;
    }, 10_000);
    third!.socket.close();
    onB.socket.close();
  });
});
