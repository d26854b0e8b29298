/**
 * Turning what a person types into ids: projects by name; pools, bundles and deployments by name
 * within a project, or by global id. A reference that follows the name rules (lowercase letters,
 * digits and "-", starting with a letter) is a name; anything else is passed on as an id.
 */
import { notFound, usageError } from '../exit-codes.js';
import type { Api } from './graphql.client.js';
import * as q from './queries.js';
import type { Bundle, Deployment, Page, Pool, Project } from './types.js';

const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const BUNDLE_REF = /^([a-z0-9][a-z0-9.-]*[a-z0-9])(?:@v?(\d+))?$/;

export const isName = (ref: string) => NAME.test(ref);

/** Every node of a connection, following endCursor. `pick` returns null when the parent is missing. */
export async function allPages<T>(api: Api, query: string, variables: Record<string, unknown>, pick: (data: any) => Page<T> | null): Promise<T[] | null> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page = pick(await api.query(query, { ...variables, after }));
    if (!page) return null;
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

export function requireProject(project: string | null): string {
  if (!project) throw usageError('No project: pass --project <name> (or set SPOKEGRAPH_PROJECT, or `spokegraph login --project <name>`)');
  return project;
}

export async function findProject(api: Api, name: string): Promise<Project> {
  const data = await api.query<{ project: Project | null }>(q.PROJECT_BY_NAME, { name });
  if (!data.project) throw notFound(`Project ${name} not found (or not visible to this token)`);
  return data.project;
}

export async function listPools(api: Api, project: string, phase?: string): Promise<Pool[]> {
  const pools = await allPages<Pool>(api, q.POOLS, { name: project, phase: phase ?? null }, (d) => d.project?.computePools ?? null);
  if (!pools) throw notFound(`Project ${project} not found (or not visible to this token)`);
  return pools;
}

/** A pool id from a name (the newest pool of that name that is not being deleted) or an id. */
export async function poolId(api: Api, project: string, ref: string): Promise<string> {
  if (!isName(ref)) return ref;
  const match = (await listPools(api, project)).filter((p) => p.name === ref && p.phase !== 'DELETED' && p.phase !== 'DELETING');
  if (!match.length) throw notFound(`Compute pool ${ref} not found in project ${project}`);
  return match[match.length - 1].id;
}

/** A bundle version from `name` (latest), `name@v2` / `name@2`, or an id. */
export async function findBundle(api: Api, project: string, ref: string): Promise<Bundle> {
  const m = BUNDLE_REF.exec(ref);
  if (!m) {
    const data = await api.query(q.NODE, { id: ref });
    if (data.node?.__typename !== 'ProfileBundle') throw notFound(`Profile bundle ${ref} not found`);
    return { id: data.node.bundleId, name: data.node.bundleName, version: 0, versionLabel: '', bundleType: '', variables: data.node.bundleVariables };
  }
  const [, name, version] = m;
  const versions = await allPages<Bundle>(api, q.BUNDLES, { name: project, bundle: name }, (d) => d.project?.profileBundles ?? null);
  if (!versions) throw notFound(`Project ${project} not found (or not visible to this token)`);
  const pick = version ? versions.find((b) => b.version === Number(version)) : versions.reduce<Bundle | undefined>((a, b) => (!a || b.version > a.version ? b : a), undefined);
  if (!pick) throw notFound(`Profile bundle ${ref} not found in project ${project}`);
  return pick;
}

export async function listDeployments(api: Api, project: string, phase?: string): Promise<Deployment[]> {
  const list = await allPages<Deployment>(api, q.DEPLOYMENTS, { name: project, phase: phase ?? null }, (d) => d.project?.appDeployments ?? null);
  if (!list) throw notFound(`Project ${project} not found (or not visible to this token)`);
  return list;
}

/** A deployment by id, or by name in the project (the newest of that name; names are reused only after DELETED). */
export async function findDeployment(api: Api, project: string | null, ref: string): Promise<Deployment> {
  if (!isName(ref)) {
    const data = await api.query(q.NODE, { id: ref });
    if (data.node?.__typename !== 'AppDeployment') throw notFound(`App deployment ${ref} not found (or not visible to this token)`);
    return data.node as Deployment;
  }
  const all = (await listDeployments(api, requireProject(project))).filter((d) => d.name === ref);
  const live = all.filter((d) => d.phase !== 'DELETED');
  const pick = (live.length ? live : all).at(-1);
  if (!pick) throw notFound(`App deployment ${ref} not found in project ${project}`);
  return pick;
}
