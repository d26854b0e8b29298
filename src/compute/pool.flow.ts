/**
 * The Compute Pool flows as hub objects (design §2): provisioning per cluster (Cluster API cluster →
 * kubeconfig → OCM registration → add-ons) and the pool's Environment (cluster set + binding), and
 * the teardown in reverse. Every step re-reads the hub and re-applies what it owns, so re-running a
 * step after a crash or a fault changes nothing that was already right.
 */
import {
  AddOns,
  buildCapiCluster,
  buildMachineDeployment,
  buildManagedClusterAddOn,
  buildManagedClusterSet,
  buildManagedClusterSetBinding,
  buildGpuDevicePluginWork,
  DEFAULT_GPU_DEVICE_PLUGIN_CHART,
  GpuDevicePlugin,
  isGpuDevicePluginReady,
  buildNamespace,
  clusterProgress,
  isAddOnAvailable,
  machineDeploymentName,
  readCluster,
  readMachineDeployment,
  readManagedCluster,
  type HubAdapter,
  type ObjectRef,
} from '../kube/index.js';
import { EventType, SubjectKind } from '../events/event.entity.js';
import { done, fail, FailureReason, wait, WaitReason, type FlowDefinition, type StepContext, type StepResult } from '../workflow/flow.js';
import { markMachinesInUse, releasePool } from './pool.admission.js';
import { ComputePool, PoolCluster } from './pool.entity.js';
import { POOL_DELETE_FLOW, POOL_PROVISION_FLOW } from './pool.flow.names.js';
import { applyGuarded, deletedMeanwhile, loadPoolView, owner, plural, type PoolFlowOptions, type PoolStep, type PoolView } from './pool.flow.view.js';
import { poolMachine } from './pool.machine.js';
import { PoolPhase } from './pool.model.js';
import { bootstrapRefs, registerSpokes, waitRegistration } from './pool.registration.js';

export { loadPoolView, type PoolFlowOptions } from './pool.flow.view.js';


async function requestClusters(ctx: StepContext<ComputePool>, v: PoolView, opts: PoolFlowOptions): Promise<StepResult> {
  await ctx.hub.applyOwned(buildNamespace({ name: v.project, owner: { project: v.project, ids: v.projectIds } }));
  for (const c of v.clusters) {
    const params = { project: v.project, pool: v.pool.name, cluster: c.row.name, kubernetesVersion: v.pool.kubernetesVersion, hosts: c.hosts, infrastructure: opts.capi, ids: v.ids };
    if (!(await applyGuarded(ctx, buildCapiCluster(params)))) return deletedMeanwhile();
    if (!(await applyGuarded(ctx, buildMachineDeployment(params)))) return deletedMeanwhile();
  }
  return done({ clusters: v.clusters.map((c) => c.row.name), requestedAt: new Date().toISOString() }, `Requested ${plural(v.clusters.length, 'cluster')} from Cluster API`);
}

async function waitClusters(ctx: StepContext<ComputePool>, v: PoolView, opts: PoolFlowOptions): Promise<StepResult> {
  let provisioned = 0;
  let progress = 0;
  const notes: string[] = [];
  for (const c of v.clusters) {
    const cluster = await ctx.hub.get({ kind: 'Cluster', namespace: v.project, name: c.row.name });
    if (!cluster) return requestClusters(ctx, v, opts).then(() => wait(WaitReason.WAITING_FOR_CLUSTER, `Cluster ${c.row.name} was missing and has been requested again`, { retryAfterMs: opts.pollMs }));
    const state = readCluster(cluster);
    if (state.failed) return fail(FailureReason.CLUSTER_FAILED, `Cluster ${c.row.name} failed to provision (${state.failureReason})`);
    const md = await ctx.hub.get({ kind: 'MachineDeployment', namespace: v.project, name: machineDeploymentName(c.row.name) });
    if (!md) return requestClusters(ctx, v, opts).then(() => wait(WaitReason.WAITING_FOR_CLUSTER, `MachineDeployment of ${c.row.name} was missing and has been requested again`, { retryAfterMs: opts.pollMs }));
    const p = clusterProgress(cluster, md);
    progress += p;
    // Provisioned alone is not enough: a Cluster whose MachineDeployment is not there yet has no
    // workers to wait for, so CAPI may call it Provisioned before our workers exist
    if (state.provisioned && state.available && readMachineDeployment(md).fraction === 1) provisioned++;
    else notes.push(`${c.row.name} ${state.phase} ${Math.round(p * 100)}%`);
  }
  if (provisioned === v.clusters.length) return done(undefined, `${plural(provisioned, 'cluster')} provisioned`);
  return wait(WaitReason.WAITING_FOR_CLUSTER, `Waiting for Cluster API: ${notes.join(', ')}`, { progress: progress / v.clusters.length, retryAfterMs: opts.pollMs });
}

