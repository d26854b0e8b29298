/**
 * An HTTP proxy between a gateway and the simulated hub, for crash tests: it passes every request
 * through (watch streams included) and can hold one chosen request — before it reaches the hub
 * (the write never happened) or after (the hub applied it, the gateway never hears back) — so a
 * test can SIGKILL the gateway at an exact point inside a step.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type HoldWhen = 'before-hub' | 'after-hub';

export interface HoldSpec {
  method: string;
  /** matched against the request path (with query) */
  path: RegExp;
  when: HoldWhen;
  /** let this many matching requests through first (default 0) */
  skip?: number;
}

export interface HeldRequest {
  method: string;
  path: string;
  /** for after-hub holds: the status the hub answered (the gateway never gets it) */
  hubStatus?: number;
  /** for before-hub holds: send it on to the hub now (the caller gets the answer if still listening) */
  release(): Promise<number>;
}

export interface HubProxy {
  url: string;
  /** Holds the next request matching `spec`; resolves once one is held. */
  hold(spec: HoldSpec, timeoutMs?: number): Promise<HeldRequest>;
  /** Drops every held request (their sockets are closed). */
  dropHeld(): void;
  /** Requests seen, as "METHOD path" (for debugging). */
  log: string[];
  close(): Promise<void>;
}

interface Armed {
  spec: HoldSpec;
  resolve: (h: HeldRequest) => void;
  skipped: number;
}

export async function startHubProxy(target: string): Promise<HubProxy> {
  const upstream = new URL(target);
  const armed: Armed[] = [];
  const held: http.ServerResponse[] = [];
  const log: string[] = [];

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    log.push(`${req.method} ${path}`);
    if (log.length > 5000) log.splice(0, 1000);
    const i = armed.findIndex((a) => a.spec.method === req.method && a.spec.path.test(path));
    const skipped = i >= 0 && armed[i].skipped++ < (armed[i].spec.skip ?? 0);
    const hit = i >= 0 && !skipped ? armed.splice(i, 1)[0] : undefined;
    if (hit?.spec.when === 'before-hub') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        held.push(res);
        const release = () =>
          new Promise<number>((done, fail) => {
            const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } }, (upRes) => {
              if (!res.destroyed) res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              upRes.on('data', (c) => !res.destroyed && res.write(c));
              upRes.on('end', () => {
                if (!res.destroyed) res.end();
                done(upRes.statusCode ?? 0);
              });
            });
            up.on('error', fail);
            up.end(Buffer.concat(chunks));
          });
        hit.resolve({ method: req.method!, path, release });
      });
      return;
    }
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } },
      (upRes) => {
        if (hit) {
          // the hub has done it; the caller never learns
          upRes.resume();
          upRes.on('end', () => {
            held.push(res);
            hit.resolve({ method: req.method!, path, hubStatus: upRes.statusCode, release: async () => upRes.statusCode ?? 0 });
          });
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    hold(spec, timeoutMs = 60_000) {
      return new Promise<HeldRequest>((resolve, reject) => {
        const a: Armed = { spec, resolve: (h) => (clearTimeout(t), resolve(h)), skipped: 0 };
        const t = setTimeout(() => {
          const i = armed.indexOf(a);
          if (i >= 0) armed.splice(i, 1);
          reject(new Error(`no ${spec.method} ${spec.path} reached the hub proxy in ${timeoutMs} ms`));
        }, timeoutMs);
        armed.push(a);
      });
    },
    dropHeld() {
      for (const res of held.splice(0)) res.destroy();
    },
    async close() {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
