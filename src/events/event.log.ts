/**
 * Appends events inside the transaction of the state change they describe, and publishes them only
 * after that transaction commits (design §3). Sequence numbers come from per-scope counter rows
 * bumped by UPDATE: on PostgreSQL the row lock serialises writers of one subject (and of one
 * project) until commit, so seq values become visible in order and without gaps.
 */
import type { Em } from '../db/orm.js';
import { all, knexOf, run } from '../db/sql.js';
import { inTransaction } from '../db/transaction.js';
import { topics, type EventBus } from './event.bus.js';
import type { EventDto, NewEvent } from './event.dto.js';
import { DeploymentEvent } from './event.entity.js';

async function reserveSeq(em: Em, scopeId: string, n: number): Promise<number> {
  const k = knexOf(em);
  await run(em, k('event_sequence').insert({ scope_id: scopeId, last: 0 }).onConflict('scope_id').ignore());
  await run(em, k('event_sequence').where({ scope_id: scopeId }).increment('last', n));
  const [row] = await all<{ last: number }>(em, k('event_sequence').select('last').where({ scope_id: scopeId }));
  return Number(row.last) - n + 1;
}

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

/** Events gathered during one transaction. */
export class EventBatch {
  readonly pending: NewEvent[] = [];
  emit(e: NewEvent): void {
    this.pending.push(e);
  }
}

export class EventLog {
  constructor(readonly bus: EventBus) {}

  /** Inside a transaction: number and insert the events; returns what to publish after commit. */
  async append(em: Em, events: NewEvent[]): Promise<EventDto[]> {
    if (!events.length) return [];
    if (!em.isInTransaction()) throw new Error('events must be appended inside the transaction of their state change');
    const bySubject = new Map<string, number>();
    const byProject = new Map<string, number>();
    for (const e of events) {
      bySubject.set(e.subjectId, (bySubject.get(e.subjectId) ?? 0) + 1);
      byProject.set(e.projectId, (byProject.get(e.projectId) ?? 0) + 1);
    }
    // Fixed lock order (projects, then subjects, each sorted) so two writers never wait in a cycle.
    const nextProject = new Map<string, number>();
    for (const [id, n] of [...byProject].sort(([a], [b]) => (a < b ? -1 : 1))) nextProject.set(id, await reserveSeq(em, id, n));
    const nextSubject = new Map<string, number>();
    for (const [id, n] of [...bySubject].sort(([a], [b]) => (a < b ? -1 : 1))) nextSubject.set(id, await reserveSeq(em, id, n));
    const rows = events.map((e) => {
      const seq = nextSubject.get(e.subjectId)!;
      nextSubject.set(e.subjectId, seq + 1);
      const projectSeq = nextProject.get(e.projectId)!;
      nextProject.set(e.projectId, projectSeq + 1);
      return em.create(DeploymentEvent, {
        subjectKind: e.subjectKind,
        subjectId: e.subjectId,
        subjectName: e.subjectName,
        projectId: e.projectId,
        seq,
        projectSeq,
        type: e.type,
        phase: e.phase,
        stepId: e.stepId ?? null,
        stepIndex: e.stepIndex ?? null,
        stepCount: e.stepCount ?? null,
        percent: Math.max(0, Math.min(100, Math.round(e.percent ?? 0))),
        message: e.message,
        details: e.details ?? null,
      });
    });
    await em.flush();
    return rows.map(toDto);
  }

  publish(events: EventDto[]): void {
    for (const e of events) {
      this.bus.publish(topics.subject(e.subjectId), e);
      this.bus.publish(topics.project(e.projectId), e);
    }
  }

  /**
   * Runs `fn` in a transaction with an EventBatch; the batch is appended before commit and published
   * after it. The one way state changes and their events are written.
   */
  async commit<T>(em: Em, fn: (tem: Em, events: EventBatch) => Promise<T>): Promise<T> {
    let published: EventDto[] = [];
    const result = await inTransaction(em, async (tem) => {
      const batch = new EventBatch();
      const r = await fn(tem, batch);
      published = await this.append(tem, batch.pending);
      return r;
    });
    this.publish(published);
    return result;
  }

  async forSubject(em: Em, subjectId: string, afterSeq: number, limit: number): Promise<EventDto[]> {
    const rows = await em.find(DeploymentEvent, { subjectId, seq: { $gt: afterSeq } }, { orderBy: { seq: 'asc' }, limit });
    return rows.map(toDto);
  }

  async forProject(em: Em, projectId: string, afterProjectSeq: number, limit: number): Promise<EventDto[]> {
    const rows = await em.find(DeploymentEvent, { projectId, projectSeq: { $gt: afterProjectSeq } }, { orderBy: { projectSeq: 'asc' }, limit });
    return rows.map(toDto);
  }

  async countForSubject(em: Em, subjectId: string): Promise<number> {
    return em.count(DeploymentEvent, { subjectId });
  }
}
