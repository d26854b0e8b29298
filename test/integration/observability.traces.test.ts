/**
 * Traces of a real app (simulated hub, in-memory span exporter): a caller's W3C traceparent is the
 * parent of the request's span and comes back in the answer; the mutation's span, its admission and
 * SQL, and every step of the job it started — with the steps' hub calls — until RUNNING are one
 * trace, for createComputePool and for deployApp. Over graphql-ws the traceparent rides in
 * connectionParams.
 */
import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POOL_PROVISION_FLOW } from '../../src/compute/pool.flow.names.js';
import { DEPLOY_FLOW, DEPLOY_STEPS } from '../../src/deployments/deployment.flow.names.js';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { waitForPoolPhase, POOL_FIELDS } from '../helpers/compute.js';
import { createAppBundle } from '../helpers/deploy.js';
import { waitForPhase, gatewayOf } from '../helpers/deployments.js';
import { H100, poolWorld, type PoolWorld } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';
import { wsClient } from '../helpers/ws.js';

const POOL_STEPS = ['request-clusters', 'wait-clusters', 'register-spokes', 'wait-registration', 'install-addons', 'environment'];

const exporter = new InMemorySpanExporter();
const logLines: Record<string, any>[] = [];
let app: TestApp;
let world: PoolWorld;
let poolId: string;

