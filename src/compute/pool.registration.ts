/**
 * The pool's registration steps, in both modes (HUB_REGISTRATION). auto-import: the ManagedCluster
 * plus an `auto-import-secret` in the cluster namespace, which multicluster-engine/ACM turn into a
 * klusterlet on the spoke. klusterlet (stock OCM): the ManagedCluster, accepted up front
 * (`hubAcceptsClient: true`), plus a ClusterResourceSet that makes Cluster API apply the klusterlet
 * operator and bootstrap kubeconfig to the spoke; then, while waiting, the gateway approves the
 * registration agent's CSR for that cluster. Every write is an idempotent apply or a decision on a
 * pending CSR, so a crash anywhere re-runs to the same state.
 */
import {
  approvedCsr,
  buildImportSecret,
  buildKlusterletBootstrapSecret,
  buildKlusterletOperatorConfigMap,
  buildKlusterletResourceSet,
  buildManagedCluster,
  csrDecision,
  CSR_CLUSTER_LABEL,
  HubError,
  HubErrorKind,
  kubeconfigSecretName,
  KUBECONFIG_SECRET_KEY,
  readManagedCluster,
  type CsrObject,
  type ObjectRef,
} from '../kube/index.js';
import { done, fail, FailureReason, wait, WaitReason, type StepContext, type StepResult } from '../workflow/flow.js';
import type { ComputePool } from './pool.entity.js';
import { applyGuarded, deletedMeanwhile, owner, plural, type PoolFlowOptions, type PoolView } from './pool.flow.view.js';

function gpusOf(hosts: PoolView['clusters'][number]['hosts']): Record<string, number> {
  const gpus: Record<string, number> = {};
  for (const h of hosts) if (h.gpuFamily && h.gpuCount) gpus[h.gpuFamily] = (gpus[h.gpuFamily] ?? 0) + h.gpuCount;
  return gpus;
}

export async function registerSpokes(ctx: StepContext<ComputePool>, v: PoolView, opts: PoolFlowOptions): Promise<StepResult> {
  const reg = opts.registration ?? { mode: 'auto-import' };
  if (reg.mode === 'klusterlet') {
    // one per project, shared by its pools: owned by the project like the namespace
    const cm = buildKlusterletOperatorConfigMap({ namespace: v.project, manifests: reg.operatorManifests, owner: { project: v.project, ids: v.projectIds } });
    if (!(await applyGuarded(ctx, cm))) return deletedMeanwhile();
  }
  for (const c of v.clusters) {
    if (reg.mode === 'klusterlet') {
      // the ManagedCluster first: the agent then finds it accepted and labelled, instead of creating it
      if (!(await applyGuarded(ctx, buildManagedCluster({ cluster: c.row.name, clusterSet: v.pool.clusterSet, gpus: gpusOf(c.hosts), owner: owner(v) })))) return deletedMeanwhile();
      const p = { namespace: v.project, cluster: c.row.name, owner: owner(v) };
      if (!(await applyGuarded(ctx, buildKlusterletBootstrapSecret({ ...p, bootstrapKubeconfig: reg.bootstrapKubeconfig, imageTag: reg.imageTag })))) return deletedMeanwhile();
      if (!(await applyGuarded(ctx, buildKlusterletResourceSet(p)))) return deletedMeanwhile();
      continue;
    }
    const kubeconfig = await ctx.hub.getSecretValue({ namespace: v.project, name: kubeconfigSecretName(c.row.name) }, KUBECONFIG_SECRET_KEY);
    if (!kubeconfig) return wait(WaitReason.WAITING_FOR_KUBECONFIG, `Waiting for the kubeconfig of cluster ${c.row.name}`, { retryAfterMs: opts.pollMs });
    if (!(await applyGuarded(ctx, buildManagedCluster({ cluster: c.row.name, clusterSet: v.pool.clusterSet, gpus: gpusOf(c.hosts), owner: owner(v) })))) return deletedMeanwhile();
    const ns = await ctx.hub.get({ kind: 'Namespace', name: c.row.name });
    if (!ns) return wait(WaitReason.WAITING_FOR_REGISTRATION, `Waiting for the hub to accept cluster ${c.row.name}`, { retryAfterMs: opts.pollMs });
    if (!(await applyGuarded(ctx, buildImportSecret({ cluster: c.row.name, kubeconfig, owner: owner(v, c.row.name) })))) return deletedMeanwhile();
  }
  const how = reg.mode === 'klusterlet' ? ' (klusterlet bootstrap through Cluster API)' : '';
  return done(undefined, `Registered ${plural(v.clusters.length, 'spoke')} with the hub${how}`);
}

/**
 * Approves the pending registration CSRs of one cluster; true when one is approved (now or before).
 * A CSR changed meanwhile (409) is left for the next look.
 */
async function acceptCsrs(ctx: StepContext<ComputePool>, cluster: string): Promise<boolean> {
  const { items } = await ctx.hub.list<CsrObject>('CertificateSigningRequest', { labelSelector: { [CSR_CLUSTER_LABEL]: cluster } });
  let approved = false;
  for (const csr of items) {
    const decision = csrDecision(csr);
    if (decision === 'Approved') approved = true;
    if (decision !== 'Pending') continue;
    const next = approvedCsr(csr, cluster);
    if (!next) continue;
    try {
      await ctx.hub.approveCsr(next);
      ctx.log.info('approved the registration CSR of a pool cluster', { cluster, csr: csr.metadata.name });
      approved = true;
    } catch (e) {
      if (!(e instanceof HubError && (e.kind === HubErrorKind.Conflict || e.kind === HubErrorKind.NotFound))) throw e;
    }
  }
  return approved;
}

export async function waitRegistration(ctx: StepContext<ComputePool>, v: PoolView, opts: PoolFlowOptions): Promise<StepResult> {
  const klusterlet = opts.registration?.mode === 'klusterlet';
  const pending: string[] = [];
  const capacity: Record<string, Record<string, number>> = {};
  for (const c of v.clusters) {
    const mc = await ctx.hub.get({ kind: 'ManagedCluster', name: c.row.name });
    const s = mc ? readManagedCluster(mc) : null;
    if (s?.denied) return fail(FailureReason.REGISTRATION_DENIED, `The hub denied cluster ${c.row.name}`);
    if (klusterlet && !s?.joined && !(await acceptCsrs(ctx, c.row.name))) pending.push(`${c.row.name} waiting for the klusterlet's certificate request`);
    else if (!s?.joined || !s.available) pending.push(`${c.row.name} ${!s?.joined ? 'joining' : 'not yet available'}`);
    else capacity[c.row.name] = s.gpus.byFamily;
  }
  if (pending.length) {
    return wait(WaitReason.WAITING_FOR_REGISTRATION, `Waiting for spokes: ${pending.join(', ')}`, { progress: 1 - pending.length / v.clusters.length, retryAfterMs: opts.pollMs });
  }
  return done({ capacity }, `${plural(v.clusters.length, 'spoke')} joined and available`);
}

/** The klusterlet bootstrap objects of a pool's clusters (absent ones count as gone on delete). */
export function bootstrapRefs(v: PoolView): ObjectRef[] {
  return v.clusters.flatMap((c) => [
    { kind: 'ClusterResourceSet' as const, namespace: v.project, name: `${c.row.name}-klusterlet` },
    { kind: 'Secret' as const, namespace: v.project, name: `${c.row.name}-klusterlet-bootstrap` },
  ]);
}
