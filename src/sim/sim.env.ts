/** Simulator settings from the environment (SIM_*), validated with every problem reported. */
import { FAULT_VERBS, type FaultVerb, type SimFaults } from './fault.state.js';
import type { SimOptions } from './simulated.hub.js';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function parseSimEnv(env: Record<string, string | undefined>): { options: Partial<SimOptions>; errors: string[] } {
  const errors: string[] = [];
  const options: Partial<SimOptions> = {};
  const faults: Partial<SimFaults> = {};
  const value = (k: string) => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const number = (k: string, check: (n: number) => boolean, rule: string): number | undefined => {
    const v = value(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || !check(n)) {
      errors.push(`${k} must be ${rule}, got "${v}"`);
      return undefined;
    }
    return n;
  };
  const names = (k: string): string[] | undefined => {
    const v = value(k);
    if (v === undefined) return undefined;
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((n) => !NAME.test(n));
    if (bad.length) errors.push(`${k} must be a comma-separated list of Kubernetes names, bad: ${bad.map((b) => `"${b}"`).join(', ')}`);
    return bad.length ? undefined : list;
  };

  const speed = number('SIM_SPEED', (n) => n >= 0, 'a number >= 0 (0 = no artificial delay, 1 = demo pace)');
  if (speed !== undefined) options.speed = speed;
  const rate = number('SIM_ERROR_RATE', (n) => n >= 0 && n <= 1, 'a fraction between 0 and 1');
  if (rate !== undefined) faults.errorRate = rate;
  const verbs = value('SIM_ERROR_VERBS');
  if (verbs !== undefined) {
    const list = verbs.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((v) => !(FAULT_VERBS as readonly string[]).includes(v));
    if (bad.length) errors.push(`SIM_ERROR_VERBS has unknown verbs ${bad.join(', ')} (known: ${FAULT_VERBS.join(', ')})`);
    else faults.errorVerbs = list as FaultVerb[];
  }
  const failClusters = names('SIM_FAIL_CLUSTERS');
  if (failClusters) faults.failClusters = failClusters;
  const failByConditions = names('SIM_FAIL_CLUSTERS_BY_CONDITIONS');
  if (failByConditions) faults.failClustersByConditions = failByConditions;
  const stuck = names('SIM_STUCK_CLUSTERS');
  if (stuck) faults.stuckClusters = stuck;
  const failReleases = names('SIM_FAIL_RELEASES');
  if (failReleases) faults.failReleases = failReleases;
  const noLb = value('SIM_NO_LOADBALANCER_CLUSTERS');
  if (noLb !== undefined) {
    const list = noLb.split(',').map((x) => x.trim()).filter(Boolean);
    const ok = (n: string) => n === '*' || (n.endsWith('*') ? /^[a-z0-9][-a-z0-9.]*$/.test(n.slice(0, -1)) : NAME.test(n));
    const bad = list.filter((n) => !ok(n));
    if (bad.length) errors.push(`SIM_NO_LOADBALANCER_CLUSTERS must be a comma-separated list of cluster names or prefixes ending in "*", bad: ${bad.map((b) => `"${b}"`).join(', ')}`);
    else faults.noLoadBalancerClusters = list;
  }
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  const drop = number('SIM_DROP_WATCHES_MS', whole, 'a whole number of milliseconds >= 0 (0 = off)');
  if (drop !== undefined) faults.dropWatchesEveryMs = drop;
  const delay = number('SIM_STATUS_DELAY_MS', whole, 'a whole number of milliseconds >= 0');
  if (delay !== undefined) faults.statusDelayMs = delay;
  const port = number('SIM_PORT', (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0 = any free port)');
  if (port !== undefined) options.port = port;
  const stateFile = value('SIM_STATE_FILE');
  if (stateFile !== undefined) options.stateFile = stateFile;

  if (Object.keys(faults).length) options.faults = faults;
  return { options, errors };
}
