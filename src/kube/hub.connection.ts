/**
 * Where the hub is: a KubeConfig from a kubeconfig file (HUB_KUBECONFIG), from the pod's service
 * account (in-cluster), or from a simulated hub. Options are typed and parsed elsewhere (src/config.ts);
 * nothing here reads the environment.
 */
import { KubeConfig } from '@kubernetes/client-node';

/** The one server-side-apply field manager of every write the gateway makes. */
export const FIELD_MANAGER = 'spokegraph';

/** Anything that can hand out a KubeConfig for itself, e.g. the simulated hub of src/sim. */
export interface KubeConfigSource {
  kubeConfig(): KubeConfig;
}

export type HubConnectionOptions =
  /** a kubeconfig file; `context` selects a context other than the current one */
  | { kind: 'kubeconfig'; file: string; context?: string | undefined }
  /** the pod's service account (KUBERNETES_SERVICE_HOST/PORT + token and CA files) */
  | { kind: 'in-cluster' }
  /** an already built KubeConfig source (the simulated hub, tests) */
  | { kind: 'simulated'; hub: KubeConfigSource };

export class HubConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubConnectionError';
  }
}

export function loadHubKubeConfig(opts: HubConnectionOptions): KubeConfig {
  let kc: KubeConfig;
  switch (opts.kind) {
    case 'kubeconfig':
      kc = new KubeConfig();
      try {
        kc.loadFromFile(opts.file);
      } catch (err) {
        throw new HubConnectionError(`cannot read hub kubeconfig ${opts.file}: ${(err as Error).message}`);
      }
      if (opts.context) {
        if (!kc.getContextObject(opts.context)) {
          throw new HubConnectionError(`hub kubeconfig ${opts.file} has no context "${opts.context}"`);
        }
        kc.setCurrentContext(opts.context);
      }
      break;
    case 'in-cluster':
      kc = new KubeConfig();
      kc.loadFromCluster();
      break;
    case 'simulated':
      kc = opts.hub.kubeConfig();
      break;
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new HubConnectionError('hub kubeconfig has no current cluster');
  // client-node refuses http:// servers unless skipTLSVerify is set; say so up front, not on the first call
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new HubConnectionError(`hub server ${cluster.server} is plain http: set insecure-skip-tls-verify on its cluster entry`);
  }
  return kc;
}
