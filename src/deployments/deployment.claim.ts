/**
 * Admission's hot rows taken in ONE statement on PostgreSQL, the last of the admission (a SHARED
 * pool, one GPU family, a project without a GPU-hour budget) — for an admission the project's group
 * commit (deployment.batch.ts) hands back to be admitted on its own; the common case is batched.
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
 *   → the deployment's and the project's event counters, and the CREATED event numbered from them
 *
 * It runs as the transaction's final step (EventBatch.finalStep, after the inserts), so the rows are
 * held for this statement, the audit record (one statement, src/audit/audit.log.ts) and the COMMIT.
 * (Claiming after the audit record instead would hold the audit counter — one row for every mutation
 * in the system — while waiting here for the project's rows: measured slower.) The guards decide as before: an UPDATE
 * that waited for a row re-checks its WHERE against the committed row, so no limit can be passed.
 * The lock order is that of the statement-at-a-time path (quota, cluster, counters), so the two
 * paths never wait on each other in a cycle.
 */
import type { Em } from '../db/orm.js';
import { all } from '../db/sql.js';
import type { EventDto } from '../events/event.dto.js';
import { BUMP_ON_CONFLICT } from '../events/event.log.js';
import { GUARDED_QUOTA_RAISE, quotaRaiseParams, type GpuRequest } from '../tenancy/quota.ledger.js';

/** The CREATED event of the admission, but for what only the claim knows: the cluster and the numbers. */
export interface ClaimEvent extends Omit<EventDto, 'seq' | 'projectSeq' | 'message' | 'details'> {
  /** the message is before + the cluster's name + after */
  messageAround: [before: string, after: string];
  /** the details, to which the claim adds `cluster` */
  details: Record<string, unknown>;
}

export interface ClaimInput {
  tenantId: string;
  projectId: string;
  deploymentId: string;
  poolId: string;
  request: GpuRequest;
  /** the pool's clusters that fit the request when read, best first (rankClusters) */
  rankedClusterIds: string[];
  now: Date;
  event: ClaimEvent;
}

export type ClaimResult =
  /**
   * the project has a GPU-hour budget, checked against the ledger under its row lock (raiseQuota):
   * nothing was written, admit the statement-at-a-time way
   */
  | { kind: 'BUDGETED' }
  /** a quota level refused: nothing else was written by the statement */
  | { kind: 'PROJECT_QUOTA' | 'TENANT_QUOTA' }
  /**
   * quota raised, but every ranked cluster was full or held by a concurrent admission: allocate the
   * statement-at-a-time way (which waits for held rows); no counter was bumped, no event written
   */
  | { kind: 'NO_FREE_CLUSTER' }
  /** everything taken; the deployment row names `cluster`; `event` is written */
  | { kind: 'CLAIMED'; cluster: string; event: EventDto };

const raiseWhen = (cond: string) => GUARDED_QUOTA_RAISE.replace(/ where /, ` where ${cond} and `);

const CLAIM_SQL = `with b as (select count(*)::int as n from project_budget where project_id = ?),
p as (${raiseWhen('(select n from b) = 0')} returning 1),
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
  ${BUMP_ON_CONFLICT}
),
e as (
  insert into deployment_event (id, created_at, updated_at, subject_kind, subject_id, subject_name, project_id, seq, project_seq, type, phase, step_id, step_index, step_count, percent, message, details)
  select ?::uuid, ?::timestamptz, ?::timestamptz, ?, ?::uuid, ?, ?::uuid, sq."last", pq."last", ?, ?, ?, ?::int, ?::int, ?::int, ? || n.name || ?, ?::jsonb || jsonb_build_object('cluster', n.name)
  from n, s sq, s pq where sq.scope_id = ?::uuid and pq.scope_id = ?::uuid
  returning seq, project_seq
)
select (select n from b) as budgeted, (select count(*) from p)::int as p, (select count(*) from t)::int as t, (select name from n) as cluster, (select seq from e) as seq, (select project_seq from e) as project_seq`;

/** Runs the claim (PostgreSQL only: SQLite has no data-modifying CTE, and serialises writers anyway). */
export async function claimHotRows(em: Em, c: ClaimInput): Promise<ClaimResult> {
  const { request: r, now, event: ev } = c;
  const ranked = c.rankedClusterIds.join(',');
  const [row] = await all<{ budgeted: number; p: number; t: number; cluster: string | null; seq: number | null; project_seq: number | null }>(em, CLAIM_SQL, [
    c.projectId,
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
    ev.subjectId,
    ev.projectId,
    ev.id,
    ev.time,
    ev.time,
    ev.subjectKind,
    ev.subjectId,
    ev.subjectName,
    ev.projectId,
    ev.type,
    ev.phase,
    ev.stepId,
    ev.stepIndex,
    ev.stepCount,
    ev.percent,
    ev.messageAround[0],
    ev.messageAround[1],
    JSON.stringify(ev.details),
    ev.subjectId,
    ev.projectId,
  ]);
  if (Number(row.budgeted) > 0) return { kind: 'BUDGETED' };
  if (Number(row.p) !== 1) return { kind: 'PROJECT_QUOTA' };
  if (Number(row.t) !== 1) return { kind: 'TENANT_QUOTA' };
  if (row.cluster == null) return { kind: 'NO_FREE_CLUSTER' };
  const { messageAround, details, ...rest } = ev;
  return {
    kind: 'CLAIMED',
    cluster: row.cluster,
    event: { ...rest, seq: Number(row.seq), projectSeq: Number(row.project_seq), message: messageAround.join(row.cluster), details: { ...details, cluster: row.cluster } },
  };
}