/**
 * Flux arrives through the `flux` add-on (deploy/addons/flux-addon.yaml: a ClusterManagementAddOn +
 * AddOnTemplate on stock OCM). The work agent is part of the klusterlet, not an add-on: it is ready
 * when the ManagedCluster is joined and Available. A cluster with GPUs then gets the NVIDIA device
 * plugin (a HelmRelease in a ManifestWork, once Flux is there to install it), without which its
 * nodes advertise no `nvidia.com/gpu`.
 */
async function installAddons(ctx: StepContext<ComputePool>, v: PoolView, opts: PoolFlowOptions): Promise<StepResult> {
  const pending: string[] = [];
  let ready = 0;
  let wanted = 0;
  const chart = opts.gpuDevicePlugin ?? { ...DEFAULT_GPU_DEVICE_PLUGIN_CHART, repoUrl: DEFAULT_GPU_DEVICE_PLUGIN_CHART.repository };
  for (const c of v.clusters) {
    const gpus = c.hosts.some((h) => h.gpuFamily && h.gpuCount > 0);
    wanted += gpus ? 3 : 2;
    const mc = await ctx.hub.get({ kind: 'ManagedCluster', name: c.row.name });
    const s = mc ? readManagedCluster(mc) : null;
    if (s?.joined && s.available) ready++;
    else pending.push(`work agent on ${c.row.name} (cluster not joined and Available)`);
    if (!(await applyGuarded(ctx, buildManagedClusterAddOn({ cluster: c.row.name, addOn: AddOns.Flux, owner: owner(v, c.row.name) })))) return deletedMeanwhile();
    const obj = await ctx.hub.get({ kind: 'ManagedClusterAddOn', namespace: c.row.name, name: AddOns.Flux.name });
    const flux = obj !== null && isAddOnAvailable(obj);
    if (flux) ready++;
    else pending.push(`${AddOns.Flux.name} on ${c.row.name}`);
    if (!gpus || !flux) continue;
    const work = buildGpuDevicePluginWork({ cluster: c.row.name, chart: { repository: chart.repoUrl, chart: chart.chart, version: chart.version }, owner: owner(v, c.row.name) });
    if (!(await applyGuarded(ctx, work))) return deletedMeanwhile();
    if (isGpuDevicePluginReady(await ctx.hub.get({ kind: 'ManifestWork', namespace: c.row.name, name: GpuDevicePlugin.workName }))) ready++;
    else pending.push(`GPU device plugin (${chart.chart}) on ${c.row.name}`);
  }
  if (pending.length) return wait(WaitReason.WAITING_FOR_ADDONS, `Waiting for add-ons: ${pending.join(', ')}`, { progress: ready / wanted, retryAfterMs: opts.pollMs });
  return done(undefined, 'Flux, the work agent and (on GPU clusters) the NVIDIA device plugin are available on every spoke');
}

