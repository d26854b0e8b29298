import { describe, expect, it } from 'vitest';
import { eventCursor, parseEventCursor } from '../../src/events/event.dto.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

describe('event cursors', () => {
  it.each([
    [1, 1],
    [0, 0],
    [7, 1234],
    [999_999_999_999_999, 999_999_999_999_999],
  ])('should round-trip seq %i / projectSeq %i', (seq, projectSeq) => {
    const c = eventCursor({ seq, projectSeq });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseEventCursor(c)).toEqual([seq, projectSeq]);
  });

  it('should give different events different cursors', () => {
    const cursors = new Set<string>();
    for (let s = 1; s <= 30; s++) for (const p of [s, s + 1, s * 7]) cursors.add(eventCursor({ seq: s, projectSeq: p }));
    expect(cursors.size).toBe(90);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'ev1:1:2'],
    ['padding', b64('ev1:1:2') + '='],
    ['plain base64 with +/', 'ab+/cd'],
    ['another version', b64('ev2:1:2')],
    ['missing the project seq', b64('ev1:1')],
    ['a negative seq', b64('ev1:-1:2')],
    ['a fraction', b64('ev1:1.5:2')],
    ['hex', b64('ev1:0x10:2')],
    ['trailing junk', b64('ev1:1:2:3')],
    ['leading space', b64(' ev1:1:2')],
    ['an overlong number', b64(`ev1:${'9'.repeat(16)}:1`)],
    ['a global id of another kind', b64('ComputePool:0192f0e4-0000-7000-8000-000000000000')],
    ['too long', 'A'.repeat(101)],
  ])('should refuse %s', (_what, cursor) => {
    expect(parseEventCursor(cursor)).toBeNull();
  });
});
