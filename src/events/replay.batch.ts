/**
 * Replay reads batched per turn of the event loop. Subscribers that start together (a dashboard
 * reconnecting, thousands of clients after a deploy) each read the same rows — the same stream,
 * from the same cursor — one SQL statement apiece, queued on one connection. Here identical reads
 * asked for in the same turn become one statement whose rows they share (events are plain data,
 * never modified by a stream).
 *
 * Why this keeps every stream gap-free: a stream subscribes to the bus before it asks for its
 * replay, and a batch's statement runs only after every read it answers was asked for. So each
 * joiner's bus handler existed before the statement ran, and whatever commits after it arrives live.
 * A read asked for after the statement started waits for the next batch; it never joins a running one.
 */
export class ReplayBatch<T> {
  private readonly waiting = new Map<string, Promise<T[]>>();

  /** The rows `read` returns, shared with identical reads (same key) asked for in this turn. */
  read(key: string, read: () => Promise<T[]>): Promise<T[]> {
    const joined = this.waiting.get(key);
    if (joined) return joined;
    const rows = new Promise<void>((r) => setImmediate(r)).then(() => {
      // closed to joiners before the statement runs
      this.waiting.delete(key);
      return read();
    });
    this.waiting.set(key, rows);
    return rows;
  }
}
