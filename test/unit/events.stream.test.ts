import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../../src/events/event.bus.js';
import { eventCursor, parseEventCursor, type EventDto } from '../../src/events/event.dto.js';
import { EventType, SubjectKind } from '../../src/events/event.entity.js';
import { eventStream, isLaggingMarker, subscriptionStream, SubscriptionLaggingError, type StreamSource } from '../../src/events/event.stream.js';
import { DeploymentEventNode } from '../../src/events/event.type.js';
import { takeSeqs } from '../helpers/event.rows.js';

const TOPIC = 'subject:pool-1';

function ev(seq: number): EventDto {
  return {
    id: `e${seq}`,
    subjectKind: SubjectKind.COMPUTE_POOL,
    subjectId: 'pool-1',
    subjectName: 'pool',
    projectId: 'project-1',
    seq,
    projectSeq: seq + 100,
    type: EventType.STEP_PROGRESS,
    phase: 'PROVISIONING',
    stepId: 'wait-clusters',
    stepIndex: 1,
    stepCount: 6,
    percent: seq,
    message: `event ${seq}`,
    details: null,
    time: new Date(0),
  };
}

/** The event table and the bus: `commit` stores then publishes, like EventLog.commit. */
class World {
  readonly bus = new InProcessEventBus();
  readonly rows: EventDto[] = [];
  readonly fetches: Array<{ after: number; limit: number }> = [];
  ends = 0;
  /** When set, fetch waits for this before reading (a slow replay). */
  gate: Promise<void> | null = null;
  /** Called as a fetch starts (before reading). */
  onFetch: (() => void) | null = null;

  store(...seqs: number[]): void {
    for (const s of seqs) this.rows.push(ev(s));
  }
  publish(...seqs: number[]): void {
    for (const s of seqs) this.bus.publish(TOPIC, ev(s));
  }
  commit(...seqs: number[]): void {
    this.store(...seqs);
    this.publish(...seqs);
  }
  source(over: Partial<StreamSource> = {}): StreamSource {
    return {
      bus: this.bus,
      topic: TOPIC,
      seqOf: (e) => e.seq,
      fetch: async (after, limit) => {
        this.fetches.push({ after, limit });
        this.onFetch?.();
        if (this.gate) await this.gate;
        return this.rows
          .filter((e) => e.seq > after)
          .sort((a, b) => a.seq - b.seq)
          .slice(0, limit);
      },
      after: 0,
      bufferLimit: 100,
      onEnd: () => void this.ends++,
      ...over,
    };
  }
}

/** the next `n` subject numbers the stream yields */
const take = (it: AsyncIterator<EventDto>, n: number) => takeSeqs(it, n, (e) => e.seq);

