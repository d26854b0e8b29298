/**
 * Revision bookkeeping inside the transactions of updateAppDeployment and of the upgrade flow: the
 * revision rows and the bundle versions they pin, the deployment row switched between revisions,
 * and the GPUs a change of revision holds (the larger of old and new while it rolls out).
 */
import type { Em } from '../db/orm.js';
import type { Stager } from '../db/plain-inserts.js';
import { all, knexOf, run } from '../db/sql.js';
import { GpuReservation } from '../tenancy/gpu-reservation.entity.js';
import { AppDeployment, AppDeploymentBundle } from './deployment.entity.js';
import type { GpuRequest } from './deployment.model.js';
import { AppDeploymentRevision, AppDeploymentRevisionBundle, RevisionOutcome } from './deployment.revision.entity.js';

/** What a revision runs. */
export interface RevisionContent {
  bundleIds: string[];
  variables: Record<string, unknown>;
  resolvedVariables: Record<string, unknown>;
  gpuRequests: GpuRequest[];
}

export interface Actor {
  tokenId: string | null;
  subject: string | null;
}

/** Creates a revision and the links that keep its bundle versions (flushed by the caller's transaction). */
export function recordRevision(
  em: Stager,
  deploymentId: string,
  number: number,
  content: RevisionContent,
  actor: Actor,
  extra: { outcome?: RevisionOutcome; replaces?: number | null; rollbackOf?: number | null; rollbackOnFailure?: boolean } = {},
): AppDeploymentRevision {
  const rev = em.create(AppDeploymentRevision, {
    deployment: deploymentId,
    number,
    bundleIds: content.bundleIds,
    variables: { ...content.variables },
    resolvedVariables: { ...content.resolvedVariables },
    gpuRequests: content.gpuRequests,
    actorTokenId: actor.tokenId,
    actorSubject: actor.subject,
    outcome: extra.outcome ?? RevisionOutcome.ROLLING_OUT,
    replaces: extra.replaces ?? null,
    rollbackOf: extra.rollbackOf ?? null,
    rollbackOnFailure: extra.rollbackOnFailure ?? false,
  });
  // a bundle listed twice is one link (a deployment lists each bundle once; belt and braces)
  [...new Set(content.bundleIds)].forEach((bundle, position) => em.create(AppDeploymentRevisionBundle, { revision: rev, bundle, deploymentId, position }));
  return rev;
}

/** The content of the row as it is (revision 1 of a deployment admitted before revisions existed). */
export async function contentOfRow(em: Em, d: AppDeployment): Promise<RevisionContent> {
  const links = await em.find(AppDeploymentBundle, { deployment: d.id }, { orderBy: { position: 'asc' } });
  return { bundleIds: links.map((l) => l.bundle.id), variables: { ...d.spec.variables }, resolvedVariables: { ...d.resolvedVariables }, gpuRequests: d.gpuRequests };
}

/** A deployment admitted by a release without revisions gets its revision row now (SUCCEEDED: it runs). */
export async function ensureRevisionRow(em: Em, d: AppDeployment): Promise<void> {
  if (await em.count(AppDeploymentRevision, { deployment: d.id, number: d.revision })) return;
  recordRevision(em, d.id, d.revision, await contentOfRow(em, d), { tokenId: null, subject: null }, { outcome: RevisionOutcome.SUCCEEDED });
  await em.flush();
}

/**
 * Points the row at `number` with `content` (and `held` GPUs): the flow renders what the row says.
 * Guarded on the revision it expects, so two writers cannot both switch it; false when it had moved.
 */
export async function switchRow(em: Em, d: AppDeployment, expected: number, number: number, content: RevisionContent, held: GpuRequest[]): Promise<boolean> {
  const spec = { ...d.spec, bundleIds: content.bundleIds, variables: { ...content.variables } };
  const n = await em.nativeUpdate(AppDeployment, { id: d.id, revision: expected }, { revision: number, spec, resolvedVariables: { ...content.resolvedVariables }, gpuRequests: held });
  if (n !== 1) return false;
  await em.nativeDelete(AppDeploymentBundle, { deployment: d.id });
  // native inserts: links of the same keys may sit in this EntityManager's identity map, where a
  // create would merge with them instead of inserting
  const rows = content.bundleIds.map((bundle, position) => ({ deployment_id: d.id, bundle_id: bundle, position }));
  if (rows.length) await run(em, knexOf(em)('app_deployment_bundle').insert(rows));
  return true;
}

const byFamily = (list: GpuRequest[]) => new Map(list.map((g) => [g.gpuFamily, g.count]));
const toList = (m: Map<string, number>) => [...m.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : 1)).map(([gpuFamily, count]) => ({ gpuFamily, count }));

/** Per family, the larger of the two (what a rollout holds: old pods and new ones may run side by side). */
export function larger(a: GpuRequest[], b: GpuRequest[]): GpuRequest[] {
  const m = byFamily(a);
  for (const g of b) m.set(g.gpuFamily, Math.max(m.get(g.gpuFamily) ?? 0, g.count));
  return toList(m);
}

/** Per family, how much more `to` asks than `from` (families it asks less of are left out). */
export function increase(from: GpuRequest[], to: GpuRequest[]): GpuRequest[] {
  const f = byFamily(from);
  return toList(new Map(to.map((g) => [g.gpuFamily, g.count - (f.get(g.gpuFamily) ?? 0)])));
}

/**
 * Gives back what the deployment holds beyond `to` (`held` minus `to` per family): its cluster's
 * allocation, and on a shared pool its quota reservations — stamped released and re-recorded at the
 * remaining count, so GPU-hours stay exact intervals. Inside the flow's outcome transaction; the row's
 * gpuRequests moving from `held` to `to` (guarded) makes it happen once.
 */
export async function shrinkHolding(em: Em, d: AppDeployment, held: GpuRequest[], to: GpuRequest[], now: Date): Promise<void> {
  const release = increase(to, held);
  if (!release.length) return;
  const k = knexOf(em);
  const [cluster] = await all<{ id: string }>(em, k('pool_cluster').select('id').where({ pool_id: d.pool.id, name: d.cluster }));
  for (const r of release) {
    if (cluster && d.holdsAllocation) {
      await run(em, 'update cluster_gpu set allocated = allocated - ? where cluster_id = ? and gpu_family = ? and allocated >= ?', [r.count, cluster.id, r.gpuFamily, r.count]);
    }
    const rows = await em.find(GpuReservation, { holderId: d.id, gpuFamily: r.gpuFamily, releasedAt: null }, { orderBy: { id: 'asc' } });
    const holding = rows.reduce((n, x) => n + x.count, 0);
    if (!rows.length) continue; // a dedicated pool holds its GPUs itself
    const keep = Math.max(0, holding - r.count);
    for (const row of rows) row.releasedAt = now;
    for (const scope of [rows[0].projectId, rows[0].tenantId]) {
      await run(em, 'update gpu_quota set used = used - ?, updated_at = ? where scope_id = ? and gpu_family = ? and used >= ?', [holding - keep, now, scope, r.gpuFamily, holding - keep]);
    }
    if (keep > 0) {
      const { tenantId, projectId, gpuFamily, holderKind, holderId, poolId, deploymentId } = rows[0];
      em.create(GpuReservation, { createdAt: now, updatedAt: now, tenantId, projectId, gpuFamily, count: keep, holderKind, holderId, poolId, deploymentId });
    }
  }
  await em.flush();
}
