import { describe, expect, it } from 'vitest';
import { digestOf, MAX_SUMMARY_BYTES, REDACTED, redact, storable as storableOf, summarize, TOO_DEEP } from '../../src/audit/audit.redact.js';

const TOKEN = 'sg_' + 'A1b2C3d4'.repeat(5);
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

describe('redact', () => {
  it.each([
    ['a key named like a secret', { password: 'p', dbPassword: 'p', client_secret: 's', apiKey: 'k', 'private-key': 'k', accessToken: 't', credentials: { a: 1 } }, { password: REDACTED, dbPassword: REDACTED, client_secret: REDACTED, apiKey: REDACTED, 'private-key': REDACTED, accessToken: REDACTED, credentials: REDACTED }],
    ['plain keys untouched', { name: 'vision', idempotencyKey: 'k-1', description: 'd', count: 3, on: true }, { name: 'vision', idempotencyKey: 'k-1', description: 'd', count: 3, on: true }],
    ['a name/value pair named like a secret', [{ name: 'hf_token', value: 'hf_abc' }, { name: 'model', value: 'llama' }], [{ name: 'hf_token', value: REDACTED }, { name: 'model', value: 'llama' }]],
    ['a key/value pair named like a secret', [{ key: 'db-password', value: 'x' }, { key: 'team', value: 'cv' }], [{ key: 'db-password', value: REDACTED }, { key: 'team', value: 'cv' }]],
    ['a variable definition marked secret', { name: 'seed', type: 'STRING', default: 'abc', secret: true }, { name: 'seed', type: 'STRING', default: REDACTED, secret: true }],
    ['a null secret stays null', { name: 'api_key', value: null, password: null }, { name: 'api_key', value: null, password: null }],
    ['a token by its look, alone or in text', { a: TOKEN, b: `use ${TOKEN} here`, c: JWT, d: 'Bearer abcdefgh12345' }, { a: REDACTED, b: `use ${REDACTED} here`, c: REDACTED, d: REDACTED }],
    ['nested Helm values', { values: { db: { host: 'h', password: 'p' }, list: [{ secretRef: 'x' }] } }, { values: { db: { host: 'h', password: REDACTED }, list: [{ secretRef: REDACTED }] } }],
    ['dates as ISO, undefined dropped', { at: new Date(Date.UTC(2030, 0, 2)), gone: undefined }, { at: '2030-01-02T00:00:00.000Z' }],
  ])('%s', (_what, input, expected) => {
    expect(redact(input)).toEqual(expected);
  });
  it('stops at a depth cap instead of recursing into absurd nesting', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { a: [deep] };
    const out = redact(deep);
    let d = 0;
    let cur: unknown = out;
    while (cur && typeof cur === 'object') {
      cur = Array.isArray(cur) ? cur[0] : (cur as { a: unknown }).a;
      d++;
    }
    expect(cur).toBe(TOO_DEEP);
    expect(d).toBe(64);
    expect(digestOf(out)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('digestOf', () => {
  it('is the same for the same input in any key order, and differs for other inputs', () => {
    const a = digestOf(redact({ name: 'x', tags: [{ key: 'k', value: 'v' }], n: 1 }));
    expect(digestOf(redact({ n: 1, tags: [{ value: 'v', key: 'k' }], name: 'x' }))).toBe(a);
    expect(digestOf(redact({ n: 2, tags: [{ value: 'v', key: 'k' }], name: 'x' }))).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('cannot confirm a guessed secret: inputs that differ only in a secret share a digest', () => {
    expect(digestOf(redact({ name: 'x', password: 'guess-1' }))).toBe(digestOf(redact({ name: 'x', password: 'guess-2' })));
  });
});

describe('summarize', () => {
  it('keeps small inputs as they are', () => {
    const v = { name: 'x', list: [1, 2, 3] };
    expect(summarize(v)).toEqual(v);
  });

  it('shortens long strings and lists and deep nesting', () => {
    const s = summarize({ text: 'y'.repeat(1000), list: Array.from({ length: 40 }, (_, i) => i), deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } }) as any;
    expect(s.text).toBe(`${'y'.repeat(256)}…(1000 chars)`);
    expect(s.list).toHaveLength(26);
    expect(s.list.at(-1)).toBe('…(40 items)');
    expect(JSON.stringify(s.deep)).toContain('{…}');
  });

  it('stays under the size limit, falling back to the top-level keys', () => {
    const huge = { workloadProfiles: Array.from({ length: 5 }, () => ({ components: Array.from({ length: 25 }, () => ({ values: { blob: 'z'.repeat(250) } })) })), name: 'b' };
    const s = summarize(huge);
    expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    const wide = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, 'v'.repeat(60)]));
    expect(summarize(wide)).toEqual({ truncated: true, keys: Object.keys(wide).slice(0, 50) });
  });
});

describe('storable', () => {
  it.each([
    ['plain text', 'H100', 'H100'],
    ['NUL', 'H100\u0000', 'H100\\u0000'],
    ['a lone high surrogate', 'a\uD800b', 'a\\ud800b'],
    ['a lone low surrogate', 'a\uDC00', 'a\\udc00'],
    ['a pair stays', 'ok 😀', 'ok 😀'],
  ])('%s', (_what, s, expected) => {
    expect(storableOf(s)).toBe(expected);
  });

  it('applies to every string and key of a summary', () => {
    expect(summarize({ 'k\u0000': ['v\u0000', { x: '\uD800' }] })).toEqual({ 'k\\u0000': ['v\\u0000', { x: '\\ud800' }] });
  });
});
