/** Reading the event log: pages for connections and replay-then-live streams for subscriptions. */
import type { Ctx } from '../context.js';
import type { Em } from '../db/orm.js';
import { ErrorCode, ValidationError } from '../errors.js';
import { MAX_PAGE, DEFAULT_PAGE, type Page } from '../graphql/relay/connection.js';
import { topics } from './event.bus.js';
import { parseEventCursor, type EventDto } from './event.dto.js';
import type { EventLog } from './event.log.js';
import { subscriptionStream, type LaggingMarker } from './event.stream.js';

export interface StreamHooks {
  onStart?: () => void;
  onEnd?: () => void;
}

export class EventService {
  constructor(
    readonly log: EventLog,
    private readonly bufferLimit: number,
    private readonly hooks: StreamHooks = {},
  ) {}

  /** `after` → [seq, projectSeq]; null → from the beginning. */
  private after(after: string | null | undefined): [number, number] {
    if (!after) return [0, 0];
    const parsed = parseEventCursor(after);
    if (!parsed) throw new ValidationError('Invalid event cursor', ['after'], ErrorCode.INVALID_INPUT);
    return parsed;
  }

  async pageForSubject(ctx: Ctx, subjectId: string, args: { first?: number | null; after?: string | null }): Promise<Page<EventDto>> {
    const first = args.first ?? DEFAULT_PAGE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new ValidationError(`first must be between 1 and ${MAX_PAGE}`, ['first']);
    const [seq] = this.after(args.after);
    const rows = await this.log.forSubject(ctx.em, subjectId, seq, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, count: () => this.log.countForSubject(ctx.em, subjectId) };
  }

  /** Everything after the cursor from the database, then live (see event.stream.ts). */
  subjectStream(ctx: Ctx, subjectId: string, after: string | null | undefined): AsyncIterableIterator<EventDto | LaggingMarker> {
    const [seq] = this.after(after);
    this.hooks.onStart?.();
    return subscriptionStream({
      bus: this.log.bus,
      topic: topics.subject(subjectId),
      seqOf: (e) => e.seq,
      fetch: (from, limit) => this.log.forSubject(ctx.em.fork() as Em, subjectId, from, limit),
      after: seq,
      afterCursor: after ?? null,
      bufferLimit: this.bufferLimit,
      onEnd: this.hooks.onEnd,
    });
  }

  projectStream(ctx: Ctx, projectId: string, after: string | null | undefined): AsyncIterableIterator<EventDto | LaggingMarker> {
    const [, projectSeq] = this.after(after);
    this.hooks.onStart?.();
    return subscriptionStream({
      bus: this.log.bus,
      topic: topics.project(projectId),
      seqOf: (e) => e.projectSeq,
      fetch: (from, limit) => this.log.forProject(ctx.em.fork() as Em, projectId, from, limit),
      after: projectSeq,
      afterCursor: after ?? null,
      bufferLimit: this.bufferLimit,
      onEnd: this.hooks.onEnd,
    });
  }
}
