/**
 * How the rollout step learns the access URLs under the pool's exposure, and its deadline. LOAD_BALANCER
 * waits for the address the spoke's load balancer assigns; NODE_PORT for the node port the spoke's API
 * server allocates, reached on the host of the Cluster API Cluster's `spec.controlPlaneEndpoint` (every
 * node serves a node port, and that endpoint is the one node address the hub knows); INGRESS knows its
 * URL up front (the host it asked for: DNS for the suffix is the operator's), so it waits for nothing.
 */
import type { ExposureSetting } from '../compute/pool.model.js';
import {
  accessUrl,
  controlPlaneHost,
  feedbackValues,
  ingressHost,
  ingressUrl,
  nodePortFromFeedback,
  serviceAddressFromFeedback,
  serviceIdentifier,
  type HubAdapter,
  type KubeObject,
} from '../kube/index.js';
import type { AccessUrl } from './deployment.model.js';
import type { PlannedComponent } from './deployment.plan.js';

export interface ExposureReading {
  urls: AccessUrl[];
  /** what an exposed component still lacks, in words (empty: every URL is known) */
  missing: string[];
}

/** The access URLs the ManifestWork's feedback (and, for NODE_PORT, the cluster's endpoint) give today. */
export async function readAccessUrls(
  hub: HubAdapter,
  work: KubeObject,
  p: { namespace: string; project: string; cluster: string; components: readonly PlannedComponent[]; exposure: ExposureSetting },
): Promise<ExposureReading> {
  const urls: AccessUrl[] = [];
  const missing: string[] = [];
  let nodeHost: string | undefined | null = null;
  for (const c of p.components) {
    if (!c.expose) continue;
    const { port, path } = c.expose;
    if (p.exposure.mode === 'INGRESS') {
      urls.push({ component: c.name, url: ingressUrl(ingressHost(c.name, p.namespace, p.exposure.ingressHostSuffix ?? ''), path), port: 80 });
      continue;
    }
    const values = feedbackValues(work, serviceIdentifier(p.namespace, c.name));
    if (p.exposure.mode === 'NODE_PORT') {
      const nodePort = nodePortFromFeedback(values);
      if (nodePort === undefined) {
        missing.push(`the node port of ${c.name}`);
        continue;
      }
      if (nodeHost === null) {
        const cluster = await hub.get({ kind: 'Cluster', namespace: p.project, name: p.cluster });
        nodeHost = cluster ? controlPlaneHost(cluster) : undefined;
      }
      if (!nodeHost) missing.push(`the control-plane endpoint of cluster ${p.cluster} (for ${c.name})`);
      else urls.push({ component: c.name, url: accessUrl(nodeHost, { port: nodePort, path }), port: nodePort });
      continue;
    }
    const address = serviceAddressFromFeedback(values);
    if (address) urls.push({ component: c.name, url: accessUrl(address, { port, path }), port });
    else missing.push(`the load-balancer address of ${c.name}`);
  }
  return { urls, missing };
}

/** When this rollout began: kept in the step's checkpoint, restarted for a new reconcile request (a retry, a revision). */
export interface RolloutClock {
  token: string;
  startedAt: number;
}

export function rolloutClock(checkpoint: unknown, token: string, now: number): RolloutClock {
  const saved = (checkpoint as { rolloutClock?: Partial<RolloutClock> } | null | undefined)?.rolloutClock;
  if (saved && saved.token === token && typeof saved.startedAt === 'number') return { token, startedAt: saved.startedAt };
  return { token, startedAt: now };
}

/** `after <n>s (ROLLOUT_DEADLINE_SECONDS <d>)` once the deadline has passed; null before it, or without one (0). */
export function deadlinePassed(clock: RolloutClock, deadlineMs: number, now: number): string | null {
  const waited = now - clock.startedAt;
  if (deadlineMs <= 0 || waited < deadlineMs) return null;
  return `after ${Math.round(waited / 1000)}s (ROLLOUT_DEADLINE_SECONDS ${deadlineMs / 1000})`;
}

export function exposureTimeoutMessage(after: string, missing: string[], exposure: ExposureSetting): string {
  const hint = exposure.mode === 'LOAD_BALANCER' ? ' needs a load-balancer implementation on the spoke (use a NODE_PORT or INGRESS pool where there is none)' : '';
  return `No address ${after}: ${missing.join(', ')}; exposure ${exposure.mode}${hint}`;
}
