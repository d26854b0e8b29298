import { describe, expect, it } from 'vitest';
import { nameProblem } from '../../src/common/rules.js';
import { retryPoolName } from '../../src/deployments/deployment.retry-pool.js';

describe('retryPoolName', () => {
  const longest = 'a'.repeat(33);
  it.each([
    ['gpu-pool', 1, 'gpu-pool-r1'],
    ['gpu-pool', 12, 'gpu-pool-r12'],
    // an earlier retry's suffix is replaced, not stacked
    ['gpu-pool-r1', 2, 'gpu-pool-r2'],
    ['gpu-pool-r9', 10, 'gpu-pool-r10'],
    // only a trailing -r<digits> is a suffix
    ['r1-pool', 1, 'r1-pool-r1'],
    ['pool-rx', 1, 'pool-rx-r1'],
    // cut to the 33-character name rule, without leaving a dash before the suffix
    [longest, 1, `${'a'.repeat(30)}-r1`],
    [`${'a'.repeat(29)}-bcd`, 1, `${'a'.repeat(29)}-r1`],
    [`${'a'.repeat(29)}-bcd`, 100, `${'a'.repeat(28)}-r100`],
  ])('%s, attempt %i → %s', (name, attempt, want) => {
    const got = retryPoolName(name, attempt);
    expect(got).toBe(want);
    expect(nameProblem(got)).toBeNull();
  });
});
