/**
 * The pool's exposure setting: what createComputePool stores, the typed refusals, and the simulator's
 * switch for spokes without a load balancer (SIM_NO_LOADBALANCER_CLUSTERS and the runtime setting).
 */
import { describe, expect, it } from 'vitest';
import { exposureOf, exposureSetting, MAX_HOST_SUFFIX } from '../../src/compute/pool.exposure.js';
import { PoolExposure } from '../../src/compute/pool.model.js';
import { DomainError } from '../../src/errors.js';
import { FaultState } from '../../src/sim/fault.state.js';
import { parseSimEnv } from '../../src/sim/index.js';
import { deadlinePassed, rolloutClock } from '../../src/deployments/deployment.exposure.js';

describe('pool exposure rules', () => {
  it('should default to LOAD_BALANCER, for new pools and for rows stored before the setting', () => {
    expect(exposureOf({})).toEqual({ mode: 'LOAD_BALANCER' });
    expect(exposureOf({ exposure: null, ingressHostSuffix: '  ' })).toEqual({ mode: 'LOAD_BALANCER' });
    expect(exposureSetting(null)).toEqual({ mode: 'LOAD_BALANCER' });
    expect(exposureOf({ exposure: PoolExposure.NODE_PORT })).toEqual({ mode: 'NODE_PORT' });
  });

  it('should keep an INGRESS host suffix lower-cased, without its trailing dot', () => {
    expect(exposureOf({ exposure: PoolExposure.INGRESS, ingressHostSuffix: ' Apps.Example.COM. ' })).toEqual({ mode: 'INGRESS', ingressHostSuffix: 'apps.example.com' });
  });

  it.each([
    [{ exposure: PoolExposure.INGRESS }, /needs ingressHostSuffix/],
    [{ exposure: PoolExposure.INGRESS, ingressHostSuffix: 'under_score.example.com' }, /must be a DNS name/],
    [{ exposure: PoolExposure.INGRESS, ingressHostSuffix: 'a..b' }, /must be a DNS name/],
    [{ exposure: PoolExposure.INGRESS, ingressHostSuffix: '-a.example.com' }, /must be a DNS name/],
    [{ exposure: PoolExposure.INGRESS, ingressHostSuffix: `${'a'.repeat(63)}.`.repeat(3) + 'example.com' }, new RegExp(`at most ${MAX_HOST_SUFFIX}`)],
    [{ exposure: PoolExposure.NODE_PORT, ingressHostSuffix: 'apps.example.com' }, /only used with exposure INGRESS/],
    [{ ingressHostSuffix: 'apps.example.com' }, /only used with exposure INGRESS \(this pool is LOAD_BALANCER\)/],
  ])('should refuse %o with a typed error on ingressHostSuffix', (input, message) => {
    const e = exposureOf(input);
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ code: 'INVALID_INPUT', field: ['ingressHostSuffix'], message: expect.stringMatching(message) });
  });
});

describe('rollout clock', () => {
  it('should keep its start for the same reconcile request and restart it for a new one', () => {
    const first = rolloutClock(undefined, 'retry-1', 1000);
    expect(first).toEqual({ token: 'retry-1', startedAt: 1000 });
    expect(rolloutClock({ rolloutClock: first }, 'retry-1', 5000)).toEqual(first);
    expect(rolloutClock({ rolloutClock: first }, 'retry-2', 5000)).toEqual({ token: 'retry-2', startedAt: 5000 });
    expect(rolloutClock({ something: 'else' }, '', 7000)).toEqual({ token: '', startedAt: 7000 });
  });

  it('should pass the deadline at its length, never without one', () => {
    const clock = { token: '', startedAt: 10_000 };
    expect(deadlinePassed(clock, 5000, 14_999)).toBeNull();
    expect(deadlinePassed(clock, 5000, 15_000)).toBe('after 5s (ROLLOUT_DEADLINE_SECONDS 5)');
    expect(deadlinePassed(clock, 0, 10_000_000)).toBeNull();
  });
});

describe('simulated spokes without a load balancer', () => {
  it('should parse SIM_NO_LOADBALANCER_CLUSTERS as names and prefixes, refusing others', () => {
    expect(parseSimEnv({ SIM_NO_LOADBALANCER_CLUSTERS: 'edge-1, edge-*,*' })).toEqual({ options: { faults: { noLoadBalancerClusters: ['edge-1', 'edge-*', '*'] } }, errors: [] });
    expect(parseSimEnv({ SIM_NO_LOADBALANCER_CLUSTERS: 'Edge_1,*x' }).errors).toEqual([expect.stringMatching(/SIM_NO_LOADBALANCER_CLUSTERS .*"Edge_1", "\*x"/)]);
  });

  it('should match names exactly and prefixes by their start', () => {
    const f = new FaultState({ noLoadBalancerClusters: ['edge-1', 'bare--*'] });
    expect(['edge-1', 'edge-10', 'bare--a', 'bare-a'].map((c) => f.loadBalancerMissing(c))).toEqual([true, false, true, false]);
    f.set({ noLoadBalancerClusters: ['*'] });
    expect(f.loadBalancerMissing('anything')).toBe(true);
    f.clear();
    expect(f.loadBalancerMissing('edge-1')).toBe(false);
  });
});
