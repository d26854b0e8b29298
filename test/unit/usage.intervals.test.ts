import { describe, expect, it } from 'vitest';
import { aggregate, clip, DAY_MS, gpuMs, splitByUtcDay, type Reservation } from '../../src/usage/usage.intervals.js';

const H = 3_600_000;
const T0 = Date.UTC(2031, 4, 10); // midnight UTC

describe('gpuMs: one reservation clipped to [from, to) as of now', () => {
  // [start, end | null, from, to, now, count] → GPU-milliseconds
  it.each([
    ['inside the range', T0 + 1 * H, T0 + 3 * H, T0, T0 + 10 * H, T0 + 20 * H, 2, 2 * 2 * H],
    ['straddles the start', T0 - 5 * H, T0 + 2 * H, T0, T0 + 10 * H, T0 + 20 * H, 4, 4 * 2 * H],
    ['straddles the end', T0 + 8 * H, T0 + 12 * H, T0, T0 + 10 * H, T0 + 20 * H, 1, 2 * H],
    ['covers the whole range', T0 - H, T0 + 20 * H, T0, T0 + 10 * H, T0 + 30 * H, 8, 8 * 10 * H],
    ['ends before the range', T0 - 5 * H, T0 - H, T0, T0 + 10 * H, T0 + 20 * H, 8, 0],
    ['starts at the end (exclusive)', T0 + 10 * H, T0 + 11 * H, T0, T0 + 10 * H, T0 + 20 * H, 8, 0],
    ['ends at the start (exclusive)', T0 - H, T0, T0, T0 + 10 * H, T0 + 20 * H, 8, 0],
    ['open, counted up to now inside the range', T0 + 2 * H, null, T0, T0 + 10 * H, T0 + 5 * H, 3, 3 * 3 * H],
    ['open, counted up to the end when now is later', T0 + 2 * H, null, T0, T0 + 10 * H, T0 + 50 * H, 3, 3 * 8 * H],
    ['open, started after now (clock skew)', T0 + 6 * H, null, T0, T0 + 10 * H, T0 + 5 * H, 3, 0],
    ['open, the range in the future', T0 - H, null, T0 + 10 * H, T0 + 20 * H, T0 + 5 * H, 3, 0],
    ['a millisecond', T0 + 1, T0 + 2, T0, T0 + H, T0 + H, 5, 5],
  ])('%s', (_what, start, end, from, to, now, count, expected) => {
    expect(gpuMs({ start, end, count }, from, to, now)).toBe(expected);
  });

  it('clip returns the part, or null when empty', () => {
    expect(clip({ start: 5, end: 20 }, 10, 15, 100)).toEqual([10, 15]);
    expect(clip({ start: 5, end: 10 }, 10, 15, 100)).toBeNull();
  });
});

describe('splitByUtcDay', () => {
  it.each([
    ['within a day', T0 + H, T0 + 2 * H, [[T0, T0 + H, T0 + 2 * H]]],
    ['across midnight', T0 - H, T0 + H, [[T0 - DAY_MS, T0 - H, T0], [T0, T0, T0 + H]]],
    ['three days', T0 + 23 * H, T0 + 2 * DAY_MS + H, [[T0, T0 + 23 * H, T0 + DAY_MS], [T0 + DAY_MS, T0 + DAY_MS, T0 + 2 * DAY_MS], [T0 + 2 * DAY_MS, T0 + 2 * DAY_MS, T0 + 2 * DAY_MS + H]]],
    ['exactly one day from midnight', T0, T0 + DAY_MS, [[T0, T0, T0 + DAY_MS]]],
  ])('%s', (_what, a, b, expected) => {
    expect(splitByUtcDay(a, b).map((p) => [p.day, p.a, p.b])).toEqual(expected);
  });
});

const r = (over: Partial<Reservation>): Reservation => ({ gpuFamily: 'NVIDIA-H100', projectId: 'p1', poolId: 'pool1', deploymentId: 'd1', count: 1, start: T0, end: T0 + H, ...over });

describe('aggregate', () => {
  const rows = [
    r({ count: 2, start: T0 - H, end: T0 + 2 * H }), // 2 GPUs, 2 h in range
    r({ gpuFamily: 'NVIDIA-A100', deploymentId: 'd2', count: 4, start: T0 + 23 * H, end: null }), // open: 4 GPUs to now
    r({ projectId: 'p2', poolId: 'pool2', deploymentId: null, count: 8, start: T0 + 12 * H, end: T0 + 36 * H }), // a dedicated pool of no deployment, across midnight
    r({ count: 3, start: T0 - 10 * H, end: T0 - H }), // before the range
  ];
  const from = T0;
  const to = T0 + 2 * DAY_MS;
  const now = T0 + DAY_MS + 2 * H;

  it('sums exactly, with no groups unless asked', () => {
    expect(aggregate(rows, from, to, now, [])).toEqual({ totalMs: 2 * 2 * H + 4 * 3 * H + 8 * 24 * H, groups: [] });
  });

  it.each([
    [['GPU_FAMILY'], [{ gpuFamily: 'NVIDIA-A100', gpuMs: 12 * H }, { gpuFamily: 'NVIDIA-H100', gpuMs: 4 * H + 192 * H }]],
    [['PROJECT'], [{ projectId: 'p1', gpuMs: 16 * H }, { projectId: 'p2', gpuMs: 192 * H }]],
    [['APP_DEPLOYMENT'], [{ deploymentId: null, gpuMs: 192 * H }, { deploymentId: 'd1', gpuMs: 4 * H }, { deploymentId: 'd2', gpuMs: 12 * H }]],
    [['COMPUTE_POOL'], [{ poolId: 'pool1', gpuMs: 16 * H }, { poolId: 'pool2', gpuMs: 192 * H }]],
    [['DAY'], [{ day: T0, gpuMs: 4 * H + 4 * H + 8 * 12 * H }, { day: T0 + DAY_MS, gpuMs: 4 * 2 * H + 8 * 12 * H }]],
    [
      ['DAY', 'GPU_FAMILY'],
      [
        { day: T0, gpuFamily: 'NVIDIA-A100', gpuMs: 4 * H },
        { day: T0, gpuFamily: 'NVIDIA-H100', gpuMs: 4 * H + 96 * H },
        { day: T0 + DAY_MS, gpuFamily: 'NVIDIA-A100', gpuMs: 8 * H },
        { day: T0 + DAY_MS, gpuFamily: 'NVIDIA-H100', gpuMs: 96 * H },
      ],
    ],
  ] as const)('groups by %j', (groupBy, expected) => {
    const u = aggregate(rows, from, to, now, [...groupBy]);
    expect(u.groups).toEqual(expected);
    expect(u.groups.reduce((n, g) => n + g.gpuMs, 0)).toBe(u.totalMs);
  });
});
