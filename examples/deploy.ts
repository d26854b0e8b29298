/**
 * Deploy the demo LLM app through the spokegraph GraphQL API and follow its progress live.
 *
 *   SPOKEGRAPH_TOKEN=<token> npx tsx examples/deploy.ts
 *
 * Environment:
 *   SPOKEGRAPH_URL    the gateway's GraphQL endpoint (default http://127.0.0.1:4000/graphql)
 *   SPOKEGRAPH_TOKEN  a bearer token that may deploy in project demo-ml (required)
 *   SPOKEGRAPH_POOL   the SHARED compute pool to deploy onto, created on first use (default gpu-shared)
 *
 * The story: find project `demo-ml` and its two demo bundles; make sure a SHARED GPU compute pool is
 * RUNNING (create it from the `edge-gpu-cluster` bundle the first time, then reuse it, so repeated
 * runs only add one GPU deployment each); deploy `llm-inference` onto it under a fresh name; print
 * every progress event from the `appDeploymentEvents` subscription until it is RUNNING; print the
 * access URLs. Exits 1 if anything fails.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const ENDPOINT = process.env.SPOKEGRAPH_URL || 'http://127.0.0.1:4000/graphql';
const TOKEN = process.env.SPOKEGRAPH_TOKEN || '';
const POOL = process.env.SPOKEGRAPH_POOL || 'gpu-shared';
const PROJECT = 'demo-ml';

/** Queries and mutations: one HTTP POST each. Top-level errors (auth, limits, faults) throw. */
async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
  }).catch((e) => {
    throw new Error(`cannot reach ${ENDPOINT}: ${e.cause?.code ?? e.message}`);
  });
  const body = (await res.json().catch(() => null)) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  if (!body || body.errors?.length || !body.data) {
    const why = body?.errors?.map((e) => `${e.message} (${e.extensions?.code ?? '?'})`).join('; ') ?? `HTTP ${res.status}`;
    throw new Error(`GraphQL request failed: ${why}`);
  }
  return body.data;
}

/** Expected refusals (validation, quota, capacity, …) come back as `userErrors`, not as errors. */
function check(payload: { userErrors: { field?: string[] | null; message: string; code: string }[] }, what: string): void {
  if (payload.userErrors.length === 0) return;
  const list = payload.userErrors.map((e) => `  - ${e.code} ${(e.field ?? []).join('.')}: ${e.message}`).join('\n');
  throw new Error(`${what} refused:\n${list}`);
}

// Subscriptions use the graphql-ws protocol on the same /graphql path; the token goes in connectionParams.
const ws = createClient({
  url: ENDPOINT.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${TOKEN}` },
});

interface DeploymentEvent {
  seq: number;
  cursor: string;
  type: string;
  phase: string;
  step: string | null;
  stepIndex: number | null;
  stepCount: number | null;
  percent: number;
  message: string;
}

/** graphql-ws fails with an Error, a list of GraphQL errors, or the socket's CloseEvent. */
function reason(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (Array.isArray(e)) return e.map((x) => `${x.message} (${x.extensions?.code ?? '?'})`).join('; ');
  const close = e as { code?: number; reason?: string };
  return `socket closed: ${close.code ?? '?'} ${close.reason ?? ''}`.trim();
}

/**
 * Prints the events of a pool (`computePoolEvents`) or a deployment (`appDeploymentEvents`) until its
 * phase is RUNNING or FAILED, and returns that phase. The subscription first replays the events
 * after `after` (all of them when null), then streams live ones, so nothing is missed however late
 * we subscribe. graphql-ws reconnects by itself after a network drop and subscribes again (the
 * replay is skipped by `seq`); if the gateway ends a stream that fell behind (SUBSCRIPTION_LAGGING),
 * we resubscribe after the last cursor seen.
 */
async function follow(field: 'computePoolEvents' | 'appDeploymentEvents', id: string): Promise<string> {
  const query = `subscription($id: ID!, $after: String) {
    ${field}(id: $id, after: $after) { seq cursor type phase step stepIndex stepCount percent message }
  }`;
  let after: string | null = null;
  let lastSeq = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const events = ws.iterate<Record<string, DeploymentEvent>>({ query, variables: { id, after } });
      for await (const result of events) {
        if (result.errors?.length) throw result.errors;
        const ev: DeploymentEvent = result.data![field];
        if (ev.seq <= lastSeq) continue;
        lastSeq = ev.seq;
        after = ev.cursor;
        // stepIndex is 0-based; the final event of a flow points past the last step.
        const step = ev.stepIndex != null && ev.stepCount != null && ev.stepIndex < ev.stepCount ? `step ${ev.stepIndex + 1}/${ev.stepCount}` : '';
        console.log(`  #${String(ev.seq).padStart(3)} ${ev.phase.padEnd(12)} ${step.padEnd(10)} ${String(ev.percent).padStart(3)}%  ${ev.message}`);
        // Leaving the loop completes the subscription.
        if (ev.phase === 'RUNNING' || ev.phase === 'FAILED') return ev.phase;
      }
      throw new Error('the event stream ended early');
    } catch (e) {
      const lagging = Array.isArray(e) && e.some((x) => x.extensions?.code === 'SUBSCRIPTION_LAGGING');
      if (!lagging || attempt >= 5) throw new Error(`${field}: ${reason(e)}`);
      console.log('  (fell behind the event stream; resuming after the last event seen)');
    }
  }
}

