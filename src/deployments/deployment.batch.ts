/**
 * Group commit of admissions (PostgreSQL, existing SHARED pool): the concurrent deployApp calls of
 * one project in this process are queued and admitted together, in ONE transaction per batch, by a
 * single writer per project.
 *
 * Why: every admission of a project writes the same rows (its quota row, its tenant's, the pool's GPU
 * rows, the project's event counter, the global audit counter) and holds them until COMMIT, so one
 * admission at a time was all a project could do, each paying its own BEGIN … COMMIT and a dozen
 * statements. Here a batch takes those rows once, under lock, decides every member against them in
 * memory, and writes the sums: one quota raise per row, one GPU update, one multi-row insert per
 * table, one event append, one audit statement, one COMMIT for all.
 *
 * Each member keeps its own answer: the decisions are made one member at a time, in arrival order,
 * against the rows as the members before it left them — the same order of checks as the
 * statement-at-a-time path (pool RUNNING, quota per family project then tenant, then capacity with
 * rankClusters), with the same typed refusals; a refused member writes nothing and sinks no other.
 * Across replicas the rows are read FOR UPDATE and the sums are written with the guarded statements
 * (GUARDED_QUOTA_RAISE, `allocated + n <= capacity`), so no limit can be passed. What the batch does
 * not decide — a name already taken (the unique index decides it), a project with a GPU-hour budget
 * (quota.budget.ts), any failure of the batch transaction — goes back to its caller to be admitted
 * the single way (SINGLE), so every such decision still lives in one place.
 */
import { context, type Context } from '@opentelemetry/api';
import type { Ctx } from '../context.js';
import type { IdempotencyScope } from '../db/idempotency.js';
import type { Em } from '../db/orm.js';
import { PlainInserts, type Stager } from '../db/plain-inserts.js';
import { all } from '../db/sql.js';
import { inTransaction, participantOf } from '../db/transaction.js';
import { DomainError } from '../errors.js';
import { admissionBatches, publish } from '../observability/channels.js';
import type { EventDto, NewEvent } from '../events/event.dto.js';
import type { EventLog } from '../events/event.log.js';
import { QuotaLevel } from '../tenancy/gpu-quota.entity.js';
import { GUARDED_QUOTA_RAISE, normaliseRequests, QuotaExceededError, quotaRaiseParams, type QuotaScope } from '../tenancy/quota.ledger.js';
import { PoolPhase } from '../compute/pool.model.js';
import { noCapacityError, notRunningError, rankClusters, type ClusterFree } from './deployment.admission.js';
import type { AppDeployment } from './deployment.entity.js';
import type { AdmissionPool, Prepared } from './deployment.prepare.js';

/** At most this many admissions share one transaction (the rest form the next batch). */
const MAX_BATCH = 128;

export type BatchOutcome =
  | { kind: 'ADMITTED'; deployment: AppDeployment }
  /** admit it the single way (see the file comment); nothing of it was written */
  | { kind: 'SINGLE' };

export interface BatchMember {
  ctx: Ctx;
  p: Prepared;
  /** p.pool: an existing SHARED pool */
  pool: AdmissionPool;
  idem: IdempotencyScope | null;
  scope: QuotaScope;
}

/** What the batch needs of the deployment service: the rows of one admitted deployment, and its CREATED event. */
export interface BatchHooks {
  events: EventLog;
  /** stages every row of an admitted deployment onto `cluster` (the single way's own code); the batch inserts them */
  stage(rows: Stager, m: BatchMember, cluster: string): AppDeployment;
  created(d: AppDeployment, m: BatchMember, cluster: string): NewEvent;
}

interface Queued {
  m: BatchMember;
  /** the caller's trace context: the job staged for it remembers the caller's span */
  trace: Context;
  resolve(o: BatchOutcome): void;
  reject(e: unknown): void;
}

type Decision = { kind: 'ADMIT'; cluster: string } | { kind: 'REFUSE'; error: DomainError } | { kind: 'SINGLE' };

interface Committed {
  decided: { decision: Decision; d: AppDeployment | null }[];
  published: EventDto[];
}

export class AdmissionBatcher {
  private readonly queues = new Map<string, Queued[]>();

