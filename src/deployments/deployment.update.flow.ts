/**
 * The upgrade flow: a new revision rolled out in place on the deployment's cluster. The ManifestWork
 * (and so its HelmReleases) is re-applied with the revision's content under the same names, and the
 * rollout is read for this revision only (its own reconcile request). A failure leaves the previous
 * revision serving: the row goes back to it, and with rollbackOnFailure the flow re-applies it by
 * itself, as one more revision, before it ends.
 */
import { EventType, SubjectKind } from '../events/event.entity.js';
import type { Em } from '../db/orm.js';
import { wait, WaitReason, type FlowDefinition, type StepContext, type StepResult } from '../workflow/flow.js';
import { AppDeployment } from './deployment.entity.js';
import { applyWorkStep, rollout, type DeploymentFlowDeps, type GpuOverride } from './deployment.flow.js';
import { UPGRADE_FLOW } from './deployment.flow.names.js';
import { deploymentMachine } from './deployment.machine.js';
import { DeploymentPhase, type AccessUrl } from './deployment.model.js';
import { AppDeploymentRevision, RevisionOutcome } from './deployment.revision.entity.js';
import { recordRevision, shrinkHolding, switchRow, type RevisionContent } from './deployment.revisions.js';

type Ctx = StepContext<AppDeployment>;

const revisionOf = (em: Em, d: Pick<AppDeployment, 'id' | 'revision'>, number = d.revision) => em.findOneOrFail(AppDeploymentRevision, { deployment: d.id, number });
const contentOf = (r: AppDeploymentRevision): RevisionContent => ({ bundleIds: r.bundleIds, variables: r.variables, resolvedVariables: r.resolvedVariables, gpuRequests: r.gpuRequests });

/** The ManifestWork carries the revision's own GPU requests (the row holds the larger of old and new). */
const revisionGpus: GpuOverride = async (ctx) => (await revisionOf(ctx.em, ctx.subject)).gpuRequests;

/**
 * The rollout of the revision; a release that fails under rollbackOnFailure switches the row to a new
 * revision with the previous one's content (one guarded transaction, so a crash repeats it at most
 * once) and keeps waiting — now for the rollback's rollout, which the rollout step re-applies.
 */
function upgradeRollout(deps: DeploymentFlowDeps) {
  const inner = rollout(deps, revisionGpus);
  return async (ctx: Ctx): Promise<StepResult> => {
    const result = await inner(ctx);
    if (result.kind !== 'fail') return result;
    const rev = await revisionOf(ctx.em, ctx.subject);
    if (!rev.rollbackOnFailure || rev.replaces === null) return result;
    const previous = await revisionOf(ctx.em, ctx.subject, rev.replaces);
    const next = rev.number + 1;
    await deps.events.commit(ctx.em.fork() as Em, async (em, events) => {
      const d = await em.findOneOrFail(AppDeployment, { id: ctx.subject.id });
      // the row keeps holding the larger GPUs until the rollback's outcome
      if (!(await switchRow(em, d, rev.number, next, contentOf(previous), d.gpuRequests))) return;
      await em.nativeUpdate(AppDeploymentRevision, { id: rev.id }, { outcome: RevisionOutcome.FAILED, failureStep: 'rollout', failureReason: result.reason, failureMessage: result.message });
      recordRevision(em, d.id, next, contentOf(previous), { tokenId: rev.actorTokenId, subject: rev.actorSubject }, { replaces: previous.number, rollbackOf: previous.number });
      await em.flush();
      events.emit({
        subjectKind: SubjectKind.APP_DEPLOYMENT,
        subjectId: d.id,
        subjectName: d.name,
        projectId: d.project.id,
        type: EventType.STEP_PROGRESS,
        phase: d.phase,
        percent: d.percent,
        message: `Revision ${rev.number} failed (${result.message}); rolling back to revision ${previous.number} as revision ${next}`,
        details: { revision: next, failedRevision: rev.number, rollbackOf: previous.number, reason: result.reason },
      });
    });
    return wait(WaitReason.WAITING_FOR_ROLLOUT, `Rolling back to revision ${previous.number}`, { retryAfterMs: 0 });
  };
}

export function upgradeFlow(deps: DeploymentFlowDeps): FlowDefinition<AppDeployment> {
  return {
    name: UPGRADE_FLOW,
    subjectKind: SubjectKind.APP_DEPLOYMENT,
    entity: AppDeployment,
    machine: deploymentMachine,
    donePhase: DeploymentPhase.RUNNING,
    failedPhase: DeploymentPhase.RUNNING,
    eventDetails: (d) => ({ revision: d.revision }),
    steps: [
      { id: 'apply-work', title: 'Apply the new revision to the ManifestWork in place', phase: DeploymentPhase.DEPLOYING, run: applyWorkStep(revisionGpus) },
      { id: 'rollout', title: 'Wait for the rollout of the new revision', phase: DeploymentPhase.DEPLOYING, run: upgradeRollout(deps) },
    ],
    onDone: async ({ em, subject, results }) => {
      const d = await em.findOneOrFail(AppDeployment, { id: subject.id }, { refresh: true });
      const rev = await revisionOf(em, d);
      const urls = (results.rollout as { accessUrls?: AccessUrl[] } | undefined)?.accessUrls ?? [];
      // a decrease is given back now that the new revision runs
      await shrinkHolding(em, d, d.gpuRequests, rev.gpuRequests, new Date());
      await em.nativeUpdate(AppDeployment, { id: d.id }, { accessUrls: urls, gpuRequests: rev.gpuRequests });
      await em.nativeUpdate(AppDeploymentRevision, { id: rev.id }, { outcome: RevisionOutcome.SUCCEEDED });
    },
    onFail: async ({ em, subject }, failure) => {
      const d = await em.findOneOrFail(AppDeployment, { id: subject.id }, { refresh: true });
      const rev = await revisionOf(em, d);
      await em.nativeUpdate(AppDeploymentRevision, { id: rev.id }, { outcome: RevisionOutcome.FAILED, failureStep: failure.step, failureReason: failure.reason, failureMessage: failure.message });
      // the failure is the revision's; the deployment goes on serving the previous one
      await em.nativeUpdate(AppDeployment, { id: d.id }, { failureReason: null, failureStep: null, failureMessage: null });
      if (rev.replaces === null) return;
      const previous = await revisionOf(em, d, rev.replaces);
      await shrinkHolding(em, d, d.gpuRequests, previous.gpuRequests, new Date());
      await switchRow(em, d, rev.number, previous.number, contentOf(previous), previous.gpuRequests);
    },
  };
}
