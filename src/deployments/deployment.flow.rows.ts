/**
 * What the deploy flow's steps read besides the deployment row — its project, pool and bundle
 * versions — as plain rows. The steps only read them (to render hub objects and to look at the
 * pool's progress): managed entities cost a query builder, hydration and an identity-map entry each,
 * four per deployment, and bought nothing here.
 */
import { BUNDLE_CONTENT_COLUMNS, contentColumnsOf, type BundleContentSource } from '../catalog/bundle.content.js';
import type { ExposureSetting, PoolPhase } from '../compute/pool.model.js';
import type { Em } from '../db/orm.js';
import { jsonOf, readRows } from '../db/read-rows.js';
import { NotFoundError } from '../errors.js';

/** The project as ownership labels and names need it (a Project entity has this shape too). */
export interface FlowProject {
  id: string;
  name: string;
  tenant: { id: string };
}

/** What the deploy steps read of the deployment's pool: its progress (provision-pool) and what the render needs. */
export interface FlowPool {
  id: string;
  name: string;
  phase: PoolPhase;
  percent: number;
  currentStep: string | null;
  waitMessage: string | null;
  failureReason: string | null;
  failureMessage: string | null;
  clusterSet: string;
  exposure: ExposureSetting | null;
}

/** A bundle version's content, in the deployment's order. */
export interface FlowBundle extends BundleContentSource {
  id: string;
  name: string;
  version: number;
}

const PROJECT = 'select "id", "name", "tenant_id" from "project" where "id" = ?';
const POOL =
  'select "id", "name", "phase", "percent", "current_step", "wait_message", "failure_reason", "failure_message", "cluster_set", "exposure" from "compute_pool" where "id" = ?';
const BUNDLES =
  `select b."id", b."name", b."version", ${BUNDLE_CONTENT_COLUMNS.map((c) => `b."${c}"`).join(', ')} ` +
  'from "app_deployment_bundle" l join "profile_bundle" b on b."id" = l."bundle_id" where l."deployment_id" = ? order by l."position" asc';

type Row = Record<string, unknown>;
const str = (v: unknown): string | null => (v == null ? null : String(v));

export async function readFlowProject(em: Em, id: string): Promise<FlowProject> {
  const [r] = await readRows<Row>(em, PROJECT, [id]);
  if (!r) throw new NotFoundError(`project ${id}`);
  return { id: String(r.id), name: String(r.name), tenant: { id: String(r.tenant_id) } };
}

export async function readFlowPool(em: Em, id: string): Promise<FlowPool> {
  const [r] = await readRows<Row>(em, POOL, [id]);
  if (!r) throw new NotFoundError(`compute pool ${id}`);
  return {
    id: String(r.id),
    name: String(r.name),
    phase: r.phase as PoolPhase,
    percent: Number(r.percent),
    currentStep: str(r.current_step),
    waitMessage: str(r.wait_message),
    failureReason: str(r.failure_reason),
    failureMessage: str(r.failure_message),
    clusterSet: String(r.cluster_set),
    exposure: r.exposure == null ? null : jsonOf<ExposureSetting>(r.exposure),
  };
}

/** The deployment's bundle versions in its order (a link's bundle version cannot be deleted while linked). */
export async function readFlowBundles(em: Em, deploymentId: string): Promise<FlowBundle[]> {
  const rows = await readRows<Row>(em, BUNDLES, [deploymentId]);
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), version: Number(r.version), ...contentColumnsOf(r) }));
}