  constructor(private readonly hooks: BatchHooks) {}

  /** Admissions waiting for their project's next batch (not yet taken into one). */
  queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Queues an admission of its project; settles with its own outcome, or rejects with its own refusal. */
  admit(m: BatchMember): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      const key = m.scope.projectId;
      const q = this.queues.get(key);
      const item = { m, trace: context.active(), resolve, reject };
      if (q) q.push(item);
      else {
        this.queues.set(key, [item]);
        // the calls arriving meanwhile join this first batch
        setImmediate(() => void this.drain(key));
      }
    });
  }

  /**
   * The project's single writer. The next batch starts as soon as the one before holds its rows: its
   * BEGIN and lock statement then wait in PostgreSQL on those rows and are granted at that batch's
   * COMMIT, so two round trips per batch leave the chain of statements the project waits on. Waiting
   * for the locks (not only for the statement to be sent) keeps the batches in arrival order.
   */
  private async drain(key: string): Promise<void> {
    const q = this.queues.get(key)!;
    // the batches started and not yet settled, with the names they may be inserting
    const running = new Map<Promise<void>, Set<string>>();
    for (;;) {
      if (!q.length) {
        if (!running.size) break;
        await Promise.race(running.keys());
        continue;
      }
      const batch = q.splice(0, MAX_BATCH);
      // a name an earlier batch may still commit is invisible to this batch's read of the taken names
      const busy = new Set([...running.values()].flatMap((names) => [...names]));
      let held!: () => void;
      const locked = new Promise<void>((resolve) => (held = resolve));
      // (runBatch settles every member itself; this only keeps an unforeseen throw from leaving one unsettled or the queue stuck)
      const run = this.runBatch(batch, busy, held)
        .catch((e: unknown) => batch.forEach((b) => b.reject(e)))
        .finally(() => {
          held();
          running.delete(run);
        });
      running.set(run, new Set(batch.map((b) => b.m.p.spec.name)));
      await locked;
    }
    this.queues.delete(key);
  }

  private async runBatch(batch: Queued[], busy: Set<string>, held: () => void): Promise<void> {
    let committed: Committed;
    try {
      committed = await this.commitBatch(batch, busy, held);
    } catch (e) {
      publish(admissionBatches, () => ({ source: batch[0].m.ctx.em.config, outcome: 'rolled_back', members: batch.length }));
      // the batch rolled back: each member is admitted the single way, which answers for itself
      batch[0].m.ctx.log.warn('admission batch failed; its members are admitted one by one', { size: batch.length, err: e as Error });
      for (const b of batch) b.resolve({ kind: 'SINGLE' });
      return;
    }
    const { decided, published } = committed;
    publish(admissionBatches, () => ({ source: batch[0].m.ctx.em.config, outcome: 'committed', members: batch.length }));
    // committed: from here on nothing may send a member back to the single way (it would be admitted twice)
    try {
      this.hooks.events.publish(published);
    } catch (e) {
      batch[0].m.ctx.log.error('admission batch: publishing its events failed (they are in the log)', { err: e as Error });
    }
    decided.forEach(({ decision, d }, i) => {
      const b = batch[i];
      if (decision.kind === 'ADMIT') {
        try {
          participantOf(b.m.ctx.em)?.afterCommit();
        } catch (e) {
          b.m.ctx.log.error('admission batch: an audit record could not be published after commit', { err: e as Error });
        }
        b.resolve({ kind: 'ADMITTED', deployment: d! });
      } else if (decision.kind === 'REFUSE') b.reject(decision.error);
      else b.resolve({ kind: 'SINGLE' });
    });
  }

  /** The batch's transaction: each member's decision (and its staged deployment), and the events to publish. */
  private async commitBatch(batch: Queued[], busy: Set<string>, held: () => void): Promise<Committed> {
    const em = batch[0].m.ctx.em.fork() as Em;
    const audit = batch[0].m.ctx.services.audit.log;
    let published: EventDto[] = [];
    let decided: Committed['decided'] = [];
    await inTransaction(em, async (tem) => {
      const decisions = await decide(tem, batch.map((b) => b.m), busy, held);
      const admitted: { i: number; d: AppDeployment; cluster: string }[] = [];
      // plain rows, one INSERT per table for the whole batch: no managed entities, no unit of work
      // (the deployments handed back are read-only rows; nothing in the request changes them)
      const rows = new PlainInserts(tem);
      decisions.forEach((x, i) => {
        if (x.kind !== 'ADMIT') return;
        const d = context.with(batch[i].trace, () => this.hooks.stage(rows, batch[i].m, x.cluster));
        admitted.push({ i, d, cluster: x.cluster });
      });
      await rows.insert();
      published = await this.hooks.events.append(tem, admitted.map((a) => this.hooks.created(a.d, batch[a.i].m, a.cluster)));
      // each admitted call's audit record, as its own transaction would have written it: all in one statement
      const gathered = audit.gather(tem);
      const records = admitted.map((a) => participantOf(batch[a.i].m.ctx.em)?.beforeCommit(tem, a.d));
      await gathered.flush();
      await Promise.all(records);
      decided = decisions.map((decision, i) => ({ decision, d: admitted.find((a) => a.i === i)?.d ?? null }));
    });
    return { decided, published };
  }
}

