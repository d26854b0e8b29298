/**
 * App-deployment proofs: the deployment's event stream (appDeploymentEvents over graphql-ws) and
 * log, a world with a RUNNING shared pool, and the GPU ledger read straight from the database.
 * Works against any gateway URL (in-process test app or a child-process gateway).
 */
import type { SimulatedHub } from '../../src/sim/index.js';
import type { TestApp } from './app.js';
import { createPool, waitForPoolPhase } from './compute.js';
import { createAppBundle, DEPLOY_APP, DEPLOYMENT_FIELDS } from './deploy.js';
import { EVENT_FIELDS, subscribe, type Ev, type Subscription } from './events.js';
import { gqlRequest, ok } from './graphql.js';
import { H100, poolWorld, type PoolWorld } from './pools.js';
import type { MachineSpec } from './compute.js';
import { untilPhase } from './poll.js';

/** The part of a gateway the helpers need: its GraphQL endpoint and an admin token. */
export interface Gateway {
  url: string;
  wsUrl: string;
  adminToken: string;
}

export const gatewayOf = (app: TestApp): Gateway => ({ url: app.url, wsUrl: app.wsUrl, adminToken: app.adminToken });

export async function gq<T = any>(gw: Gateway, query: string, variables?: Record<string, unknown>, token: string | null = gw.adminToken): Promise<T> {
  return ok(await gqlRequest<T>(gw.url, query, variables, token));
}

/** One HTTP answer to deployApp, errors and all (a storm's callers each read their own). */
export type DeployAnswer = { status: number; data: any; errors?: unknown[] };

/** deployApp with each input at once, as the admin: the answers in input order. */
export const deployStorm = (gw: Gateway, inputs: Record<string, unknown>[]): Promise<DeployAnswer[]> =>
  Promise.all(inputs.map((input) => gqlRequest(gw.url, DEPLOY_APP, { input }, gw.adminToken)));

export const DEPLOYMENT_EVENTS = `subscription($id: ID!, $after: String) { appDeploymentEvents(id: $id, after: $after) { ${EVENT_FIELDS} } }`;
export const PROJECT_EVENTS = `subscription($projectId: ID!, $after: String) { projectEvents(projectId: $projectId, after: $after) { ${EVENT_FIELDS} } }`;

/** A deployment's or project's event stream on a connection of its own (a whole rollout: 60 s waits). */
export function subscribeEvents(gw: Gateway, query: string, variables: Record<string, unknown>, token: string | null = gw.adminToken): Subscription {
  return subscribe(gw, query, variables, token, 60_000);
}

export const deploymentEvents = (gw: Gateway, id: string, after: string | null = null) => subscribeEvents(gw, DEPLOYMENT_EVENTS, { id, after });
export const projectEventStream = (gw: Gateway, projectId: string, after: string | null = null) => subscribeEvents(gw, PROJECT_EVENTS, { projectId, after });

/** The deployment's whole log through its `events` connection (pages of 100). */
export async function deploymentEventLog(gw: Gateway, id: string): Promise<Ev[]> {
  const out: Ev[] = [];
  let after: string | null = null;
  for (;;) {
    const d: any = await gq(gw, `query($id: ID!, $after: String) { node(id: $id) { ... on AppDeployment { events(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${EVENT_FIELDS} } } } } }`, { id, after });
    const c = d.node.events;
    out.push(...c.nodes);
    if (!c.pageInfo.hasNextPage) {
      if (c.totalCount !== out.length) throw new Error(`totalCount ${c.totalCount} but ${out.length} events read`);
      return out;
    }
    after = c.pageInfo.endCursor;
  }
}

export async function getDeployment(gw: Gateway, id: string): Promise<any> {
  return (await gq(gw, `query($id: ID!) { node(id: $id) { ... on AppDeployment { ${DEPLOYMENT_FIELDS} computePool { id name mode phase } } } }`, { id })).node;
}

export const waitForPhase = (gw: Gateway, id: string, phases: string[], timeoutMs = 60_000): Promise<any> =>
  untilPhase('deployment', () => getDeployment(gw, id), phases, timeoutMs);

export const DELETE_DEPLOYMENT = `mutation($id: ID!) { deleteAppDeployment(input: { id: $id }) { appDeployment { id phase } userErrors { field message code } } }`;
export const RETRY_DEPLOYMENT = `mutation($id: ID!) { retryAppDeployment(input: { id: $id }) { appDeployment { ${DEPLOYMENT_FIELDS} } userErrors { field message code } } }`;

/** The phases a deployment passes through, as PHASE_CHANGED events say. */
export const phasesOf = (events: Ev[]) => events.filter((e) => e.type === 'PHASE_CHANGED').map((e) => e.phase);

export interface DeployWorld extends PoolWorld {
  appBundle: string;
}

/** A tenant and project with H100 quota, machines, an infrastructure bundle and an app bundle needing `gpus` H100s. */
export async function deployWorld(app: TestApp, opts: { quota?: number; tenantQuota?: number; machines?: MachineSpec; gpus?: number } = {}): Promise<DeployWorld> {
  const w = await poolWorld(app, opts);
  const appBundle = await createAppBundle(app, w.project.id, { gpus: opts.gpus ?? 2 });
  return { ...w, appBundle };
}

