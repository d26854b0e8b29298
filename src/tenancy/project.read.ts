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

/**
 * A project row as its read model. A class rather than an object literal with getters: the literal
 * made three closures and accessor pairs per row of every page; here the accessors are shared on the
 * prototype and the row is kept until a query reads tags or timestamps.
 */
class ProjectRowView implements ProjectView {
  readonly id: string;
  readonly tenant: { id: string };
  readonly name: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly namespace: string;
  readonly controlPlaneNodeCount: number;
  readonly workerNodeEligible: boolean;
  private parsedTags: Tag[] | undefined;
  private parsedCreatedAt: Date | undefined;
  private parsedUpdatedAt: Date | undefined;

  constructor(
    private readonly em: Em,
    private readonly r: Record<string, unknown>,
  ) {
    this.id = String(r.id);
    this.tenant = { id: String(r.tenant_id) };
    this.name = String(r.name);
    this.displayName = String(r.display_name);
    this.description = (r.description as string | null) ?? null;
    // a project's namespace is its name (Project.namespace)
    this.namespace = this.name;
    this.controlPlaneNodeCount = Number(r.control_plane_node_count);
    this.workerNodeEligible = boolOf(r.worker_node_eligible);
  }

  // parsed when first read: a page of projects rarely shows tags or timestamps
  get tags(): Tag[] {
    return (this.parsedTags ??= jsonOf<Tag[]>(this.r.tags) ?? []);
  }

  get createdAt(): Date {
    return (this.parsedCreatedAt ??= dateOf(this.em, this.r.created_at));
  }

  get updatedAt(): Date {
    return (this.parsedUpdatedAt ??= dateOf(this.em, this.r.updated_at));
  }
}

export function projectViewOf(em: Em, r: Record<string, unknown>): ProjectView {
  return new ProjectRowView(em, r);
}
