/**
 * The production artifact (`npm run build` + `npm ci --omit=dev`, what the Dockerfile ships) runs
 * with plain Node and no dev tools: `migrate` migrates an empty database and exits, the gateway
 * starts on port 0, answers a smoke query and brings a pool to RUNNING on its simulated hub (which
 * reads the CRDs and the Flux add-on file shipped beside the bundle), and SIGTERM stops it cleanly.
 * One build for the file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INLINE } from '../../scripts/build.mjs';
import { buildArtifact, runArtifact, type Artifact, type ArtifactProcess } from '../helpers/artifact.js';
import { gqlRequest, ok } from '../helpers/graphql.js';

let artifact: Artifact;
let dataDir: string;
const token = 'sg_artifact_' + randomBytes(18).toString('base64url');

beforeAll(() => {
  artifact = buildArtifact();
  dataDir = mkdtempSync(path.join(tmpdir(), 'sg-artifact-data-'));
}, 180_000);

afterAll(() => {
  artifact?.remove();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The JSON log records in a process's output (other lines, like the token banner, skipped). */
function records(output: string): Record<string, unknown>[] {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const env = () => ({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'info', SIM_SPEED: '0', BOOTSTRAP_ADMIN_TOKEN: token });

/** The files of the bundle a start loads, and the packages they import or require() from node_modules. */
function startLoads(): { loaded: Set<string>; packages: Set<string> } {
  // The bundle is split (dist/spokegraph.mjs + dist/chunks/): follow the static imports from the
  // entry through its chunks. esbuild hoists static imports of external packages to the top of
  // whichever file needs them, so what a start loads is the packages those files import statically.
  const loaded = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (loaded.has(file)) return;
    loaded.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/^import\s*(?:[^;]*?\s*from\s*)?"([^"]+)"/gm)) {
      if (m[1].startsWith('.')) visit(path.resolve(path.dirname(file), m[1]));
      else packages.add(m[1]);
    }
    // CommonJS packages are loaded with require() (scripts/bundle.mjs, `requireCjs`): every such call
    // in a file a start loads counts as loaded, wherever in the file it stands
    for (const m of code.matchAll(/\b__require\("([^"]+)"\)/g)) packages.add(m[1]);
    // the entry itself only sets V8 up, then imports the commands unconditionally (src/main.ts):
    // what that module reaches statically is what every start loads
    if (file === artifact.entry) for (const m of code.matchAll(/^(?:const|var) \{ main \} = await import\("(\.[^"]+)"\)/gm)) visit(path.resolve(path.dirname(file), m[1]));
  };
  visit(artifact.entry);
  return { loaded, packages };
}

