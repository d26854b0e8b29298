/**
 * The web console's route: `/` serves the built console (or a page saying how to build it) with a
 * strict Content-Security-Policy, hashed assets under /assets are cached for good, and GraphiQL
 * and the API stay at /graphql.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleDir, consoleRouter } from '../../src/graphql/console.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await startTestApp();
  base = app.url.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await app?.close();
});

describe('the gateway serves the console at /', () => {
  it('answers / with HTML under a same-origin Content-Security-Policy, and keeps GraphiQL at /graphql', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; connect-src 'self'/);
    const html = await res.text();
    if (fs.existsSync(path.join(consoleDir(), 'index.html'))) expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    else expect(html).toContain('npm run web:build');
    const graphiql = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).toContain('GraphiQL');
  });
});

describe('consoleRouter', () => {
  let server: http.Server;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sg-console-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/assets/app-abc123.js"></script>');
    fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    const e = express();
    e.use(consoleRouter(dir));
    e.use((_req, res) => void res.status(404).send('next'));
    server = http.createServer(e);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html uncached and hashed assets cached for good', async () => {
    const index = await fetch(`${url}/`);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>console</title>');
    const asset = await fetch(`${url}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000, immutable/);
  });

  it('passes everything else on (no catch-all over the API)', async () => {
    for (const p of ['/graphql', '/assets/missing.js', '/healthz', '/../package.json']) {
      const res = await fetch(`${url}${p}`);
      expect([404], p).toContain(res.status);
    }
  });

  it('says how to build the console when it was not built', async () => {
    const e = express();
    e.use(consoleRouter(path.join(dir, 'nothing-here')));
    const s = http.createServer(e);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('npm run web:build');
    } finally {
      await new Promise((r) => s.close(r));
    }
  });
});
