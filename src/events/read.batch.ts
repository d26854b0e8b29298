/**
 * Identical reads batched per turn of the event loop. Clients that arrive together (thousands of
 * subscribers after a deploy, a dashboard reconnecting) each asked the database the same question —
 * the same token at connection_init, the same stream from the same cursor at subscribe — one SQL
 * statement apiece, queued on one connection. Here identical reads asked for in the same turn become
 * one statement whose answer they share (plain data: rows, a Viewer; nobody modifies them).
 *
 * Freshness is that of a read of one's own: a batch's statement starts only after every read it
 * answers was asked for, and a read asked for after it started waits for the next batch — it never
 * joins a running one. For replays that is what keeps every stream gap-free: a stream subscribes to
 * the bus before it asks for its replay, so each joiner's bus handler existed before the statement
 * ran, and whatever commits after it arrives live.
 */
export class ReadBatch<T> {
  private readonly waiting = new Map<string, Promise<T>>();

  /** What `read` answers, shared with identical reads (same key) asked for in this turn. */
  read(key: string, read: () => Promise<T>): Promise<T> {
    const joined = this.waiting.get(key);
    if (joined) return joined;
    const answer = new Promise<void>((r) => setImmediate(r)).then(() => {
      // closed to joiners before the statement runs
      this.waiting.delete(key);
      return read();
    });
    this.waiting.set(key, answer);
    return answer;
  }
}
