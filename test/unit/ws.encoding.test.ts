import { stringifyMessage, MessageType } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { NextEncoder, nextFramer } from '../../src/graphql/ws.encoding.js';

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
});
