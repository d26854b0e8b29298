/**
 * The Dockerfile checked against the code, since no Docker engine runs here: a multi-stage build on
 * Node 20 slim whose build stage gets everything `npm run build` needs through the .dockerignore
 * (proved by running that build on exactly the copied files), a runtime stage with production
 * dependencies only, a numeric non-root USER, the configured port, and a HEALTHCHECK without curl
 * that really succeeds against a gateway's /healthz (and fails without one).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY } from '../../scripts/build.mjs';
import { loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { ROOT } from '../helpers/artifact.js';
import { all, envPairs, execForm, ignoredByDockerignore, parseDockerfile, type Stage } from '../helpers/dockerfile.js';
import { freePort } from '../helpers/free-port.js';

const dockerfile = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const build = dockerfile.stages.find((s) => s.name === 'build')!;
const runtime = dockerfile.stages.at(-1)!;

/** `COPY [--flags] src... dest` → sources and flags */
function copies(stage: Stage): Array<{ from: string | null; sources: string[]; dest: string }> {
  return all(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const rest = words.filter((w) => !w.startsWith('--'));
    return { from: flags.find((f) => f.startsWith('--from='))?.slice('--from='.length) ?? null, sources: rest.slice(0, -1), dest: rest.at(-1)! };
  });
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage, both on Node 20 slim', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    expect(runtime).not.toBe(build);
    for (const stage of dockerfile.stages) expect(stage.from).toMatch(/^node:20(\.\d+)*(-[a-z]+)?-slim(@sha256:[0-9a-f]{64})?$/);
  });

  it('builds with `npm ci` and the `npm run build` of package.json, then drops the dev dependencies', () => {
    const runs = all(build, 'RUN').join('\n');
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).toMatch(/\bnpm run build\b/);
    expect(runs).toMatch(/\bnpm prune --omit=dev\b/);
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    expect(existsSync(path.join(ROOT, 'scripts', 'build.mjs'))).toBe(true);
  });

  it('copies into the build stage what `npm run build` needs, and .dockerignore keeps none of it out', () => {
    const sources = copies(build).filter((c) => c.from === null).flatMap((c) => c.sources);
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'migrations', 'scripts', 'tsconfig.json', 'crds', 'deploy/addons']));
    for (const s of sources) {
      expect(existsSync(path.join(ROOT, s)), s).toBe(true);
      expect(ignoredByDockerignore(ignore, s), s).toBe(false);
    }
    // the host's native modules and outputs never enter the context
    for (const p of ['node_modules', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'dist/spokegraph.mjs', '.git', 'data/spokegraph.sqlite', 'deploy/overlays/ha-postgres/secrets.env']) {
      expect(ignoredByDockerignore(ignore, p), p).toBe(true);
    }

    // the build, run on exactly those files (plus installed dependencies), produces the bundle
    const ctx = mkdtempSync(path.join(tmpdir(), 'sg-docker-ctx-'));
    try {
      for (const s of sources) {
        cpSync(path.join(ROOT, s), path.join(ctx, s), { recursive: true, filter: (f) => !ignoredByDockerignore(ignore, path.relative(ROOT, f).split(path.sep).join('/')) });
      }
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(ctx, 'node_modules'));
      const r = spawnSync('npm', ['run', 'build'], { cwd: ctx, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(existsSync(path.join(ctx, 'dist', ENTRY))).toBe(true);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }, 150_000);

  it('runs the bundle with plain Node from production node_modules', () => {
    const fromBuild = copies(runtime).filter((c) => c.from === 'build');
    expect(fromBuild.flatMap((c) => c.sources).sort()).toEqual(['/app/dist', '/app/node_modules', '/app/package.json']);
    expect(copies(runtime).filter((c) => c.from === null)).toEqual([]);
    const entrypoint = execForm(all(runtime, 'ENTRYPOINT').at(-1)!);
    expect(entrypoint[0]).toBe('node');
    expect(entrypoint.at(-1)).toBe(`dist/${ENTRY}`);
    expect(execForm(all(runtime, 'CMD').at(-1)!)).toEqual(['serve']);
  });

  it('runs as a numeric non-root user that owns DATA_DIR', () => {
    const users = all(runtime, 'USER');
    const [uid, gid] = users.at(-1)!.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(gid).toMatch(/^\d+$/);
    const order = runtime.instructions.map((i) => i.keyword);
    expect(order.lastIndexOf('USER')).toBeLessThan(order.indexOf('ENTRYPOINT'));
    const env = Object.assign({}, ...all(runtime, 'ENV').map(envPairs)) as Record<string, string>;
    expect(all(runtime, 'RUN').join('\n')).toContain(`chown ${uid}:${gid} ${env.DATA_DIR}`);
    expect(execForm(all(runtime, 'VOLUME').at(-1)!)).toEqual([env.DATA_DIR]);
  });

  it('configures the gateway with variables the config knows, listening on the exposed port on all interfaces', () => {
    const env = Object.assign({}, ...all(runtime, 'ENV').map(envPairs)) as Record<string, string>;
    const config = loadConfig({ ...env, NODE_ENV: undefined }, '/app');
    expect(config.warnings).toEqual([]);
    expect(config.host).toBe('0.0.0.0');
    expect(all(runtime, 'EXPOSE')).toEqual([String(config.port)]);
    expect(config.db).toEqual({ kind: 'sqlite', file: path.join(env.DATA_DIR, 'spokegraph.sqlite') });
  });

  it('has a HEALTHCHECK that asks /healthz with Node alone: healthy against a gateway, unhealthy without one', async () => {
    const healthcheck = all(runtime, 'HEALTHCHECK').at(-1)!;
    const cmd = execForm(healthcheck.slice(healthcheck.indexOf('CMD ') + 4));
    expect(cmd[0]).toBe('node');
    expect(cmd.join(' ')).toContain('/healthz');
    expect(cmd.join(' ')).not.toMatch(/\b(curl|wget)\b/);
    // asynchronously: the gateway answering it runs in this process
    const run = (port: number) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, cmd.slice(1), { env: { PORT: String(port) }, timeout: 20_000 }).once('exit', resolve));
    expect(await run(app.port)).toBe(0);
    expect(await run(await freePort())).toBe(1);
  });
});
