/**
 * The audit trail's storage: appending a record (inside the caller's transaction), reading pages and
 * replay batches, and publishing committed records on the event bus. Records are written as plain
 * rows and never through the unit of work, which has no path to change or delete them.
 */
import type { Knex } from '@mikro-orm/knex';
import { uuidv7 } from '../db/ids.js';
import type { Em } from '../db/orm.js';
import { all, epochMs, isPostgres, knexOf, run } from '../db/sql.js';
import { topics, type EventBus } from '../events/event.bus.js';
import { AuditOutcome, type AuditActor, type AuditDto, type AuditTarget } from './audit.model.js';
import { storable } from './audit.redact.js';

/** What is known of a mutation call before it runs. */
export interface AuditDraft {
  requestId: string;
  actor: AuditActor;
  operation: string;
  inputDigest: string;
  inputSummary: unknown;
}

export interface AuditVerdict {
  outcome: AuditOutcome;
  errorCode: string | null;
  errors: { code: string; field: string[] | null }[] | null;
}

export const OK_VERDICT: AuditVerdict = { outcome: AuditOutcome.OK, errorCode: null, errors: null };

type Row = {
  id: string;
  seq: number | string;
  created_at: Date | number | string;
  request_id: string;
  actor_token_id: string | null;
  actor_subject: string | null;
  operation: string;
  tenant_id: string | null;
  project_id: string | null;
  subject_kind: string | null;
  subject_id: string | null;
  input_digest: string;
  input_summary: unknown;
  outcome: AuditOutcome;
  error_code: string | null;
  errors: unknown;
};

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

export function fromRow(r: Row): AuditDto {
  return {
    id: r.id,
    seq: Number(r.seq),
    time: new Date(epochMs(r.created_at)),
    requestId: r.request_id,
    actor: { tokenId: r.actor_token_id, subject: r.actor_subject },
    operation: r.operation,
    tenantId: r.tenant_id,
    projectId: r.project_id,
    subjectKind: r.subject_kind,
    subjectId: r.subject_id,
    inputDigest: r.input_digest,
    inputSummary: json(r.input_summary),
    outcome: r.outcome,
    errorCode: r.error_code,
    errors: (json(r.errors) as AuditDto['errors']) ?? null,
  };
}

/** Narrows a query of audit_record (a reader's visibility and filter); applied to pages, counts and replays. */
export type AuditWhere = (qb: Knex.QueryBuilder) => void;

/** The global audit counter's next number (its row lock orders the records' visibility by seq). */
const BUMP_AUDIT_SEQ = `insert into audit_sequence (id, "last") values (1, 1) on conflict (id) do update set "last" = audit_sequence."last" + 1 returning "last"`;

/** The counter raised by n (parameters: n, n): the last number of the n taken. */
const BUMP_AUDIT_SEQ_BY = `insert into audit_sequence (id, "last") values (1, ?::bigint) on conflict (id) do update set "last" = audit_sequence."last" + ?::bigint returning "last"`;

type AuditRow = ReturnType<typeof rowOf>;

interface Gathered {
  row: AuditRow;
  resolve(seq: number): void;
  reject(e: unknown): void;
}

function rowOf(draft: AuditDraft, target: AuditTarget, verdict: AuditVerdict, time: Date) {
  return {
    id: uuidv7(),
    created_at: time,
    request_id: draft.requestId,
    actor_token_id: draft.actor.tokenId,
    actor_subject: draft.actor.subject === null ? null : storable(draft.actor.subject),
    operation: draft.operation,
    tenant_id: target.tenantId,
    project_id: target.projectId,
    subject_kind: target.subjectKind,
    subject_id: target.subjectId,
    input_digest: draft.inputDigest,
    input_summary: JSON.stringify(draft.inputSummary ?? null),
    outcome: verdict.outcome,
    error_code: verdict.errorCode,
    errors: verdict.errors ? JSON.stringify(verdict.errors.map((e) => ({ code: storable(e.code), field: e.field?.map(storable) ?? null }))) : null,
  };
}

export class AuditLog {
  /** Transactions whose records are being gathered into one statement (gather). */
  private readonly gathering = new WeakMap<Em, Gathered[]>();

  constructor(readonly bus: EventBus) {}

