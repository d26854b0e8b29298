/**
 * The deploy flow's subject as a plain row (FlowDefinition.readSubject). Its steps and hooks only
 * read the deployment's columns named here (they render hub objects from them; the runner keeps
 * phase and percent itself), so a managed entity — query builder, hydration of every column, an
 * identity-map entry and a change-tracking snapshot per claim — bought nothing.
 *
 * The steps are typed against DeploySubject, so one that reads another column does not compile
 * until the column is added here (test/integration/deployments.flow-subject.test.ts compares these
 * fields with the entity's).
 */
import type { Em } from '../db/orm.js';
import { jsonOf, readRows } from '../db/read-rows.js';
import type { AppDeployment } from './deployment.entity.js';
import type { DeploymentPhase, DeploymentSpec, GpuRequest } from './deployment.model.js';

/** The fields of AppDeployment the deploy flow reads (and the runner: id, name, phase, percent, projectId). */
export const FLOW_SUBJECT_FIELDS = [
  'id', 'name', 'phase', 'percent', 'projectId', 'cluster', 'spec', 'resolvedVariables', 'gpuRequests', 'retries', 'revision', 'hubName',
] as const;

const DEPLOYMENT =
  'select "id", "name", "phase", "percent", "project_id", "pool_id", "cluster", "spec", "resolved_variables", "gpu_requests", "retries", "revision", "hub_name" ' +
  'from "app_deployment" where "id" = ?';

/** What the deploy flow's steps and hooks see of a deployment (the entity is one too). */
export type DeploySubject = Pick<AppDeployment, (typeof FLOW_SUBJECT_FIELDS)[number]> & {
  readonly project: { readonly id: string };
  readonly pool: { readonly id: string };
};

type Row = Record<string, unknown>;

export async function readFlowDeployment(em: Em, id: string): Promise<DeploySubject | null> {
  const [r] = await readRows<Row>(em, DEPLOYMENT, [id]);
  if (!r) return null;
  const projectId = String(r.project_id);
  return {
    id: String(r.id),
    name: String(r.name),
    phase: r.phase as DeploymentPhase,
    percent: Number(r.percent),
    project: { id: projectId },
    projectId,
    pool: { id: String(r.pool_id) },
    cluster: String(r.cluster),
    spec: jsonOf<DeploymentSpec>(r.spec),
    resolvedVariables: jsonOf<Record<string, unknown>>(r.resolved_variables),
    gpuRequests: jsonOf<GpuRequest[]>(r.gpu_requests),
    retries: Number(r.retries),
    revision: Number(r.revision),
    hubName: r.hub_name == null ? null : String(r.hub_name),
  };
}
