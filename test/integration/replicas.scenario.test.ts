/**
 * Issue 9, the scale-out scenario: 3 gateway replicas on one PostgreSQL and one Redis behind HAProxy,
 * the simulated hub in its own process. Deployments (half on new dedicated pools, half on a shared
 * pool) are submitted through the balancer, each followed by a subscriber whose socket the balancer
 * puts on any replica. Meanwhile one replica is SIGKILLed and started again, and Redis is stopped for
 * 5 s. Then: every deployment is in a terminal phase; every subscriber (resubscribing with its last
 * cursor whenever its socket died) saw its deployment's whole log exactly once, in order; no GPU is
 * over-allocated; the hub holds no duplicate object; no reservation outlives its holder.
 *
 * SCENARIO_DEPLOYMENTS (default 200) sets the size. Submission stops early when SCENARIO_SUBMIT_MS
 * (default 90 s) has passed, so a slow, loaded machine runs as many as fit and the test prints how
 * many that was; the crash and the outage come at fixed shares of whichever limit is reached first.
 * PostgreSQL, haproxy and redis-server are needed; without them the test says so and is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { deployApp } from '../helpers/deploy.js';
import { brief, type Ev, type Subscription } from '../helpers/events.js';
import { deploymentEventLog, deploymentEvents, deployWorld, newDedicatedPool, sharedPool, sleep, type Gateway } from '../helpers/deployments.js';
import { gqlRequest } from '../helpers/graphql.js';
import { H100 } from '../helpers/pools.js';
import { redisServerAvailable } from '../helpers/redis.js';
import { haproxyAvailable, startReplicaCluster, type ReplicaCluster } from '../helpers/replicas.js';
import { uniq } from '../helpers/seed.js';

const missing = [testDialect() !== 'postgresql' && 'PostgreSQL (TEST_DATABASE_URL)', !haproxyAvailable() && 'haproxy', !redisServerAvailable() && 'redis-server'].filter(Boolean);
if (missing.length && testDialect() === 'postgresql') console.warn(`[replicas.scenario] skipped: ${missing.join(', ')} not available`);

const TOTAL = Number(process.env.SCENARIO_DEPLOYMENTS ?? 200);
const SUBMIT_MS = Number(process.env.SCENARIO_SUBMIT_MS ?? 90_000);
const DEDICATED = Math.floor(TOTAL / 2);
const SHARED = TOTAL - DEDICATED;
const TERMINAL = ['RUNNING', 'FAILED', 'DELETED'];

/** A subscriber that outlives its socket: a dead one is replaced by a subscription from its last cursor. */
class Follower {
  private readonly received: Ev[] = [];
  private sub: Subscription;
  reconnects = 0;
  constructor(
    private readonly lb: Gateway,
    readonly id: string,
  ) {
    this.sub = deploymentEvents(lb, id);
  }
  async heal(): Promise<void> {
    if (!this.sub.socketError && !this.sub.ended) return;
    this.received.push(...this.sub.events);
    await this.sub.close().catch(() => undefined);
    this.reconnects++;
    this.sub = deploymentEvents(this.lb, this.id, this.received.at(-1)?.cursor ?? null);
  }
  events(): Ev[] {
    return [...this.received, ...this.sub.events];
  }
  close(): Promise<void> {
    return this.sub.close();
  }
}

