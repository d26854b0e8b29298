/**
 * Admission's hot rows taken in ONE statement on PostgreSQL (the common case: a SHARED pool, one GPU
 * family, a project without a budget).
 *
 * Every admission of a project writes the same rows — the project's and the tenant's quota row of the
 * family, a cluster's GPU row and the project's event counter — and holds each from its first write
 * until COMMIT. Written one statement at a time, the rows stayed locked for every round trip between
 * (and for every wait of the gateway's event loop before it sent the next one), and concurrent
 * admissions queued behind that. Here the guarded writes are one data-modifying CTE, each step
 * running only if the one before succeeded:
 *
 *   project quota  → tenant quota   (GUARDED_QUOTA_RAISE, the same statement raiseQuota runs)
 *   → the first of the ranked clusters whose GPU row no other admission holds right now and that
 *     still has room (SKIP LOCKED: concurrent admissions spread over the clusters that fit instead
 *     of queueing on the best one; each still takes its own cluster's row with the capacity guard)
 *   → the deployment's and the project's event counters (EventBatch.reserved)
 *
 * so the rows are held from this statement to COMMIT only. The guards decide as before: an UPDATE
 * that waited for a row re-checks its WHERE against the committed row, so no limit can be passed.
 * The lock order is that of the statement-at-a-time path (quota, cluster, counters), so the two
 * paths never wait on each other in a cycle.
 */
import type { Em } from '../db/orm.js';
import { all } from '../db/sql.js';
import { GUARDED_QUOTA_RAISE, quotaRaiseParams, type GpuRequest } from '../tenancy/quota.ledger.js';

export interface ClaimInput {
  tenantId: string;
  projectId: string;
  deploymentId: string;
  poolId: string;
  request: GpuRequest;
  /** the pool's clusters that fit the request when read, best first (rankClusters) */
  rankedClusterIds: string[];
  now: Date;
}

export type ClaimResult =
  /** a quota level refused: nothing else was written by the statement */
  | { kind: 'PROJECT_QUOTA' | 'TENANT_QUOTA' }
  /**
   * quota raised, but every ranked cluster was full or held by a concurrent admission: allocate the
   * statement-at-a-time way (which waits for held rows); the event counters were not bumped
   */
  | { kind: 'NO_FREE_CLUSTER' }
  /** everything taken; the deployment row names `cluster`; the counters were bumped by one each */
  | { kind: 'CLAIMED'; cluster: string; subjectLast: number; projectLast: number };

const raiseWhen = (cond: string) => GUARDED_QUOTA_RAISE.replace(/ where /, ` where ${cond} and `);

const CLAIM_SQL = `with p as (${GUARDED_QUOTA_RAISE} returning 1),
t as (${raiseWhen('exists (select 1 from p)')} returning 1),
c as (
  update cluster_gpu set allocated = allocated + ?
  where id = (
    select g.id from cluster_gpu g
    where g.pool_id = ? and g.gpu_family = ? and g.allocated + ? <= g.capacity
      and array_position(string_to_array(?, ','), g.cluster_id::text) is not null
      and exists (select 1 from t)
    order by array_position(string_to_array(?, ','), g.cluster_id::text)
    limit 1 for update skip locked
  ) and allocated + ? <= capacity
  returning cluster_id
),
n as (select pc.name from c join pool_cluster pc on pc.id = c.cluster_id),
d as (update app_deployment set cluster = n.name from n where app_deployment.id = ? and app_deployment.cluster <> n.name returning 1),
s as (
  insert into event_sequence (scope_id, "last")
  select v.scope_id, v.n from (values (?::uuid, 1), (?::uuid, 1)) as v(scope_id, n) where exists (select 1 from c)
  on conflict (scope_id) do update set "last" = event_sequence."last" + excluded."last"
  returning scope_id, "last"
)
select (select count(*) from p)::int as p, (select count(*) from t)::int as t, (select name from n) as cluster,
  (select "last" from s where scope_id = ?::uuid) as subject_last, (select "last" from s where scope_id = ?::uuid) as project_last`;

/** Runs the claim (PostgreSQL only: SQLite has no data-modifying CTE, and serialises writers anyway). */
export async function claimHotRows(em: Em, c: ClaimInput): Promise<ClaimResult> {
  const { request: r, now } = c;
  const ranked = c.rankedClusterIds.join(',');
  const [row] = await all<{ p: number; t: number; cluster: string | null; subject_last: number | null; project_last: number | null }>(em, CLAIM_SQL, [
    ...quotaRaiseParams(c.projectId, r.gpuFamily, r.count, now),
    ...quotaRaiseParams(c.tenantId, r.gpuFamily, r.count, now),
    r.count,
    c.poolId,
    r.gpuFamily,
    r.count,
    ranked,
    ranked,
    r.count,
    c.deploymentId,
    c.deploymentId,
    c.projectId,
    c.deploymentId,
    c.projectId,
  ]);
  if (Number(row.p) !== 1) return { kind: 'PROJECT_QUOTA' };
  if (Number(row.t) !== 1) return { kind: 'TENANT_QUOTA' };
  if (row.cluster == null) return { kind: 'NO_FREE_CLUSTER' };
  return { kind: 'CLAIMED', cluster: row.cluster, subjectLast: Number(row.subject_last), projectLast: Number(row.project_last) };
}
