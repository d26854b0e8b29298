/**
 * Appends events inside the transaction of the state change they describe, and publishes them only
 * after that transaction commits (design §3). Sequence numbers come from per-scope counter rows
 * bumped by an upsert: on PostgreSQL the row lock serialises writers of one subject (and of one
 * project) until commit, so seq values become visible in order and without gaps (a rollback takes
 * its numbers back with it).
 */
import type { Em } from '../db/orm.js';
import { uuidv7 } from '../db/ids.js';
import { allBound, epochMs, isPostgres, runBound } from '../db/sql.js';
import { driverSqlUsable, inDriverTransaction, isInAnyTransaction } from '../db/driver.sql.js';
import { readRows } from '../db/read-rows.js';
import { inTransaction } from '../db/transaction.js';
import { topics, type EventBus } from './event.bus.js';
import type { EventDto, NewEvent } from './event.dto.js';
import { DeploymentEvent } from './event.entity.js';
import { publishTogether } from './publish.batch.js';

/**
 * Reserves `n` numbers on each scope's counter, in ONE statement for all scopes: an upsert that
 * creates the row at n or adds n to it, returning the new `last` (PostgreSQL, SQLite >= 3.35). The
 * first number of each scope's range is `last - n + 1`. Rows are inserted, and so locked, in the
 * order given (the VALUES order), which is the lock order.
 */
/** The counter bump: an insert of (scope_id, n) rows that adds n to a scope's row when it exists (also used by admission's claim). */
export const BUMP_ON_CONFLICT = 'on conflict (scope_id) do update set "last" = event_sequence."last" + excluded."last" returning scope_id, "last"';

async function reserveSeqs(em: Em, scopes: [scopeId: string, n: number][]): Promise<Map<string, number>> {
  const rows = await allBound<{ scope_id: string; last: number }>(
    em,
    `insert into event_sequence (scope_id, "last") values ${scopes.map(() => '(?, ?)').join(', ')} ${BUMP_ON_CONFLICT}`,
    scopes.flat(),
  );
  const n = new Map(scopes);
  return new Map(rows.map((r) => [r.scope_id, Number(r.last) - n.get(r.scope_id)! + 1]));
}

/**
 * PostgreSQL: the counters' bump and the events' insert in ONE statement (a data-modifying CTE), one
 * round trip instead of two per outcome transaction. Each event carries how far from the end of its
 * subject's and its project's reserved range it sits, so its numbers are the new `last` minus that:
 * the same numbers, in the same order, as reserving first and counting up. The counter rows are
 * locked in the VALUES order, as in reserveSeqs.
 */
async function numberAndInsert(em: Em, scopes: [string, number][], dtos: EventDto[], bySubject: Map<string, number>, byProject: Map<string, number>): Promise<void> {
  const leftSubject = new Map(bySubject);
  const leftProject = new Map(byProject);
  const params: unknown[] = scopes.flat();
  for (const e of dtos) {
    const fromSubjectEnd = leftSubject.get(e.subjectId)! - 1;
    leftSubject.set(e.subjectId, fromSubjectEnd);
    const fromProjectEnd = leftProject.get(e.projectId)! - 1;
    leftProject.set(e.projectId, fromProjectEnd);
    const details = e.details === null ? null : JSON.stringify(e.details);
    params.push(e.id, e.time, e.subjectKind, e.subjectId, e.subjectName, e.projectId, fromSubjectEnd, fromProjectEnd, e.type, e.phase, e.stepId, e.stepIndex, e.stepCount, e.percent, e.message, details);
  }
  const rows = await allBound<{ id: string; seq: number | string; project_seq: number | string }>(
    em,
    `with s as (insert into event_sequence (scope_id, "last") values ${scopes.map(() => '(?, ?)').join(', ')} ${BUMP_ON_CONFLICT}) ` +
      `${EVENT_INSERT.slice(0, EVENT_INSERT.lastIndexOf(' values'))} ` +
      'select v.id, v.t, v.t, v.kind, v.subject_id, v.subject_name, v.project_id, bs."last" - v.back_s, bp."last" - v.back_p, v.type, v.phase, v.step_id, v.step_index, v.step_count, v.percent, v.message, v.details ' +
      `from (values ${dtos.map(() => PG_EVENT_VALUES).join(', ')}) as v(${PG_EVENT_COLUMNS}) ` +
      'join s bs on bs.scope_id = v.subject_id join s bp on bp.scope_id = v.project_id returning "id", "seq", "project_seq"',
    params,
  );
  const numbered = new Map(rows.map((r) => [r.id, r]));
  for (const e of dtos) {
    const r = numbered.get(e.id);
    if (!r) throw new Error(`event ${e.id} was not numbered`);
    e.seq = Number(r.seq);
    e.projectSeq = Number(r.project_seq);
  }
}