async function environment(ctx: StepContext<ComputePool>, v: PoolView): Promise<StepResult> {
  if (!(await applyGuarded(ctx, buildManagedClusterSet({ name: v.pool.clusterSet, owner: owner(v) })))) return deletedMeanwhile();
  if (!(await applyGuarded(ctx, buildManagedClusterSetBinding({ namespace: v.project, clusterSet: v.pool.clusterSet, owner: owner(v) })))) return deletedMeanwhile();
  return done(undefined, `Environment ready: cluster set ${v.pool.clusterSet} bound into namespace ${v.project}`);
}

interface Teardown {
  /** ours, still going (finalizers) */
  left: string[];
  /** objects of our names that are not ours: left untouched */
  foreign: string[];
}

/** Deletes the pool's own objects among `refs` (absent ones count as gone; others' are left alone). */
async function deleteAll(hub: HubAdapter, v: PoolView, refs: ObjectRef[]): Promise<Teardown> {
  const t: Teardown = { left: [], foreign: [] };
  for (const ref of refs) {
    const outcome = await hub.deleteOwned(ref, owner(v));
    if (outcome === 'deleting') t.left.push(`${ref.kind} ${ref.name}`);
    else if (outcome === 'foreign') t.foreign.push(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
  }
  return t;
}

const untouched = (t: Teardown) => (t.foreign.length ? `; left untouched, not this pool's: ${t.foreign.join(', ')}` : '');

async function removeEnvironment(ctx: StepContext<ComputePool>, v: PoolView, opts: PoolFlowOptions): Promise<StepResult> {
  const t = await deleteAll(ctx.hub, v, [
    { kind: 'ManagedClusterSetBinding', namespace: v.project, name: v.pool.clusterSet },
    { kind: 'ManagedClusterSet', name: v.pool.clusterSet },
  ]);
  if (t.left.length) return wait(WaitReason.WAITING_FOR_DELETION, `Waiting for deletion of ${t.left.join(', ')}`, { retryAfterMs: opts.pollMs });
  return done(undefined, `Environment removed${untouched(t)}`);
}

async function detachSpokes(ctx: StepContext<ComputePool>, v: PoolView, opts: PoolFlowOptions): Promise<StepResult> {
  const refs: ObjectRef[] = v.clusters.flatMap((c) => [
    { kind: 'ManifestWork' as const, namespace: c.row.name, name: GpuDevicePlugin.workName },
    { kind: 'ManagedClusterAddOn' as const, namespace: c.row.name, name: AddOns.Flux.name },
    // pools provisioned before the work agent was read from the ManagedCluster had this add-on
    { kind: 'ManagedClusterAddOn' as const, namespace: c.row.name, name: AddOns.LegacyWorkAgent.name },
    { kind: 'ManagedCluster' as const, name: c.row.name },
  ]);
  const t = await deleteAll(ctx.hub, v, refs);
  if (t.left.length) return wait(WaitReason.WAITING_FOR_DELETION, `Waiting for deletion of ${t.left.join(', ')}`, { retryAfterMs: opts.pollMs });
  return done(undefined, `${plural(v.clusters.length, 'spoke')} detached from the hub${untouched(t)}`);
}

async function deleteClusters(ctx: StepContext<ComputePool>, v: PoolView, opts: PoolFlowOptions): Promise<StepResult> {
  const refs: ObjectRef[] = v.clusters.flatMap((c) => [
    { kind: 'MachineDeployment' as const, namespace: v.project, name: machineDeploymentName(c.row.name) },
    { kind: 'Cluster' as const, namespace: v.project, name: c.row.name },
  ]);
  refs.push(...bootstrapRefs(v));
  const t = await deleteAll(ctx.hub, v, refs);
  if (t.left.length) return wait(WaitReason.WAITING_FOR_DELETION, `Waiting for deletion of ${t.left.join(', ')}`, { retryAfterMs: opts.pollMs });
  return done(undefined, `${plural(v.clusters.length, 'cluster')} deleted${untouched(t)}`);
}

const DEFAULT_PROVISION_DEADLINE_MS = 3_600_000;

/**
 * A provisioning step that fails the pool instead of waiting past the deadline, counted from when
 * the clusters were requested (the pool's creation for pools requested before this was recorded).
 * A stuck Cluster API provider otherwise leaves the pool waiting for ever with its machines held.
 */
function withDeadline(fn: PoolStep): PoolStep {
  return async (ctx, v, opts) => {
    const result = await fn(ctx, v, opts);
    if (result.kind !== 'wait' || result.reason === WaitReason.WAITING_FOR_DELETION) return result;
    const requested = (ctx.results['request-clusters'] as { requestedAt?: string } | undefined)?.requestedAt;
    const since = requested ? new Date(requested).getTime() : v.pool.createdAt.getTime();
    const deadlineMs = opts.provisionDeadlineMs ?? DEFAULT_PROVISION_DEADLINE_MS;
    if (Date.now() - since <= deadlineMs) return result;
    return fail(
      FailureReason.PROVISION_DEADLINE_EXCEEDED,
      `Not ready within the provisioning deadline of ${Math.round(deadlineMs / 1000)} s; still ${result.reason}: ${result.message}`,
    );
  };
}

function step(id: string, title: string, phase: PoolPhase, fn: PoolStep, opts: PoolFlowOptions) {
  return {
    id,
    title,
    phase,
    run: async (ctx: StepContext<ComputePool>) => fn(ctx, await loadPoolView(ctx.em, ctx.subject), opts),
  };
}

export function poolProvisionFlow(opts: PoolFlowOptions): FlowDefinition<ComputePool> {
  return {
    name: POOL_PROVISION_FLOW,
    subjectKind: SubjectKind.COMPUTE_POOL,
    entity: ComputePool,
    machine: poolMachine,
    donePhase: PoolPhase.RUNNING,
    steps: [
      step('request-clusters', 'Request clusters from Cluster API', PoolPhase.PROVISIONING, requestClusters, opts),
      step('wait-clusters', 'Wait for the clusters to provision', PoolPhase.PROVISIONING, withDeadline(waitClusters), opts),
      step('register-spokes', 'Register the spokes with OCM', PoolPhase.REGISTERING, withDeadline(registerSpokes), opts),
      step('wait-registration', 'Wait for the spokes to join', PoolPhase.REGISTERING, withDeadline(waitRegistration), opts),
      step('install-addons', 'Install Flux and the work agent', PoolPhase.INSTALLING, withDeadline(installAddons), opts),
      step('environment', 'Create the Environment (cluster set and binding)', PoolPhase.INSTALLING, (c, v) => environment(c, v), opts),
    ],
    onDone: async ({ em, subject }) => {
      await markMachinesInUse(em, subject.id);
    },
    onFail: async ({ em, subject, events }) => {
      await releasePool(em, subject.id);
      events.emit({
        subjectKind: SubjectKind.COMPUTE_POOL,
        subjectId: subject.id,
        subjectName: subject.name,
        projectId: subject.projectId,
        type: EventType.STEP_PROGRESS,
        phase: PoolPhase.FAILED,
        percent: subject.percent,
        message: `Released the machines and GPU quota of compute pool ${subject.name}`,
      });
    },
  };
}

export function poolDeleteFlow(opts: PoolFlowOptions): FlowDefinition<ComputePool> {
  return {
    name: POOL_DELETE_FLOW,
    subjectKind: SubjectKind.COMPUTE_POOL,
    entity: ComputePool,
    machine: poolMachine,
    donePhase: PoolPhase.DELETED,
    steps: [
      step('remove-environment', 'Remove the Environment', PoolPhase.DELETING, removeEnvironment, opts),
      step('detach-spokes', 'Detach the spokes from the hub', PoolPhase.DELETING, detachSpokes, opts),
      step('delete-clusters', 'Delete the clusters', PoolPhase.DELETING, deleteClusters, opts),
    ],
    onDone: async ({ em, subject }) => {
      await releasePool(em, subject.id);
      await em.nativeUpdate(ComputePool, { id: subject.id }, { activeName: null, deletedAt: new Date() });
      await em.nativeUpdate(PoolCluster, { pool: subject.id }, { activeName: null });
    },
  };
}

