/**
 * Profile bundle read model: a version as the graph shows it, read as a plain row (see
 * tenancy/project.read.ts). Its content columns are JSON: parsed on first access, since a page of
 * versions often shows only names and versions. The ProfileBundle entity has this shape too.
 */
import { dateOf, jsonOf } from '../db/read-rows.js';
import type { Em } from '../db/orm.js';
import type { BundleType, ClusterProfileSpec, VariableSpec, WorkloadProfileSpec } from './bundle.model.js';

/** A value now (an entity's), or once read (a page's read model loads its content on first use). */
export type Later<T> = T | Promise<T>;

export interface BundleView {
  id: string;
  project: { id: string };
  name: string;
  version: number;
  type: BundleType;
  description: string | null;
  clusterProfile: Later<ClusterProfileSpec | null>;
  workloadProfiles: Later<WorkloadProfileSpec[]>;
  variables: Later<VariableSpec[]>;
  createdAt: Date;
}

/** The content of a version: its JSON columns, as text (parsed on first use). */
export interface BundleContentRow {
  cluster_profile: unknown;
  workload_profiles: unknown;
  variables: unknown;
}

/**
 * What a page of versions selects: not the content. The JSON columns are most of a row's bytes
 * (and PostgreSQL's driver parses every jsonb value it returns), while most pages show names and
 * versions only; the content is read when a query asks for it (`BUNDLE_CONTENT_SQL`, batched).
 */
export const BUNDLE_COLUMNS = ['id', 'project_id', 'name', 'version', 'type', 'description', 'created_at'];

/** The content of the versions with the given ids (`?` placeholders appended by the caller): JSON as text in both dialects. */
export const BUNDLE_CONTENT_SQL =
  'select "id", cast("cluster_profile" as text) as "cluster_profile", cast("workload_profiles" as text) as "workload_profiles", cast("variables" as text) as "variables" from "profile_bundle" where "id" in';

/** Applies `f` to a value now, or when it arrives. */
export function later<T, U>(v: Later<T>, f: (v: T) => U): Later<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** A row of a page → the read model; `content(id)` reads a version's content when first needed. */
export function bundleViewOf(em: Em, r: Record<string, unknown>, content: (id: string) => Promise<BundleContentRow | null>): BundleView {
  const id = String(r.id);
  let row: Promise<BundleContentRow | null> | null = null;
  const parsed = new Map<string, Promise<unknown>>();
  let createdAt: Date | undefined;
  const json = <T>(column: keyof BundleContentRow): Promise<T> => {
    let v = parsed.get(column);
    if (!v) {
      row ??= content(id);
      v = row.then((c) => (c ? (jsonOf(c[column]) ?? null) : null));
      parsed.set(column, v);
    }
    return v as Promise<T>;
  };
  return {
    id,
    project: { id: String(r.project_id) },
    name: String(r.name),
    version: Number(r.version),
    type: r.type as BundleType,
    description: (r.description as string | null) ?? null,
    get clusterProfile() {
      return json<ClusterProfileSpec | null>('cluster_profile');
    },
    get workloadProfiles() {
      return json<WorkloadProfileSpec[] | null>('workload_profiles').then((w) => w ?? []);
    },
    get variables() {
      return json<VariableSpec[] | null>('variables').then((v) => v ?? []);
    },
    get createdAt() {
      return (createdAt ??= dateOf(em, r.created_at));
    },
  };
}
