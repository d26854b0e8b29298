/**
 * Project read model: what the graph shows of a project, read as a plain row. Pages of projects
 * (a tenant's 50, say) are read-only, so they skip MikroORM entities (identity map, snapshots,
 * references); writes still load the entity. The Project entity has this shape too.
 */
import { dateOf, boolOf, jsonOf } from '../db/read-rows.js';
import type { Em } from '../db/orm.js';
import type { Tag } from './project.entity.js';

export interface ProjectView {
  id: string;
  tenant: { id: string };
  name: string;
  displayName: string;
  description: string | null;
  namespace: string;
  tags: Tag[];
  controlPlaneNodeCount: number;
  workerNodeEligible: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns ProjectNode needs (the table has no others today, but this list is what the read costs). */
export const PROJECT_COLUMNS = ['id', 'tenant_id', 'name', 'display_name', 'description', 'tags', 'control_plane_node_count', 'worker_node_eligible', 'created_at', 'updated_at'];

export function projectViewOf(em: Em, r: Record<string, unknown>): ProjectView {
  const name = String(r.name);
  // parsed when first read: a page of projects rarely shows tags or timestamps
  let tags: Tag[] | undefined;
  let createdAt: Date | undefined;
  let updatedAt: Date | undefined;
  return {
    id: String(r.id),
    tenant: { id: String(r.tenant_id) },
    name,
    displayName: String(r.display_name),
    description: (r.description as string | null) ?? null,
    // a project's namespace is its name (Project.namespace)
    namespace: name,
    get tags() {
      return (tags ??= jsonOf<Tag[]>(r.tags) ?? []);
    },
    controlPlaneNodeCount: Number(r.control_plane_node_count),
    workerNodeEligible: boolOf(r.worker_node_eligible),
    get createdAt() {
      return (createdAt ??= dateOf(em, r.created_at));
    },
    get updatedAt() {
      return (updatedAt ??= dateOf(em, r.updated_at));
    },
  };
}
