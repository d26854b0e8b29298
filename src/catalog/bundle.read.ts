/**
 * Profile bundle read model: a version as the graph shows it, read as a plain row (see
 * tenancy/project.read.ts). Its content columns are JSON: parsed on first access, since a page of
 * versions often shows only names and versions. The ProfileBundle entity has this shape too.
 */
import { dateOf, jsonOf } from '../db/read-rows.js';
import type { Em } from '../db/orm.js';
import type { BundleType, ClusterProfileSpec, VariableSpec, WorkloadProfileSpec } from './bundle.model.js';

export interface BundleView {
  id: string;
  project: { id: string };
  name: string;
  version: number;
  type: BundleType;
  description: string | null;
  clusterProfile: ClusterProfileSpec | null;
  workloadProfiles: WorkloadProfileSpec[];
  variables: VariableSpec[];
  createdAt: Date;
}

export const BUNDLE_COLUMNS = ['id', 'project_id', 'name', 'version', 'type', 'description', 'cluster_profile', 'workload_profiles', 'variables', 'created_at'];

export function bundleViewOf(em: Em, r: Record<string, unknown>): BundleView {
  const parsed = new Map<string, unknown>();
  const json = <T>(column: string): T => {
    if (!parsed.has(column)) parsed.set(column, jsonOf(r[column]) ?? null);
    return parsed.get(column) as T;
  };
  return {
    id: String(r.id),
    project: { id: String(r.project_id) },
    name: String(r.name),
    version: Number(r.version),
    type: r.type as BundleType,
    description: (r.description as string | null) ?? null,
    get clusterProfile() {
      return json<ClusterProfileSpec | null>('cluster_profile');
    },
    get workloadProfiles() {
      return json<WorkloadProfileSpec[] | null>('workload_profiles') ?? [];
    },
    get variables() {
      return json<VariableSpec[] | null>('variables') ?? [];
    },
    createdAt: dateOf(em, r.created_at),
  };
}
