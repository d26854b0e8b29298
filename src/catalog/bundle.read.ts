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

/** Columns of a version a query may not ask, by the GraphQL field that shows them. */
const OPTIONAL_COLUMNS: [field: string, column: string][] = [
  ['description', 'description'],
  ['createdAt', 'created_at'],
];

/**
 * The columns a page of versions selects when a query asks only the given field names below it
 * (graphql/selection.ts): the page's own columns and those of the fields asked. A description and
 * a timestamp per version were a third of a page row's values that the usual page never shows.
 * A column left out reads as absent: `description` null, `createdAt` not readable — so a caller
 * passes every field name its query asks (an over-approximation keeps this safe).
 */
export function bundleColumnsFor(asked: ReadonlySet<string>): string[] {
  const cols = BUNDLE_COLUMNS.filter((c) => !OPTIONAL_COLUMNS.some(([, column]) => column === c));
  for (const [field, column] of OPTIONAL_COLUMNS) if (asked.has(field)) cols.push(column);
  return cols;
}

/** The content of the versions with the given ids (`?` placeholders appended by the caller): JSON as text in both dialects. */
export const BUNDLE_CONTENT_SQL =
  'select "id", cast("cluster_profile" as text) as "cluster_profile", cast("workload_profiles" as text) as "workload_profiles", cast("variables" as text) as "variables" from "profile_bundle" where "id" in';

/** Applies `f` to a value now, or when it arrives. */
export function later<T, U>(v: Later<T>, f: (v: T) => U): Later<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

type ContentOf = (id: string) => Promise<BundleContentRow | null>;

/**
 * A version row as its read model. A class rather than an object literal with getters and a map of
 * parsed columns: that made five closures, a Map and accessor pairs for each of the 250 versions of
 * a page; here the accessors are shared on the prototype.
 */
class BundleRowView implements BundleView {
  readonly id: string;
  readonly project: { id: string };
  readonly name: string;
  readonly version: number;
  readonly type: BundleType;
  readonly description: string | null;
  private contentRow: Promise<BundleContentRow | null> | undefined;
  private parsedClusterProfile: Promise<ClusterProfileSpec | null> | undefined;
  private parsedWorkloadProfiles: Promise<WorkloadProfileSpec[]> | undefined;
  private parsedVariables: Promise<VariableSpec[]> | undefined;
  private parsedCreatedAt: Date | undefined;

  constructor(
    private readonly em: Em,
    private readonly r: Record<string, unknown>,
    private readonly content: ContentOf,
  ) {
    this.id = String(r.id);
    this.project = { id: String(r.project_id) };
    this.name = String(r.name);
    this.version = Number(r.version);
    this.type = r.type as BundleType;
    this.description = (r.description as string | null) ?? null;
  }

  /** One content column, parsed: the version's content is read (batched) on the first use of any column. */
  private json<T>(column: keyof BundleContentRow): Promise<T | null> {
    this.contentRow ??= this.content(this.id);
    return this.contentRow.then((c) => (c ? (jsonOf<T>(c[column]) ?? null) : null));
  }

  get clusterProfile(): Promise<ClusterProfileSpec | null> {
    return (this.parsedClusterProfile ??= this.json<ClusterProfileSpec>('cluster_profile'));
  }

  get workloadProfiles(): Promise<WorkloadProfileSpec[]> {
    return (this.parsedWorkloadProfiles ??= this.json<WorkloadProfileSpec[]>('workload_profiles').then((w) => w ?? []));
  }

  get variables(): Promise<VariableSpec[]> {
    return (this.parsedVariables ??= this.json<VariableSpec[]>('variables').then((v) => v ?? []));
  }

  get createdAt(): Date {
    return (this.parsedCreatedAt ??= dateOf(this.em, this.r.created_at));
  }
}

/** A row of a page → the read model; `content(id)` reads a version's content when first needed. */
export function bundleViewOf(em: Em, r: Record<string, unknown>, content: ContentOf): BundleView {
  return new BundleRowView(em, r, content);
}