describe.skipIf(missing.length > 0)('3 replicas behind a load balancer, through a replica crash and a Redis outage', () => {
  let cluster: ReplicaCluster;
  const followers: Follower[] = [];
  beforeAll(async () => {
    cluster = await startReplicaCluster({
      replicas: 3,
      env: {
        // one admin token drives everything here: the per-token caps are not what this test is about
        MAX_HANDSHAKES_PER_MINUTE: '1000000',
        MAX_SOCKETS_PER_TOKEN: '100000',
        MAX_SUBSCRIPTIONS_PER_TOKEN: '100000',
        WORKFLOW_CONCURRENCY: '64',
      },
    });
  }, 240_000);
  afterAll(async () => {
    await Promise.all(followers.map((f) => f.close().catch(() => undefined)));
    await cluster?.close();
  });

  it(`takes up to ${TOTAL} deployments to a terminal phase, every subscriber sees its log once and in order, nothing leaks`, async () => {
    const started = Date.now();
    const lb = cluster.lb;
    const client = { ...lb, q: cluster.q, gql: (query: string, variables?: Record<string, unknown>, token: string | null = lb.adminToken) => gqlRequest(lb.url, query, variables, token) } as unknown as TestApp;
    const sharedGpuNodes = Math.ceil(SHARED / 8) + 1;
    const w = await deployWorld(client, {
      gpus: 1,
      quota: DEDICATED * 8 + sharedGpuNodes * 8 + 8,
      machines: { controlPlanes: DEDICATED + 1, gpuHosts: [{ family: H100, count: DEDICATED + sharedGpuNodes, gpusEach: 8 }] },
    });
    const pool = await sharedPool(client, w, { gpuNodes: sharedGpuNodes });

    // the subscribers' healer: a socket that died (its replica, or the balancer's retry) is replaced
    let healing = true;
    const healer = (async () => {
      while (healing) {
        await Promise.all(followers.map((f) => f.heal()));
        await sleep(200);
      }
    })();

    // chaos, at fixed points of the submission
    const chaos: Promise<void>[] = [];
    let killed = false;
    let redisStopped = false;
    const submitStart = Date.now();
    // how far the submission is: by count, or by time on a machine too slow for all of them
    const progress = (submitted: number) => Math.max(submitted / TOTAL, (Date.now() - submitStart) / SUBMIT_MS);
    const maybeChaos = (submitted: number) => {
      if (!killed && progress(submitted) >= 0.3) {
        killed = true;
        chaos.push(
          (async () => {
            await cluster.kill(1);
            await sleep(2_000);
            await cluster.restart(1);
          })(),
        );
      }
      if (!redisStopped && progress(submitted) >= 0.6) {
        redisStopped = true;
        chaos.push(
          (async () => {
            await cluster.redis.stop();
            await sleep(5_000);
            await cluster.redis.start();
          })(),
        );
      }
    };

    // submission through the balancer, a few at a time; a request that hit the dying replica is sent again
    const ids: string[] = [];
    let onDedicated = 0;
    let next = 0;
    const submitOne = async (i: number) => {
      const dedicated = i % 2 === 0;
      const input = { projectId: w.project.id, name: uniq('d'), bundleIds: [w.appBundle], ...(dedicated ? { newDedicatedPool: newDedicatedPool(w.bundle, 1) } : { poolId: pool.id }) };
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await deployApp(client, { ...input, idempotencyKey: `scenario-${input.name}` });
          expect(r.userErrors, JSON.stringify(r.userErrors)).toEqual([]);
          ids.push(r.appDeployment.id);
          if (dedicated) onDedicated++;
          followers.push(new Follower(lb, r.appDeployment.id));
          return;
        } catch (e) {
          // (the balancer answers 503 while it has no replica it believes healthy)
          if (attempt >= 30) throw e;
          await sleep(1_000);
        }
      }
    };
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < TOTAL && Date.now() - submitStart < SUBMIT_MS) {
          const i = next++;
          await submitOne(i);
          maybeChaos(ids.length);
        }
      }),
    );
    // a short run still goes through the crash and the outage
    maybeChaos(TOTAL);
    await Promise.all(chaos);
    const submitted = ids.length;
    expect(submitted).toBeGreaterThan(0);
    console.log(`[replicas.scenario] ${submitted} of ${TOTAL} deployments submitted (${onDedicated} on new dedicated pools) in ${Date.now() - submitStart} ms`);

    // every deployment terminal
    const deadline = Date.now() + 8 * 60_000;
    for (;;) {
      const rows = await cluster.db.sql<{ phase: string; n: string }>('select phase, count(*) as n from app_deployment group by phase');
      const open = rows.filter((r) => !TERMINAL.includes(r.phase)).reduce((n, r) => n + Number(r.n), 0);
      if (open === 0) break;
      if (Date.now() > deadline) throw new Error(`deployments not terminal: ${JSON.stringify(rows)}\n${cluster.output()}`);
      await sleep(1_000);
    }
    const phases = await cluster.db.sql<{ phase: string; n: string }>('select phase, count(*) as n from app_deployment group by phase');
    console.log(`[replicas.scenario] terminal after ${Date.now() - started} ms: ${JSON.stringify(phases)}`);

    // every subscriber saw its deployment's log exactly once, in order
    let reconnects = 0;
    for (const f of followers) {
      const log = await deploymentEventLog(lb, f.id);
      const end = Date.now() + 60_000;
      while (f.events().length < log.length && Date.now() < end) await sleep(100);
      expect(brief(f.events()), `subscriber of ${f.id}`).toEqual(brief(log));
      reconnects += f.reconnects;
    }
    healing = false;
    await healer;
    expect(followers).toHaveLength(submitted);
    console.log(`[replicas.scenario] ${followers.length} subscribers, ${reconnects} resubscriptions with a cursor`);

    // 0 over-allocations
    const [over] = await cluster.db.sql<{ n: string }>('select count(*) as n from cluster_gpu where allocated > capacity or allocated < 0');
    expect(Number(over.n)).toBe(0);
    // 0 leaked reservations: every unreleased reservation has a live holder, and quota use is their sum
    const leaked = await cluster.db.sql(
      `select r.id, r.holder_kind from gpu_reservation r where r.released_at is null and (
         (r.holder_kind = 'APP_DEPLOYMENT' and not exists (select 1 from app_deployment d where d.id = r.holder_id and d.phase not in ('FAILED', 'DELETED')))
         or (r.holder_kind = 'COMPUTE_POOL' and not exists (select 1 from compute_pool p where p.id = r.holder_id and p.phase not in ('FAILED', 'DELETED'))))`,
    );
    expect(leaked).toEqual([]);
    const [use] = await cluster.db.sql<{ used: string; held: string }>(
      `select (select used from gpu_quota q join project p on p.id = q.scope_id where p.name = ? and q.gpu_family = ?) as used,
              (select coalesce(sum(count), 0) from gpu_reservation r join project p on p.id = r.project_id where p.name = ? and r.gpu_family = ? and r.released_at is null) as held`,
      [w.project.name, H100, w.project.name, H100],
    );
    expect(Number(use.used)).toBe(Number(use.held));

    // 0 duplicate hub objects: one ManifestWork per deployment, one ManagedCluster per pool
    const list = async (path: string) => ((await (await fetch(`${cluster.hub.url}${path}`, { headers: { authorization: 'Bearer scenario' } })).json()) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] }).items;
    const dupes = (items: { metadata: { labels?: Record<string, string> } }[], label: string) => {
      const seen = new Map<string, number>();
      for (const o of items) {
        const v = o.metadata.labels?.[label];
        if (v) seen.set(v, (seen.get(v) ?? 0) + 1);
      }
      return [...seen].filter(([, n]) => n > 1);
    };
    const works = await list('/apis/work.open-cluster-management.io/v1/manifestworks');
    const clusters = await list('/apis/cluster.open-cluster-management.io/v1/managedclusters');
    expect(dupes(works, 'spokegraph.io/deployment')).toEqual([]);
    expect(dupes(clusters, 'spokegraph.io/pool')).toEqual([]);
    const running = Number(phases.find((p) => p.phase === 'RUNNING')?.n ?? 0);
    expect(works.filter((o) => o.metadata.labels?.['spokegraph.io/deployment']).length).toBeGreaterThanOrEqual(running);
    console.log(`[replicas.scenario] done in ${Date.now() - started} ms: ${works.length} ManifestWorks, ${clusters.length} ManagedClusters, ${running} RUNNING`);
  }, 15 * 60_000);
});