  /**
   * Inside a transaction, as its last statements: takes the next seq (the counter row stays locked
   * until COMMIT, so seqs become visible in order and without gaps) and inserts the record.
   */
  async append(em: Em, draft: AuditDraft, target: AuditTarget, verdict: AuditVerdict, time: Date): Promise<AuditDto> {
    if (!em.isInTransaction()) throw new Error('audit records are appended inside a transaction');
    const row = rowOf(draft, target, verdict, time);
    const gathered = this.gathering.get(em);
    if (gathered) return new Promise<number>((resolve, reject) => gathered.push({ row, resolve, reject })).then((seq) => ({ id: row.id, seq, time, ...draft, ...target, ...verdict }));
    let seq: number;
    if (isPostgres(em)) {
      // One statement: the global counter row is locked from here to COMMIT, and every mutation of
      // every project waits for it, so it is held for one round trip (plus the COMMIT) only.
      const cols = Object.keys(row).map((c) => `"${c}"`);
      const [r] = await all<{ seq: number | string }>(
        em,
        `with s as (${BUMP_AUDIT_SEQ}) insert into audit_record (${cols.join(', ')}, seq) values (${cols.map(() => '?').join(', ')}, (select "last" from s)) returning seq`,
        Object.values(row),
      );
      seq = Number(r.seq);
    } else {
      const [{ last }] = await all<{ last: number | string }>(em, BUMP_AUDIT_SEQ);
      seq = Number(last);
      await run(em, knexOf(em)('audit_record').insert({ ...row, seq }));
    }
    return { id: row.id, seq, time, ...draft, ...target, ...verdict };
  }

  /**
   * PostgreSQL, inside a transaction that commits the effects of many calls at once (admission's
   * group commit, src/deployments/deployment.batch.ts): the records appended on `em` until the
   * returned flush() are written by it in ONE statement — the global counter raised by their number
   * (still locked to COMMIT: seqs stay gapless and visible in order), the records numbered from it in
   * the order they were appended. Each append resolves with its record once flush() has run.
   */
  gather(em: Em): { flush(): Promise<void> } {
    if (!isPostgres(em) || !em.isInTransaction()) throw new Error('audit records are gathered inside a PostgreSQL transaction');
    const pending: Gathered[] = [];
    this.gathering.set(em, pending);
    return {
      flush: async () => {
        this.gathering.delete(em);
        if (!pending.length) return;
        try {
          const cols = Object.keys(pending[0].row);
          const n = pending.length;
          // record i (0-based) gets last - n + 1 + i
          const values = pending.map((_, i) => `(${cols.map(() => '?').join(', ')}, (select "last" from s) - ${n - 1 - i})`).join(', ');
          const rows = await all<{ id: string; seq: number | string }>(
            em,
            `with s as (${BUMP_AUDIT_SEQ_BY}) insert into audit_record (${cols.map((c) => `"${c}"`).join(', ')}, seq) values ${values} returning id, seq`,
            [n, n, ...pending.flatMap((g) => cols.map((c) => g.row[c as keyof AuditRow]))],
          );
          const seqOf = new Map(rows.map((r) => [r.id, Number(r.seq)]));
          for (const g of pending) g.resolve(seqOf.get(g.row.id)!);
        } catch (e) {
          for (const g of pending) g.reject(e);
          throw e;
        }
      },
    };
  }

  publish(dto: AuditDto): void {
    this.bus.publish(topics.audit, dto);
  }

  /** Newest first: records with seq < before (all when null), at most `limit`. */
  async newest(em: Em, where: AuditWhere, before: number | null, limit: number): Promise<AuditDto[]> {
    const q = knexOf(em)('audit_record').select('*').where(where).orderBy('seq', 'desc').limit(limit);
    if (before !== null) q.andWhere('seq', '<', before);
    return (await all<Row>(em, q)).map(fromRow);
  }

  /** Oldest first: records with seq > after, at most `limit` (replay). */
  async after(em: Em, where: AuditWhere, after: number, limit: number): Promise<AuditDto[]> {
    const q = knexOf(em)('audit_record').select('*').where(where).andWhere('seq', '>', after).orderBy('seq', 'asc').limit(limit);
    return (await all<Row>(em, q)).map(fromRow);
  }

  async count(em: Em, where: AuditWhere): Promise<number> {
    const [r] = await all<{ n: number | string }>(em, knexOf(em)('audit_record').count({ n: '*' }).where(where));
    return Number(r?.n ?? 0);
  }

  /** The seq of the newest committed record (0 when none). */
  async lastSeq(em: Em): Promise<number> {
    const [r] = await all<{ last: number | string }>(em, 'select "last" from audit_sequence where id = 1');
    return Number(r?.last ?? 0);
  }
}
