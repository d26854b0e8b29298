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
 * A subscription's `next` frames written directly (the synchronous live path, without graphql-ws's
 * per-message stringify): the same bytes graphql-ws would send, `{"id":…,"type":"next","payload":…}`,
 * with the head made once per subscription.
 */
export function nextFramer(id: string): (payload: object) => Buffer {
  const head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  return (payload) => {
    const bytes = payloadBytes(payload);
    return Buffer.concat([head, bytes, TAIL], head.length + bytes.length + 1);
  };
}
