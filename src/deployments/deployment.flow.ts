/**
 * The App Deployment flows as hub objects (design §2): wait for the pool (a new dedicated pool runs
 * its own flow), Placement → PlacementDecision, one ManifestWork with the app, rollout observed
 * through status feedback (HelmRelease Ready at the current generation, Service addresses), access
 * URLs; and the teardown in reverse.
 */
import { ComputePool } from '../compute/pool.entity.js';
import { PoolMode, PoolPhase } from '../compute/pool.model.js';
import { exposureSetting } from '../compute/pool.exposure.js';
import type { PoolService } from '../compute/pool.service.js';
import { readRows } from '../db/read-rows.js';
import { knexOf, run, runBound } from '../db/sql.js';
import { SubjectKind } from '../events/event.entity.js';
import type { EventLog } from '../events/event.log.js';
import {
  decisionClusters,
  decisionSelector,
  feedbackValues,
  helmReleaseIdentifier,
  Label,
  legacyAppHubName,
  placementName,
  readManifestWork,
  readPlacement,
  releaseFromFeedback,
  ReleaseState,
  FeedbackName,
  feedbackString,
  WORK_RECONCILE_ANNOTATION,
  type KubeObject,
  type ObjectRef,
  type Ownership,
} from '../kube/index.js';
import { applyUnlessDeleted as applyGuarded } from '../workflow/apply.guard.js';
import { done, fail, FailureReason, wait, WaitReason, type FlowDefinition, type StepContext, type StepResult } from '../workflow/flow.js';
import { AppDeployment, AppDeploymentBundle } from './deployment.entity.js';
import { readFlowDeployment, type DeploySubject } from './deployment.flow.subject.js';
import { readFlowBundles, readFlowPool, readFlowProject, type FlowPool, type FlowProject } from './deployment.flow.rows.js';
import { AppDeploymentRevision, AppDeploymentRevisionBundle, RevisionOutcome } from './deployment.revision.entity.js';
import { DEPLOY_FLOW, deployStepPhase, UNDEPLOY_FLOW } from './deployment.flow.names.js';
import { STEP_TITLES } from './deployment.dryrun.js';
import { deploymentMachine } from './deployment.machine.js';
import { DeploymentPhase, type AccessUrl, type GpuRequest } from './deployment.model.js';
import { deadlinePassed, exposureTimeoutMessage, readAccessUrls, rolloutClock } from './deployment.exposure.js';
import { collectComponents, renderManifestWork, renderPlacement, type RenderInput } from './deployment.plan.js';
import { releaseDeployment } from './deployment.service.js';

export interface DeploymentFlowDeps {
  pools: PoolService;
  events: EventLog;
  pollMs: number;
  /** how long the rollout step may wait (releases Ready, addresses); 0 = for ever */
  rolloutDeadlineMs: number;
}

type Ctx = StepContext<DeploySubject>;

/** The deployment's hub name: fixed at admission, or the previous release's for older rows. */
export const hubNameOf = (d: Pick<DeploySubject, 'hubName' | 'name'>, project: string): string => d.hubName ?? legacyAppHubName(project, d.name);

/** Whose the deployment's hub objects are (docs/hub-conventions.md "Ownership"). */
const ownerOf = (d: DeploySubject, project: FlowProject): Ownership => ({
  project: project.name,
  deployment: d.name,
  ids: { tenantId: project.tenant.id, projectId: project.id, deploymentId: d.id },
});

/** What an upgrade renders instead of the row's GPU requests (the row holds the larger of old and new while it rolls out). */
export type GpuOverride = (ctx: Ctx) => Promise<GpuRequest[] | null>;

/**
 * What the place, apply-work and rollout steps render from besides the deployment row: its project,
 * pool and the components of its bundle versions, as plain rows (deployment.flow.rows.ts). Loaded
 * once per claim (the steps run back to back in one claim): a bundle version's content never
 * changes, and a change of the deployment's bundles is an update, which runs as a job of its own.
 */
function renderRows(ctx: Ctx) {
  const d = ctx.subject;
  return ctx.once(`render:${d.id}`, async () => {
    const project = await readFlowProject(ctx.em, d.project.id);
    const pool = await poolOf(ctx);
    const bundles = await readFlowBundles(ctx.em, d.id);
    const { components } = collectComponents(bundles);
    return { project, pool, components };
  });
}

