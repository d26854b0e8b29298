/**
 * The time the application reads when the time itself is the result: audit record times, the start
 * and end of GPU reservations made at admission, "now" in GPU usage and budget projections. Injected
 * (App options → services), so tests set it instead of sleeping; production reads the system clock.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
