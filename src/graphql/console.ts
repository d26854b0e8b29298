/**
 * The web console (built from web/ into dist/web by `npm start` or `npm run web:build`) served at
 * `/`, with its hashed assets under `/assets/`. Everything is same-origin and offline. When the
 * console was not built (a checkout that only ran the tests) `/` says how to build it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** The package root: the nearest folder above this module holding package.json (src/ or dist/ alike). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const consoleDir = () => path.join(packageRoot(), 'dist', 'web');

// Only our own scripts, styles and API (same-origin HTTP and WebSocket); no framing.
const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>spokegraph</title></head>
<body><main><h1>spokegraph</h1><p>The web console is not built: run <code>npm run web:build</code> (or <code>npm start</code>, which builds it).</p>
<p>The API and GraphiQL are at <a href="/graphql">/graphql</a>.</p></main></body></html>`;

export function consoleRouter(dir = consoleDir()): Router {
  const r = express.Router();
  const index = path.join(dir, 'index.html');
  const headers = (res: express.Response) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
  };
  r.get(['/', '/index.html'], (_req, res) => {
    headers(res);
    if (!fs.existsSync(index)) return void res.type('html').send(NOT_BUILT);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  // file names carry a content hash: cache them for good
  r.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: true, setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff') }));
  return r;
}