async function renderInput(ctx: Ctx, gpus?: GpuOverride): Promise<RenderInput & { pool: FlowPool; hubName: string; owner: Ownership }> {
  const d = ctx.subject;
  const { project, pool, components } = await renderRows(ctx);
  const owner = ownerOf(d, project);
  return {
    project: project.name,
    deployment: d.name,
    cluster: d.cluster,
    clusterSet: pool.clusterSet,
    components,
    resolved: d.resolvedVariables as RenderInput['resolved'],
    gpuRequests: (gpus && (await gpus(ctx))) ?? d.gpuRequests,
    retries: d.retries,
    revision: d.revision,
    hubName: hubNameOf(d, project.name),
    ids: owner.ids,
    exposure: exposureSetting(pool.exposure),
    owner,
    pool,
  };
}

async function applyUnlessDeleted<T extends KubeObject>(ctx: Ctx, obj: T): Promise<T | null> {
  return applyGuarded(ctx.hub, obj, async () => {
    // the row as it is now (plain SQL: no entity, no identity map that could answer from memory)
    const [fresh] = await readRows<{ phase: string }>(ctx.em, 'select "phase" from "app_deployment" where "id" = ?', [ctx.subject.id]);
    return !fresh || fresh.phase === DeploymentPhase.DELETING || fresh.phase === DeploymentPhase.DELETED;
  }, ctx.log);
}

/**
 * The deployment's ManifestWorks on the hub: normally one, in its cluster's namespace; a retry that
 * had to move to another cluster leaves the old cluster's copy behind until it is removed. (Found by
 * name labels; whether each is really ours, deleteOwned decides.)
 */
async function worksOf(ctx: Ctx, project: string, deployment: string, name: string): Promise<ObjectRef[]> {
  const list = await ctx.hub.list('ManifestWork', { labelSelector: { [Label.Project]: project, [Label.Deployment]: deployment } });
  const refs = list.items.filter((o) => o.metadata.name === name).map((o) => ({ kind: 'ManifestWork' as const, namespace: o.metadata.namespace, name }));
  const own: ObjectRef = { kind: 'ManifestWork', namespace: ctx.subject.cluster, name };
  return refs.some((r) => r.namespace === own.namespace) ? refs : [own, ...refs];
}

/** Whether the deployment may have had another cluster since admission (see applyWorkStep). */
const mayHaveMoved = (d: DeploySubject): boolean => d.retries > 0;

export const deletedMeanwhile = () => wait(WaitReason.WAITING_FOR_DELETION, 'The deployment is being deleted', { retryAfterMs: 1000 });

/**
 * The deployment's pool, read once per claim: provision-pool looks at it at the start of a claim
 * (a wait ends the claim, so the next look reads it again) and the steps after it render from it.
 */
const poolOf = (ctx: Ctx) => ctx.once(`pool:${ctx.subject.pool.id}`, () => readFlowPool(ctx.em, ctx.subject.pool.id));

function provisionPool(deps: DeploymentFlowDeps) {
  return async (ctx: Ctx): Promise<StepResult> => {
    const pool = await poolOf(ctx);
    if (pool.phase === PoolPhase.RUNNING) return done(undefined, `Compute pool ${pool.name} is RUNNING`);
    if (pool.phase === PoolPhase.FAILED) return fail(FailureReason.POOL_FAILED, `Compute pool ${pool.name} failed: ${pool.failureMessage ?? pool.failureReason ?? 'unknown reason'}`);
    if (pool.phase === PoolPhase.DELETING || pool.phase === PoolPhase.DELETED) return fail(FailureReason.POOL_GONE, `Compute pool ${pool.name} is ${pool.phase}`);
    const doing = pool.waitMessage ?? (pool.currentStep ? `step ${pool.currentStep}` : pool.phase);
    return wait(WaitReason.WAITING_FOR_POOL, `Compute pool ${pool.name} (${pool.percent}%): ${doing}`, { progress: pool.percent / 100, retryAfterMs: deps.pollMs });
  };
}

