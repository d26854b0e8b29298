/**
 * What the adapter puts on the wire, against a scripted node:http server (the upstream client-node
 * test style): SSA content type and query, core vs group paths, and retries of answers the simulator
 * does not produce on demand (409 on apply, 429 with Retry-After, a reset connection).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { buildManagedCluster, HubError, type HubAdapterOptions } from '../../../src/kube/index.js';
import { KubeHubAdapter } from '../../../src/kube/hub.adapter.js';
import { silentLogger } from '../../../src/logger.js';
import { secret } from './sim.harness.js';

interface Seen {
  method: string;
  url: string;
  contentType?: string;
  body: string;
}

type Reply = (req: Seen, res: http.ServerResponse) => void;

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((r) => s.close(r));
    }),
  );
});

async function scripted(replies: Reply[], opts: HubAdapterOptions = {}): Promise<{ adapter: KubeHubAdapter; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body };
      seen.push(s);
      (replies[seen.length - 1] ?? replies[replies.length - 1])(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { adapter: new KubeHubAdapter(kc, { logger: silentLogger, retry: { attempts: 4, baseMs: 5, maxMs: 20 }, ...opts }), seen };
}

const json = (code: number, body: unknown, headers: Record<string, string> = {}): Reply => (_req, res) => {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const echo: Reply = (req, res) => json(200, { ...JSON.parse(req.body), metadata: { ...JSON.parse(req.body).metadata, resourceVersion: '7' } })(req, res);
const status = (code: number, reason: string) => json(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: `server says ${reason}` });

describe('hub adapter on the wire', () => {
  it('should send server-side apply with its field manager, force and the apply content type', async () => {
    const { adapter, seen } = await scripted([echo]);
    const mc = buildManagedCluster({ cluster: 'c1', clusterSet: 's', gpus: {}, owner: { project: 'p' } });
    await adapter.apply({ ...mc, metadata: { ...mc.metadata, resourceVersion: '3', managedFields: [] }, status: { x: 1 } });
    expect(seen[0].method).toBe('PATCH');
    expect(seen[0].url).toBe('/apis/cluster.open-cluster-management.io/v1/managedclusters/c1?fieldManager=spokegraph&force=true');
    expect(seen[0].contentType).toBe('application/apply-patch+yaml');
    const body = JSON.parse(seen[0].body);
    expect(body.status).toBeUndefined();
    expect(body.metadata.resourceVersion).toBeUndefined();
    expect(body.metadata.managedFields).toBeUndefined();
  });

  it('should address core kinds under /api/v1', async () => {
    const { adapter, seen } = await scripted([echo, json(200, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }), json(200, { metadata: { resourceVersion: '9' }, items: [{ metadata: { name: 's' } }] }), json(200, {})]);
    await adapter.apply(secret('ns1', 's'));
    await adapter.get({ kind: 'Secret', namespace: 'ns1', name: 's' });
    const list = await adapter.list('Namespace');
    await adapter.delete({ kind: 'Namespace', name: 'ns1' });
    expect(seen.map((s) => `${s.method} ${s.url.split('?')[0]}`)).toEqual([
      'PATCH /api/v1/namespaces/ns1/secrets/s',
      'GET /api/v1/namespaces/ns1/secrets/s',
      'GET /api/v1/namespaces',
      'DELETE /api/v1/namespaces/ns1',
    ]);
    expect(list.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'Namespace' });
  });

  it('should retry a 409 on apply and succeed', async () => {
    const { adapter, seen } = await scripted([status(409, 'Conflict'), echo]);
    const applied = await adapter.apply(secret('ns1', 's'));
    expect(applied.metadata.resourceVersion).toBe('7');
    expect(seen).toHaveLength(2);
  });

  it('should retry 429 and a reset connection', async () => {
    const reset: Reply = (_req, res) => res.socket?.destroy();
    const { adapter, seen } = await scripted([json(429, { kind: 'Status', code: 429, reason: 'TooManyRequests' }, { 'Retry-After': '0' }), reset, echo]);
    await adapter.apply(secret('ns1', 's'));
    expect(seen).toHaveLength(3);
  });

  it('should not retry a permanent error', async () => {
    const { adapter, seen } = await scripted([status(422, 'Invalid')]);
    const err = (await adapter.apply(secret('ns1', 's')).catch((e: unknown) => e)) as HubError;
    expect(err).toMatchObject({ kind: 'permanent', status: 422, reason: 'Invalid', kubeMessage: 'server says Invalid' });
    expect(seen).toHaveLength(1);
  });

  it('should report a 409 outside apply as a conflict without retrying', async () => {
    const { adapter, seen } = await scripted([status(409, 'Conflict')]);
    const err = (await adapter.delete({ kind: 'Secret', namespace: 'ns1', name: 's' }).catch((e: unknown) => e)) as HubError;
    expect(err.kind).toBe('conflict');
    expect(seen).toHaveLength(1);
  });

  it('should time out a request that never answers, as a transient error', async () => {
    const { adapter, seen } = await scripted([() => undefined], { requestTimeoutMs: 100, retry: { attempts: 2, baseMs: 1, maxMs: 2 } });
    const err = (await adapter.get({ kind: 'Secret', namespace: 'ns1', name: 's' }).catch((e: unknown) => e)) as HubError;
    expect(err).toMatchObject({ kind: 'transient', reason: 'Timeout' });
    expect(seen).toHaveLength(2);
  });
});
