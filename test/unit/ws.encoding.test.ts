import { stringifyMessage, MessageType } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { NextEncoder, nextFramer, textFrame, wireFramer } from '../../src/graphql/ws.encoding.js';

describe('next messages encoded once per result', () => {
  it('should send exactly the bytes graphql-ws would have sent, for every subscriber id', () => {
    const enc = new NextEncoder();
    const payload = { data: { projectEvents: { cursor: 'c1', type: 'PHASE_CHANGED', message: 'ünïcode "quoted" \u2028' } } };
    for (const id of ['1', 'a"b', '0f3c-ü']) {
      const text = stringifyMessage({ id, type: MessageType.Next, payload }, enc.replacer);
      const frame = enc.frame(text);
      expect(Buffer.isBuffer(frame)).toBe(true);
      expect(frame.toString('utf8')).toBe(JSON.stringify({ id, type: 'next', payload }));
      expect(JSON.parse(frame.toString('utf8'))).toEqual({ id, type: 'next', payload });
    }
  });

  it('should leave other messages, and payloads that merely contain a payload key, untouched', () => {
    const enc = new NextEncoder();
    const complete = stringifyMessage({ id: '1', type: MessageType.Complete }, enc.replacer);
    expect(enc.frame(complete)).toBe(complete);
    const nested = { data: { x: { type: 'next', payload: { y: 1 } } } };
    const text = stringifyMessage({ id: '2', type: MessageType.Next, payload: nested }, enc.replacer);
    expect(JSON.parse(String(enc.frame(text)))).toEqual({ id: '2', type: 'next', payload: nested });
    const err = stringifyMessage({ id: '3', type: MessageType.Error, payload: [{ message: 'no' }] }, enc.replacer);
    expect(enc.frame(err)).toBe(err);
  });

  it('should encode a result object once however many sockets it goes to', () => {
    const enc = new NextEncoder();
    let reads = 0;
    const payload = {
      get data() {
        reads++;
        return { n: 1 };
      },
    };
    for (let i = 0; i < 5; i++) enc.frame(stringifyMessage({ id: String(i + 1), type: MessageType.Next, payload: payload as never }, enc.replacer));
    expect(reads).toBe(1);
  });

  it('should frame the direct live path exactly as graphql-ws frames a next message', () => {
    const enc = new NextEncoder();
    const payload = { data: { projectEvents: { cursor: 'c2', message: 'ünïcode "quoted" \u2028' } } };
    for (const id of ['1', 'a"b', '0f3c-ü']) {
      const viaLibrary = enc.frame(stringifyMessage({ id, type: MessageType.Next, payload }, enc.replacer));
      expect(nextFramer(id)(payload).equals(viaLibrary as Buffer)).toBe(true);
    }
  });

  // ws's own framing, at runtime (its types do not declare the Sender)
  const Sender = (createRequire(import.meta.url)('ws') as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;

  it('should put the same bytes on the wire as ws does for that text, at every frame length', () => {
    // 125/126 and 65,535/65,536 bytes are where the length field grows (RFC 6455 §5.2)
    for (const size of [0, 60, 125 - 40, 126 - 40, 400, 65_535 - 40, 65_536 - 40, 70_000]) {
      const payload = { data: { projectEvents: { message: 'x'.repeat(size) } } };
      for (const id of ['1', 'a"b', '0f3c-ü']) {
        const text = nextFramer(id)(payload);
        const viaWs = Buffer.concat(Sender.frame(text, { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
        expect(wireFramer(id)(payload).equals(viaWs)).toBe(true);
      }
    }
  });

  it('should frame any other message (text or the encoder\'s Buffer) as ws does', () => {
    const opts = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };
    for (const text of ['{"type":"connection_ack"}', '{"type":"pong"}', `{"id":"ü","type":"error","payload":[{"message":"${'y'.repeat(70_000)}"}]}`, '']) {
      const viaWs = Buffer.concat(Sender.frame(Buffer.from(text), opts));
      expect(textFrame(text).equals(viaWs)).toBe(true);
      expect(textFrame(Buffer.from(text)).equals(viaWs)).toBe(true);
    }
  });

  it('should share one wire frame per result among subscriptions with the same id, and not cache unbounded ids', () => {
    const payload = { data: { n: 1 } };
    const a = wireFramer('1');
    const b = wireFramer('1');
    expect(a(payload)).toBe(b(payload));
    expect(wireFramer('2')(payload)).not.toBe(a(payload));
    // random ids (UUIDs): each its own frame, still correct beyond the cached few
    for (let i = 0; i < 20; i++) {
      const id = `id-${i}`;
      expect(JSON.parse(wireFramer(id)(payload).subarray(2).toString('utf8'))).toEqual({ id, type: 'next', payload });
    }
  });
});
