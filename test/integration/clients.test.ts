/**
 * The snippets of docs/clients.md, run with the real client libraries (Apollo Client, urql,
 * relay-runtime, GraphQL Code Generator's typed documents) against a real gateway, so the guide
 * keeps working when the schema changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApolloClient, DeploymentProgress, NodeById, NodeSummary } from '../../docs/snippets/apollo.js';
import { createRelayEnvironment, loadPool, planDeployment } from '../../docs/snippets/relay.js';
import { createUrqlClient, ProjectDeployments, ProjectProgress } from '../../docs/snippets/urql.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { deployApp } from '../helpers/deploy.js';
import { deployWorld, gatewayOf, sharedPool, waitForPhase, type DeployWorld } from '../helpers/deployments.js';
import { uniq } from '../helpers/seed.js';

let app: TestApp;
let w: DeployWorld;
let pool: { id: string; name: string };
let deployment: { id: string; name: string };
beforeAll(async () => {
  app = await startTestApp();
  w = await deployWorld(app);
  pool = await sharedPool(app, w);
  const r = await deployApp(app, { projectId: w.project.id, name: uniq('guide'), bundleIds: [w.appBundle], poolId: pool.id });
  deployment = r.appDeployment;
  await waitForPhase(gatewayOf(app), deployment.id, ['RUNNING']);
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('Apollo Client (docs/snippets/apollo.ts)', () => {
  it('queries any node with one document and reads a fragment on Node from the cache thanks to possibleTypes', async () => {
    const { client, dispose } = createApolloClient({ url: app.url, token: app.adminToken, webSocketImpl: WebSocket });
    try {
      for (const id of [deployment.id, pool.id]) {
        const { data } = await client.query({ query: NodeById, variables: { id } });
        expect(data?.node).toMatchObject({ id, phase: 'RUNNING', status: { percent: 100 } });
      }
      const cached = client.readFragment({ fragment: NodeSummary, id: client.cache.identify({ __typename: 'AppDeployment', id: deployment.id }) });
      expect(cached).toMatchObject({ id: deployment.id, name: deployment.name, phase: 'RUNNING' });
    } finally {
      await dispose();
    }
  });

  it('without possibleTypes the same fragment on Node silently reads nothing (the pitfall the guide warns about)', async () => {
    const { client, dispose } = createApolloClient({ url: app.url, token: app.adminToken, webSocketImpl: WebSocket, usePossibleTypes: false });
    try {
      await client.query({ query: NodeById, variables: { id: deployment.id } });
      const cached = client.readFragment({ fragment: NodeSummary, id: client.cache.identify({ __typename: 'AppDeployment', id: deployment.id }) });
      expect(cached && 'phase' in cached ? cached.phase : undefined).toBeUndefined();
    } finally {
      await dispose();
    }
  });

  it('subscribes over graphql-ws and replays a deployment log from the start', async () => {
    const { client, dispose } = createApolloClient({ url: app.url, token: app.adminToken, webSocketImpl: WebSocket });
    try {
      const seen: number[] = [];
      await new Promise<void>((resolve, reject) => {
        const sub = client.subscribe({ query: DeploymentProgress, variables: { id: deployment.id, after: null } }).subscribe({
          next: (r) => {
            const e = r.data?.appDeploymentEvents;
            if (!e) return;
            seen.push(e.seq);
            if (e.type === 'PHASE_CHANGED' && e.phase === 'RUNNING') {
              sub.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
      });
      expect(seen).toEqual(seen.map((_, i) => i + 1));
    } finally {
      await dispose();
    }
  });
});

describe('urql (docs/snippets/urql.ts)', () => {
  it('pages backward and subscribes to project events', async () => {
    const { client, dispose } = createUrqlClient({ url: app.url, token: app.adminToken, webSocketImpl: WebSocket });
    try {
      const r = await client.query(ProjectDeployments, { name: w.project.name, last: 10 }).toPromise();
      expect(r.error).toBeUndefined();
      expect(r.data?.project?.appDeployments.nodes.map((d) => d.id)).toContain(deployment.id);
      const first = await new Promise<{ projectSeq: number; subjectName: string }>((resolve, reject) => {
        const { unsubscribe } = client.subscription(ProjectProgress, { projectId: r.data!.project!.id, after: null }).subscribe((x) => {
          if (x.error) reject(x.error);
          if (x.data) {
            unsubscribe();
            resolve(x.data.projectEvents);
          }
        });
      });
      expect(first.projectSeq).toBe(1);
    } finally {
      await dispose();
    }
  });
});

describe('Relay (docs/snippets/relay.ts)', () => {
  it('keeps a compute pool intact in the store after a dry-run plan that names it', async () => {
    const { environment, dispose } = createRelayEnvironment({ url: app.url, token: app.adminToken, webSocketImpl: WebSocket });
    try {
      const loaded = (await loadPool(environment, pool.id)) as { node: { phase: string; mode: string } };
      expect(loaded.node).toMatchObject({ phase: 'RUNNING', mode: 'SHARED' });
      const plan = (await planDeployment(environment, { projectId: w.project.id, name: uniq('plan'), bundleIds: [w.appBundle], poolId: pool.id })) as {
        deployApp: { plan: { pool: { computePool: { id: string } }; steps: { step: string }[] }; userErrors: unknown[] };
      };
      expect(plan.deployApp.userErrors).toEqual([]);
      expect(plan.deployApp.plan.pool.computePool.id).toBe(pool.id);
      expect(plan.deployApp.plan.steps.map((s) => s.step)).toEqual(['provision-pool', 'place', 'apply-work', 'rollout']);
      const record = environment.getStore().getSource().get(pool.id);
      expect(record).toMatchObject({ __typename: 'ComputePool', name: pool.name, phase: 'RUNNING', mode: 'SHARED' });
      expect(Object.keys(record ?? {})).not.toContain('isNew');
    } finally {
      await dispose();
    }
  });
});
