/**
 * One write per socket per commit. A commit publishes its events one by one (EventLog.publish), and
 * a subscriber gets each of them from the bus in the same synchronous run, so a socket that follows a
 * busy project received one `write` syscall per event: on the end-to-end path that was most of
 * EventLog.publish's time. Inside such a publish (events/publish.batch.ts) the first frame to a
 * socket corks it; everything written to it until the publish ends joins the same buffer, and the
 * uncork sends it as one `writev`. A publish of one event (a large fan-out's usual case) writes at
 * once, as before: no cork, no bookkeeping per socket.
 *
 * Order is kept: cork only delays, and every write — these frames, graphql-ws's own messages, ws's
 * frames, pings — lands in the one socket buffer in the order it was made. `bytesHeld` lets the "is
 * the socket idle" checks (directWriter, the graphql-ws send) tell the batch's own corked bytes from
 * a socket that really has unflushed data (a slow reader, which must fall back and lag).
 */
import type { Socket } from 'node:net';
import { atBatchEnd, inBatch } from '../events/publish.batch.js';

/** Sockets corked for the open batch, with the bytes written to each since. */
let corked = new Map<Socket, number>();

function flush(): void {
  const sockets = corked;
  corked = new Map();
  for (const tcp of sockets.keys()) tcp.uncork();
}

/** Bytes written to `tcp` through writeBatched that the open batch still holds. */
export function bytesHeld(tcp: Socket): number {
  return corked.size === 0 ? 0 : (corked.get(tcp) ?? 0);
}

/** Writes `frame` to `tcp`: at once, or inside a batch together with the socket's other frames when the batch ends. */
export function writeBatched(tcp: Socket, frame: Buffer, cb?: () => void): void {
  if (inBatch()) {
    const before = corked.get(tcp);
    if (before === undefined) {
      if (corked.size === 0) atBatchEnd(flush);
      tcp.cork();
    }
    corked.set(tcp, (before ?? 0) + frame.length);
  }
  tcp.write(frame, cb);
}

const NOTHING = Buffer.alloc(0);

/**
 * writeBatched, then `done` once Node holds none of `frame` (the socket took it, or the write
 * failed). Outside a batch the frame goes without a write callback, as the direct live path writes:
 * Node's WritableState grows two lazy fields the first time a write carries a callback, so every
 * socket acked that way had another hidden class at its first live event than the one its
 * handshake writes were compiled for, and V8 threw away and recompiled Node's write path ("wrong
 * map" in Writable.write/writeOrBuffer/onwrite) during the first events. Written at once (the usual
 * case on an idle socket) it is done now; else an empty write queued behind it says when it is.
 */
export function writeBatchedThen(tcp: Socket, frame: Buffer, done: () => void): void {
  if (inBatch()) return writeBatched(tcp, frame, done);
  tcp.write(frame);
  if (tcp.writableLength === 0) done();
  else tcp.write(NOTHING, done);
}