/** `?, ?, …` for n parameters (n > 0). */
const marks = (n: number, cast = '') => Array.from({ length: n }, () => `?${cast}`).join(', ');

/**
 * The batch's rows, taken in ONE statement in the single path's lock order: the pools (FOR SHARE,
 * by id), then the quota rows (FOR UPDATE, by family, project before tenant), then the GPU rows of
 * the RUNNING pools among them (FOR UPDATE, by pool and id). Each step's WHERE reads the step before
 * in full (a one-time filter, run before the step's first row is locked), so no step locks a row
 * before the previous one holds all of its own. A row locked here is returned as committed when the
 * lock was granted (a locking read that waited re-reads the row), so `used` and the free GPUs are
 * current under the lock. Beside them, unlocked: the project's budget, the names already live, and
 * the pools' clusters (static: name and index). One round trip while the batch holds nothing, in
 * place of six.
 */
function lockSql(pools: number, families: number, names: number): string {
  const fam = families ? `gpu_family in (${marks(families)})` : 'false';
  return `with p as materialized (select id, phase from compute_pool where id in (${marks(pools, '::uuid')}) order by id for share),
q as materialized (
  select scope_id, gpu_family, used, hard_limit from gpu_quota
  where ${fam} and scope_id in (?::uuid, ?::uuid) and (select count(*) from p) >= 0
  order by gpu_family collate "C", case when scope_id = ?::uuid then 0 else 1 end for update
),
g as materialized (
  select pool_id, cluster_id, gpu_family, capacity - allocated as free from cluster_gpu
  where pool_id in (select id from p where phase = ?) and (select count(*) from q) >= 0
  order by pool_id, id for update
)
select (select count(*) from project_budget where project_id = ?::uuid)::int as budgeted,
  (select coalesce(json_agg(p), '[]') from p)::text as pools,
  (select coalesce(json_agg(q), '[]') from q)::text as quota,
  (select coalesce(json_agg(g), '[]') from g)::text as gpus,
  (select coalesce(json_agg(c order by c.index), '[]') from (select id, name, index, pool_id from pool_cluster where pool_id in (select id from p)) c)::text as clusters,
  (select coalesce(json_agg(active_name), '[]') from app_deployment where project_id = ?::uuid and active_name in (${marks(names)}))::text as taken`;
}

interface Locked {
  budgeted: boolean;
  phases: Map<string, string>;
  quota: { scope_id: string; gpu_family: string; used: number; hard_limit: number }[];
  /** per RUNNING pool: its clusters with their free GPUs per family, by index (clusterFreeGpus's answer) */
  frees: Map<string, ClusterFree[]>;
  taken: Set<string>;
}

