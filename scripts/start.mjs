/**
 * `npm start`: (re)builds the production bundle when the sources changed since the last build
 * (scripts/build.mjs, with esbuild from the devDependencies that `npm ci` installs), then runs it
 * in this process with plain Node. Arguments are the gateway's: `npm start -- migrate`.
 * A production image runs the bundle directly: `node dist/spokegraph.mjs`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, ENTRY, isStale, root } from './build.mjs';

const outdir = path.join(root, 'dist');
if (isStale(outdir)) {
  try {
    await build(outdir);
  } catch (e) {
    const missing = e && typeof e === 'object' && 'code' in e && e.code === 'ERR_MODULE_NOT_FOUND';
    process.stderr.write(
      missing
        ? 'spokegraph: the bundle is missing or older than src/, and esbuild is not installed (npm ci --omit=dev?): run `npm ci && npm run build` first\n'
        : `spokegraph: build failed: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(1);
  }
}
await import(pathToFileURL(path.join(outdir, ENTRY)).href);
