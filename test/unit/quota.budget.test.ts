import { describe, expect, it } from 'vitest';
import { BudgetExceededError, budgetProblem, monthOf } from '../../src/tenancy/quota.budget.js';

describe('monthOf: the UTC calendar month of an instant', () => {
  it.each([
    ['2031-05-10T12:00:00Z', '2031-05-01T00:00:00.000Z', '2031-06-01T00:00:00.000Z'],
    ['2031-05-01T00:00:00Z', '2031-05-01T00:00:00.000Z', '2031-06-01T00:00:00.000Z'],
    ['2031-05-31T23:59:59.999Z', '2031-05-01T00:00:00.000Z', '2031-06-01T00:00:00.000Z'],
    ['2031-12-31T23:00:00Z', '2031-12-01T00:00:00.000Z', '2032-01-01T00:00:00.000Z'],
    ['2032-02-15T00:00:00Z', '2032-02-01T00:00:00.000Z', '2032-03-01T00:00:00.000Z'],
    // late evening in a timezone east of UTC is still the previous UTC month
    ['2031-06-01T01:00:00+03:00', '2031-05-01T00:00:00.000Z', '2031-06-01T00:00:00.000Z'],
  ])('%s', (at, start, end) => {
    const m = monthOf(new Date(at));
    expect([m.start.toISOString(), m.end.toISOString()]).toEqual([start, end]);
  });
});

describe('budgetProblem', () => {
  it.each([
    [null, null],
    [undefined, null],
    [0, null],
    [120.5, null],
    [-1, /between 0 and/],
    [Number.NaN, /between 0 and/],
    [Number.POSITIVE_INFINITY, /between 0 and/],
    [2e9, /between 0 and/],
  ])('%s', (v, expected) => {
    const p = budgetProblem(v as number | null | undefined);
    if (expected === null) expect(p).toBeNull();
    else expect(p).toMatch(expected);
  });
});

describe('BudgetExceededError', () => {
  it('names the budget, the used and the projected hours (the details exact)', () => {
    const e = new BudgetExceededError(
      { budgetGpuHours: 100, usedGpuHours: 40.123, projectedGpuHours: 120.456, requestedGpuHours: 60, periodStart: new Date(0), periodEnd: new Date(0), allowed: false },
      'vision',
      ['bundleIds'],
    );
    expect(e.code).toBe('BUDGET_EXCEEDED');
    expect(e.message).toBe('Project vision monthly GPU-hour budget exceeded: budget 100 h, used 40.12 h this month, projected 120.46 h with this request (60 h to the end of the month)');
    expect(e.details).toEqual({ budgetGpuHours: 100, usedGpuHours: 40.123, projectedGpuHours: 120.456, requestedGpuHours: 60 });
    expect(e.field).toEqual(['bundleIds']);
  });
});