function place(deps: DeploymentFlowDeps) {
  return async (ctx: Ctx): Promise<StepResult> => {
    const r = await renderInput(ctx);
    if (!(await applyUnlessDeleted(ctx, renderPlacement(r)))) return deletedMeanwhile();
    const name = placementName(r.deployment);
    const decisions = await ctx.hub.list('PlacementDecision', { namespace: r.project, labelSelector: decisionSelector(name) });
    const clusters = decisionClusters(decisions.items);
    if (clusters.includes(r.cluster)) return done({ cluster: r.cluster }, `Placed on cluster ${r.cluster}`);
    const placement = await ctx.hub.get({ kind: 'Placement', namespace: r.project, name });
    const state = placement ? readPlacement(placement) : null;
    const why = state?.misconfigured ? 'the placement is misconfigured' : clusters.length ? `decided ${clusters.join(', ')}, waiting for ${r.cluster}` : `no decision yet for cluster ${r.cluster}`;
    return wait(WaitReason.WAITING_FOR_PLACEMENT, `Waiting for the placement of ${r.deployment}: ${why}`, { retryAfterMs: deps.pollMs });
  };
}

/** The rendered ManifestWork must fit comfortably in one etcd object. */
const MAX_WORK_BYTES = 512 * 1024;

export const applyWorkStep = (gpus?: GpuOverride) => async (ctx: Ctx): Promise<StepResult> => {
  const r = await renderInput(ctx, gpus);
  const work = renderManifestWork(r);
  if (Buffer.byteLength(JSON.stringify(work)) > MAX_WORK_BYTES) return fail(FailureReason.RENDERED_TOO_LARGE, `The rendered ManifestWork exceeds ${MAX_WORK_BYTES} bytes`);
  if (!(await applyUnlessDeleted(ctx, work))) return deletedMeanwhile();
  // a copy on another cluster (left by a retry that moved) would run the app twice: remove it.
  // Only a retry moves a deployment after admission (retryDeployment counts it in `retries`; an upgrade
  // stays on its cluster), so before the first retry no copy can be elsewhere: no hub-wide list then.
  if (mayHaveMoved(ctx.subject)) {
    for (const stray of (await worksOf(ctx, r.project, ctx.subject.name, r.hubName)).filter((w) => w.namespace !== ctx.subject.cluster)) {
      await ctx.hub.deleteOwned(stray, r.owner);
    }
  }
  return done(undefined, `Applied ManifestWork ${work.metadata.name} to cluster ${ctx.subject.cluster}`);
};

export function rollout(deps: DeploymentFlowDeps, gpus?: GpuOverride) {
  return async (ctx: Ctx): Promise<StepResult> => {
    const r = await renderInput(ctx, gpus);
    const rendered = renderManifestWork(r);
    const ref: ObjectRef = { kind: 'ManifestWork', namespace: r.cluster, name: r.hubName };
    let work = await ctx.hub.get(ref);
    const token = rendered.metadata.annotations?.[WORK_RECONCILE_ANNOTATION];
    const clock = rolloutClock(ctx.checkpoint, token ?? '', Date.now());
    if (!work || work.metadata.annotations?.[WORK_RECONCILE_ANNOTATION] !== token) {
      // first look after a crash between steps, or after a retry: (re)apply — SSA makes it a no-op when unchanged
      work = await applyUnlessDeleted(ctx, rendered);
      if (!work) return deletedMeanwhile();
    }
    const ws = readManifestWork(work);
    const ns = r.hubName;
    const total = r.components.length;
    let ready = 0;
    const pending: string[] = [];
    for (const c of r.components) {
      const values = feedbackValues(work, helmReleaseIdentifier(ns, c.name));
      // after a retry, a status Flux computed before it acted on our reconcile request is stale
      const stale = token !== undefined && feedbackString(values, FeedbackName.LastHandledReconcileAt) !== token;
      const rel = stale ? { state: ReleaseState.Progressing, reason: 'RetryRequested' } : releaseFromFeedback(values);
      if (rel.state === ReleaseState.Failed && ws.applied) return fail(FailureReason.RELEASE_FAILED, `Component ${c.name} failed to install (${rel.reason ?? 'Failed'})`);
      if (rel.state === ReleaseState.Ready) ready++;
      else pending.push(`${c.name} ${rel.reason ?? 'installing'}`);
    }
    const exposure = exposureSetting(r.pool.exposure);
    const { urls, missing } = await readAccessUrls(ctx.hub, work, { namespace: ns, project: r.project, cluster: r.cluster, components: r.components, exposure });
    if (ws.applied && ws.available && ready === total && missing.length === 0) {
      return done({ accessUrls: urls }, urls.length ? `Running: ${urls.map((u) => u.url).join(', ')}` : 'Running');
    }
    // the releases run and only an address is missing: that is what the exposure deadline is about
    const addressOnly = ws.applied && ready === total && missing.length > 0;
    const what = !ws.applied ? 'waiting for the work agent to apply the ManifestWork' : pending.length ? `${ready}/${total} component(s) ready; ${pending.join(', ')}` : addressOnly ? `waiting for ${missing.join(', ')} (exposure ${exposure.mode})` : 'waiting for the ManifestWork to become Available';
    const late = deadlinePassed(clock, deps.rolloutDeadlineMs, Date.now());
    if (late) return addressOnly ? fail(FailureReason.EXPOSURE_TIMEOUT, exposureTimeoutMessage(late, missing, exposure)) : fail(FailureReason.ROLLOUT_TIMEOUT, `Rollout not done ${late}: ${what}`);
    const progress = (ws.applied ? 0.2 : 0) + 0.6 * (total ? ready / total : 1) + (missing.length === 0 && ready === total ? 0.2 : 0);
    const reason = addressOnly ? WaitReason.WAITING_FOR_ADDRESS : WaitReason.WAITING_FOR_ROLLOUT;
    return wait(reason, `Rollout: ${what}`, { progress, retryAfterMs: deps.pollMs, data: { rolloutClock: clock } });
  };
}

