/**
 * HTTP clients for the benchmarks: a small GraphQL client (fetch) for seeding and checks, and a
 * closed-loop load generator on node:http with keep-alive sockets — `concurrency` requests in
 * flight, each connection sending its next request as soon as the previous answer is read.
 * It runs in the benchmark's process, never in the server's.
 */
import http from 'node:http';
import { percentile } from './report.js';

export interface GqlResponse<T = any> {
  status: number;
  data: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON response ${res.status}: ${text.slice(0, 300)}`);
  }
  return { status: res.status, data: body.data, errors: body.errors };
}

/** Like gql, but throws on top-level errors. */
export async function q<T = any>(url: string, query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T> {
  const r = await gql<T>(url, query, variables, token);
  if (r.errors?.length) throw new Error(`GraphQL errors (${r.status}): ${JSON.stringify(r.errors).slice(0, 2000)}`);
  return r.data;
}

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  /** request bodies, used round-robin; `{{i}}` in a body is replaced by the request's sequence number */
  bodies: string[];
  concurrency: number;
  /** stop after this long (closed loop) … */
  durationMs?: number;
  /** … or after this many requests */
  total?: number;
  /** a response counts as ok when its status is 200 and this returns true (default: no "errors" key) */
  ok?: (body: string) => boolean;
  /**
   * Open the `concurrency` connections before the run (one unrecorded request each, all at once,
   * answers awaited), so the run is a closed loop on established keep-alive connections. Without it
   * the run starts with `concurrency` connects at once; a Node server kept busy by the connections it
   * accepted first accepts the rest one by one over seconds (bench/README.md, cold7), and their first
   * requests measure that, not the server's steady latency. `true` sends the first body (only for
   * bodies that change nothing); a string is the body to send instead (a write bench opens with a read).
   */
  openFirst?: boolean | string;
}

export interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  elapsedMs: number;
  rps: number;
  okPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** CPU time this (client) process used during the run, as a share of one core */
  clientCpu: number;
  /** a few failed responses, for the report */
  samples: string[];
  /** every completed request's latency, ms */
  latencies: Float64Array;
  /** when each of those requests was sent, ms after the run started (same order as latencies) */
  startOffsets: Float64Array;
  /** the run's stop time (no request is sent after it), ms after the run started */
  deadlineMs: number;
}

const defaultOk = (b: string) => !b.includes('"errors"');

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const u = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency });
  const okFn = opts.ok ?? defaultOk;
  const lat: number[] = [];
  const sent: number[] = [];
  const samples: string[] = [];
  let seq = 0;
  let okCount = 0;
  let failed = 0;
  if (opts.openFirst) {
    const opener = typeof opts.openFirst === 'string' ? opts.openFirst : opts.bodies[0];
    await Promise.all(Array.from({ length: opts.concurrency }, () => send(opener, () => {})));
  }
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const deadline = opts.durationMs !== undefined ? started + opts.durationMs : Infinity;
  const total = opts.total ?? Infinity;
  const templated = opts.bodies.map((b) => b.includes('{{i}}'));

  const once = (i: number) => {
    const k = i % opts.bodies.length;
    const body = templated[k] ? opts.bodies[k].replaceAll('{{i}}', String(i)) : opts.bodies[k];
    const t0 = performance.now();
    return send(body, (status, text) => {
      lat.push(performance.now() - t0);
      sent.push(t0 - started);
      if (status === 200 && okFn(text)) okCount++;
      else {
        failed++;
        if (samples.length < 5) samples.push(`${status}: ${text.slice(0, 400)}`);
      }
    }).catch((e: Error) => {
      failed++;
      if (samples.length < 5) samples.push(`request error: ${e.message}`);
    });
  };

  /** One POST of `body` on the agent; `done` gets the answer. */
  function send(body: string, done: (status: number | undefined, text: string) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...opts.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            done(res.statusCode, Buffer.concat(chunks).toString('utf8'));
            resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  const worker = async () => {
    while (performance.now() < deadline && seq < total) {
      await once(seq++);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  const latencies = Float64Array.from(lat);
  const requests = lat.length;
  return {
    requests,
    ok: okCount,
    failed,
    elapsedMs,
    rps: (requests / elapsedMs) * 1000,
    okPerSec: (okCount / elapsedMs) * 1000,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    clientCpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
    samples,
    latencies,
    startOffsets: Float64Array.from(sent),
    deadlineMs: deadline - started,
  };
}
