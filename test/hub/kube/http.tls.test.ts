/**
 * The adapter's HTTP library (hub.http.ts, under client-node's CustomObjectsApi) against an HTTPS
 * server, as a real hub is reached: the kubeconfig's CA is checked, the bearer token or basic
 * credentials are sent (KubeConfig's authentication), requests share one kept-alive connection, an
 * untrusted server certificate fails the call, and a compressed answer is decoded.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import zlib from 'node:zlib';
import path from 'node:path';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeHubAdapter } from '../../../src/kube/hub.adapter.js';
import { silentLogger } from '../../../src/logger.js';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  acceptEncoding?: string;
  socket: number;
}

let dir = '';
let cert = '';
let key = '';
let server: https.Server;
let port = 0;
const seen: Seen[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  key = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
  const sockets = new Map<unknown, number>();
  server = https.createServer({ cert, key }, (req, res) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
    req.resume();
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        acceptEncoding: req.headers['accept-encoding'],
        socket: sockets.get(req.socket)!,
      });
      const answer = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns1', resourceVersion: '5' } });
      if (req.url?.includes('/gzipped')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
        res.end(zlib.gzipSync(answer));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

function adapter(caPem: string, user: User): KubeHubAdapter {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false }],
    users: [user],
    contexts: [{ name: 'x', cluster: 'c', user: user.name }],
    currentContext: 'x',
  });
  return new KubeHubAdapter(kc, { logger: silentLogger, retry: { attempts: 1, baseMs: 1, maxMs: 1 }, requestTimeoutMs: 5_000 });
}

describe('hub HTTP library over TLS', () => {
  it('should check the CA, send the bearer token and reuse one connection', async () => {
    seen.length = 0;
    const hub = adapter(cert, { name: 'u', token: 'secret-token' });
    const got = await hub.get({ kind: 'Secret', namespace: 'ns1', name: 's' });
    await hub.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns1' } });
    await hub.list('Secret', { namespace: 'ns1', labelSelector: { a: 'b' } });
    expect(got?.metadata.resourceVersion).toBe('5');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/namespaces/ns1/secrets/s',
      'PATCH /api/v1/namespaces/ns1/secrets/s?fieldManager=spokegraph&force=true',
      'GET /api/v1/namespaces/ns1/secrets?labelSelector=a%3Db&limit=500',
    ]);
    expect(seen.every((s) => s.authorization === 'Bearer secret-token')).toBe(true);
    expect(seen[1].contentType).toBe('application/apply-patch+yaml');
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('should decode a gzip-compressed answer', async () => {
    seen.length = 0;
    const got = await adapter(cert, { name: 'u', token: 't' }).get({ kind: 'Secret', namespace: 'ns1', name: 'gzipped' });
    expect(seen[0].acceptEncoding).toMatch(/gzip/);
    expect(got?.metadata).toMatchObject({ name: 's', resourceVersion: '5' });
  });

  it('should send basic credentials', async () => {
    seen.length = 0;
    await adapter(cert, { name: 'u', username: 'admin', password: 'pw' }).get({ kind: 'Secret', namespace: 'ns1', name: 's' });
    expect(seen[0].authorization).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
  });

  it('should refuse a server whose certificate the kubeconfig does not trust', async () => {
    seen.length = 0;
    const other = path.join(dir, 'other');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${other}.key`, '-out', `${other}.pem`, '-days', '1', '-subj', '/CN=other'], { stdio: 'ignore' });
    const err = await adapter(fs.readFileSync(`${other}.pem`, 'utf8'), { name: 'u', token: 't' })
      .get({ kind: 'Secret', namespace: 'ns1', name: 's' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HubError', kind: 'permanent' });
    expect(seen).toHaveLength(0);
  });
});
