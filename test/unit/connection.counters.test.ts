import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalConnectionCounters } from '../../src/graphql/connection.counters.js';
import { isAccessChange } from '../../src/tenancy/access.change.js';

describe('LocalConnectionCounters', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes a unit under every cap or under none', async () => {
    const c = new LocalConnectionCounters();
    const caps = [
      { key: 'token', max: 2 },
      { key: 'all', max: 3 },
    ];
    expect(await c.acquire(caps)).toBeNull();
    expect(await c.acquire(caps)).toBeNull();
    expect(await c.acquire(caps)).toEqual({ key: 'token', max: 2 });
    // the refused acquire took nothing under 'all'
    expect([c.count('token'), c.count('all')]).toEqual([2, 2]);
    expect(await c.acquire([{ key: 'other', max: 5 }, { key: 'all', max: 3 }])).toBeNull();
    expect(await c.acquire([{ key: 'other', max: 5 }, { key: 'all', max: 3 }])).toEqual({ key: 'all', max: 3 });
    expect(c.count('other')).toBe(1);
    await c.release(['token', 'all']);
    expect(await c.acquire(caps)).toBeNull();
  });

  it('never counts below zero and forgets keys it no longer holds', async () => {
    const c = new LocalConnectionCounters();
    await c.release(['x']);
    expect(c.count('x')).toBe(0);
    expect(await c.acquire([{ key: 'x', max: 1 }])).toBeNull();
    await c.release(['x']);
    await c.release(['x']);
    expect(await c.acquire([{ key: 'x', max: 1 }])).toBeNull();
    expect(await c.acquire([{ key: 'x', max: 1 }])).not.toBeNull();
  });

  it.each([
    [3, [true, true, true, false, false]],
    [1, [true, false, false, false, false]],
  ])('allows %i hits per window, then refuses until the window turns', async (max, expected) => {
    vi.useFakeTimers({ now: 1_000_000 });
    const c = new LocalConnectionCounters();
    const got: boolean[] = [];
    for (let i = 0; i < 5; i++) got.push(await c.hit('k', max, 60_000));
    expect(got).toEqual(expected);
    expect(await c.hit('other', max, 60_000)).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(await c.hit('k', max, 60_000)).toBe(true);
  });
});

describe('isAccessChange (messages from the bus are checked before they are trusted)', () => {
  it.each([
    [{ kind: 'token', tokenId: 'a' }, true],
    [{ kind: 'project', projectId: 'p' }, true],
    [{ kind: 'tenant', tenantId: 't' }, true],
    [{ kind: 'token', projectId: 'p' }, false],
    [{ kind: 'token', tokenId: '' }, false],
    [{ kind: 'token', tokenId: 'x'.repeat(65) }, false],
    [{ kind: 'token', tokenId: 7 }, false],
    [{ kind: 'role', tokenId: 'a' }, false],
    [null, false],
    ['token', false],
  ])('%j → %s', (m, ok) => {
    expect(isAccessChange(m)).toBe(ok);
  });
});
