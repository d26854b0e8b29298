/** UUIDv7 primary keys: keyset pagination relies on id order being creation order. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isUuid, uuidv7 } from '../../src/db/ids.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('uuidv7', () => {
  it('is a well-formed RFC 9562 version 7, variant 10 UUID', () => {
    for (let i = 0; i < 1000; i++) {
      const id = uuidv7();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(isUuid(id)).toBe(true);
    }
  });

  it('carries the creation time in its first 48 bits', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    // a burst may borrow the next millisecond (counter overflow), never more than a little ahead
    expect(ms).toBeLessThanOrEqual(after + 5);
  });

  it('is strictly increasing (as strings, i.e. in SQL order) across a tight loop of 100 000 ids', () => {
    let prev = uuidv7();
    const seen = new Set<string>([prev]);
    for (let i = 0; i < 100_000; i++) {
      const id = uuidv7();
      expect(id > prev).toBe(true);
      seen.add(id);
      prev = id;
    }
    expect(seen.size).toBe(100_001);
  });

  it('stays increasing when the clock stands still or steps backwards', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const a = Array.from({ length: 5000 }, () => uuidv7()); // > 4096 in one millisecond: counter overflow
    vi.setSystemTime(new Date('2029-12-31T23:59:59Z')); // NTP step back
    const b = Array.from({ length: 10 }, () => uuidv7());
    const all = [...a, ...b];
    for (let i = 1; i < all.length; i++) expect(all[i] > all[i - 1], `id ${i}`).toBe(true);
  });

  it('sorts like its time: ids made later sort later', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2031-01-01T00:00:00.000Z'));
    const early = uuidv7();
    vi.setSystemTime(new Date('2031-01-01T00:00:00.001Z'));
    const late = uuidv7();
    expect([late, early].sort()).toEqual([early, late]);
  });
});

describe('isUuid', () => {
  it.each([
    ['01890a5d-ac96-774b-bcce-b302099a8057', true],
    ['00000000-0000-0000-0000-000000000000', true],
    ['01890A5D-AC96-774B-BCCE-B302099A8057', false],
    ['01890a5d-ac96-774b-bcce-b302099a805', false],
    ['01890a5dac96774bbcceb302099a8057', false],
    ['01890a5d-ac96-774b-bcce-b302099a8057 ', false],
    ["x' or '1'='1", false],
    ['', false],
  ])('%j → %s', (s, valid) => {
    expect(isUuid(s)).toBe(valid);
  });
});
