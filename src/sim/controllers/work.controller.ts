/**
 * Plays the OCM work agent: a ManifestWork in cluster namespace C is applied into spoke store C (once
 * C is joined and Available: the work agent is part of the klusterlet), with per-manifest conditions and status feedback,
 * work-level Applied/Available/Progressing/Degraded at observedGeneration, pruning of manifests
 * that left the work, and deletion cleanup behind the manifest-work-cleanup finalizer. What it
 * applied is recorded in an AppliedManifestWork on the spoke, so a restart re-derives everything.
 *
 * A spoke event wakes only the works whose manifests name that object (an in-memory index, rebuilt
 * by the reconciles that follow a restart), plus any work that failed to apply a manifest: why an
 * apply failed (namespace missing or terminating, quota) can change with any object on the spoke.
 */
import { ApiError } from '../api.errors.js';
import { findCondition, groupOf, type Condition, type KubeObject } from '../kube.types.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';
import { applyManifest, readiness, WORK_MANAGER, type AppliedRef, type ApplyResult, type ManifestConfig } from './work.apply.js';
import { feedbackValues } from './work.feedback.js';

const WORK = 'work.open-cluster-management.io';
const OCM = 'cluster.open-cluster-management.io';
const FINALIZER = 'cluster.open-cluster-management.io/manifest-work-cleanup';
const HUB_HASH = 'spokegraph-sim-hub';

interface WorkSpec {
  workload?: { manifests?: unknown[] };
  manifestConfigs?: ManifestConfig[];
  deleteOption?: { propagationPolicy?: string; selectivelyOrphans?: { orphaningRules?: Array<{ group?: string; resource?: string; namespace?: string; name?: string }> } };
}

const objectKey = (group: string, kind: string, namespace: string, name: string) => `${group}|${kind}|${namespace}|${name}`;

/** One spoke's works by the objects their manifests name (applied or not), and the works that failed an apply. */
class WorkIndex {
  private readonly byObject = new Map<string, Set<string>>();
  private readonly byWork = new Map<string, string[]>();
  readonly failing = new Set<string>();

  set(work: string, objects: string[], failing: boolean): void {
    const before = this.byWork.get(work);
    if (!before || before.length !== objects.length || before.some((k, i) => k !== objects[i])) {
      this.unlink(work);
      for (const k of objects) {
        let works = this.byObject.get(k);
        if (!works) this.byObject.set(k, (works = new Set()));
        works.add(work);
      }
      this.byWork.set(work, objects);
    }
    if (failing) this.failing.add(work);
    else this.failing.delete(work);
  }

  drop(work: string): void {
    this.unlink(work);
    this.failing.delete(work);
  }

  worksOf(object: string): Iterable<string> {
    return this.byObject.get(object) ?? [];
  }

  empty(): boolean {
    return this.byWork.size === 0 && this.failing.size === 0;
  }

  private unlink(work: string): void {
    for (const k of this.byWork.get(work) ?? []) {
      const works = this.byObject.get(k);
      works?.delete(work);
      if (works?.size === 0) this.byObject.delete(k);
    }
    this.byWork.delete(work);
  }
}

export class WorkAgentController extends Controller {
  readonly name = 'ocm-work-agent';
  protected readonly stepMs = 300;
  private readonly index = new Map<string, WorkIndex>();

  start(): void {
    const worksIn = (ns: string | undefined) => ns && this.ctx.hub.list(WORK, 'ManifestWork', ns).forEach((w) => this.enqueue(keyOf('hub', w)));
    this.onHub([[WORK, 'ManifestWork']], (ev) => this.enqueue(keyOf('hub', ev.object)));
    this.onHub([[OCM, 'ManagedCluster']], (ev) => worksIn(ev.object.metadata.name));
    this.onStop(this.ctx.spokes.onEvent((cluster, ev) => ev.object.kind !== 'AppliedManifestWork' && this.onSpokeObject(cluster, ev.object)));
    this.ctx.hub.list(WORK, 'ManifestWork').forEach((w) => this.enqueue(keyOf('hub', w)));
  }

  private onSpokeObject(cluster: string, o: KubeObject): void {
    const idx = this.index.get(cluster);
    if (!idx) return;
    const wake = (work: string) => this.enqueue({ scope: 'hub', namespace: cluster, name: work });
    for (const work of idx.worksOf(objectKey(groupOf(o.apiVersion), o.kind, o.metadata.namespace ?? '', o.metadata.name ?? ''))) wake(work);
    for (const work of idx.failing) wake(work);
  }

