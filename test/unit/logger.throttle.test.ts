import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, throttledLog } from '../../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({ level: 'debug', json: true, write: (l) => lines.push(JSON.parse(l)) }) };
}

describe('throttledLog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the first of a kind, counts the repeats, and reports them when the interval ends', () => {
    vi.useFakeTimers();
    const { lines, log } = capture();
    const t = throttledLog(log, 1_000);
    for (let i = 0; i < 5; i++) t.log('a', 'warn', 'client broke the protocol', { messageType: 'next' });
    t.log('b', 'error', 'other trouble');
    expect(lines.map((l) => [l.level, l.msg, l.kind])).toEqual([
      ['warn', 'client broke the protocol', 'a'],
      ['error', 'other trouble', 'b'],
    ]);
    expect(lines[0].messageType).toBe('next');
    vi.advanceTimersByTime(1_000);
    expect(lines.slice(2)).toEqual([expect.objectContaining({ level: 'warn', msg: 'client broke the protocol (repeated)', kind: 'a', suppressed: 4 })]);
    // a new interval logs again
    t.log('a', 'warn', 'client broke the protocol');
    expect(lines).toHaveLength(4);
  });

  it('close() reports what is pending and stops the timers', () => {
    vi.useFakeTimers();
    const { lines, log } = capture();
    const t = throttledLog(log, 60_000);
    t.log('a', 'info', 'x');
    t.log('a', 'info', 'x');
    t.close();
    expect(lines.map((l) => l.suppressed)).toEqual([undefined, 1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
