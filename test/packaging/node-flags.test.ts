/**
 * The Node options of the gateway (scripts/build.mjs NODE_FLAGS: V8 heap sizes, which only take
 * effect when a process starts) are passed by every start of the bundle: the image's ENTRYPOINT and
 * `npm start` (package.json passes them to scripts/start.mjs, which then runs the gateway in its own
 * process; started without them, it runs the gateway in a child Node that has them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTRY, NODE_FLAGS } from '../../scripts/build.mjs';
import { ROOT } from '../helpers/artifact.js';
import { all, execForm, parseDockerfile } from '../helpers/dockerfile.js';

// every Node process of a start reports its options
const probeDir = mkdtempSync(path.join(tmpdir(), 'sg-flags-'));
const probeFile = path.join(probeDir, 'probe.mjs');
writeFileSync(probeFile, "process.stderr.write(`execArgv ${JSON.stringify(process.execArgv)}\\n`);\n");
afterAll(() => rmSync(probeDir, { recursive: true, force: true }));

describe('Node options of the gateway', () => {
  it('the image passes them before the bundle', () => {
    const runtime = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).stages.at(-1)!;
    const entrypoint = execForm(all(runtime, 'ENTRYPOINT').at(-1)!);
    expect(NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of NODE_FLAGS) expect(entrypoint.indexOf(flag)).toBeGreaterThan(0);
    for (const flag of NODE_FLAGS) expect(entrypoint.indexOf(flag)).toBeLessThan(entrypoint.indexOf(`dist/${ENTRY}`));
  });

  it('npm start passes them, so the gateway runs in the one process npm starts', () => {
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
    const words = start.split(/\s+/);
    expect(words[0]).toBe('node');
    for (const flag of NODE_FLAGS) expect(words.indexOf(flag)).toBeGreaterThan(0);
    for (const flag of NODE_FLAGS) expect(words.indexOf(flag)).toBeLessThan(words.indexOf('scripts/start.mjs'));
    const run = spawnSync(process.execPath, [...words.slice(1), '--help'], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: `--import ${probeFile}` }, encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/serve/);
    const options = run.stderr.split('\n').filter((l) => l.startsWith('execArgv ')).map((l) => JSON.parse(l.slice('execArgv '.length)) as string[]);
    expect(options.length).toBe(1);
    for (const flag of NODE_FLAGS) expect(options[0]).toContain(flag);
  }, 150_000);

  it('scripts/start.mjs started without them runs the gateway in a child Node with them, passing its arguments and exit code', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-flags-'));
    try {
      // every Node process of the start reports its options
      const probe = path.join(dir, 'probe.mjs');
      writeFileSync(probe, "process.stderr.write(`execArgv ${JSON.stringify(process.execArgv)}\\n`);\n");
      const run = spawnSync(process.execPath, ['scripts/start.mjs', '--help'], {
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: `--import ${probe}` },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.status).toBe(0);
      expect(run.stdout + run.stderr).toMatch(/serve/);
      const lines = run.stderr.split('\n').filter((l) => l.startsWith('execArgv '));
      const options = lines.map((l) => JSON.parse(l.slice('execArgv '.length)) as string[]);
      // the process that ran the gateway's --help (the last to start) had every flag
      expect(options.length).toBe(2);
      for (const flag of NODE_FLAGS) expect(options.at(-1)).toContain(flag);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
