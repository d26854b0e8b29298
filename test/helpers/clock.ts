/** A clock tests set and move (App option `clock`): audit times, admissions' reservations, usage and budgets read it. */
import type { Clock } from '../../src/common/clock.js';

export class ManualClock implements Clock {
  private t: number;
  constructor(at: Date | string | number = Date.now()) {
    this.t = new Date(at).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string | number): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