/** One event's row in numberAndInsert's VALUES: typed, as VALUES alone would make every parameter text. */
const PG_EVENT_VALUES = '(?::uuid, ?::timestamptz, ?, ?::uuid, ?, ?::uuid, ?::int, ?::int, ?, ?, ?, ?::int, ?::int, ?::int, ?, ?::jsonb)';
const PG_EVENT_COLUMNS = 'id, t, kind, subject_id, subject_name, project_id, back_s, back_p, type, phase, step_id, step_index, step_count, percent, message, details';

/**
 * The insert of a transaction's events, its parameters bound (the texts repeat: one per number of
 * events). Numbers go only to integer columns (SQLite binds them as REAL, see sql.ts `runBound`).
 */
const EVENT_INSERT =
  'insert into "deployment_event" ("id", "created_at", "updated_at", "subject_kind", "subject_id", "subject_name", "project_id", "seq", "project_seq", ' +
  '"type", "phase", "step_id", "step_index", "step_count", "percent", "message", "details") values';
const EVENT_VALUES = `(${new Array(17).fill('?').join(', ')})`;

export function toDto(e: DeploymentEvent): EventDto {
  return {
    id: e.id,
    subjectKind: e.subjectKind,
    subjectId: e.subjectId,
    subjectName: e.subjectName,
    projectId: e.projectId,
    seq: e.seq,
    projectSeq: e.projectSeq,
    type: e.type,
    phase: e.phase,
    stepId: e.stepId,
    stepIndex: e.stepIndex,
    stepCount: e.stepCount,
    percent: e.percent,
    message: e.message,
    details: e.details,
    time: e.createdAt,
  };
}

/**
 * Replays (every subscription starts with one, thousands at once when clients reconnect) read plain
 * rows: no query builder, no managed entities for rows that are only turned into DTOs. They go
 * through readRows with bound parameters: through MikroORM's `execute` every replay was a new SQL
 * text (the values written into it), prepared again by SQLite for each batch of subscribers
 * (better-sqlite3 `Statement` construction was the largest JavaScript-visible cost of connecting
 * 10,000 subscribers); here it is one kept prepared statement.
 */
const EVENT_SELECT =
  'select "id", "created_at", "subject_kind", "subject_id", "subject_name", "project_id", "seq", "project_seq", "type", "phase", ' +
  '"step_id", "step_index", "step_count", "percent", "message", "details" from "deployment_event"';

interface EventRow {
  id: string;
  created_at: unknown;
  subject_kind: EventDto['subjectKind'];
  subject_id: string;
  subject_name: string;
  project_id: string;
  seq: number | string;
  project_seq: number | string;
  type: EventDto['type'];
  phase: string;
  step_id: string | null;
  step_index: number | null;
  step_count: number | null;
  percent: number;
  message: string;
  details: unknown;
}

function fromRow(r: EventRow): EventDto {
  return {
    id: r.id,
    subjectKind: r.subject_kind,
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    projectId: r.project_id,
    seq: Number(r.seq),
    projectSeq: Number(r.project_seq),
    type: r.type,
    phase: r.phase,
    stepId: r.step_id,
    stepIndex: r.step_index,
    stepCount: r.step_count,
    percent: r.percent,
    message: r.message,
    // SQLite keeps JSON as text; PostgreSQL's driver parses jsonb
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as EventDto['details'],
    time: new Date(epochMs(r.created_at)),
  };
}

/** Events gathered during one transaction. */
export class EventBatch {
  readonly pending: NewEvent[] = [];
  emit(e: NewEvent): void {
    this.pending.push(e);
  }
  /**
   * The transaction's final step of its own (after the other events; only the audit record, which
   * joins every transaction, comes after it): a write that takes rows every concurrent writer waits
   * for and appends its own events (numbered and inserted by the step itself, or through
   * EventLog.append); returns them for publishing after COMMIT.
   */
  finalStep: ((tem: Em) => Promise<EventDto[]>) | null = null;
}

export class EventLog {
  constructor(readonly bus: EventBus) {}