describe('the production artifact', () => {
  it('holds production dependencies only', () => {
    expect(artifact.packages).toContain('better-sqlite3');
    for (const devTool of ['tsx', 'esbuild', 'typescript', 'vitest', 'eslint']) {
      expect(artifact.packages).not.toContain(devTool);
    }
  });

  it('imports the OpenTelemetry SDK, jose, ioredis and the migrator only dynamically: a start without tracing, OIDC, Redis or pending migrations loads none of them', () => {
    const { loaded, packages } = startLoads();
    expect(loaded.size, 'the entry reaches its chunks').toBeGreaterThan(1);
    expect([...packages].filter((p) => p.startsWith('@opentelemetry/'))).toEqual(['@opentelemetry/api']);
    for (const lazy of ['jose', 'ioredis', '@mikro-orm/migrations', 'umzug']) expect([...packages], lazy).not.toContain(lazy);
    // and the SDK is there, behind a dynamic import of some file of the bundle: imported dynamically, or
    // required by a chunk that no start loads statically
    const all = [artifact.entry, ...readdirSync(path.join(path.dirname(artifact.entry), 'chunks')).map((f) => path.join(path.dirname(artifact.entry), 'chunks', f))];
    const source = (f: string) => readFileSync(f, 'utf8');
    expect(all.some((f) => f.endsWith('.mjs') && (source(f).includes('import("@opentelemetry/sdk-trace-base")') || (!loaded.has(f) && source(f).includes('__require("@opentelemetry/sdk-trace-base")'))))).toBe(true);
  });

  it('bundles every package of INLINE (knex, MikroORM, prom-client, client-node, …): a start loads none of them from node_modules', () => {
    const { packages } = startLoads();
    // a package, or a file of one (`lodash/merge.js`)
    const fromNodeModules = [...packages].filter((p) => INLINE.some((name) => p === name || p.startsWith(`${name}/`)));
    expect(fromNodeModules).toEqual([]);
    // among them, those the cold-start figures rest on (bench/README.md: cold8, lead thirteenth part)
    for (const name of ['knex', 'lodash', 'semver', 'prom-client', 'fs-extra', '@mikro-orm/core', '@mikro-orm/knex', '@mikro-orm/better-sqlite', '@mikro-orm/postgresql', '@graphql-tools/schema']) expect(INLINE, name).toContain(name);
    // graphql stays one shared instance in node_modules (the bundle and graphql-ws both use it)
    expect([...packages]).toContain('graphql');
  });

  it('`migrate` migrates an empty database and exits; a second run finds nothing to do', async () => {
    const first = runArtifact(artifact, ['migrate'], env());
    expect(await first.exited, first.output()).toBe(0);
    expect(records(first.output()).find((r) => r.msg === 'database migrated')?.applied).toEqual(expect.arrayContaining(['Migration0001Initial']));
    const second = runArtifact(artifact, ['migrate'], env());
    expect(await second.exited, second.output()).toBe(0);
    expect(records(second.output()).find((r) => r.msg === 'database already up to date')?.applied).toEqual([]);
  });

  it('refuses unknown commands', async () => {
    const p = runArtifact(artifact, ['migrat'], env());
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/unknown arguments: migrat\nusage: spokegraph \[serve\|migrate\]/);
  });

  it('serves: health, readiness, GraphiQL, a query over the seeded demo, a pool on the simulated hub; SIGTERM stops it', async () => {
    const gw: ArtifactProcess = runArtifact(artifact, [], env());
    try {
      let url: string | undefined;
      const deadline = Date.now() + 60_000;
      while (!url) {
        url = /GraphiQL: (http:\/\/\S+)/.exec(gw.output())?.[1];
        if (gw.child.exitCode !== null) throw new Error(`the artifact exited:\n${gw.output()}`);
        if (Date.now() > deadline) throw new Error(`the artifact did not start:\n${gw.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const base = url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
      // GraphiQL's assets come from node_modules (graphiql, react): present in the artifact
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const assets = [...(await page.text()).matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) expect([asset, (await fetch(`${base}${asset}`)).status]).toEqual([asset, 200]);
      // the web console is part of the artifact (built into dist/web), not the "not built" page
      const consolePage = await (await fetch(`${base}/`, { headers: { accept: 'text/html' } })).text();
      expect(consolePage).not.toMatch(/not built/);
      const scripts = [...consolePage.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect([script, (await fetch(`${base}${script}`)).status]).toEqual([script, 200]);

      const data = ok(
        await gqlRequest<any>(url, '{ viewer { isPlatformAdmin } tenant(name: "demo") { name projects(first: 5) { nodes { name } } } }', undefined, token),
      );
      expect(data).toEqual({ viewer: { isPlatformAdmin: true }, tenant: { name: 'demo', projects: { nodes: [{ name: 'demo-ml' }] } } });

      // a pool on the embedded simulated hub: its custom resources are checked against the CRDs and
      // the Flux add-on it installs is read from files the artifact must carry beside the bundle
      const project = ok(await gqlRequest<any>(url, '{ tenant(name: "demo") { projects(first: 1) { nodes { id profileBundles(first: 20) { nodes { id bundleType } } } } } }', undefined, token)).tenant.projects.nodes[0];
      const infra = project.profileBundles.nodes.find((b: { bundleType: string }) => b.bundleType === 'INFRASTRUCTURE');
      expect(infra).toBeDefined();
      const created = ok(
        await gqlRequest<any>(
          url,
          'mutation($i: CreateComputePoolInput!) { createComputePool(input: $i) { computePool { id } userErrors { code message } } }',
          { i: { projectId: project.id, name: 'artifact-pool', mode: 'SHARED', infrastructureBundleId: infra.id, nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [] } } },
          token,
        ),
      ).createComputePool;
      expect(created.userErrors).toEqual([]);
      let phase = '';
      const poolDeadline = Date.now() + 90_000;
      while (phase !== 'RUNNING' && phase !== 'FAILED' && Date.now() < poolDeadline) {
        await new Promise((r) => setTimeout(r, 200));
        phase = ok(await gqlRequest<any>(url, 'query($id: ID!) { node(id: $id) { ... on ComputePool { phase } } }', { id: created.computePool.id }, token)).node.phase;
      }
      expect(phase, gw.output().slice(-4000)).toBe('RUNNING');

      gw.child.kill('SIGTERM');
      expect(await gw.exited, gw.output()).toBe(0);
      expect(records(gw.output()).find((r) => r.msg === 'shutting down')?.signal).toBe('SIGTERM');
    } finally {
      if (gw.child.exitCode === null) gw.child.kill('SIGKILL');
    }
  });
});
