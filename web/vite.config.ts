/**
 * The web console's build: plain Vite (esbuild transforms TSX; no React plugin is needed for a
 * production bundle). Everything is bundled into dist/web, so the console works offline.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
// graphql ships CJS and ESM builds; pin the ESM one so Apollo Client and our documents share one realm.
const graphqlEsm = path.join(path.dirname(createRequire(import.meta.url).resolve('graphql/package.json')), 'index.mjs');

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEsm }] },
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: path.join(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
});
