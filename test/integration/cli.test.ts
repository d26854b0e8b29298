/**
 * The `spokegraph` CLI as a user runs it: a child process (`node bin/spokegraph.mjs`, what `npx
 * spokegraph` runs) against the real gateway on port 0 with the demo content and a SHARED GPU pool.
 */
import { statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { configHome, runCli } from '../helpers/cli.js';
import { createPool, waitForPoolPhase } from '../helpers/compute.js';
import { startCutProxy } from '../helpers/cut-proxy.js';
import { createAppBundle } from '../helpers/deploy.js';
import { freePort } from '../helpers/free-port.js';
import { isGapless } from '../helpers/events.js';
import { uniq } from '../helpers/seed.js';

const PROJECT = 'demo-ml';
const FAILING = 'doomed'; // releases of components with this name fail in the simulated hub

let app: TestApp;
let env: Record<string, string>;
let failingBundle: string;

/** `#  3 QUEUED       step 1/4    25%  message` → seq and phase */
const eventLines = (stdout: string) =>
  stdout
    .split('\n')
    .map((l) => /^#\s*(\d+) (\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ seq: Number(m[1]), phase: m[2] }));

beforeAll(async () => {
  app = await startTestApp({ env: { SEED_DEMO: 'true', SIM_FAIL_RELEASES: FAILING } });
  const project = (await app.q(`{ project(name: "${PROJECT}") { id profileBundles(first: 10) { nodes { id name } } } }`)).project;
  const infra = project.profileBundles.nodes.find((b: { name: string }) => b.name === 'edge-gpu-cluster').id;
  const pool = (await createPool(app, { projectId: project.id, infrastructureBundleId: infra, name: 'cli-pool', mode: 'SHARED', workers: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }] })).createComputePool.computePool;
  await waitForPoolPhase(app, pool.id, ['RUNNING']);
  failingBundle = await createAppBundle(app, project.id, { name: 'doomed-app', component: FAILING });
  env = { SPOKEGRAPH_URL: app.url, SPOKEGRAPH_TOKEN: app.adminToken, SPOKEGRAPH_PROJECT: PROJECT, XDG_CONFIG_HOME: configHome() };
}, 120_000);

afterAll(async () => {
  await app?.close();
});

