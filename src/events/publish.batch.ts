/**
 * A publish of several messages at once (a commit's events): what a transport writes for them to
 * one connection can go out as one write when the publish ends (graphql/ws.batch.ts corks a socket
 * for it). Outside such a publish — a commit with one event, the common case of a large fan-out —
 * nothing is held back and nothing is paid for it.
 */

let depth = 0;
let ends: (() => void)[] = [];

/** Runs `fn` (synchronous publishes) as one batch: hooks added during it run once, when it returns. */
export function publishTogether(fn: () => void): void {
  depth++;
  try {
    fn();
  } finally {
    if (--depth === 0 && ends.length) {
      const hooks = ends;
      ends = [];
      for (const hook of hooks) hook();
    }
  }
}

/** Inside publishTogether: `onEnd` runs when the outermost batch ends, and this returns true; else false. */
export function atBatchEnd(onEnd: () => void): boolean {
  if (depth === 0) return false;
  ends.push(onEnd);
  return true;
}

/** Whether a batch is open (a write may wait for its end). */
export function inBatch(): boolean {
  return depth > 0;
}