  private indexWork(cluster: string, work: string, objects: string[], failing: boolean): void {
    let idx = this.index.get(cluster);
    if (!idx) this.index.set(cluster, (idx = new WorkIndex()));
    idx.set(work, objects, failing);
  }

  private unindexWork(cluster: string, work: string): void {
    const idx = this.index.get(cluster);
    if (!idx) return;
    idx.drop(work);
    if (idx.empty()) this.index.delete(cluster);
  }

  private agentReady(cluster: string): boolean {
    const mc = this.ctx.hub.get(OCM, 'ManagedCluster', undefined, cluster);
    return Boolean(mc && !mc.metadata.deletionTimestamp && findCondition(mc, 'ManagedClusterJoined')?.status === 'True' && findCondition(mc, 'ManagedClusterConditionAvailable')?.status === 'True');
  }

  protected reconcile(key: ObjectKey): void {
    const hub = this.ctx.hub;
    const cluster = key.namespace ?? '';
    let mw = hub.get(WORK, 'ManifestWork', cluster, key.name);
    if (!mw) return this.unindexWork(cluster, key.name);
    if (mw.metadata.deletionTimestamp) return this.cleanup(mw, cluster);
    if (!this.agentReady(cluster)) return;
    if (!mw.metadata.finalizers?.includes(FINALIZER))
      mw = hub.update({ ...mw, metadata: { ...mw.metadata, finalizers: [...(mw.metadata.finalizers ?? []), FINALIZER] } }, { manager: WORK_MANAGER });

    const spoke = this.ctx.spokes.get(cluster);
    const spec = (mw.spec ?? {}) as WorkSpec;
    const results = (spec.workload?.manifests ?? []).map((m, i) => applyManifest(spoke, m, i, spec.manifestConfigs ?? []));
    this.indexWork(cluster, key.name, results.map((r) => objectKey(r.meta.group, r.meta.kind, r.meta.namespace, r.meta.name)), results.some((r) => r.error));
    const refs = results.flatMap((r) => (r.ref ? [r.ref] : []));
    const record = this.appliedRecord(cluster, key.name);
    const same = (a: AppliedRef, b: AppliedRef) => a.group === b.group && a.resource === b.resource && a.namespace === b.namespace && a.name === b.name;
    const stale = this.appliedRefs(record).filter((p) => !refs.some((r) => same(p, r)));
    if (spec.deleteOption?.propagationPolicy !== 'Orphan') for (const s of stale) this.deleteRef(cluster, s);
    this.saveRecord(cluster, key.name, refs);
    const appliedBefore = findCondition(mw, 'Applied');
    mw = writeStatus(hub, mw, this.status(mw, results), WORK_MANAGER);
    const applied = findCondition(mw, 'Applied');
    if (applied?.status !== appliedBefore?.status || applied?.observedGeneration !== appliedBefore?.observedGeneration)
      this.note(`ManifestWork ${cluster}/${key.name} generation ${mw.metadata.generation} Applied=${applied?.status} on spoke ${cluster}`);
  }

  private status(mw: KubeObject, results: ApplyResult[]): Record<string, unknown> {
    const gen = mw.metadata.generation;
    const prev = (mw.status ?? {}) as { conditions?: Condition[]; resourceStatus?: { manifests?: Array<{ conditions?: Condition[] }> } };
    const manifests = results.map((r, i) => {
      const next = [
        r.error ? cond('Applied', false, 'AppliedManifestFailed', r.error, gen) : cond('Applied', true, 'AppliedManifestComplete', 'Apply manifest complete', gen),
        r.object ? cond('Available', true, 'ResourceAvailable', 'Resource is available', gen) : cond('Available', false, 'ResourceNotAvailable', 'Resource is not available', gen),
      ];
      const entry: Record<string, unknown> = { resourceMeta: r.meta };
      const rules = r.config?.feedbackRules ?? [];
      if (rules.length && r.object) {
        const fb = feedbackValues(r.object, rules);
        entry.statusFeedback = { values: fb.values };
        next.push(fb.errors.length ? cond('StatusFeedbackSynced', false, 'StatusFeedbackSyncFailed', fb.errors.join('; '), gen) : cond('StatusFeedbackSynced', true, 'StatusFeedbackSynced', '', gen));
      }
      // Merge into the previous list (same ordinal) so unchanged conditions keep their transition time.
      const before = (prev.resourceStatus?.manifests?.[i]?.conditions ?? []).filter((c) => next.some((x) => x.type === c.type));
      entry.conditions = withConditions(before, ...next);
      return entry;
    });
    const failedApply = results.filter((r) => r.error).length;
    const missing = results.filter((r) => !r.object).length;
    const states = results.map((r) => readiness(r.object));
    const progressing = states.filter((s) => s === 'progressing').length;
    const failed = states.filter((s) => s === 'failed').length;
    const n = results.length;
    const conditions = withConditions(
      prev.conditions,
      failedApply ? cond('Applied', false, 'AppliedManifestWorkFailed', `Failed to apply ${failedApply} of ${n} manifests`, gen) : cond('Applied', true, 'AppliedManifestWorkComplete', 'Apply manifest work complete', gen),
      missing ? cond('Available', false, 'ResourcesNotAvailable', `${missing} of ${n} resources are not available`, gen) : cond('Available', true, 'ResourcesAvailable', 'All resources are available', gen),
      progressing ? cond('Progressing', true, 'ManifestsProgressing', `${progressing} of ${n} resources are progressing`, gen) : cond('Progressing', false, 'ManifestsComplete', 'No resource is progressing', gen),
      failed ? cond('Degraded', true, 'ManifestsDegraded', `${failed} of ${n} resources failed`, gen) : cond('Degraded', false, 'ManifestsNotDegraded', 'No resource is degraded', gen),
    );
    return { ...prev, conditions, resourceStatus: { manifests } };
  }

