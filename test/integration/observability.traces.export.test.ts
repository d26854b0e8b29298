/**
 * Tracing on and off, end to end. On (OTEL_EXPORTER_OTLP_ENDPOINT): the real OTLP/HTTP exporter
 * posts JSON to a receiver in this test (node:http on port 0), with the configured service name and
 * the caller's trace. Off (the default): a gateway process answers without a traceparent and never
 * loads an OpenTelemetry SDK module — checked through the loader of a real `src/main.ts` process
 * (test/helpers/module-log.mjs), with a gateway that has tracing on as the control.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** What tracing loads only when it is on (`@opentelemetry/api` alone is always there). */
const SDK = /@opentelemetry\/(sdk-trace|exporter-|otlp-|resources|context-async-hooks|core)/;

interface Received {
  path: string;
  contentType: string | undefined;
  body: any;
}
let receiver: http.Server;
let endpoint: string;
const received: Received[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
});

const traceparentFor = () => {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
};

/** Spans the receiver got for `traceId`, with the service.name of their resource. */
function exported(traceId: string): { service: string; name: string }[] {
  const out: { service: string; name: string }[] = [];
  for (const r of received) {
    for (const rs of r.body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue;
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) if (s.traceId === traceId) out.push({ service, name: s.name });
    }
  }
  return out;
}

async function query(url: string, token: string, traceparent: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent },
    body: JSON.stringify({ query: 'query Exported { viewer { isPlatformAdmin } }' }),
  });
}

describe('OTLP export', () => {
  it('posts the spans as OTLP/JSON to <endpoint>/v1/traces with the service name; flushed when the app stops', async () => {
    const app = await startTestApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `${endpoint}/`, OTEL_SERVICE_NAME: 'spokegraph-otlp-test' }, noRunner: true });
    const { traceId, traceparent } = traceparentFor();
    try {
      expect(app.tracing).not.toBeNull();
      const res = await query(app.url, app.adminToken, traceparent);
      expect(res.status).toBe(200);
      expect(res.headers.get('traceparent')).toContain(traceId);
    } finally {
      await app.close();
    }
    const spans = exported(traceId);
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['POST /graphql', 'query Exported']));
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['spokegraph-otlp-test']));
    const posts = received.filter((r) => r.body.resourceSpans);
    expect(posts.every((r) => r.path === '/v1/traces' && r.contentType?.startsWith('application/json'))).toBe(true);
  });

  it('an app without an endpoint has no tracing', async () => {
    const app = await startTestApp({ noRunner: true });
    try {
      expect(app.tracing).toBeNull();
      const res = await query(app.url, app.adminToken, traceparentFor().traceparent);
      expect(res.headers.get('traceparent')).toBeNull();
    } finally {
      await app.close();
    }
  });
});

/** Runs `node --import tsx src/main.ts` with the module log, makes one traced request, stops it with SIGTERM. */
async function gatewayRun(env: Record<string, string>, traceparent: string): Promise<{ modules: string[]; traceparent: string | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-traces-'));
  const moduleLog = join(dir, 'modules.log');
  writeFileSync(moduleLog, '');
  const token = 'sg_traces_' + randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/helpers/module-log.mjs', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MODULE_LOG: moduleLog, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite::memory:', DATA_DIR: dir, SIM_SPEED: '0', SEED_DEMO: 'false', BOOTSTRAP_ADMIN_TOKEN: token, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  try {
    const deadline = Date.now() + 60_000;
    let url: string | undefined;
    while (!(url = /(?:GraphiQL|spokegraph ready): (http:\/\/\S+)/.exec(out)?.[1])) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gateway not ready; its output:\n${out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const res = await query(url, token, traceparent);
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    return { modules: readFileSync(moduleLog, 'utf8').split('\n').filter(Boolean), traceparent: res.headers.get('traceparent') };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closed;
    rmSync(dir, { recursive: true, force: true });
  }
}

// one gateway process per run is enough: the database does not matter here
describe.skipIf(process.env.DB === 'postgresql')('a gateway process', () => {
  it('without OTEL_EXPORTER_OTLP_ENDPOINT: no traceparent in the answer, and no OpenTelemetry SDK module loaded', async () => {
    const run = await gatewayRun({}, traceparentFor().traceparent);
    expect(run.traceparent).toBeNull();
    // the log is working: it saw the gateway's own modules
    expect(run.modules.some((m) => m.endsWith('/src/observability/tracing.ts'))).toBe(true);
    expect(run.modules.filter((m) => SDK.test(m))).toEqual([]);
  }, 90_000);

  it('with it: the SDK is loaded and the spans reach the collector by the time the process exits', async () => {
    const { traceId, traceparent } = traceparentFor();
    const run = await gatewayRun({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, traceparent);
    expect(run.traceparent).toContain(traceId);
    expect(run.modules.some((m) => /@opentelemetry\/sdk-trace-base/.test(m))).toBe(true);
    expect(exported(traceId).map((s) => s.name)).toEqual(expect.arrayContaining(['POST /graphql', 'query Exported']));
    expect(new Set(exported(traceId).map((s) => s.service))).toEqual(new Set(['spokegraph']));
  }, 90_000);
});
