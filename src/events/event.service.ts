/** Reading the event log: pages for connections and replay-then-live streams for subscriptions. */
import type { Ctx } from '../context.js';
import type { Em } from '../db/orm.js';
import { ErrorCode, ValidationError } from '../errors.js';
import { pageSize, toPage, type Page } from '../graphql/relay/connection.js';
import { topics } from './event.bus.js';
import { parseEventCursor, type EventDto } from './event.dto.js';
import type { EventLog } from './event.log.js';
import { subscriptionStream, type LaggingMarker } from './event.stream.js';
import { ReplayReads } from './replay.reads.js';

export interface StreamHooks {
  onStart?: () => void;
  onEnd?: () => void;
}

export class EventService {
  /** identical replay reads share one statement, and its answer while the topic is unchanged (replay.reads.ts) */
  private readonly replays: ReplayReads<EventDto[]>;
  /**
   * The EntityManager every replay reads with. Replays are plain-row reads (readRows), which use an
   * EntityManager only for its connection and transaction state, never its identity map, so one
   * fork outside any transaction serves them all: a fork per read (two, through a released
   * subscription context) was a tenth of a subscribe's JavaScript in the 10,000-subscriber connect.
   */
  private reader: Em | null = null;

  constructor(
    readonly log: EventLog,
    private readonly bufferLimit: number,
    private readonly hooks: StreamHooks = {},
  ) {
    this.replays = new ReplayReads(log.bus);
  }

  /** One app's services serve one ORM: the first stream's context gives the fork all replays share. */
  private readerOf(ctx: Ctx): Em {
    return (this.reader ??= ctx.em.fork() as Em);
  }

  /** A cursor → [seq, projectSeq]; null → from the beginning. */
  private after(after: string | null | undefined, field = 'after'): [number, number] {
    if (!after) return [0, 0];
    const parsed = parseEventCursor(after);
    if (!parsed) throw new ValidationError('Invalid event cursor', [field], ErrorCode.INVALID_INPUT);
    return parsed;
  }

  async pageForSubject(ctx: Ctx, subjectId: string, args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }): Promise<Page<EventDto>> {
    const { size, backward } = pageSize(args);
    const [afterSeq] = this.after(args.after);
    const beforeSeq = args.before ? this.after(args.before, 'before')[0] : null;
    const rows = await this.log.pageForSubject(ctx.em, subjectId, { afterSeq, beforeSeq, backward, limit: size + 1 });
    return toPage(rows, { first: size, backward, afterId: args.after ?? null, beforeId: args.before ?? null }, () => this.log.countForSubject(ctx.em, subjectId));
  }

  /** Everything after the cursor from the database, then live (see event.stream.ts). */
  subjectStream(ctx: Ctx, subjectId: string, after: string | null | undefined): AsyncIterableIterator<EventDto | LaggingMarker> {
    const [seq] = this.after(after);
    this.hooks.onStart?.();
    const topic = topics.subject(subjectId);
    return subscriptionStream<EventDto>({
      bus: this.log.bus,
      topic,
      seqOf: (e) => e.seq,
      fetch: (from, limit) => this.replays.read(topic, from, limit, () => this.log.forSubject(this.readerOf(ctx), subjectId, from, limit)),
      after: seq,
      afterCursor: after ?? null,
      bufferLimit: this.bufferLimit,
      onEnd: this.hooks.onEnd,
      live: ctx.live,
    });
  }

  projectStream(ctx: Ctx, projectId: string, after: string | null | undefined): AsyncIterableIterator<EventDto | LaggingMarker> {
    const [, projectSeq] = this.after(after);
    this.hooks.onStart?.();
    const topic = topics.project(projectId);
    return subscriptionStream<EventDto>({
      bus: this.log.bus,
      topic,
      seqOf: (e) => e.projectSeq,
      fetch: (from, limit) => this.replays.read(topic, from, limit, () => this.log.forProject(this.readerOf(ctx), projectId, from, limit)),
      after: projectSeq,
      afterCursor: after ?? null,
      bufferLimit: this.bufferLimit,
      onEnd: this.hooks.onEnd,
      live: ctx.live,
    });
  }
}
