/**
 * GPU usage from reservation intervals, exactly (milliseconds are integers here, so sums are exact):
 * a reservation of `count` GPUs over [start, end) uses count × (end − start) GPU-milliseconds. Within
 * a range [from, to) an interval is clipped to the range, and an open one (not released yet) counts
 * up to min(now, to).
 */

export interface Reservation {
  gpuFamily: string;
  projectId: string;
  poolId: string | null;
  deploymentId: string | null;
  count: number;
  /** epoch ms */
  start: number;
  /** epoch ms; null while held */
  end: number | null;
}

export const DAY_MS = 86_400_000;

/** The part [a, b) of `r` inside [from, to) as of `now`; null when empty. */
export function clip(r: Pick<Reservation, 'start' | 'end'>, from: number, to: number, now: number): [number, number] | null {
  const a = Math.max(r.start, from);
  const b = Math.min(r.end ?? now, to);
  return b > a ? [a, b] : null;
}

/** GPU-milliseconds of `r` inside [from, to) as of `now`. */
export function gpuMs(r: Pick<Reservation, 'start' | 'end' | 'count'>, from: number, to: number, now: number): number {
  const c = clip(r, from, to, now);
  return c ? r.count * (c[1] - c[0]) : 0;
}

/** [a, b) cut at UTC midnights: each piece with the start of its day. */
export function splitByUtcDay(a: number, b: number): { day: number; a: number; b: number }[] {
  const out: { day: number; a: number; b: number }[] = [];
  for (let day = Math.floor(a / DAY_MS) * DAY_MS; day < b; day += DAY_MS) {
    out.push({ day, a: Math.max(a, day), b: Math.min(b, day + DAY_MS) });
  }
  return out;
}

export type GroupKey = 'GPU_FAMILY' | 'PROJECT' | 'COMPUTE_POOL' | 'APP_DEPLOYMENT' | 'DAY';

export interface UsageGroup {
  gpuFamily?: string;
  projectId?: string;
  poolId?: string | null;
  deploymentId?: string | null;
  /** start of the UTC day, epoch ms */
  day?: number;
  gpuMs: number;
}

export interface Usage {
  totalMs: number;
  groups: UsageGroup[];
}

const FIELD: Record<Exclude<GroupKey, 'DAY'>, 'gpuFamily' | 'projectId' | 'poolId' | 'deploymentId'> = {
  GPU_FAMILY: 'gpuFamily',
  PROJECT: 'projectId',
  COMPUTE_POOL: 'poolId',
  APP_DEPLOYMENT: 'deploymentId',
};
const GROUP_FIELD: Record<GroupKey, keyof UsageGroup> = { GPU_FAMILY: 'gpuFamily', PROJECT: 'projectId', COMPUTE_POOL: 'poolId', APP_DEPLOYMENT: 'deploymentId', DAY: 'day' };

/**
 * Total and groups: one per distinct combination of the `groupBy` values (none without keys), sorted
 * by those values in the order of the keys. Groups with no usage in the range are left out.
 */
export function aggregate(rows: Reservation[], from: number, to: number, now: number, groupBy: GroupKey[]): Usage {
  const keys = [...new Set(groupBy)];
  const groups = new Map<string, { values: (string | number | null)[]; gpuMs: number }>();
  let totalMs = 0;
  const add = (r: Reservation, day: number, ms: number) => {
    totalMs += ms;
    if (!keys.length) return;
    const values = keys.map((k) => (k === 'DAY' ? day : r[FIELD[k]]));
    const id = JSON.stringify(values);
    const g = groups.get(id) ?? { values, gpuMs: 0 };
    g.gpuMs += ms;
    groups.set(id, g);
  };
  for (const r of rows) {
    const c = clip(r, from, to, now);
    if (!c || r.count <= 0) continue;
    if (keys.includes('DAY')) for (const p of splitByUtcDay(c[0], c[1])) add(r, p.day, r.count * (p.b - p.a));
    else add(r, 0, r.count * (c[1] - c[0]));
  }
  const cmp = (a: string | number | null, b: string | number | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
  const sorted = [...groups.values()].sort((x, y) => {
    for (let i = 0; i < keys.length; i++) {
      const c = cmp(x.values[i], y.values[i]);
      if (c) return c;
    }
    return 0;
  });
  return {
    totalMs,
    groups: sorted.map((g) => {
      const out: UsageGroup = { gpuMs: g.gpuMs };
      keys.forEach((k, i) => Object.assign(out, { [GROUP_FIELD[k]]: g.values[i] }));
      return out;
    }),
  };
}
