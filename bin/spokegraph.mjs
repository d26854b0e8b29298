#!/usr/bin/env node
// The `spokegraph` CLI (`npx spokegraph --help` from the checkout): bundles src/cli with esbuild on
// first use and whenever its sources changed (like `npm start` does for the gateway), then runs it.
import { pathToFileURL } from 'node:url';
import { ensureBundle } from '../scripts/bundle.mjs';

const out = await ensureBundle({ entry: 'src/cli/main.ts', outfile: 'dist/spokegraph-cli.mjs', sources: ['src/cli'] });
await import(pathToFileURL(out).href);
