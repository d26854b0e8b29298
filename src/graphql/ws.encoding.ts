/**
 * `next` messages encoded once per result, not once per socket. Subscribers whose documents ask the
 * same question of the same event share one result object (shared-subscribe.ts); graphql-ws would
 * still JSON.stringify that payload for every socket, which at thousands of subscribers is most of an
 * event's cost. Here the payload's UTF-8 bytes are made once per result object and every socket's
 * frame is its own short `{"id":…,"type":"next","payload":` head around those same bytes.
 *
 * How it hooks into graphql-ws without forking it: its `jsonMessageReplacer` sees the message object
 * it is about to stringify; for a `next` payload it records the payload and stands a marker string
 * in for it, and `send` (called synchronously with that string: graphql-ws does
 * `socket.send(stringifyMessage(...))`) swaps the marker for the cached bytes.
 */

/** Cannot occur in a JSON string graphql-ws produced itself: JSON.stringify escapes U+0000. */
const MARKER = '\u0000sg:next-payload';
const MARKER_JSON = JSON.stringify(MARKER);
const TAIL = Buffer.from('}');

const encoded = new WeakMap<object, Buffer>();

export class NextEncoder {
  /** the payload the replacer has just replaced, for the send that follows in the same tick */
  private pending: object | null = null;

  /** graphql-ws `jsonMessageReplacer` (JSON.stringify calls it with the holding object as `this`) */
  readonly replacer: (this: unknown, key: string, value: unknown) => unknown;

  constructor() {
    const hold = (payload: object) => (this.pending = payload);
    this.replacer = function (this: unknown, key: string, value: unknown): unknown {
      if (key === 'payload' && value !== null && typeof value === 'object' && (this as { type?: unknown } | null)?.type === 'next') {
        hold(value);
        return MARKER;
      }
      return value;
    };
  }

  /**
   * The frame to send for graphql-ws's message text: a Buffer (head + shared payload bytes + `}`) for
   * a `next` message, the text itself otherwise. Sent as a text frame either way.
   */
  frame(text: string): string | Buffer {
    const payload = this.pending;
    this.pending = null;
    if (!payload || !text.endsWith(MARKER_JSON + '}')) return text;
    const bytes = payloadBytes(payload);
    const head = Buffer.from(text.slice(0, text.length - MARKER_JSON.length - 1));
    return Buffer.concat([head, bytes, TAIL], head.length + bytes.length + 1);
  }
}

/** The JSON bytes of a `next` payload, made once per result object. */
export function payloadBytes(payload: object): Buffer {
  let bytes = encoded.get(payload);
  if (!bytes) encoded.set(payload, (bytes = Buffer.from(JSON.stringify(payload))));
  return bytes;
}

/**
 * A subscription's `next` messages for the direct live path, without graphql-ws's per-message
 * stringify: the same text graphql-ws would send, `{"id":…,"type":"next","payload":…}`, with the
 * head made once per subscription.
 */
export function nextFramer(id: string): (payload: object) => Buffer {
  const head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  return (payload) => {
    const bytes = payloadBytes(payload);
    return Buffer.concat([head, bytes, TAIL], head.length + bytes.length + 1);
  };
}

/** RFC 6455 §5.2: FIN + text opcode; a server's frames are never masked. */
const FIN_TEXT = 0x81;

/** The header of an unmasked final text frame carrying `length` bytes. */
function frameHeaderLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

function writeFrameHeader(out: Buffer, length: number): number {
  out[0] = FIN_TEXT;
  if (length < 126) {
    out[1] = length;
    return 2;
  }
  if (length < 65_536) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
    return 4;
  }
  out[1] = 127;
  out.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  out.writeUInt32BE(length >>> 0, 6);
  return 10;
}

/**
 * Any text message as one whole unmasked text frame (header and body in one Buffer, for one plain
 * write): what `ws` sends for it, without its separate header and `writev`.
 */
export function textFrame(data: string | Buffer): Buffer {
  const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  const frame = Buffer.allocUnsafe(frameHeaderLength(length) + length);
  const at = writeFrameHeader(frame, length);
  if (typeof data === 'string') frame.write(data, at, 'utf8');
  else data.copy(frame, at);
  return frame;
}

/** Wire frames per result object, by subscription id (see wireFramer). */
const wire = new WeakMap<object, Map<string, Buffer>>();
/**
 * Frames kept per result: clients that number their operations (`"1"`, as many do) share one frame
 * per event; clients with random ids (graphql-ws's default UUIDs) each get their own, and caching
 * those would hold one frame per subscriber for the event's lifetime.
 */
const WIRE_IDS_PER_RESULT = 8;

/**
 * A subscription's whole `next` WebSocket frame for the direct live path: the frame header, the
 * message head and the shared payload bytes in one Buffer, so the socket gets one plain write (ws
 * corks and `writev`s a separate header and body). Subscriptions with the same id share the bytes of
 * one frame per result. Byte-identical to what `ws` sends for nextFramer's text (unmasked, no
 * compression: the server negotiates no permessage-deflate).
 */
export function wireFramer(id: string): (payload: object) => Buffer {
  const head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  return (payload) => {
    let byId = wire.get(payload);
    const cached = byId?.get(id);
    if (cached) return cached;
    const bytes = payloadBytes(payload);
    const length = head.length + bytes.length + 1;
    // allocUnsafe: every byte is written below
    const frame = Buffer.allocUnsafe(frameHeaderLength(length) + length);
    let at = writeFrameHeader(frame, length);
    at += head.copy(frame, at);
    at += bytes.copy(frame, at);
    frame[at] = 0x7d; // `}`
    if (!byId) wire.set(payload, (byId = new Map()));
    if (byId.size < WIRE_IDS_PER_RESULT) byId.set(id, frame);
    return frame;
  };
}
