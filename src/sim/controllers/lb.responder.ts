/**
 * Small HTTP responders standing in for the apps behind simulated load balancers, so a demo's access
 * URL opens: each answers every request with 200 and a JSON naming the release it stands for. A
 * Service's responder listens on a loopback address of its own (127.x.y.z, derived from its name: on
 * Linux all of 127/8 is the loopback interface) at the Service's port, so the load-balancer address
 * and the Service port make a URL that answers. Closed with the Service or the simulator.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';

export interface ResponderIdentity {
  cluster: string;
  namespace: string;
  service: string;
  release: string | undefined;
  port: number;
}

interface Entry {
  server?: http.Server;
  port: number;
  /** set once listening */
  ip?: string;
  /** no loopback address could be bound (not Linux, a port below 1024 without privileges, all tried in use) */
  unavailable?: boolean;
}

/** Addresses tried for one Service before giving up: the first free one wins. */
const CANDIDATES = 8;

function loopbackAddress(key: string, attempt: number): string {
  const h = createHash('sha256').update(`${key}#${attempt}`).digest();
  // never 127.0.0.0/16, where 127.0.0.1 and the host's own services live
  return `127.${(h[0] % 254) + 1}.${h[1]}.${(h[2] % 254) + 1}`;
}

export class ResponderSet {
  private readonly entries = new Map<string, Entry>();

  /**
   * The Service's responder address: undefined while it starts (then `onChange` runs), null when none
   * can listen (the caller falls back to an address that does not answer).
   */
  ensure(id: ResponderIdentity, onChange: () => void): string | null | undefined {
    const key = `${id.cluster}/${id.namespace}/${id.service}`;
    const existing = this.entries.get(key);
    if (existing && existing.port === id.port) return existing.unavailable ? null : existing.ip;
    if (existing) this.stopKey(key);
    const body = JSON.stringify({ simulated: true, release: id.release ?? null, service: id.service, namespace: id.namespace, cluster: id.cluster });
    const entry: Entry = { port: id.port };
    this.entries.set(key, entry);
    const tryListen = (attempt: number) => {
      if (this.entries.get(key) !== entry) return;
      const server = http.createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
        res.end(body);
      });
      entry.server = server;
      const ip = loopbackAddress(key, attempt);
      server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE' && attempt + 1 < CANDIDATES) return tryListen(attempt + 1);
        entry.server = undefined;
        entry.unavailable = true;
        onChange();
      });
      server.listen(id.port, ip, () => {
        if (this.entries.get(key) !== entry) return void server.close();
        entry.ip = ip;
        // a demo process must be able to exit while a responder is open
        server.unref();
        onChange();
      });
    };
    tryListen(0);
    return undefined;
  }

  stop(id: Pick<ResponderIdentity, 'cluster' | 'namespace' | 'service'>): void {
    this.stopKey(`${id.cluster}/${id.namespace}/${id.service}`);
  }

  stopAll(): void {
    for (const key of [...this.entries.keys()]) this.stopKey(key);
  }

  private stopKey(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    e.server?.close();
    e.server?.closeAllConnections();
  }
}
