/**
 * Bundles one of our TypeScript entry points with esbuild into one ES module (dependencies stay
 * external, loaded from node_modules). Shared by `npm run build` / `npm start` (the gateway,
 * scripts/build.mjs) and the `spokegraph` bin (the CLI), so neither needs a separate build step.
 * The bundle is written to a temporary file and renamed into place: processes starting at the same
 * moment never import a half-written file (hence inline source maps: a renamed file keeps them).
 */
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when `outfile` is missing or one of the source directories (relative to the root) changed after it. */
export function isStaleBundle(outfile, sources) {
  if (!existsSync(outfile)) return true;
  const built = statSync(outfile).mtimeMs;
  return sources.some((d) => existsSync(path.join(root, d)) && newestSource(path.join(root, d)) > built);
}

/** Bundles `entry` (relative to the root) into `outfile`; returns esbuild's result (with its metafile). */
export async function bundle(entry, outfile) {
  const { build } = await import('esbuild');
  const tmp = `${outfile}.${process.pid}.tmp.mjs`;
  const result = await build({
    entryPoints: [path.join(root, entry)],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    metafile: true,
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  renameSync(tmp, outfile);
  return result;
}

/** @param {{ entry: string, outfile: string, sources: string[] }} o paths relative to the repository root */
export async function ensureBundle(o) {
  const out = path.join(root, o.outfile);
  if (isStaleBundle(out, o.sources)) await bundle(o.entry, out);
  return out;
}