/** Resolves with the next result, or 'pending' if none arrives within a few event-loop turns. */
async function settle<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 30))]);
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('eventStream', () => {
  it('should replay what the database has after the cursor, then stream live events', async () => {
    const w = new World();
    w.store(1, 2, 3, 4);
    const it = eventStream(w.source({ after: 2 }));
    expect(await take(it, 2)).toEqual([3, 4]);
    const next = it.next();
    expect(await settle(next)).toBe('pending');
    w.commit(5);
    expect((await next).value?.seq).toBe(5);
    w.commit(6, 7);
    expect(await take(it, 2)).toEqual([6, 7]);
    await it.return!();
  });

  it('should deliver events committed during the replay exactly once (replay did not see them)', async () => {
    const w = new World();
    w.store(1, 2, 3);
    let open!: () => void;
    w.gate = new Promise((r) => (open = r));
    const it = eventStream(w.source());
    const first = it.next();
    await tick();
    // the replay is reading a snapshot that ends at 3; 4 and 5 commit meanwhile
    const snapshot = w.rows.slice();
    w.commit(4, 5);
    w.rows.splice(0, w.rows.length, ...snapshot);
    open();
    w.gate = null;
    expect((await first).value?.seq).toBe(1);
    expect(await take(it, 4)).toEqual([2, 3, 4, 5]);
    expect(await settle(it.next())).toBe('pending');
    await it.return!();
  });

  it('should deliver events committed during the replay exactly once (replay saw them too)', async () => {
    const w = new World();
    w.store(1, 2, 3);
    let open!: () => void;
    w.gate = new Promise((r) => (open = r));
    const it = eventStream(w.source());
    const first = it.next();
    await tick();
    w.commit(4, 5); // stored before the replay reads, and published to the live buffer
    open();
    w.gate = null;
    expect((await first).value?.seq).toBe(1);
    expect(await take(it, 4)).toEqual([2, 3, 4, 5]);
    const after = it.next();
    expect(await settle(after)).toBe('pending');
    w.commit(6);
    expect((await after).value?.seq).toBe(6);
    await it.return!();
  });

  it('should put out-of-order publishes back in order', async () => {
    const w = new World();
    w.store(1);
    const it = eventStream(w.source());
    expect(await take(it, 1)).toEqual([1]);
    w.store(2, 3);
    w.publish(3, 2);
    expect(await take(it, 2)).toEqual([2, 3]);
    expect(await settle(it.next())).toBe('pending');
    await it.return!();
  });

  it('should fill a hole in the live events from the database', async () => {
    const w = new World();
    w.store(1);
    const it = eventStream(w.source());
    expect(await take(it, 1)).toEqual([1]);
    w.store(2, 3, 4, 5);
    w.publish(5); // 2..4 were published before we subscribed, or got lost
    expect(await take(it, 4)).toEqual([2, 3, 4, 5]);
    const hole = w.fetches.at(-1)!;
    expect(hole).toEqual({ after: 1, limit: 3 });
    w.publish(3, 4); // late copies
    w.commit(6);
    expect(await take(it, 1)).toEqual([6]);
    await it.return!();
  });

  it('should skip duplicate publishes', async () => {
    const w = new World();
    const it = eventStream(w.source());
    const first = it.next();
    await tick();
    w.commit(1);
    w.publish(1, 1);
    w.commit(2);
    w.publish(2, 1);
    expect((await first).value?.seq).toBe(1);
    expect(await take(it, 1)).toEqual([2]);
    expect(await settle(it.next())).toBe('pending');
    await it.return!();
  });

  it('should page a long replay by the batch size', async () => {
    const w = new World();
    w.store(...Array.from({ length: 1234 }, (_, i) => i + 1));
    const it = eventStream(w.source({ after: 10 }));
    const seqs = await take(it, 1224);
    expect(seqs).toEqual(Array.from({ length: 1224 }, (_, i) => i + 11));
    expect(w.fetches.every((f) => f.limit <= 500)).toBe(true);
    expect(await settle(it.next())).toBe('pending');
    await it.return!();
  });

  it('should end a lagging subscriber with SUBSCRIPTION_LAGGING and the cursor of the last event it received', async () => {
    const w = new World();
    w.store(1, 2);
    const it = eventStream(w.source({ bufferLimit: 10 }));
    expect(await take(it, 2)).toEqual([2 - 1, 2]);
    // the client stops reading while 11 events commit
    w.commit(...Array.from({ length: 11 }, (_, i) => i + 3));
    const err = await it.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GraphQLError);
    const g = err as GraphQLError;
    expect(g.extensions.code).toBe('SUBSCRIPTION_LAGGING');
    expect(g.extensions.after).toBe(eventCursor(ev(2)));
    expect(parseEventCursor(g.extensions.after as string)).toEqual([2, 102]);
    expect(w.bus.size()).toBe(0);
    expect(w.ends).toBe(1);
    expect((await it.next()).done).toBe(true);
  });

  it('should not end a subscriber that keeps up with a burst within its buffer', async () => {
    const w = new World();
    const it = eventStream(w.source({ bufferLimit: 10 }));
    const first = it.next();
    await tick();
    w.commit(...Array.from({ length: 10 }, (_, i) => i + 1));
    expect((await first).value?.seq).toBe(1);
    expect(await take(it, 9)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    w.commit(...Array.from({ length: 10 }, (_, i) => i + 11));
    expect(await take(it, 10)).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    await it.return!();
  });

  it("should hand a lagging subscriber that received nothing yet its own cursor back, not the beginning", async () => {
    const w = new World();
    w.store(1, 2, 3, 4, 5);
    const cursor = eventCursor(ev(5));
    const it = eventStream(w.source({ after: 5, afterCursor: cursor, bufferLimit: 10 }));
    const next = it.next();
    await tick();
    w.commit(...Array.from({ length: 12 }, (_, i) => i + 6)); // one synchronous burst
    const err = (await next.then(
      () => null,
      (e: unknown) => e,
    )) as GraphQLError | null;
    expect(err?.extensions?.code).toBe('SUBSCRIPTION_LAGGING');
    expect(err?.extensions?.after).toBe(cursor);
  });

  it('should unsubscribe when returned while waiting for events', async () => {
    const w = new World();
    w.store(1);
    const it = eventStream(w.source());
    expect(await take(it, 1)).toEqual([1]);
    const pending = it.next();
    expect(await settle(pending)).toBe('pending');
    expect(w.bus.size()).toBe(1);
    const r = await settle(it.return!());
    expect(r).toEqual({ done: true, value: undefined });
    expect((await pending).done).toBe(true);
    expect(w.bus.size()).toBe(0);
    expect(w.ends).toBe(1);
    w.commit(2);
    expect((await it.next()).done).toBe(true);
  });

  it('should unsubscribe when returned while the replay is reading', async () => {
    const w = new World();
    w.store(1, 2);
    let open!: () => void;
    w.gate = new Promise((r) => (open = r));
    const it = eventStream(w.source());
    const first = it.next();
    await tick();
    expect(w.bus.size()).toBe(1);
    const ret = it.return!();
    open();
    await first;
    await ret;
    expect(w.bus.size()).toBe(0);
    expect(w.ends).toBe(1);
  });

  it('should report its end once even when returned before it started', async () => {
    const w = new World();
    const it = eventStream(w.source());
    await it.return!();
    await it.return!();
    expect(w.bus.size()).toBe(0);
    expect(w.ends).toBe(1);
    expect((await it.next()).done).toBe(true);
    expect(w.ends).toBe(1);
  });

  it('should not let a stalled subscriber slow the publisher or other subscribers', async () => {
    const w = new World();
    const slow = eventStream(w.source({ bufferLimit: 10 }));
    const fast = eventStream(w.source({ bufferLimit: 10 }));
    const s1 = slow.next();
    const f1 = fast.next();
    await tick();
    w.commit(1);
    expect((await s1).value?.seq).toBe(1);
    expect((await f1).value?.seq).toBe(1);
    const got: number[] = [];
    for (let s = 2; s <= 40; s++) {
      w.commit(s); // publish returns at once whatever the slow one does
      got.push(...(await take(fast, 1)));
    }
    expect(got).toEqual(Array.from({ length: 39 }, (_, i) => i + 2));
    await expect(slow.next()).rejects.toMatchObject({ extensions: { code: 'SUBSCRIPTION_LAGGING' } });
    expect(w.bus.size()).toBe(1);
    await fast.return!();
    expect(w.bus.size()).toBe(0);
  });
});