async function lockRows(em: Em, projectId: string, tenantId: string, poolIds: string[], families: string[], names: string[]): Promise<Locked> {
  const [row] = await all<{ budgeted: number; pools: string; quota: string; gpus: string; clusters: string; taken: string }>(
    em,
    lockSql(poolIds.length, families.length, names.length),
    [...poolIds, ...families, projectId, tenantId, projectId, PoolPhase.RUNNING, projectId, projectId, ...names],
  );
  const phases = new Map((JSON.parse(row.pools) as { id: string; phase: string }[]).map((r) => [r.id, r.phase]));
  const frees = new Map<string, ClusterFree[]>([...phases].filter(([, phase]) => phase === PoolPhase.RUNNING).map(([id]) => [id, []]));
  const byId = new Map<string, ClusterFree>();
  for (const c of JSON.parse(row.clusters) as { id: string; name: string; index: number; pool_id: string }[]) {
    if (phases.get(c.pool_id) !== PoolPhase.RUNNING) continue;
    const f: ClusterFree = { cluster: { id: c.id, name: c.name, index: Number(c.index) }, free: {} };
    byId.set(c.id, f);
    frees.get(c.pool_id)!.push(f);
  }
  for (const g of JSON.parse(row.gpus) as { cluster_id: string; gpu_family: string; free: number }[]) {
    const f = byId.get(g.cluster_id);
    if (f) f.free[g.gpu_family] = Number(g.free);
  }
  return {
    budgeted: Number(row.budgeted) > 0,
    phases,
    quota: JSON.parse(row.quota) as Locked['quota'],
    frees,
    taken: new Set(JSON.parse(row.taken) as string[]),
  };
}

/**
 * The sums in ONE statement, each through its guard: every quota raise is GUARDED_QUOTA_RAISE (the
 * statement every admission path runs), the GPU rows one guarded UPDATE. The rows are locked by
 * lockRows, so a guard that refuses means a bug: the counts tell, and the batch rolls back.
 */
async function writeSums(em: Em, projectId: string, raises: { scopeId: string; family: string; n: number }[], bumps: { clusterId: string; family: string; n: number }[]): Promise<void> {
  const parts: string[] = [];
  const params: unknown[] = [];
  const now = new Date();
  raises.forEach((r, i) => {
    parts.push(`q${i} as (${GUARDED_QUOTA_RAISE} returning 1)`);
    params.push(...quotaRaiseParams(r.scopeId, r.family, r.n, now));
  });
  if (bumps.length) {
    parts.push(`g as (update cluster_gpu set allocated = cluster_gpu.allocated + v.n from (values ${bumps.map(() => '(?::uuid, ?, ?::int)').join(', ')}) as v(cluster_id, gpu_family, n)
       where cluster_gpu.cluster_id = v.cluster_id and cluster_gpu.gpu_family = v.gpu_family and cluster_gpu.allocated + v.n <= cluster_gpu.capacity returning 1)`);
    params.push(...bumps.flatMap((a) => [a.clusterId, a.family, a.n]));
  }
  if (!parts.length) return;
  const counts = [...raises.map((_, i) => `(select count(*) from q${i})`), ...(bumps.length ? ['(select count(*) from g)'] : [])];
  // the budget again, read now that the rows are held: lockRows read it as of when its statement
  // started, which may be before a batch ahead of this one committed (see drain)
  const [row] = await all<{ done: string }>(em, `with ${parts.join(', ')} select concat_ws(',', ${counts.join(', ')}, (select count(*) from project_budget where project_id = ?::uuid)) as done`, [
    ...params,
    projectId,
  ]);
  const done = row.done.split(',').map(Number);
  if (done[counts.length] > 0) throw new Error('a GPU-hour budget was set while the batch waited for its rows');
  raises.forEach((r, i) => {
    if (done[i] !== 1) throw new Error(`batch quota raise of ${r.n} ${r.family} refused on a locked row`);
  });
  if (bumps.length && done[raises.length] !== bumps.length) throw new Error('batch GPU allocation refused on a locked row');
}

/**
 * Takes the batch's rows under lock (pools, quota rows, GPU rows — the order of the single path) and
 * decides each member in turn against them, then writes the sums with the guarded statements.
 */