/** A RUNNING SHARED pool: `clusters` clusters of one control plane and `gpuNodes` 8-GPU H100 workers each. */
export async function sharedPool(app: TestApp, w: PoolWorld, opts: { clusters?: number; gpuNodes?: number; name?: string } = {}): Promise<{ id: string; name: string }> {
  const r = await createPool(app, {
    projectId: w.project.id,
    infrastructureBundleId: w.bundle,
    name: opts.name,
    mode: 'SHARED',
    clusterCount: opts.clusters ?? 1,
    workers: [{ name: 'gpu', nodeCount: opts.gpuNodes ?? 1, gpu: { family: H100, countPerNode: 8 } }],
  });
  if (r.createComputePool.userErrors.length) throw new Error(JSON.stringify(r.createComputePool.userErrors));
  const pool = r.createComputePool.computePool;
  await waitForPoolPhase(app, pool.id, ['RUNNING'], 60_000);
  return { id: pool.id, name: pool.name };
}

export const newDedicatedPool = (infrastructureBundleId: string, gpuNodes = 1, name?: string) => ({
  ...(name ? { name } : {}),
  infrastructureBundleId,
  nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: [{ name: 'gpu', nodeCount: gpuNodes, gpu: { family: H100, countPerNode: 8 } }] },
});

type Sql = <T = Record<string, unknown>>(query: string, params?: unknown[]) => Promise<T[]>;

/** Plain SQL through the in-process app's ORM. */
export const sqlOf =
  (app: TestApp): Sql =>
  async <T>(query: string, params: unknown[] = []) =>
    (await app.orm.em.fork().getConnection().execute(query, params)) as T[];

export interface Ledger {
  /** gpu_quota.used of the project and of its tenant, per family */
  projectUsed: number;
  tenantUsed: number;
  /** unreleased gpu_reservation rows of the project, summed, per holder kind */
  heldByDeployments: number;
  heldByPools: number;
  /** unreleased gpu_reservation rows of the whole tenant */
  tenantHeld: number;
  /** cluster_gpu.allocated of the project's pools */
  allocated: number;
  /** what deployments that hold an allocation requested */
  allocationHeld: number;
  /** cluster_gpu rows over capacity (must stay 0) */
  overAllocated: number;
}

/** The GPU ledger of one project and family, straight from the tables (names, not global ids). */
export async function ledger(sql: Sql, projectName: string, family = H100): Promise<Ledger> {
  const [p] = await sql<{ id: string; tenant_id: string }>('select id, tenant_id from project where name = ?', [projectName]);
  const used = async (scope: string) => Number((await sql<{ used: number }>('select used from gpu_quota where scope_id = ? and gpu_family = ?', [scope, family]))[0]?.used ?? 0);
  const sum = async (q: string, params: unknown[]) => Number((await sql<{ n: number | null }>(q, params))[0]?.n ?? 0);
  const held = (kind: string) => sum('select sum(count) as n from gpu_reservation where project_id = ? and gpu_family = ? and holder_kind = ? and released_at is null', [p.id, family, kind]);
  const deployments = await sql<{ gpu_requests: unknown }>('select gpu_requests from app_deployment where project_id = ? and holds_allocation', [p.id]);
  const allocationHeld = deployments
    .map((d) => (typeof d.gpu_requests === 'string' ? JSON.parse(d.gpu_requests) : d.gpu_requests) as { gpuFamily: string; count: number }[])
    .reduce((n, rs) => n + rs.filter((r) => r.gpuFamily === family).reduce((m, r) => m + r.count, 0), 0);
  return {
    projectUsed: await used(p.id),
    tenantUsed: await used(p.tenant_id),
    heldByDeployments: await held('APP_DEPLOYMENT'),
    heldByPools: await held('COMPUTE_POOL'),
    tenantHeld: await sum('select sum(count) as n from gpu_reservation where tenant_id = ? and gpu_family = ? and released_at is null', [p.tenant_id, family]),
    allocated: await sum('select sum(g.allocated) as n from cluster_gpu g join compute_pool c on c.id = g.pool_id where c.project_id = ? and g.gpu_family = ?', [p.id, family]),
    allocationHeld,
    overAllocated: await sum('select count(*) as n from cluster_gpu where allocated > capacity or allocated < 0', []),
  };
}

/** The hub objects of one deployment (Placement, PlacementDecisions, ManifestWork), as kind/namespace/name. */
export function deploymentHubObjects(hub: SimulatedHub, deployment: string): string[] {
  return hub
    .objects()
    .filter((o) => o.metadata.labels?.['spokegraph.io/deployment'] === deployment || o.metadata.labels?.['cluster.open-cluster-management.io/placement'] === deployment)
    .map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)
    .sort();
}

/** App HelmReleases on a spoke, as namespace/name. */
export function spokeReleases(hub: SimulatedHub, cluster: string): string[] {
  return hub
    .spoke(cluster)
    .list('helm.toolkit.fluxcd.io/v2', 'HelmRelease')
    // the pool's own NVIDIA device plugin (install-addons) is infrastructure, not an app release
    .filter((o) => o.metadata.namespace !== 'nvidia-device-plugin')
    .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
    .sort();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