describe('subscriptionStream', () => {
  it('should end a lagging subscription with a marker that the event type turns into SUBSCRIPTION_LAGGING with the cursor', async () => {
    const w = new World();
    w.store(1);
    const it = subscriptionStream(w.source({ bufferLimit: 10 }));
    const first = await it.next();
    expect(first.value && !isLaggingMarker(first.value) && first.value.seq).toBe(1);
    w.commit(...Array.from({ length: 11 }, (_, i) => i + 2));
    const end = await it.next();
    expect(end.done).toBe(false);
    expect(isLaggingMarker(end.value)).toBe(true);
    let thrown: unknown;
    try {
      DeploymentEventNode.from(end.value!);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SubscriptionLaggingError);
    expect(thrown).toMatchObject({ code: 'SUBSCRIPTION_LAGGING', details: { after: eventCursor(ev(1)) } });
    expect((await it.next()).done).toBe(true);
    expect(w.bus.size()).toBe(0);
    expect(w.ends).toBe(1);
  });

  it('should pass events through and unsubscribe when returned while idle', async () => {
    const w = new World();
    w.store(1, 2);
    const it = subscriptionStream(w.source());
    const got: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await it.next();
      if (r.value && !isLaggingMarker(r.value)) got.push(r.value.seq);
    }
    expect(got).toEqual([1, 2]);
    const pending = it.next();
    expect(await settle(pending)).toBe('pending');
    await it.return!();
    expect((await pending).done).toBe(true);
    expect(w.bus.size()).toBe(0);
    expect(DeploymentEventNode.from(ev(2))).toMatchObject({ seq: 2, cursor: eventCursor(ev(2)) });
  });
});

