import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimEnv, startSimulatedHub } from '../../../src/sim/index.js';
import { silentLogger } from '../../../src/logger.js';
import { Fleet, isTrue } from './fleet.fixtures.js';
import { startTestHub, waitFor } from './sim.helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'spokegraph-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulated hub lifecycle: settings, persistence, standalone process', () => {
  it('should parse SIM_* settings and report every problem', () => {
    const ok = parseSimEnv({ SIM_SPEED: '0.5', SIM_ERROR_RATE: '0.1', SIM_FAIL_CLUSTERS: 'a, b', SIM_FAIL_RELEASES: 'llm', SIM_DROP_WATCHES_MS: '5000', SIM_STATUS_DELAY_MS: '0', SIM_ERROR_VERBS: 'get,list', SIM_PORT: '7443', SIM_STATE_FILE: 'data/hub.json' });
    expect(ok.errors).toEqual([]);
    expect(ok.options).toEqual({
      speed: 0.5,
      port: 7443,
      stateFile: 'data/hub.json',
      faults: { errorRate: 0.1, errorVerbs: ['get', 'list'], failClusters: ['a', 'b'], failReleases: ['llm'], dropWatchesEveryMs: 5000, statusDelayMs: 0 },
    });
    const bad = parseSimEnv({ SIM_SPEED: '-1', SIM_ERROR_RATE: '2', SIM_FAIL_CLUSTERS: 'Bad_Name', SIM_DROP_WATCHES_MS: '1.5', SIM_STATUS_DELAY_MS: 'soon', SIM_ERROR_VERBS: 'explode' });
    expect(bad.errors).toHaveLength(6);
    expect(bad.errors.join('\n')).toMatch(/SIM_SPEED[\s\S]*SIM_ERROR_RATE[\s\S]*SIM_ERROR_VERBS[\s\S]*SIM_FAIL_CLUSTERS[\s\S]*SIM_DROP_WATCHES_MS[\s\S]*SIM_STATUS_DELAY_MS/);
    expect(parseSimEnv({}).options).toEqual({});
  });

  it('should refuse invalid faults set at runtime', async () => {
    const hub = await startTestHub({ controllers: false });
    try {
      expect(() => hub.faults.set({ errorRate: 3 })).toThrow(/errorRate/);
      hub.faults.set({ failClusters: ['x'] });
      expect(hub.faults.get().failClusters).toEqual(['x']);
      hub.faults.clear();
      expect(hub.faults.get().failClusters).toEqual([]);
    } finally {
      await hub.stop();
    }
  });

  it('should save state on stop and resume provisioning after a restart from the state file', async () => {
    const stateFile = join(dir, 'state.json');
    // Demo pace, so the cluster is still mid-way when the hub stops.
    const first = await startSimulatedHub({ speed: 1, logger: silentLogger, stateFile });
    const fleet = new Fleet(first.kubeConfig());
    await fleet.namespace('proj-s');
    await fleet.cluster('proj-s', 'persist-1', [{ hostId: 'cp', role: 'CONTROL_PLANE' }]);
    await fleet.until('cluster.x-k8s.io/v1beta2', 'Cluster', 'persist-1', 'proj-s', (c) => c.status?.phase);
    const rvBefore = Number((await fleet.read('cluster.x-k8s.io/v1beta2', 'Cluster', 'persist-1', 'proj-s')).metadata.resourceVersion);
    await first.stop();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).format).toBe('spokegraph-sim/v1');

    const second = await startSimulatedHub({ speed: 0, logger: silentLogger, stateFile });
    try {
      const again = new Fleet(second.kubeConfig());
      const done = await again.until('cluster.x-k8s.io/v1beta2', 'Cluster', 'persist-1', 'proj-s', (c) => c.status?.phase === 'Provisioned');
      expect(Number(done.metadata.resourceVersion)).toBeGreaterThan(rvBefore);
      expect(done.metadata.uid).toBeTruthy();
      // Watch history is not persisted: resuming from a pre-restart resourceVersion is 410 Gone.
      const res = await fetch(`${second.url}/apis/cluster.x-k8s.io/v1beta2/clusters?watch=1&resourceVersion=1`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('"code":410');
    } finally {
      await second.stop();
    }
  });

  it('should run as a standalone process that prints its URL, writes a kubeconfig and stops on SIGTERM', async () => {
    const kubeconfig = join(dir, 'hub.kubeconfig');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/standalone.ts', '--port', '0', '--kubeconfig', kubeconfig, '--speed', '0', '--state', join(dir, 'standalone.json')], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SIM_FAIL_RELEASES: 'never' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const line = await new Promise<string>((resolveLine, reject) => {
        createInterface(child.stdout).once('line', resolveLine);
        child.once('exit', () => reject(new Error(`standalone hub exited early: ${stderr}`)));
      });
      const info = JSON.parse(line) as { url: string; kubeconfig: string; simulated: boolean };
      expect(info).toMatchObject({ kubeconfig, simulated: true });
      expect(stderr).toContain('SIMULATED Kubernetes hub (spokegraph sim) listening on');
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      expect(kc.getCurrentCluster()?.server).toBe(info.url);
      const core = kc.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: 'from-outside' } } });
      const fleet = new Fleet(kc);
      await fleet.register('ext-1');
      await fleet.until('cluster.open-cluster-management.io/v1', 'ManagedCluster', 'ext-1', undefined, (m) => isTrue(m, 'ManagedClusterConditionAvailable'));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    await waitFor('state saved', () => JSON.parse(readFileSync(join(dir, 'standalone.json'), 'utf8')).hub.objects.some((o: { metadata: { name: string } }) => o.metadata.name === 'from-outside'));
  });
});