const untouched = (foreign: string[]) => (foreign.length ? `; left untouched, not this deployment's: ${foreign.join(', ')}` : '');

function removeWork(deps: DeploymentFlowDeps) {
  return async (ctx: Ctx): Promise<StepResult> => {
    const project = await readFlowProject(ctx.em, ctx.subject.project.id);
    const left: string[] = [];
    const foreign: string[] = [];
    for (const ref of await worksOf(ctx, project.name, ctx.subject.name, hubNameOf(ctx.subject, project.name))) {
      const outcome = await ctx.hub.deleteOwned(ref, ownerOf(ctx.subject, project));
      if (outcome === 'deleting') left.push(`${ref.namespace}/${ref.name}`);
      else if (outcome === 'foreign') foreign.push(`ManifestWork ${ref.namespace}/${ref.name}`);
    }
    if (!left.length) return done(undefined, `ManifestWork removed: the app is uninstalled from the spoke${untouched(foreign)}`);
    return wait(WaitReason.WAITING_FOR_DELETION, `Waiting for the work agent to remove ManifestWork ${left.join(', ')}`, { retryAfterMs: deps.pollMs });
  };
}

function removePlacement(deps: DeploymentFlowDeps) {
  return async (ctx: Ctx): Promise<StepResult> => {
    const project = await readFlowProject(ctx.em, ctx.subject.project.id);
    const ref: ObjectRef = { kind: 'Placement', namespace: project.name, name: placementName(ctx.subject.name) };
    const outcome = await ctx.hub.deleteOwned(ref, ownerOf(ctx.subject, project));
    if (outcome === 'gone') return done(undefined, 'Placement removed');
    if (outcome === 'foreign') return done(undefined, `Placement removed${untouched([`Placement ${ref.namespace}/${ref.name}`])}`);
    return wait(WaitReason.WAITING_FOR_DELETION, `Waiting for Placement ${ref.name} to go`, { retryAfterMs: deps.pollMs });
  };
}

/** A dedicated pool made for this deployment goes with it; a pool the user made stays. */
function releasePool(deps: DeploymentFlowDeps) {
  return async (ctx: Ctx): Promise<StepResult> => {
    const pool = await ctx.em.findOneOrFail(ComputePool, { id: ctx.subject.pool.id });
    if (pool.mode !== PoolMode.DEDICATED || pool.ownerDeploymentId !== ctx.subject.id) return done(undefined, `Compute pool ${pool.name} stays (it was not created by this deployment)`);
    if (pool.phase === PoolPhase.DELETED) return done(undefined, `Dedicated compute pool ${pool.name} deleted`);
    if (pool.phase !== PoolPhase.DELETING) {
      await deps.events.commit(ctx.em.fork() as typeof ctx.em, (em, events) => deps.pools.startDeletion(em, events, pool, `its app deployment ${ctx.subject.name} is being deleted`));
      deps.pools.wakeRunner();
    }
    const fresh = await ctx.em.fork().findOneOrFail(ComputePool, { id: pool.id });
    return wait(WaitReason.WAITING_FOR_POOL, `Deleting dedicated compute pool ${pool.name} (${fresh.percent}%): ${fresh.waitMessage ?? fresh.currentStep ?? fresh.phase}`, { progress: fresh.percent / 100, retryAfterMs: deps.pollMs });
  };
}

