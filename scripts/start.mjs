/**
 * `npm start`: bundles the gateway's own sources with esbuild into dist/ (dependencies stay in
 * node_modules) when they changed since the last bundle, builds the web console from web/ into
 * dist/web with Vite when it changed, then runs the gateway with plain Node. A bundle starts faster
 * and lighter than transpiling every file at start (tsx), and is what production runs. Each build
 * is skipped (a few stat calls) when its output is newer than its sources.
 * `--build` only builds; `--web` builds only the console.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'spokegraph.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const webOnly = process.argv.includes('--web');
const stale = !webOnly && (!existsSync(out) || ['src', 'migrations'].some((d) => newestSource(path.join(root, d)) > statSync(out).mtimeMs));
if (stale) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(root, 'src', 'main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
}
const webIndex = path.join(root, 'dist', 'web', 'index.html');
if (!existsSync(webIndex) || newestSource(path.join(root, 'web')) > statSync(webIndex).mtimeMs) {
  const { build } = await import('vite');
  const started = Date.now();
  await build({ configFile: path.join(root, 'web', 'vite.config.ts') });
  console.log(`web console built into dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (!process.argv.includes('--build') && !webOnly) await import(pathToFileURL(out).href);
