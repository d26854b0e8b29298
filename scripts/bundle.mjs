/**
 * Bundles one of our TypeScript entry points with esbuild into dist/ when any of its source
 * directories changed since the last bundle (dependencies stay in node_modules). Used by
 * `npm start` (the gateway) and by the `spokegraph` bin (the CLI), so neither needs a build step.
 * The bundle is written to a temporary file and renamed into place: processes starting at the same
 * moment never import a half-written file.
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

/** @param {{ entry: string, outfile: string, sources: string[] }} o paths relative to the repository root */
export async function ensureBundle(o) {
  const out = path.join(root, o.outfile);
  const stale = !existsSync(out) || o.sources.some((d) => newestSource(path.join(root, d)) > statSync(out).mtimeMs);
  if (stale) {
    const { build } = await import('esbuild');
    const tmp = `${out}.${process.pid}.tmp.mjs`;
    await build({
      entryPoints: [path.join(root, o.entry)],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      tsconfig: path.join(root, 'tsconfig.json'),
      logLevel: 'warning',
    });
    renameSync(tmp, out);
  }
  return out;
}