async function main(): Promise<void> {
  if (!TOKEN) throw new Error('set SPOKEGRAPH_TOKEN to a bearer token (npm start prints one on first start)');
  console.log(`spokegraph: ${ENDPOINT}`);

  // 1. The project, its bundles (every version, oldest first) and its pools.
  const { project } = await gql(
    `query($name: String!) {
      project(name: $name) {
        id name
        gpuQuota { gpuFamily limit used available }
        profileBundles(first: 100) { nodes { id name bundleType version } }
        computePools(first: 100) { nodes { id name mode phase } }
      }
    }`,
    { name: PROJECT },
  );
  if (!project) throw new Error(`project ${PROJECT} not found (or not visible to this token)`);
  const latest = (name: string): string => {
    const versions = project.profileBundles.nodes.filter((b: any) => b.name === name);
    if (!versions.length) throw new Error(`bundle ${name} not found in ${PROJECT}`);
    return versions[versions.length - 1].id;
  };
  const appBundle = latest('llm-inference');
  const infraBundle = latest('edge-gpu-cluster');
  for (const q of project.gpuQuota) console.log(`quota ${q.gpuFamily}: ${q.used}/${q.limit} GPUs used`);

  // 2. A SHARED pool: one control-plane host and one 8-GPU H100 host; deployments share its GPUs.
  let pool = project.computePools.nodes.find((p: any) => p.name === POOL && !['DELETING', 'DELETED'].includes(p.phase));
  if (!pool) {
    console.log(`\ncreating compute pool ${POOL} from edge-gpu-cluster`);
    const { createComputePool } = await gql(
      `mutation($input: CreateComputePoolInput!) {
        createComputePool(input: $input) { computePool { id name mode phase } userErrors { field message code } }
      }`,
      {
        input: {
          projectId: project.id,
          name: POOL,
          mode: 'SHARED',
          infrastructureBundleId: infraBundle,
          nodeRequirements: {
            controlPlane: { nodeCount: 1 },
            workerPools: [{ name: 'gpu', nodeCount: 1, gpu: { family: 'NVIDIA-H100', countPerNode: 8 } }],
          },
          idempotencyKey: randomUUID(),
        },
      },
    );
    check(createComputePool, 'createComputePool');
    pool = createComputePool.computePool;
  }
  if (pool.phase !== 'RUNNING') {
    console.log(`waiting for compute pool ${POOL} (${pool.phase})`);
    if ((await follow('computePoolEvents', pool.id)) !== 'RUNNING') {
      throw new Error(`compute pool ${POOL} FAILED (see its events above); delete it, or set SPOKEGRAPH_POOL to another name`);
    }
  }
  console.log(`compute pool ${POOL} is RUNNING`);

  // 3. Deploy. A fresh name per run; the idempotency key makes a resent request (say after a
  //    timeout) return this same deployment instead of creating a second one.
  const name = `llm-${new Date().toISOString().slice(11, 19).replace(/:/g, '')}-${randomUUID().slice(0, 4)}`;
  console.log(`\ndeploying llm-inference as ${name}`);
  const { deployApp } = await gql(
    `mutation($input: DeployAppInput!) {
      deployApp(input: $input) { appDeployment { id name phase cluster } userErrors { field message code } }
    }`,
    {
      input: {
        projectId: project.id,
        name,
        bundleIds: [appBundle],
        poolId: pool.id,
        variables: [{ name: 'uiTitle', value: `Chat ${name}` }],
        idempotencyKey: randomUUID(),
      },
    },
  );
  check(deployApp, 'deployApp');
  const deployment = deployApp.appDeployment;

  // 4. Live progress, then the outcome.
  const phase = await follow('appDeploymentEvents', deployment.id);
  const { node } = await gql(
    `query($id: ID!) {
      node(id: $id) {
        ... on AppDeployment { name phase cluster accessUrls { component port url } status { failure { reason step message } } }
      }
    }`,
    { id: deployment.id },
  );
  if (phase !== 'RUNNING' || node.phase !== 'RUNNING') {
    const f = node.status.failure;
    throw new Error(`deployment ${name} is ${node.phase}${f ? `: ${f.reason} at step ${f.step}: ${f.message}` : ''}`);
  }
  console.log(`\n${name} is RUNNING on cluster ${node.cluster}`);
  for (const u of node.accessUrls) console.log(`  ${u.component.padEnd(12)} ${u.url}`);
}

main()
  .then(() => 0)
  .catch((e) => {
    console.error(`\nERROR: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  })
  .then(async (code) => {
    await ws.dispose();
    process.exit(code);
  });