// each test runs several CLI processes (~0.5 s each): allow for a loaded machine
describe('spokegraph CLI', { timeout: 90_000 }, () => {
  it('login checks the token and stores URL, token and project in a 0600 file; env overrides it', async () => {
    const home = configHome();
    const login = await runCli(['--url', app.url, '-p', PROJECT, 'login'], { XDG_CONFIG_HOME: home }, { input: app.adminToken + '\n' });
    expect(login.code, login.stderr).toBe(0);
    const file = path.join(home, 'spokegraph', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: app.url, token: app.adminToken, project: PROJECT });

    // later commands use the stored login
    const quota = await runCli(['quota'], { XDG_CONFIG_HOME: home });
    expect(quota.code, quota.stderr).toBe(0);
    expect(quota.stdout).toMatch(/^NVIDIA-H100\s+16\s+/m);
    // the environment overrides the file
    const overridden = await runCli(['quota'], { XDG_CONFIG_HOME: home, SPOKEGRAPH_TOKEN: 'sg_wrong_token_0123456789' });
    expect(overridden.code).toBe(3);

    // a refused token is not stored
    const other = configHome();
    const bad = await runCli(['--url', app.url, 'login', '--token', 'sg_wrong_token_0123456789'], { XDG_CONFIG_HOME: other });
    expect(bad.code).toBe(3);
    expect(() => statSync(path.join(other, 'spokegraph', 'config.json'))).toThrow();
  });

  it('projects and quota print tables and JSON', async () => {
    const table = await runCli(['projects'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+TENANT\s+DISPLAY NAME\s+GPU QUOTA\s+ID$/);
    expect(table.stdout).toMatch(/^demo-ml\s+demo\s+Demo ML\s+NVIDIA-A100 \d+\/8, NVIDIA-H100 \d+\/16/m);
    const json = await runCli(['-o', 'json', 'projects'], env);
    expect(JSON.parse(json.stdout).map((p: { name: string }) => p.name)).toContain(PROJECT);

    const quota = await runCli(['quota', '-o', 'json'], env);
    expect(JSON.parse(quota.stdout)).toContainEqual(expect.objectContaining({ gpuFamily: 'NVIDIA-H100', limit: 16 }));
    const quotaTable = await runCli(['quota'], env);
    expect(quotaTable.stdout.split('\n')[0]).toMatch(/^GPU FAMILY\s+LIMIT\s+USED\s+AVAILABLE$/);
    const refused = await runCli(['quota', '--what-if', 'NVIDIA-H100=17'], env);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toMatch(/^PROJECT\s+NVIDIA-H100\s+17\s+\d+\s+16\s+REFUSED$/m);

    const pools = await runCli(['pools', '-o', 'json'], env);
    expect(JSON.parse(pools.stdout).map((p: { name: string; phase: string }) => `${p.name}:${p.phase}`)).toContain('cli-pool:RUNNING');
  });

  it('deploy --dry-run prints the plan and creates nothing', async () => {
    const before = JSON.parse((await runCli(['status', '-o', 'json'], env)).stdout).length;
    const name = uniq('dry');
    const dry = await runCli(['deploy', name, '-b', 'llm-inference', '--pool', 'cli-pool', '--var', 'maxModelLen=4096', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would be admitted');
    expect(dry.stdout).toMatch(/steps:\s+1\. provision-pool\s+2\. place\s+3\. apply-work\s+4\. rollout/);
    expect(dry.stdout).toContain(`ManifestWork ${PROJECT}--${name}`); // owners joined by "--" (docs/hub-conventions.md)
    const json = JSON.parse((await runCli(['deploy', name, '-b', 'llm-inference@v1', '--pool', 'cli-pool', '--dry-run', '-o', 'json'], env)).stdout);
    expect(json).toMatchObject({ allowed: true, pool: { name: 'cli-pool', isNew: false } });
    expect(JSON.parse((await runCli(['status', '-o', 'json'], env)).stdout).length).toBe(before);

    // a dry run that would be refused prints the plan and exits 4
    const big = await runCli(['deploy', uniq('big'), '-b', 'llm-inference', '--infrastructure-bundle', 'edge-gpu-cluster', '--worker-pool', 'name=gpu,nodes=3,gpu=NVIDIA-H100:8', '--dry-run'], env);
    expect(big.code).toBe(4);
    expect(big.stdout).toMatch(/refused:\s+QUOTA_EXCEEDED/);
  });

  it('deploy --watch prints one line per event through RUNNING, then the access URLs', async () => {
    const name = uniq('watch');
    const run = await runCli(['deploy', name, '-b', 'llm-inference', '--pool', 'cli-pool', '--var', 'model=Qwen/Qwen2.5-7B-Instruct', '--watch'], env);
    expect(run.code, run.stderr).toBe(0);
    const events = eventLines(run.stdout);
    expect(isGapless(events.map((e) => e.seq))).toBe(true);
    expect(events.at(-1)!.phase).toBe('RUNNING');
    expect(run.stdout).toContain(`${name} is RUNNING`);
    expect(run.stdout).toMatch(/^ {2}vllm\s+http:\/\/[\d.]+:8000\/v1$/m);
    const status = JSON.parse((await runCli(['status', name, '-o', 'json'], env)).stdout);
    expect(status).toMatchObject({ name, phase: 'RUNNING', variableValues: { model: 'Qwen/Qwen2.5-7B-Instruct' } });

    const deleted = await runCli(['delete', name, '--watch'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    const teardown = eventLines(deleted.stdout);
    expect(teardown[0].phase).toBe('DELETING'); // only what followed the request
    expect(teardown.at(-1)!.phase).toBe('DELETED');
  });

  it('exit codes: user error 4, no token 3, not found 5, usage 2, unreachable 7', async () => {
    const bad = await runCli(['deploy', 'Bad_Name', '-b', 'llm-inference', '--pool', 'cli-pool'], env);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('INVALID_NAME input.name');
    const json = await runCli(['deploy', 'Bad_Name', '-b', 'llm-inference', '--pool', 'cli-pool', '-o', 'json'], env);
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'INVALID_NAME', exitCode: 4 });

    const noToken = await runCli(['projects'], { ...env, SPOKEGRAPH_TOKEN: undefined, XDG_CONFIG_HOME: configHome() });
    expect(noToken.code).toBe(3);
    expect(noToken.stderr).toContain('No token');
    expect((await runCli(['projects'], { ...env, SPOKEGRAPH_TOKEN: 'sg_wrong_token_0123456789' })).code).toBe(3);

    expect((await runCli(['status', 'no-such-app'], env)).code).toBe(5);
    expect((await runCli(['pools', '-p', 'no-such-project'], env)).code).toBe(5);
    expect((await runCli(['deploy', 'x-app', '-b', 'no-such-bundle', '--pool', 'cli-pool'], env)).code).toBe(5);

    expect((await runCli(['deploy'], env)).code).toBe(2);
    expect((await runCli(['no-such-command'], env)).code).toBe(2);
    expect((await runCli(['deploy', 'x-app', '-b', 'llm-inference', '--pool', 'cli-pool', '--var', 'maxModelLen=many'], env)).code).toBe(2);
    expect((await runCli(['--help'], env)).code).toBe(0);

    const port = await freePort();
    const down = await runCli(['projects'], { ...env, SPOKEGRAPH_URL: `http://127.0.0.1:${port}/graphql` });
    expect(down.code).toBe(7);
    expect(down.stderr).toContain('Cannot reach');
  });

  it('a deployment that ends FAILED exits 6 with the failed step; retry --watch exits 6 again', async () => {
    const name = uniq('fail');
    const run = await runCli(['deploy', name, '-b', failingBundle, '--pool', 'cli-pool', '--watch'], env);
    expect(run.code, run.stderr).toBe(6);
    expect(eventLines(run.stdout).at(-1)!.phase).toBe('FAILED');
    expect(run.stderr).toMatch(/FAILED at step rollout: RELEASE_FAILED/);
    const status = JSON.parse((await runCli(['status', name, '-o', 'json'], env)).stdout);
    expect(status.status.failure).toMatchObject({ step: 'rollout' });

    const retried = await runCli(['retry', name, '--watch'], env);
    expect(retried.code).toBe(6);
    expect(eventLines(retried.stdout)[0].phase).not.toBe('QUEUED'); // resumes, does not replay the first attempt
  });

  it('events --follow resumes by cursor after the connection drops, without gaps or repeats', async () => {
    const name = uniq('follow');
    const deployed = await runCli(['deploy', name, '-b', 'llm-inference', '--pool', 'cli-pool', '-o', 'json'], env);
    expect(deployed.code, deployed.stderr).toBe(0);
    // cut the first WebSocket after ~1.5 KB from the gateway: the ack and a few events, mid-frame
    const proxy = await startCutProxy(app.url, 1500);
    try {
      const run = await runCli(['events', name, '--follow'], { ...env, SPOKEGRAPH_URL: proxy.url });
      expect(run.code, run.stderr).toBe(0);
      expect(proxy.stats).toEqual({ websockets: 2, cuts: 1 });
      const events = eventLines(run.stdout);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      // it resubscribed after the last event the broken socket delivered, and got nothing twice
      const resumedAfter = Number(/resuming after event #(\d+)/.exec(run.stderr)?.[1]);
      expect(resumedAfter).toBeGreaterThanOrEqual(1);
      expect(resumedAfter).toBeLessThan(events.length);
      expect(run.stderr).not.toContain('received twice');
      expect(events.at(-1)!.phase).toBe('RUNNING');
      const log = await runCli(['events', name, '-o', 'json'], env);
      expect(JSON.parse(log.stdout).length).toBe(events.length);
    } finally {
      await proxy.close();
    }
  });
});
