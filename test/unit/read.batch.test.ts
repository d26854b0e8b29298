import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../../src/events/event.bus.js';
import type { EventDto } from '../../src/events/event.dto.js';
import { PROJECT_TOPIC as TOPIC, projectEvent as ev, takeSeqs as take } from '../helpers/event.rows.js';
import { eventStream, type StreamSource } from '../../src/events/event.stream.js';
import { ReadBatch } from '../../src/events/read.batch.js';

/** The event table, the bus, and a read that can be held open (a slow statement). */
class World {
  readonly bus = new InProcessEventBus();
  readonly rows: EventDto[] = [];
  reads = 0;
  gate: Promise<void> | null = null;
  readonly batch = new ReadBatch<EventDto[]>();

  commit(...seqs: number[]): void {
    for (const s of seqs) {
      this.rows.push(ev(s));
      this.bus.publish(TOPIC, ev(s));
    }
  }
  source(): StreamSource {
    return {
      bus: this.bus,
      topic: TOPIC,
      seqOf: (e) => e.projectSeq,
      // the read sees the table as it is when the statement starts
      fetch: (after, limit) =>
        this.batch.read(`${after}:${limit}`, async () => {
          this.reads++;
          const snapshot = this.rows.filter((e) => e.projectSeq > after).slice(0, limit);
          if (this.gate) await this.gate;
          return snapshot;
        }),
      after: 0,
      bufferLimit: 100,
    };
  }
}

const turn = () => new Promise((r) => setImmediate(r));

describe('identical reads batched per turn (replays, token reads)', () => {
  it('should answer identical reads asked for in the same turn with one read, and different ones apart', async () => {
    const batch = new ReadBatch<number[]>();
    let reads = 0;
    const read = (rows: number[]) => async () => (reads++, rows);
    const [a, b, c] = await Promise.all([batch.read('k', read([1, 2])), batch.read('k', read([9])), batch.read('other', read([3]))]);
    expect(reads).toBe(2);
    expect(a).toEqual([1, 2]);
    expect(b).toBe(a);
    expect(c).toEqual([3]);
    // a later turn reads again
    expect(await batch.read('k', read([4]))).toEqual([4]);
    expect(reads).toBe(3);
  });

  it('should never let a read join a statement already running: it reads again, after it', async () => {
    const batch = new ReadBatch<number[]>();
    let open!: () => void;
    const held = new Promise<void>((r) => (open = r));
    let reads = 0;
    const first = batch.read('k', async () => {
      reads++;
      await held;
      return [1];
    });
    await turn();
    await turn();
    expect(reads).toBe(1);
    const second = batch.read('k', async () => (reads++, [1, 2]));
    open();
    expect(await first).toEqual([1]);
    expect(await second).toEqual([1, 2]);
    expect(reads).toBe(2);
  });

  it('should give every stream that shares a replay each event exactly once and in order, also those committed while it runs', async () => {
    const w = new World();
    w.commit(1, 2, 3);
    let open!: () => void;
    w.gate = new Promise((r) => (open = r));
    const a = eventStream(w.source());
    const b = eventStream(w.source());
    const firstA = a.next();
    const firstB = b.next();
    await turn();
    await turn();
    expect(w.reads).toBe(1);
    // the shared statement saw 1..3; 4 and 5 commit while it is still running
    w.commit(4, 5);
    // a stream starting now must not take the running statement's rows (it would miss nothing here,
    // but one whose handler came after the statement's snapshot could): it reads again
    const c = eventStream(w.source());
    const firstC = c.next();
    open();
    w.gate = null;
    expect([(await firstA).value!.projectSeq, ...(await take(a, 4))]).toEqual([1, 2, 3, 4, 5]);
    expect([(await firstB).value!.projectSeq, ...(await take(b, 4))]).toEqual([1, 2, 3, 4, 5]);
    expect([(await firstC).value!.projectSeq, ...(await take(c, 4))]).toEqual([1, 2, 3, 4, 5]);
    expect(w.reads).toBe(2);
    w.commit(6);
    expect(await take(a, 1)).toEqual([6]);
    expect(await take(b, 1)).toEqual([6]);
    expect(await take(c, 1)).toEqual([6]);
    await Promise.all([a.return!(), b.return!(), c.return!()]);
    expect(w.bus.size()).toBe(0);
  });
});