beforeAll(async () => {
  const log = createLogger({ level: 'info', json: true, write: (l) => logLines.push(JSON.parse(l)) });
  app = await startTestApp({ log, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  world = await poolWorld(app, { quota: 16 });
});
afterAll(async () => {
  await app?.close();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
function callerContext() {
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function post(query: string, variables: Record<string, unknown>, traceparent: string): Promise<{ body: any; traceparent: string | null }> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}`, traceparent },
    body: JSON.stringify({ query, variables }),
  });
  return { body: await res.json(), traceparent: res.headers.get('traceparent') };
}

const inTrace = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const byId = (spans: ReadableSpan[], id: string | undefined) => spans.find((s) => s.spanContext().spanId === id);

/** The chain from the caller to the mutation's admission: HTTP span → operation span → admission. */
function expectRequestChain(spans: ReadableSpan[], caller: { spanId: string }, operation: string, admission: string): ReadableSpan {
  const http = spans.find((s) => s.name === 'POST /graphql');
  expect(http, 'HTTP span').toBeDefined();
  expect(parentOf(http!)).toBe(caller.spanId);
  const op = spans.find((s) => s.name === `mutation ${operation}`);
  expect(op, 'operation span').toBeDefined();
  expect(parentOf(op!)).toBe(http!.spanContext().spanId);
  expect(op!.attributes['graphql.operation.type']).toBe('mutation');
  expect(op!.attributes['graphql.operation.name']).toBe(operation);
  const adm = spans.find((s) => s.name === admission);
  expect(adm, 'admission span').toBeDefined();
  expect(parentOf(adm!)).toBe(op!.spanContext().spanId);
  // its SQL is in the trace, below it: kind and table, never the values
  const sql = spans.filter((s) => parentOf(s) === adm!.spanContext().spanId && s.attributes['db.operation.name']);
  expect(sql.map((s) => s.attributes['db.operation.name'])).toContain('insert');
  expect(sql.map((s) => s.attributes['db.collection.name'])).toContain('workflow_job');
  for (const s of sql) expect(Object.keys(s.attributes).join()).not.toMatch(/statement|query\.text|param/);
  return adm!;
}

/** Every step of `flow` ran under the admission span and the last run of each was `done`; hub calls sit below steps. */
function expectSteps(spans: ReadableSpan[], admission: ReadableSpan, flow: string, steps: string[], subjectTable: string): void {
  const stepSpans = spans.filter((s) => s.attributes['spokegraph.flow'] === flow);
  for (const step of steps) {
    const runs = stepSpans.filter((s) => s.name === `step ${flow}.${step}`);
    expect(runs.length, `spans of step ${step}`).toBeGreaterThan(0);
    for (const r of runs) expect(parentOf(r)).toBe(admission.spanContext().spanId);
    expect(runs.at(-1)!.attributes['spokegraph.step.outcome']).toBe('done');
  }
  // the last step's span holds the transaction that records it, moving the subject to RUNNING
  const last = stepSpans.filter((s) => s.name === `step ${flow}.${steps.at(-1)}`).at(-1)!;
  expect(spans.filter((s) => parentOf(s) === last.spanContext().spanId).map((s) => s.name)).toContain(`update ${subjectTable}`);
  const hub = spans.filter((s) => s.attributes['spokegraph.hub.verb']);
  expect(hub.length).toBeGreaterThan(0);
  const stepIds = new Set(stepSpans.map((s) => s.spanContext().spanId));
  expect(hub.filter((s) => stepIds.has(parentOf(s)!)).length).toBeGreaterThan(0);
  for (const h of hub) {
    expect(typeof h.attributes['spokegraph.hub.kind']).toBe('string');
    expect(typeof h.attributes['spokegraph.hub.status']).toBe('string');
  }
}

describe('one trace from the mutation to RUNNING', () => {
  it('createComputePool: the request, its admission and SQL, and every provisioning step with its hub calls', async () => {
    const caller = callerContext();
    const r = await post(
      `mutation TracedPool($input: CreateComputePoolInput!) { createComputePool(input: $input) { computePool { ${POOL_FIELDS} } userErrors { field message code } } }`,
      {
        input: {
          projectId: world.project.id,
          name: uniq('pool'),
          mode: 'SHARED',
          infrastructureBundleId: world.bundle,
          nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: H100, countPerNode: 8 } }] },
        },
      },
      caller.traceparent,
    );
    expect(r.body.data.createComputePool.userErrors).toEqual([]);
    // the answer names the request's span, in the caller's trace
    expect(r.traceparent).toMatch(new RegExp(`^00-${caller.traceId}-[0-9a-f]{16}-01$`));
    poolId = r.body.data.createComputePool.computePool.id;
    await waitForPoolPhase(app, poolId, ['RUNNING'], 60_000);

    const spans = inTrace(caller.traceId);
    const admission = expectRequestChain(spans, caller, 'TracedPool', 'pool admission');
    expect(r.traceparent).toContain(parentOf(byId(spans, parentOf(admission))!)!);
    expectSteps(spans, admission, POOL_PROVISION_FLOW, POOL_STEPS, 'compute_pool');
  });

  it('deployApp: deployApp → admission → every step until RUNNING, hub calls included', async () => {
    expect(poolId).toBeDefined();
    const bundle = await createAppBundle(app, world.project.id, { gpus: 2 });
    const caller = callerContext();
    const r = await post(
      `mutation TracedDeploy($input: DeployAppInput!) { deployApp(input: $input) { appDeployment { id phase } userErrors { field message code } } }`,
      { input: { projectId: world.project.id, name: uniq('app'), bundleIds: [bundle], poolId } },
      caller.traceparent,
    );
    expect(r.body.data.deployApp.userErrors).toEqual([]);
    const id = r.body.data.deployApp.appDeployment.id;
    await waitForPhase(gatewayOf(app), id, ['RUNNING'], 60_000);

    const spans = inTrace(caller.traceId);
    const admission = expectRequestChain(spans, caller, 'TracedDeploy', 'admission');
    expectSteps(spans, admission, DEPLOY_FLOW, [...DEPLOY_STEPS], 'app_deployment');
    // the request's access-log line names its trace and a span of the request (HTTP or operation)
    const access = logLines.find((l) => l.msg === 'http request' && l.traceId === caller.traceId);
    const operation = byId(spans, parentOf(admission))!;
    expect([operation.spanContext().spanId, parentOf(operation)]).toContain(access?.spanId);
    // nothing of this deployment's flow landed in another trace
    const elsewhere = exporter.getFinishedSpans().filter((s) => s.attributes['spokegraph.subject.id'] === id && s.spanContext().traceId !== caller.traceId);
    expect(elsewhere).toEqual([]);
  });

  it('a malformed traceparent is ignored: the request starts a trace of its own', async () => {
    const r = await post('query Malformed { viewer { isPlatformAdmin } }', {}, '00-zzzz-not-a-trace');
    expect(r.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = r.traceparent!.split('-')[1];
    const http = inTrace(traceId).find((s) => s.name === 'POST /graphql');
    expect(http).toBeDefined();
    expect(parentOf(http!)).toBeUndefined();
  });

  it('probes and static files are not traced', async () => {
    const caller = callerContext();
    const base = app.url.replace(/\/graphql$/, '');
    for (const path of ['/healthz', '/readyz', '/metrics', '/']) {
      const res = await fetch(`${base}${path}`, { headers: { traceparent: caller.traceparent } });
      await res.arrayBuffer();
      expect(res.headers.get('traceparent'), path).toBeNull();
    }
    expect(inTrace(caller.traceId)).toEqual([]);
  });

  it('an operation that fails records its error codes on its span', async () => {
    const caller = callerContext();
    await post('query Broken { noSuchField }', {}, caller.traceparent);
    const op = inTrace(caller.traceId).find((s) => s.attributes['spokegraph.transport'] === 'http');
    expect(op).toBeDefined();
    expect(op!.status.code).toBe(2); // ERROR
    expect(op!.attributes['graphql.error.codes']).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('graphql-ws', () => {
  it('a traceparent in connectionParams is the parent of each operation span, and its SQL joins the trace', async () => {
    const caller = callerContext();
    const ws = wsClient(app.wsUrl, `Bearer ${app.adminToken}`, { traceparent: caller.traceparent });
    try {
      const r = await ws.request('query WsTraced { auditEvents(first: 1) { edges { cursor } } }');
      expect(r.errors).toBeUndefined();
    } finally {
      await ws.dispose();
    }
    const spans = inTrace(caller.traceId);
    const op = spans.find((s) => s.name === 'query WsTraced');
    expect(op, 'operation span').toBeDefined();
    expect(parentOf(op!)).toBe(caller.spanId);
    expect(op!.attributes['spokegraph.transport']).toBe('graphql-ws');
    expect(spans.some((s) => parentOf(s) === op!.spanContext().spanId && s.attributes['db.operation.name'] === 'select')).toBe(true);
  });

  it("the read path's plain-SQL reads (db/read-rows.ts) join the trace too", async () => {
    const caller = callerContext();
    const ws = wsClient(app.wsUrl, `Bearer ${app.adminToken}`, { traceparent: caller.traceparent });
    try {
      const r = await ws.request('query WsTracedTenants { tenants(first: 1) { edges { node { name } } } }');
      expect(r.errors).toBeUndefined();
    } finally {
      await ws.dispose();
    }
    const spans = inTrace(caller.traceId);
    const op = spans.find((s) => s.name === 'query WsTracedTenants');
    expect(op, 'operation span').toBeDefined();
    const reads = spans.filter((s) => parentOf(s) === op!.spanContext().spanId && s.attributes['db.operation.name'] === 'select');
    expect(reads.map((s) => s.attributes['db.collection.name'])).toContain('tenant');
  });
});

describe('graphql-sse', () => {
  it("a stream's traceparent header is the parent of its request span, which holds the operation span", async () => {
    const caller = callerContext();
    const res = await fetch(app.url.replace(/\/graphql$/, '/graphql/stream'), {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${app.adminToken}`, traceparent: caller.traceparent },
      body: JSON.stringify({ query: 'query SseTraced { auditEvents(first: 1) { edges { cursor } } }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('event: complete');
    const spans = inTrace(caller.traceId);
    const http = spans.find((s) => s.name === 'POST /graphql/stream');
    expect(http, 'request span').toBeDefined();
    expect(parentOf(http!)).toBe(caller.spanId);
    const op = spans.find((s) => s.name === 'query SseTraced');
    expect(op, 'operation span').toBeDefined();
    expect(parentOf(op!)).toBe(http!.spanContext().spanId);
    expect(op!.attributes['spokegraph.transport']).toBe('graphql-sse');
    expect(spans.some((s) => parentOf(s) === op!.spanContext().spanId && s.attributes['db.collection.name'])).toBe(true);
  });
});
