import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../../src/events/event.bus.js';
import type { EventDto } from '../../src/events/event.dto.js';
import { PROJECT_TOPIC as TOPIC, projectEvent as ev, takeSeqs as take } from '../helpers/event.rows.js';
import { eventStream, type StreamSource } from '../../src/events/event.stream.js';
import { ReplayReads } from '../../src/events/replay.reads.js';

/** The event table, the bus, and a read that can be held open (a slow statement); commit stores, then publishes. */
class World {
  readonly bus = new InProcessEventBus();
  readonly rows: EventDto[] = [];
  reads = 0;
  gate: Promise<void> | null = null;
  readonly replays = new ReplayReads<EventDto[]>(this.bus);

  commit(...seqs: number[]): void {
    for (const s of seqs) {
      this.rows.push(ev(s));
      this.bus.publish(TOPIC, ev(s));
    }
  }
  /** the read sees the table as it is when the statement starts */
  read(after: number, limit: number): Promise<EventDto[]> {
    return this.replays.read(TOPIC, after, limit, async () => {
      this.reads++;
      const snapshot = this.rows.filter((e) => e.projectSeq > after).slice(0, limit);
      if (this.gate) await this.gate;
      return snapshot;
    });
  }
  source(): StreamSource {
    return { bus: this.bus, topic: TOPIC, seqOf: (e) => e.projectSeq, fetch: (after, limit) => this.read(after, limit), after: 0, bufferLimit: 100 };
  }
  /** a subscriber of the topic that only keeps it subscribed */
  listen(): () => void {
    return this.bus.subscribe(TOPIC, () => undefined);
  }
}

const turn = () => new Promise((r) => setImmediate(r));
const seqs = (rows: EventDto[]) => rows.map((e) => e.projectSeq);

describe('replay reads held while their topic is unchanged', () => {
  it('should answer identical reads with one statement, in the same turn and later, while the topic delivers nothing', async () => {
    const w = new World();
    w.commit(1, 2);
    const stop = w.listen();
    const [a, b] = await Promise.all([w.read(0, 500), w.read(0, 500)]);
    await turn();
    const c = await w.read(0, 500);
    expect(w.reads).toBe(1);
    expect(seqs(a)).toEqual([1, 2]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    // another position or limit is another question
    expect(seqs(await w.read(1, 500))).toEqual([2]);
    expect(seqs(await w.read(0, 1))).toEqual([1]);
    expect(w.reads).toBe(3);
    stop();
  });

  const changes: Array<[string, (w: World) => void]> = [
    ['a message on the topic', (w) => w.commit(3)],
    ['a gap reported on the topic', (w) => (w.rows.push(ev(3)), w.bus.gap(TOPIC))],
  ];
  it.each(changes)('should read again after %s', async (_, change) => {
    const w = new World();
    w.commit(1, 2);
    const stop = w.listen();
    expect(seqs(await w.read(0, 500))).toEqual([1, 2]);
    change(w);
    expect(seqs(await w.read(0, 500))).toEqual([1, 2, 3]);
    expect(w.reads).toBe(2);
    stop();
  });

  it('should read again once the topic lost its last subscriber here (what it published then reached nobody)', async () => {
    const w = new World();
    w.commit(1);
    let stop = w.listen();
    expect(seqs(await w.read(0, 500))).toEqual([1]);
    stop();
    w.commit(2);
    stop = w.listen();
    expect(seqs(await w.read(0, 500))).toEqual([1, 2]);
    expect(w.reads).toBe(2);
    stop();
  });

  it('should hold nothing for a topic nobody here subscribes to', async () => {
    const w = new World();
    w.commit(1);
    await w.read(0, 500);
    await w.read(0, 500);
    expect(w.reads).toBe(2);
    expect(w.replays.size()).toBe(0);
  });

  it('should neither hold nor reuse an answer while the transport to the other replicas is cut off', async () => {
    let connected = true;
    // the in-process bus, reporting its transport down as the Redis bus does while Redis is unreachable
    const bus = new (class extends InProcessEventBus {
      override status() {
        return { transport: 'redis' as const, connected };
      }
    })();
    const stop = bus.subscribe(TOPIC, () => undefined);
    const replays = new ReplayReads<number[]>(bus);
    let reads = 0;
    const read = () => replays.read(TOPIC, 0, 10, async () => [++reads]);
    expect(await read()).toEqual([1]);
    // cut off: another replica's commit would reach nobody here, so the held answer may be short
    connected = false;
    expect(await read()).toEqual([2]);
    expect(await read()).toEqual([3]);
    expect(replays.size()).toBe(0);
    connected = true;
    expect(await read()).toEqual([4]);
    expect(await read()).toEqual([4]);
    stop();
  });

  it('should not hold a failed read', async () => {
    const w = new World();
    const stop = w.listen();
    const replays = new ReplayReads<number[]>(w.bus);
    await expect(replays.read(TOPIC, 0, 10, () => Promise.reject(new Error('database gone')))).rejects.toThrow('database gone');
    expect(replays.size()).toBe(0);
    expect(await replays.read(TOPIC, 0, 10, async () => [7])).toEqual([7]);
    stop();
  });

  it('should hold at most `max` answers, dropping the oldest', async () => {
    const w = new World();
    const stop = w.listen();
    const replays = new ReplayReads<number[]>(w.bus, 2);
    let reads = 0;
    const read = (after: number) => replays.read(TOPIC, after, 10, async () => (reads++, [after]));
    await read(1);
    await read(2);
    await read(3);
    expect(replays.size()).toBe(2);
    await read(3);
    await read(2);
    expect(reads).toBe(3);
    await read(1);
    expect(reads).toBe(4);
    stop();
  });

  it('should give every stream each event exactly once and in order, those taking a held answer and those committed while it was read', async () => {
    const w = new World();
    w.commit(1, 2, 3);
    let open!: () => void;
    w.gate = new Promise((r) => (open = r));
    const a = eventStream(w.source());
    const firstA = a.next();
    await turn();
    expect(w.reads).toBe(1);
    // b joins the running statement (nothing delivered since it started: it sees all b could miss arrive live)
    const b = eventStream(w.source());
    const firstB = b.next();
    await turn();
    expect(w.reads).toBe(1);
    // 4 and 5 commit while the statement (which saw 1..3) still runs: its answer is no longer held
    w.commit(4, 5);
    const c = eventStream(w.source());
    const firstC = c.next();
    open();
    w.gate = null;
    expect([(await firstA).value!.projectSeq, ...(await take(a, 4))]).toEqual([1, 2, 3, 4, 5]);
    expect([(await firstB).value!.projectSeq, ...(await take(b, 4))]).toEqual([1, 2, 3, 4, 5]);
    expect([(await firstC).value!.projectSeq, ...(await take(c, 4))]).toEqual([1, 2, 3, 4, 5]);
    expect(w.reads).toBe(2);
    // quiet again: a late stream takes c's answer, and then the next event live
    const d = eventStream(w.source());
    expect(await take(d, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(w.reads).toBe(2);
    w.commit(6);
    for (const s of [a, b, c, d]) expect(await take(s, 1)).toEqual([6]);
    await Promise.all([a, b, c, d].map((s) => s.return!()));
    expect(w.bus.size()).toBe(0);
  });
});
