/**
 * Connects the gateway to its hub: a real cluster (HUB_KUBECONFIG or in-cluster) or, by default, the
 * embedded SIMULATED hub started in this process. Either way the rest of the gateway only sees the
 * HubAdapter, i.e. real @kubernetes/client-node calls over HTTP.
 */
import { readFileSync } from 'node:fs';
import type { RegistrationOptions } from './compute/pool.flow.view.js';
import type { Config } from './config.js';
import { readKlusterletOperatorManifests } from './kube/klusterlet.operator.js';
import type { HubAdapter } from './kube/hub.adapter.js';
import type { Logger } from './logger.js';
import type { SimulatedHub } from './sim/index.js';

export interface HubHandle {
  adapter: HubAdapter;
  /** The embedded simulator, when the hub is simulated. */
  sim: SimulatedHub | null;
  description: string;
  close(): Promise<void>;
}

export async function connectHub(config: Config, log: Logger): Promise<HubHandle> {
  const hubLog = log.child({ component: 'hub' });
  // Loaded here, not at the top: @kubernetes/client-node is the largest module tree of a start (about
  // 0.4 s of CPU and 60 MB), and app.ts connects the hub only once the API is served.
  const { createHubAdapter } = await import('./kube/hub.adapter.js');
  if (config.hub.kind === 'simulated') {
    // Loaded here, not at the top: a gateway on a real hub never loads the simulator.
    const { startSimulatedHub } = await import('./sim/index.js');
    const sim = await startSimulatedHub({ ...config.hub.options, logger: hubLog });
    const adapter = createHubAdapter({ kind: 'simulated', hub: sim }, { logger: hubLog });
    return {
      adapter,
      sim,
      description: `SIMULATED hub at ${sim.url} (set HUB_KUBECONFIG to use a real cluster)`,
      close: () => sim.stop(),
    };
  }
  const adapter = createHubAdapter(
    config.hub.kind === 'kubeconfig' ? { kind: 'kubeconfig', file: config.hub.file, context: config.hub.context } : { kind: 'in-cluster' },
    { logger: hubLog },
  );
  return {
    adapter,
    sim: null,
    description: config.hub.kind === 'kubeconfig' ? `hub from ${config.hub.file}` : 'hub from the in-cluster service account',
    close: async () => undefined,
  };
}

/**
 * The registration settings the pool flows use, with the files read once here: the klusterlet
 * operator manifests and the bootstrap kubeconfig (the simulator's own when none is configured).
 */
export function registrationOptions(config: Config, hub: HubHandle): RegistrationOptions {
  const r = config.registration;
  if (r.mode === 'auto-import') return r;
  const bootstrapKubeconfig = r.bootstrapKubeconfigFile ? readFileSync(r.bootstrapKubeconfigFile, 'utf8') : hub.sim?.kubeconfigYaml();
  if (!bootstrapKubeconfig) throw new Error('HUB_REGISTRATION=klusterlet needs KLUSTERLET_BOOTSTRAP_KUBECONFIG');
  return { mode: 'klusterlet', operatorManifests: readKlusterletOperatorManifests(r.operatorManifestsFile), bootstrapKubeconfig, imageTag: r.imageTag };
}
