/**
 * A test app whose hub calls go through a HubProxy to its own simulated hub, so a race test can
 * hold one chosen hub write while it changes the app's state.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { startSimulatedHub, type SimulatedHub } from '../../src/sim/index.js';
import { startTestApp, type TestApp } from './app.js';
import { startHubProxy, type HubProxy } from './hub-proxy.js';

export interface ProxiedApp {
  hub: SimulatedHub;
  proxy: HubProxy;
  app: TestApp;
  close(): Promise<void>;
}

export async function startProxiedApp(): Promise<ProxiedApp> {
  const hub = await startSimulatedHub({ speed: 0, logger: createLogger({ level: 'silent' }) });
  const proxy = await startHubProxy(hub.url);
  const dir = mkdtempSync(join(tmpdir(), 'sg-proxied-'));
  const kubeconfig = join(dir, 'hub.kubeconfig');
  writeFileSync(kubeconfig, hub.kubeconfigYaml().replace(hub.url, proxy.url), { mode: 0o600 });
  const app = await startTestApp({ env: { HUB_KUBECONFIG: kubeconfig, WORKFLOW_LEASE_MS: '1000' } });
  return {
    hub,
    proxy,
    app,
    close: async () => {
      await app.close();
      await proxy.close();
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
