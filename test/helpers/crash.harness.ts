/**
 * The set-up every crash test shares: a simulated hub in this process reached through a proxy that
 * can hold one hub request, a database that outlives gateway processes, and the gateway as a child
 * process (test/helpers/gateway.process.ts) that the test SIGKILLs and starts again on the same
 * database and hub.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { startSimulatedHub, type SimulatedHub } from '../../src/sim/index.js';
import { testDialect } from './db.js';
import { gatewayDatabase, newAdminToken, startGateway, type GatewayDb, type GatewayProcess } from './gateway.process.js';
import { startHubProxy, type HubProxy } from './hub-proxy.js';

export interface CrashHarness {
  hub: SimulatedHub;
  proxy: HubProxy;
  db: GatewayDb;
  /** the gateway running now (replaced by `restart`) */
  gw: GatewayProcess;
  /** SIGKILLs the running gateway, drops whatever the proxy holds, starts a new one on the same database and hub. */
  restart(): Promise<GatewayProcess>;
  close(): Promise<void>;
}

export async function startCrashHarness(opts: { speed: number; tmpPrefix: string }): Promise<CrashHarness> {
  const hub = await startSimulatedHub({ speed: opts.speed, logger: createLogger({ level: 'silent' }) });
  const proxy = await startHubProxy(hub.url);
  const dir = mkdtempSync(join(tmpdir(), opts.tmpPrefix));
  const kubeconfig = join(dir, 'hub.kubeconfig');
  writeFileSync(kubeconfig, hub.kubeconfigYaml().replace(hub.url, proxy.url), { mode: 0o600 });
  const db = await gatewayDatabase(testDialect());
  const adminToken = newAdminToken();
  const start = () => startGateway({ databaseUrl: db.url, kubeconfig, adminToken });
  const h: CrashHarness = {
    hub,
    proxy,
    db,
    gw: await start(),
    async restart() {
      await h.gw.kill('SIGKILL');
      proxy.dropHeld();
      h.gw = await start();
      return h.gw;
    },
    async close() {
      await h.gw?.kill('SIGTERM');
      await proxy.close();
      await hub.stop();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
