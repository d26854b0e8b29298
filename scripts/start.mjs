/**
 * `npm start`: (re)builds the production bundle and the web console when their sources changed
 * since the last build (scripts/build.mjs, with esbuild and Vite from the devDependencies that
 * `npm ci` installs; a few stat calls when nothing changed), then runs the gateway in this process
 * with plain Node. Arguments are the gateway's (`npm start -- migrate`), except `--web` (only build
 * the console). A production image runs the bundle directly: `node <NODE_FLAGS> dist/spokegraph.mjs`.
 *
 * NODE_FLAGS (build.mjs: V8 heap sizes) only take effect at a process's start. `npm start` passes them
 * (package.json), so the gateway runs in this process; started without them (`node scripts/start.mjs`)
 * it runs in a child Node started with them (signals forwarded, its exit code returned).
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { build, buildWeb, ENTRY, isStale, isWebStale, NODE_FLAGS, root } from './build.mjs';

const fail = (what, e) => {
  const missing = e && typeof e === 'object' && 'code' in e && e.code === 'ERR_MODULE_NOT_FOUND';
  process.stderr.write(
    missing
      ? `spokegraph: the ${what} is missing or older than its sources, and the build tools are not installed (npm ci --omit=dev?): run \`npm ci && npm run build\` first\n`
      : `spokegraph: ${what} build failed: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
};

const webOnly = process.argv.includes('--web');
const outdir = path.join(root, 'dist');
if (!webOnly && isStale(outdir)) await build(outdir).catch((e) => fail('bundle', e));
if (isWebStale(outdir)) {
  const started = Date.now();
  await buildWeb(outdir).catch((e) => fail('web console', e));
  console.log(`web console built into dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
const entry = path.join(outdir, ENTRY);
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const missing = NODE_FLAGS.filter((f) => !given.some((g) => g.split('=')[0] === f.split('=')[0]));
if (!webOnly && missing.length === 0) await import(pathToFileURL(entry).href);
if (!webOnly && missing.length > 0) {
  const child = spawn(process.execPath, [...missing, ...process.execArgv, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  // a terminal's Ctrl-C reaches both processes; a signal sent to this one only (npm, a supervisor) is passed on
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)));
}
