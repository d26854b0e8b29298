/** Faults the simulated hub injects; changeable at runtime (tests, demos) and from the environment. */
export const FAULT_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'discovery'] as const;
export type FaultVerb = (typeof FAULT_VERBS)[number];

export interface SimFaults {
  /** Fraction (0..1) of API requests answered 500/503/504 without being processed. Open watch streams are never hit. */
  errorRate: number;
  /** Which request verbs errorRate applies to. Default: every verb except discovery. */
  errorVerbs: FaultVerb[];
  /** Cluster API Cluster names whose provisioning ends in phase Failed. */
  failClusters: string[];
  /**
   * Cluster names whose provider fails the v1beta2 way: only a condition says so
   * (InfrastructureReady False, reason ProvisioningFailed); the phase stays Provisioning.
   */
  failClustersByConditions: string[];
  /** Cluster names whose infrastructure provider never finishes (stuck in Provisioning, no failure). */
  stuckClusters: string[];
  /** HelmRelease names (on any spoke) whose install or upgrade fails. */
  failReleases: string[];
  /** Close every open watch connection this often (0 = never). */
  dropWatchesEveryMs: number;
  /** Extra delay before every controller status write, in ms (not scaled by speed). */
  statusDelayMs: number;
  /**
   * Spoke clusters without a load-balancer implementation (edge, bare metal): their LoadBalancer
   * Services never get an address. Names, or patterns ending in `*` (a prefix; `*` alone is every spoke).
   */
  noLoadBalancerClusters: string[];
}

export function noFaults(): SimFaults {
  return {
    errorRate: 0,
    errorVerbs: FAULT_VERBS.filter((v) => v !== 'discovery'),
    failClusters: [],
    failClustersByConditions: [],
    stuckClusters: [],
    failReleases: [],
    dropWatchesEveryMs: 0,
    statusDelayMs: 0,
    noLoadBalancerClusters: [],
  };
}

/** Every problem with a partial fault set, as readable sentences (empty = valid). */
export function validateFaults(p: Partial<SimFaults>): string[] {
  const problems: string[] = [];
  if (p.errorRate !== undefined && !(Number.isFinite(p.errorRate) && p.errorRate >= 0 && p.errorRate <= 1))
    problems.push(`errorRate must be a number between 0 and 1, got ${String(p.errorRate)}`);
  for (const v of p.errorVerbs ?? []) if (!FAULT_VERBS.includes(v)) problems.push(`errorVerbs: unknown verb "${v}" (known: ${FAULT_VERBS.join(', ')})`);
  for (const k of ['dropWatchesEveryMs', 'statusDelayMs'] as const) {
    const v = p[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) problems.push(`${k} must be a whole number of milliseconds >= 0, got ${String(v)}`);
  }
  for (const k of ['failClusters', 'failClustersByConditions', 'stuckClusters', 'failReleases', 'noLoadBalancerClusters'] as const) {
    const v = p[k];
    if (v !== undefined && (!Array.isArray(v) || v.some((n) => typeof n !== 'string' || !n))) problems.push(`${k} must be a list of names`);
  }
  return problems;
}

export class FaultState {
  private current: SimFaults;
  private readonly listeners = new Set<(f: SimFaults) => void>();

  constructor(initial: Partial<SimFaults> = {}) {
    this.current = noFaults();
    this.set(initial);
  }

  get(): SimFaults {
    return structuredClone(this.current);
  }

  set(p: Partial<SimFaults>): void {
    const problems = validateFaults(p);
    if (problems.length) throw new Error(`invalid simulator faults: ${problems.join('; ')}`);
    const defined = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<SimFaults>;
    this.current = { ...this.current, ...structuredClone(defined) };
    for (const fn of this.listeners) fn(this.get());
  }

  clear(): void {
    this.current = noFaults();
    for (const fn of this.listeners) fn(this.get());
  }

  onChange(fn: (f: SimFaults) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A 5xx code to answer this request with, or undefined to serve it. */
  injectedError(verb: FaultVerb): 500 | 503 | 504 | undefined {
    const f = this.current;
    if (f.errorRate <= 0 || !f.errorVerbs.includes(verb) || Math.random() >= f.errorRate) return undefined;
    return ([500, 503, 504] as const)[Math.floor(Math.random() * 3)];
  }

  clusterFails(name: string): boolean {
    return this.current.failClusters.includes(name);
  }

  clusterFailsByConditions(name: string): boolean {
    return this.current.failClustersByConditions.includes(name);
  }

  clusterStuck(name: string): boolean {
    return this.current.stuckClusters.includes(name);
  }

  /** Whether the spoke has no load-balancer implementation (noLoadBalancerClusters). */
  loadBalancerMissing(cluster: string): boolean {
    return this.current.noLoadBalancerClusters.some((p) => (p.endsWith('*') ? cluster.startsWith(p.slice(0, -1)) : cluster === p));
  }

  releaseFails(name: string): boolean {
    return this.current.failReleases.includes(name);
  }

  statusDelayMs(): number {
    return this.current.statusDelayMs;
  }
}
