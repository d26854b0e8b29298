/**
 * `npm start`: (re)builds the production bundle and the web console when their sources changed
 * since the last build (scripts/build.mjs, with esbuild and Vite from the devDependencies that
 * `npm ci` installs; a few stat calls when nothing changed), then runs the gateway in this process
 * with plain Node. Arguments are the gateway's (`npm start -- migrate`), except `--web` (only build
 * the console). A production image runs the bundle directly: `node dist/spokegraph.mjs`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, buildWeb, ENTRY, isStale, isWebStale, root } from './build.mjs';

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
if (!webOnly) await import(pathToFileURL(path.join(outdir, ENTRY)).href);