  /** Inside a transaction: number and insert the events; returns what to publish after commit. */
  async append(em: Em, events: NewEvent[]): Promise<EventDto[]> {
    if (!events.length) return [];
    if (!isInAnyTransaction(em)) throw new Error('events must be appended inside the transaction of their state change');
    const bySubject = new Map<string, number>();
    const byProject = new Map<string, number>();
    for (const e of events) {
      bySubject.set(e.subjectId, (bySubject.get(e.subjectId) ?? 0) + 1);
      byProject.set(e.projectId, (byProject.get(e.projectId) ?? 0) + 1);
    }
    // Fixed lock order so two writers never wait in a cycle: subjects, then projects, each sorted.
    // Projects last: a project's counter is written by every change in the project (the hottest
    // row of an admission), so it is taken as late as possible and held only until COMMIT.
    const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
    // (one counter per scope: a subject is never also a project, as their ids are different objects')
    if ([...bySubject.keys()].some((id) => byProject.has(id))) throw new Error('an event subject id is also a project id');
    const scopes: [string, number][] = [...sorted(bySubject), ...sorted(byProject)];
    const time = new Date();
    const dtos: EventDto[] = events.map((e) => ({
      id: uuidv7(),
      subjectKind: e.subjectKind,
      subjectId: e.subjectId,
      subjectName: e.subjectName,
      projectId: e.projectId,
      // numbered below
      seq: 0,
      projectSeq: 0,
      type: e.type,
      phase: e.phase,
      stepId: e.stepId ?? null,
      stepIndex: e.stepIndex ?? null,
      stepCount: e.stepCount ?? null,
      percent: Math.max(0, Math.min(100, Math.round(e.percent ?? 0))),
      message: e.message,
      details: e.details ?? null,
      time,
    }));
    if (isPostgres(em)) await numberAndInsert(em, scopes, dtos, bySubject, byProject);
    else {
      const next = await reserveSeqs(em, scopes);
      for (const e of dtos) {
        e.seq = next.get(e.subjectId)!;
        next.set(e.subjectId, e.seq + 1);
        e.projectSeq = next.get(e.projectId)!;
        next.set(e.projectId, e.projectSeq + 1);
      }
      // Inserted as plain rows, not through the unit of work: this runs while the project's counter
      // is locked (the last statement before COMMIT), and a flush would first re-scan every entity
      // the transaction has loaded or created. The events are never read back as entities here.
      const params: unknown[] = [];
      for (const e of dtos) {
        const details = e.details === null ? null : JSON.stringify(e.details);
        params.push(e.id, e.time, e.time, e.subjectKind, e.subjectId, e.subjectName, e.projectId, e.seq, e.projectSeq, e.type, e.phase, e.stepId, e.stepIndex, e.stepCount, e.percent, e.message, details);
      }
      await runBound(em, `${EVENT_INSERT} ${dtos.map(() => EVENT_VALUES).join(', ')}`, params);
    }
    return dtos;
  }

  /** Several events at once: what they bring to one subscriber's socket goes out as one write (publish.batch.ts). */
  publish(events: EventDto[]): void {
    const all = () => {
      for (const e of events) {
        this.bus.publish(topics.subject(e.subjectId), e);
        this.bus.publish(topics.project(e.projectId), e);
      }
    };
    if (events.length > 1) publishTogether(all);
    else all();
  }

  /**
   * Runs `fn` in a transaction with an EventBatch; the batch is appended before commit and published
   * after it. The one way state changes and their events are written. With `plain`, `fn` (and a
   * final step it sets) may only run sql.ts's plain statements on its EntityManager.
   */
  async commit<T>(em: Em, fn: (tem: Em, events: EventBatch) => Promise<T>, opts: { plain?: boolean } = {}): Promise<T> {
    let published: EventDto[] = [];
    // `plain`: fn runs plain statements only (sql.ts), so the transaction may be the driver's own
    // (driver.sql.ts: no knex transactor, no MikroORM transaction context); not inside another one
    const plain = opts.plain === true && !em.isInTransaction() && driverSqlUsable(em);
    const result = await (plain ? inDriverTransaction : inTransaction)(em, async (tem) => {
      const batch = new EventBatch();
      const r = await fn(tem, batch);
      published = await this.append(tem, batch.pending);
      if (batch.finalStep) published = [...published, ...(await batch.finalStep(tem))];
      return r;
    });
    this.publish(published);
    return result;
  }

  async forSubject(em: Em, subjectId: string, afterSeq: number, limit: number): Promise<EventDto[]> {
    const rows = await readRows<EventRow>(em, `${EVENT_SELECT} where "subject_id" = ? and "seq" > ? order by "seq" asc limit ?`, [subjectId, afterSeq, limit], { shared: true });
    return rows.map(fromRow);
  }

  /** One page of a subject's log along seq: after `afterSeq` ascending, or (backward) before `beforeSeq` descending. */
  async pageForSubject(em: Em, subjectId: string, q: { afterSeq: number; beforeSeq: number | null; backward: boolean; limit: number }): Promise<EventDto[]> {
    const seq: Record<string, number> = { $gt: q.afterSeq };
    if (q.beforeSeq != null) seq.$lt = q.beforeSeq;
    const rows = await em.find(DeploymentEvent, { subjectId, seq }, { orderBy: { seq: q.backward ? 'desc' : 'asc' }, limit: q.limit });
    return rows.map(toDto);
  }

  async forProject(em: Em, projectId: string, afterProjectSeq: number, limit: number): Promise<EventDto[]> {
    const rows = await readRows<EventRow>(em, `${EVENT_SELECT} where "project_id" = ? and "project_seq" > ? order by "project_seq" asc limit ?`, [projectId, afterProjectSeq, limit], { shared: true });
    return rows.map(fromRow);
  }

  async countForSubject(em: Em, subjectId: string): Promise<number> {
    return em.count(DeploymentEvent, { subjectId });
  }
}