  private cleanup(mw: KubeObject, cluster: string): void {
    const hub = this.ctx.hub;
    const dropFinalizer = () => hub.update({ ...mw, metadata: { ...mw.metadata, finalizers: (mw.metadata.finalizers ?? []).filter((f) => f !== FINALIZER) } }, { manager: WORK_MANAGER });
    const mc = hub.get(OCM, 'ManagedCluster', undefined, cluster);
    // The hub cleans up works of a cluster that is going away: nobody is left to run the agent.
    if (!mc || mc.metadata.deletionTimestamp) return void dropFinalizer();
    if (!this.agentReady(cluster)) return;
    const spec = (mw.spec ?? {}) as WorkSpec;
    const orphanAll = spec.deleteOption?.propagationPolicy === 'Orphan';
    const rules = spec.deleteOption?.propagationPolicy === 'SelectivelyOrphan' ? spec.deleteOption.selectivelyOrphans?.orphaningRules ?? [] : [];
    const orphaned = (r: AppliedRef) => orphanAll || rules.some((o) => (o.group ?? '') === r.group && o.resource === r.resource && (o.namespace ?? '') === (r.namespace ?? '') && o.name === r.name);
    const record = this.appliedRecord(cluster, mw.metadata.name ?? '');
    // Wake up again when what is left goes away (finalizers, e.g. Flux's, may hold it a while).
    this.indexWork(cluster, mw.metadata.name ?? '', this.appliedRefs(record).map((r) => objectKey(r.group, r.kind, r.namespace ?? '', r.name)), false);
    const remaining = this.appliedRefs(record).filter((r) => !orphaned(r) && this.ctx.spokes.get(cluster).get(r.group, r.kind, r.namespace, r.name)?.metadata.uid === r.uid);
    for (const r of remaining) this.deleteRef(cluster, r);
    if (remaining.length) return;
    if (record) this.ctx.spokes.get(cluster).delete(WORK, 'AppliedManifestWork', undefined, record.metadata.name ?? '');
    dropFinalizer();
  }

  private appliedRecord(cluster: string, work: string): KubeObject | undefined {
    return this.ctx.spokes.get(cluster).get(WORK, 'AppliedManifestWork', undefined, `${HUB_HASH}-${work}`);
  }

  private appliedRefs(record: KubeObject | undefined): AppliedRef[] {
    return ((record?.status as { appliedResources?: AppliedRef[] } | undefined)?.appliedResources ?? []).slice();
  }

  private saveRecord(cluster: string, work: string, refs: AppliedRef[]): void {
    const spoke = this.ctx.spokes.get(cluster);
    let record = this.appliedRecord(cluster, work);
    if (!record)
      record = spoke.create({ apiVersion: `${WORK}/v1`, kind: 'AppliedManifestWork', metadata: { name: `${HUB_HASH}-${work}` }, spec: { hubHash: HUB_HASH, manifestWorkName: work, agentID: 'spokegraph-sim-work-agent' } }, { manager: WORK_MANAGER });
    writeStatus(spoke, record, { appliedResources: refs }, WORK_MANAGER);
  }

  private deleteRef(cluster: string, r: AppliedRef): void {
    const spoke = this.ctx.spokes.get(cluster);
    const obj = spoke.get(r.group, r.kind, r.namespace, r.name);
    if (!obj || obj.metadata.deletionTimestamp || obj.metadata.uid !== r.uid) return;
    try {
      spoke.delete(r.group, r.kind, r.namespace, r.name);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }
}