async function decide(em: Em, members: BatchMember[], busy: Set<string>, held: () => void): Promise<Decision[]> {
  const { projectId, tenantId, projectName, tenantName } = members[0].scope;
  const out: Decision[] = members.map(() => ({ kind: 'SINGLE' }));
  const pools = [...new Map(members.map((m) => [m.pool.id, m.pool])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const families = [...new Set(members.flatMap((m) => normaliseRequests(m.p.gpuRequests).map((r) => r.gpuFamily)))].sort();
  const names = members.map((m) => m.p.spec.name);
  const locked = await lockRows(
    em,
    projectId,
    tenantId,
    pools.map((p) => p.id),
    families,
    [...new Set(names)],
  );
  held();
  // a GPU-hour budget is decided under its own row lock, by raiseQuota: the single way
  if (locked.budgeted) return out;

  const poolRefusal = new Map<string, DomainError>();
  for (const pool of pools) {
    const phase = locked.phases.get(pool.id);
    if (phase !== PoolPhase.RUNNING) poolRefusal.set(pool.id, notRunningError(pool.name, phase, ['poolId']));
  }

  // names: a taken one is refused by the unique index on the single way; a repeated one (in this
  // batch or in one still running before it) waits for it
  const seen = new Set<string>();
  const inBatch = names.map((name) => {
    const ok = !locked.taken.has(name) && !seen.has(name) && !busy.has(name);
    seen.add(name);
    return ok;
  });

  const quota = new Map<string, { used: number; limit: number }>();
  const qkey = (scopeId: string, family: string) => `${scopeId}/${family}`;
  for (const family of families) {
    quota.set(qkey(projectId, family), { used: 0, limit: 0 });
    quota.set(qkey(tenantId, family), { used: 0, limit: 0 });
  }
  for (const r of locked.quota) quota.set(qkey(r.scope_id, r.gpu_family), { used: Number(r.used), limit: Number(r.hard_limit) });
  const frees = locked.frees;
  const raised = new Map<string, number>();
  const allocated = new Map<string, { clusterId: string; family: string; n: number }>();
  members.forEach((m, i) => {
    if (!inBatch[i]) return;
    const refusal = poolRefusal.get(m.pool.id);
    if (refusal) return void (out[i] = { kind: 'REFUSE', error: refusal });
    const wanted = normaliseRequests(m.p.gpuRequests);
    for (const r of wanted) {
      for (const [level, scopeId, scopeName] of [
        [QuotaLevel.PROJECT, projectId, projectName],
        [QuotaLevel.TENANT, tenantId, tenantName],
      ] as const) {
        const q = quota.get(qkey(scopeId, r.gpuFamily))!;
        if (q.used + r.count > q.limit) {
          out[i] = { kind: 'REFUSE', error: new QuotaExceededError({ level, gpuFamily: r.gpuFamily, requested: r.count, used: q.used, limit: q.limit }, scopeName, ['bundleIds']) };
          return;
        }
      }
    }
    const [best] = rankClusters(frees.get(m.pool.id)!, m.p.gpuRequests);
    if (!best) return void (out[i] = { kind: 'REFUSE', error: noCapacityError(m.pool.name, m.p.gpuRequests, ['poolId']) });
    for (const r of wanted) {
      for (const scopeId of [projectId, tenantId]) {
        quota.get(qkey(scopeId, r.gpuFamily))!.used += r.count;
        raised.set(qkey(scopeId, r.gpuFamily), (raised.get(qkey(scopeId, r.gpuFamily)) ?? 0) + r.count);
      }
    }
    for (const r of m.p.gpuRequests) {
      best.free[r.gpuFamily] -= r.count;
      const k = `${best.cluster.id}/${r.gpuFamily}`;
      const a = allocated.get(k) ?? { clusterId: best.cluster.id, family: r.gpuFamily, n: 0 };
      a.n += r.count;
      allocated.set(k, a);
    }
    out[i] = { kind: 'ADMIT', cluster: best.cluster.name };
  });

  // the sums, through the guards (the rows are locked: a guard that refuses means a bug, and the batch rolls back)
  const raises = families.flatMap((family) =>
    [projectId, tenantId].flatMap((scopeId) => {
      const n = raised.get(qkey(scopeId, family));
      return n ? [{ scopeId, family, n }] : [];
    }),
  );
  await writeSums(
    em,
    projectId,
    raises,
    [...allocated.values()].filter((a) => a.n > 0),
  );
  return out;
}
