/**
 * The audit trail: every mutation call, recorded once (audit.wrap.ts calls record() around each
 * Mutation field), and read back as pages and live streams under the access rule of audit.access.ts.
 *
 * A call's record commits in the transaction of its effect: it joins the request EntityManager's
 * outermost transaction (db/transaction.ts) as the last statements before COMMIT, with the outcome OK
 * and the object the transaction returned as its subject. A call that commits nothing (a refusal, a
 * dry run, an idempotent replay, a fault) is recorded afterwards in a transaction of its own holding
 * only that record. Either way a call leaves exactly one record; a mutation that commits twice is
 * recorded with its first commit.
 */
import { GraphQLError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { Clock } from '../common/clock.js';
import type { Ctx } from '../context.js';
import type { Em } from '../db/orm.js';
import { inTransaction, joinTransactions } from '../db/transaction.js';
import { AuthError, DomainError, DomainErrors, ErrorCode, ValidationError } from '../errors.js';
import { topics } from '../events/event.bus.js';
import type { StreamHooks } from '../events/event.service.js';
import { subscriptionStream, type LaggingMarker } from '../events/event.stream.js';
import { DEFAULT_PAGE, MAX_PAGE, type Page } from '../graphql/relay/connection.js';
import { requestIdOf } from '../graphql/request-id.js';
import type { Viewer } from '../tenancy/viewer.js';
import { auditReaderOf, filterMatches, filterSql, readerSees, readerSql, type AuditFilter } from './audit.access.js';
import { OK_VERDICT, type AuditDraft, type AuditLog, type AuditVerdict, type AuditWhere } from './audit.log.js';
import { AuditOutcome, auditCursor, parseAuditCursor, type AuditActor, type AuditDto } from './audit.model.js';
import { digestOf, redact, summarize } from './audit.redact.js';
import { targetOf, targetsOfInput, type InputTargets } from './audit.targets.js';

/**
 * Who called: the token, and the subject of a caller that has one (an OIDC sign-in fills
 * `subject` on its Viewer; token callers have none).
 */
export function actorOf(viewer: Viewer): AuditActor {
  const subject = (viewer as Viewer & { subject?: unknown }).subject;
  return { tokenId: viewer.tokenId || null, subject: typeof subject === 'string' && subject ? subject : null };
}

/** The payload's user errors make a refusal. */
export function verdictOfResult(result: unknown): AuditVerdict {
  const errs = (result as { userErrors?: { code: string; field: string[] | null }[] } | null)?.userErrors;
  if (!errs?.length) return OK_VERDICT;
  return { outcome: AuditOutcome.REFUSED, errorCode: String(errs[0].code), errors: errs.map((u) => ({ code: String(u.code), field: u.field ?? null })) };
}

/** A thrown error: an expected refusal (auth, validation) or an internal fault. */
export function verdictOfError(e: unknown): AuditVerdict {
  const refused = (code: string, field: string[] | null = null): AuditVerdict => ({ outcome: AuditOutcome.REFUSED, errorCode: code, errors: [{ code, field }] });
  if (e instanceof AuthError) return refused(e.code);
  if (e instanceof DomainError) return refused(e.code, e.field);
  if (e instanceof DomainErrors) return { outcome: AuditOutcome.REFUSED, errorCode: e.errors[0]?.code ?? ErrorCode.INVALID_INPUT, errors: e.errors.map((d) => ({ code: d.code, field: d.field })) };
  if (e instanceof ArgumentValidationError) return refused('BAD_USER_INPUT');
  if (e instanceof GraphQLError && !e.originalError && typeof e.extensions?.code === 'string' && e.extensions.code !== ErrorCode.INTERNAL) return refused(e.extensions.code);
  return { outcome: AuditOutcome.ERROR, errorCode: ErrorCode.INTERNAL, errors: null };
}

const NO_TARGETS: InputTargets = { tenantId: null, projectId: null, subject: null };

export class AuditService {
  constructor(
    readonly log: AuditLog,
    private readonly clock: Clock,
    private readonly bufferLimit: number,
    private readonly hooks: StreamHooks = {},
  ) {}

  /** Runs one mutation call and records it (exactly once, see the file comment). */
  async record<T>(ctx: Ctx, operation: string, args: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
    const input = Object.keys(args).length === 1 && 'input' in args ? args.input : args;
    const redacted = redact(input);
    const draft: AuditDraft = {
      requestId: ctx.requestId ?? requestIdOf(null),
      actor: actorOf(ctx.viewer),
      operation,
      inputDigest: digestOf(redacted),
      inputSummary: summarize(redacted),
    };
    let targets = NO_TARGETS;
    try {
      targets = await targetsOfInput(ctx.em, args);
    } catch (e) {
      // the record still names the actor and the call; the mutation decides its own fate
      ctx.log.warn('audit: could not resolve the targets of a mutation', { operation, err: e as Error });
    }
    let pending: AuditDto | null = null;
    let committed: AuditDto | null = null;
    const leave = joinTransactions(ctx.em, {
      beforeCommit: async (tem, result) => {
        pending = await this.log.append(tem, draft, targetOf(targets, result), OK_VERDICT, this.clock.now());
      },
      afterCommit: () => {
        committed = pending;
        leave();
        if (committed) this.log.publish(committed);
      },
    });
    let verdict: AuditVerdict = OK_VERDICT;
    try {
      const result = await run();
      verdict = verdictOfResult(result);
      return result;
    } catch (e) {
      verdict = verdictOfError(e);
      throw e;
    } finally {
      leave();
      if (!committed) {
        const em = ctx.em.fork() as Em;
        const dto = await inTransaction(em, (tem) => this.log.append(tem, draft, targetOf(targets, null), verdict, this.clock.now()));
        this.log.publish(dto);
      } else if (verdict.outcome !== AuditOutcome.OK) {
        ctx.log.warn('audit: a mutation failed after its effect committed; its record says OK', { operation, code: verdict.errorCode });
      }
    }
  }

  private where(ctx: Ctx, filter: AuditFilter): { where: AuditWhere; sees: (e: AuditDto) => boolean } {
    const reader = auditReaderOf(ctx.viewer);
    const r = readerSql(reader);
    const f = filterSql(filter);
    return {
      where: (qb) => {
        r(qb);
        f(qb);
      },
      sees: (e) => readerSees(reader, e) && filterMatches(filter, e),
    };
  }

  /** One record, or null when there is none or the viewer may not read it (`node(id:)`). */
  async byId(ctx: Ctx, id: string): Promise<AuditDto | null> {
    let sees: AuditWhere;
    try {
      sees = readerSql(auditReaderOf(ctx.viewer));
    } catch {
      return null; // not an audit reader: as invisible as a missing record
    }
    const rows = await this.log.newest(ctx.em, (qb) => {
      sees(qb);
      qb.where('id', id);
    }, null, 1);
    return rows[0] ?? null;
  }

  /** Newest first; `after` is a record's cursor. */
  async page(ctx: Ctx, filter: AuditFilter, args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }): Promise<Page<AuditDto>> {
    // newest first, paged forward by keyset; the trail has no use for paging back towards newer records
    if (args.last != null || args.before != null) throw new ValidationError('auditEvents pages forward only (newest first): use first and after', [args.last != null ? 'last' : 'before']);
    const { where } = this.where(ctx, filter);
    const first = args.first ?? DEFAULT_PAGE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new ValidationError(`first must be between 1 and ${MAX_PAGE}`, ['first']);
    const before = args.after ? this.cursor(args.after) : null;
    const rows = await this.log.newest(ctx.em, where, before, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, hasPreviousPage: before !== null, count: () => this.log.count(ctx.em, where) };
  }

  /**
   * Records the viewer may see, oldest first: those after `after` from the database, then live. No
   * cursor: live from now on.
   */
  async stream(ctx: Ctx, filter: AuditFilter, after: string | null | undefined): Promise<AsyncIterableIterator<AuditDto | LaggingMarker>> {
    const { where, sees } = this.where(ctx, filter);
    const from = after ? this.cursor(after) : await this.log.lastSeq(ctx.em.fork() as Em);
    this.hooks.onStart?.();
    return subscriptionStream<AuditDto>({
      bus: this.log.bus,
      topic: topics.audit,
      seqOf: (e) => e.seq,
      cursorOf: auditCursor,
      visible: sees,
      fetch: (seq, limit) => this.log.after(ctx.em.fork() as Em, where, seq, limit),
      after: from,
      afterCursor: auditCursor({ seq: from }),
      bufferLimit: this.bufferLimit,
      onEnd: this.hooks.onEnd,
    });
  }

  private cursor(after: string): number {
    const seq = parseAuditCursor(after);
    if (seq === null) throw new ValidationError('Invalid audit cursor', ['after']);
    return seq;
  }
}