const step = (id: keyof typeof STEP_TITLES, phase: DeploymentPhase | ((d: DeploySubject) => DeploymentPhase), run: (ctx: Ctx) => Promise<StepResult>) => ({ id, title: STEP_TITLES[id], phase, run });

/** The revision a deploy flow completes: SUCCEEDED, with no failure (`revision` is an integer, as SQLite compares it). */
const SUCCEEDED =
  'update "app_deployment_revision" set "outcome" = ?, "failure_step" = null, "failure_reason" = null, "failure_message" = null where "deployment_id" = ? and "number" = ?';

export function deployFlow(deps: DeploymentFlowDeps): FlowDefinition<DeploySubject> {
  return {
    name: DEPLOY_FLOW,
    subjectKind: SubjectKind.APP_DEPLOYMENT,
    entity: AppDeployment,
    machine: deploymentMachine,
    donePhase: DeploymentPhase.RUNNING,
    // its steps render from the row and never change it; a delete cancels the job (deployment.service.ts)
    subjectPerClaim: true,
    readSubject: readFlowDeployment,
    steps: [
      step('provision-pool', (d) => deployStepPhase('provision-pool', d.spec.target.kind), provisionPool(deps)),
      step('place', (d) => deployStepPhase('place', d.spec.target.kind), place(deps)),
      step('apply-work', (d) => deployStepPhase('apply-work', d.spec.target.kind), applyWorkStep()),
      step('rollout', (d) => deployStepPhase('rollout', d.spec.target.kind), rollout(deps)),
    ],
    // plain statements (the same as nativeUpdate's): the completing transaction then runs on the driver's connection
    onDonePlain: true,
    onDone: async ({ em, subject, results }) => {
      const urls = (results.rollout as { accessUrls?: AccessUrl[] } | undefined)?.accessUrls ?? [];
      await runBound(em, 'update "app_deployment" set "access_urls" = ? where "id" = ?', [JSON.stringify(urls), subject.id]);
      await runBound(em, SUCCEEDED, [RevisionOutcome.SUCCEEDED, subject.id, subject.revision]);
    },
    onFail: async ({ em, subject }, failure) => {
      await releaseDeployment(em, subject.id);
      // (a retry that then succeeds marks it SUCCEEDED)
      await em.nativeUpdate(AppDeploymentRevision, { deployment: subject.id, number: subject.revision }, { outcome: RevisionOutcome.FAILED, failureStep: failure.step, failureReason: failure.reason, failureMessage: failure.message });
    },
  };
}

export function undeployFlow(deps: DeploymentFlowDeps): FlowDefinition<AppDeployment> {
  return {
    name: UNDEPLOY_FLOW,
    subjectKind: SubjectKind.APP_DEPLOYMENT,
    entity: AppDeployment,
    machine: deploymentMachine,
    donePhase: DeploymentPhase.DELETED,
    steps: [
      { id: 'remove-work', title: 'Remove the ManifestWork', phase: DeploymentPhase.DELETING, run: removeWork(deps) },
      { id: 'remove-placement', title: 'Remove the Placement', phase: DeploymentPhase.DELETING, run: removePlacement(deps) },
      { id: 'release-pool', title: 'Delete the dedicated pool made for this deployment', phase: DeploymentPhase.DELETING, run: releasePool(deps) },
    ],
    onDone: async ({ em, subject }) => {
      await releaseDeployment(em, subject.id);
      // a dedicated pool the user made is free for another deployment
      await run(em, knexOf(em)('compute_pool').where({ id: subject.pool.id, serving_deployment_id: subject.id }).update({ serving_deployment_id: null }));
      await em.nativeUpdate(AppDeployment, { id: subject.id }, { activeName: null, deletedAt: new Date(), accessUrls: [] });
      // a deleted deployment no longer uses its bundle versions (they may be deleted now); its spec keeps their ids
      await em.nativeDelete(AppDeploymentBundle, { deployment: subject.id });
      // and neither do its revisions (their rows keep the ids); one cut short by the deletion is CANCELLED
      await em.nativeDelete(AppDeploymentRevisionBundle, { deploymentId: subject.id });
      await em.nativeUpdate(AppDeploymentRevision, { deployment: subject.id, outcome: RevisionOutcome.ROLLING_OUT }, { outcome: RevisionOutcome.CANCELLED });
    },
  };
}