describe('eventStream with `visible` (a reader that sees part of a topic, like the audit trail)', () => {
  const even = (e: EventDto) => e.seq % 2 === 0;
  /** A fetch that returns only what the reader may see, as the audit trail's does. */
  const filtered = (w: World): Partial<StreamSource> => ({
    visible: even,
    fetch: async (after, limit) => {
      w.fetches.push({ after, limit });
      return w.rows.filter((e) => e.seq > after && even(e)).sort((a, b) => a.seq - b.seq).slice(0, limit);
    },
  });

  it('should replay and stream only visible events, advancing past invisible ones without reading the database', async () => {
    const w = new World();
    w.store(1, 2);
    const it = eventStream(w.source(filtered(w)));
    expect(await take(it, 1)).toEqual([2]);
    const next = it.next();
    await tick();
    const reads = w.fetches.length;
    w.commit(3, 4, 5, 6, 7, 8);
    expect((await next).value?.seq).toBe(4);
    expect(await take(it, 2)).toEqual([6, 8]);
    // 3, 5 and 7 were passed on the bus: nothing was read to get past them
    expect(w.fetches.length).toBe(reads);
    await it.return!();
  });

  it('should fill a hole from the database, filtered, when events arrive out of order', async () => {
    const w = new World();
    const it = eventStream(w.source(filtered(w)));
    const first = it.next();
    await tick();
    w.store(1, 2, 3);
    w.commit(4); // 1..3 committed but their publishes not yet delivered
    expect((await first).value?.seq).toBe(2);
    expect(await take(it, 1)).toEqual([4]);
    w.publish(1, 2, 3); // late: already delivered or invisible
    w.commit(6);
    expect(await take(it, 1)).toEqual([6]);
    await it.return!();
  });

  it('should give a lagging reader the cursor of the last event it saw, by its own cursorOf', async () => {
    const w = new World();
    w.store(2);
    const it = eventStream(w.source({ ...filtered(w), bufferLimit: 5, cursorOf: (e) => `c${e.seq}` }));
    expect(await take(it, 1)).toEqual([2]);
    w.commit(...Array.from({ length: 8 }, (_, i) => i + 3));
    await expect(it.next()).rejects.toMatchObject({ extensions: { code: 'SUBSCRIPTION_LAGGING', after: 'c2' } });
  });
});

describe('eventStream with `live` (the synchronous path of a caught-up WebSocket subscriber)', () => {
  /** A transport that takes events synchronously while `open`, and records what it was given. */
  const sink = () => {
    const got: number[] = [];
    const t = { open: true, got, live: (e: EventDto) => (t.open ? (got.push(e.seq), true) : false) };
    return t;
  };

  it('should deliver the next event inside the publish once the stream is idle, without waking the generator', async () => {
    const w = new World();
    w.store(1, 2);
    const s = sink();
    const it = eventStream(w.source({ live: s.live }));
    expect(await take(it, 2)).toEqual([1, 2]);
    const next = it.next();
    await tick();
    w.commit(3, 4);
    // delivered during commit(): no await between the publish and the transport
    expect(s.got).toEqual([3, 4]);
    expect(await settle(next)).toBe('pending');
    await it.return!();
    expect(w.ends).toBe(1);
  });

  it('should queue what the transport refuses and go on in order through the generator', async () => {
    const w = new World();
    const s = sink();
    const it = eventStream(w.source({ live: s.live }));
    const first = it.next();
    await tick();
    w.commit(1);
    expect(s.got).toEqual([1]);
    s.open = false;
    w.commit(2, 3);
    expect((await first).value?.seq).toBe(2);
    expect(await take(it, 1)).toEqual([3]);
    s.open = true;
    const next = it.next();
    await tick();
    w.commit(4);
    expect(s.got).toEqual([1, 4]);
    expect(await settle(next)).toBe('pending');
    await it.return!();
  });

  it('should not deliver directly past a hole: the generator fills it from the database first', async () => {
    const w = new World();
    const s = sink();
    const it = eventStream(w.source({ live: s.live }));
    const next = it.next();
    await tick();
    w.store(1);
    w.commit(2); // 1 committed but its publish was lost
    expect(s.got).toEqual([]);
    expect((await next).value?.seq).toBe(1);
    expect(await take(it, 1)).toEqual([2]);
    await it.return!();
  });

  it('should not deliver directly while the replay is still reading, nor repeat what the replay gave', async () => {
    const w = new World();
    w.store(1);
    let open!: () => void;
    w.gate = new Promise((r) => (open = r));
    const s = sink();
    const it = eventStream(w.source({ live: s.live }));
    const first = it.next();
    await tick();
    w.commit(2);
    expect(s.got).toEqual([]);
    open();
    w.gate = null;
    expect((await first).value?.seq).toBe(1);
    expect(await take(it, 1)).toEqual([2]);
    const next = it.next();
    await tick();
    w.publish(2); // a duplicate publish
    w.commit(3);
    expect(s.got).toEqual([3]);
    expect(await settle(next)).toBe('pending');
    await it.return!();
  });

  it('should still cut off a subscriber whose transport stays busy once its buffer is full', async () => {
    const w = new World();
    const s = sink();
    s.open = false;
    const it = eventStream(w.source({ live: s.live, bufferLimit: 3 }));
    const first = it.next();
    await tick();
    w.commit(1);
    expect((await first).value?.seq).toBe(1);
    // the consumer stops reading; the transport refuses; the buffer fills
    w.commit(2, 3, 4, 5, 6);
    await expect(take(it, 10)).rejects.toMatchObject({ extensions: { code: 'SUBSCRIPTION_LAGGING' } });
    expect(s.got).toEqual([]);
  });
});
