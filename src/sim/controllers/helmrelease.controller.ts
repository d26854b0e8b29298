/**
 * Plays Flux helm-controller on every spoke where it runs (its Deployment, installed by the `flux`
 * add-on's ManifestWork, is ready):
 * Reconciling=True, then — when the chart source is Ready — install/upgrade: Ready=True
 * (InstallSucceeded/UpgradeSucceeded) at observedGeneration, or Ready=False (InstallFailed/
 * UpgradeFailed) by fault or when the workload is refused (exceeded quota).
 *
 * Remediation follows helm-controller v2: each failed attempt counts in installFailures/
 * upgradeFailures; while the count is within `spec.<action>.remediation.retries` (default 0) the
 * release stays Reconciling (ProgressingWithRetry) and is attempted again (a failed install is
 * uninstalled first); past it the release is Stalled (RetriesExceeded) and nothing more happens. The
 * counters are cleared only by a spec change (new generation) or a `reconcile.fluxcd.io/resetAt`
 * equal to a new `reconcile.fluxcd.io/requestedAt` (recorded in status.lastHandledResetAt); a bare
 * reconcile request leaves a Stalled release Stalled.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../api.errors.js';
import { findCondition, nowIso, type Condition, type KubeObject } from '../kube.types.js';
import type { ObjectStore } from '../object.store.js';
import { fluxControllerReady } from './addon.controller.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';
import { gpusAdvertised, isDevicePluginRelease } from './gpu.plugin.js';
import { gpuCountFromValues, installWorkload, uninstallWorkload, type Release } from './helmrelease.workload.js';

const HELM = 'helm.toolkit.fluxcd.io';
const SOURCE = 'source.toolkit.fluxcd.io';
const FINALIZER = 'finalizers.fluxcd.io';
const MANAGER = 'helm-controller';
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
const RESET_AT = 'reconcile.fluxcd.io/resetAt';
/** Reconciling reason while a failed release waits for its next attempt (fluxcd/pkg meta). */
const RETRY_REASON = 'ProgressingWithRetry';

interface HrSpec {
  releaseName?: string;
  targetNamespace?: string;
  chart?: { spec?: { chart?: string; version?: string; sourceRef?: { kind?: string; name?: string; namespace?: string } } };
  chartRef?: { kind?: string; name?: string; namespace?: string };
  values?: unknown;
  install?: { remediation?: { retries?: number } };
  upgrade?: { remediation?: { retries?: number } };
}

interface HrStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  history?: Array<Record<string, unknown>>;
  installFailures?: number;
  upgradeFailures?: number;
  failures?: number;
  lastHandledReconcileAt?: string;
  lastHandledResetAt?: string;
  [k: string]: unknown;
}

/** Failures of `action` exceed its remediation retries (a negative count means retry forever). */
function retriesExhausted(spec: HrSpec, st: HrStatus, action: 'install' | 'upgrade'): boolean {
  const retries = spec[action]?.remediation?.retries ?? 0;
  const failures = Number((action === 'install' ? st.installFailures : st.upgradeFailures) ?? 0);
  return retries >= 0 && failures > retries;
}

/** The chart source a release names: kind, namespace, name (undefined name: none named). */
function sourceRefOf(hr: KubeObject): { kind: string; namespace?: string; name?: string } {
  const spec = (hr.spec ?? {}) as HrSpec;
  const ref = spec.chartRef ?? spec.chart?.spec?.sourceRef;
  return { kind: ref?.kind ?? 'HelmRepository', namespace: ref?.namespace ?? hr.metadata.namespace, name: ref?.name };
}

/** The chart a release installs, once its source is Ready; otherwise why it waits. */
function resolveChart(spoke: ObjectStore, hr: KubeObject): { chart: string; version: string; wait?: string } {
  const spec = (hr.spec ?? {}) as HrSpec;
  const ref = spec.chartRef ?? spec.chart?.spec?.sourceRef;
  const { kind, namespace: ns } = sourceRefOf(hr);
  const source = ref?.name ? spoke.get(SOURCE, kind, ns, ref.name) : undefined;
  const chart = spec.chart?.spec?.chart ?? ref?.name ?? 'chart';
  const tag = (source?.spec as { ref?: { tag?: string; semver?: string } } | undefined)?.ref;
  const version = spec.chart?.spec?.version ?? tag?.tag ?? tag?.semver ?? '*';
  if (!ref?.name) return { chart, version, wait: 'spec.chart or spec.chartRef must name a source' };
  if (!source) return { chart, version, wait: `${kind}.${SOURCE} "${ref.name}" not found in namespace ${ns}` };
  if (findCondition(source, 'Ready')?.status !== 'True') return { chart, version, wait: `${kind} '${ns}/${ref.name}' is not ready` };
  return { chart, version };
}

export class HelmReleaseController extends Controller {
  readonly name = 'flux-helm';
  protected readonly stepMs = 700;

  start(): void {
    const releases = (cluster: string, which: (hr: KubeObject) => boolean = () => true) =>
      this.ctx.spokes.has(cluster) && this.ctx.spokes.get(cluster).list(HELM, 'HelmRelease').forEach((hr) => which(hr) && this.enqueue(keyOf(cluster, hr)));
    this.onSpokes([[HELM, 'HelmRelease']], (cluster, ev) => {
      this.enqueue(keyOf(cluster, ev.object));
      if (isDevicePluginRelease(ev.object)) releases(cluster, (hr) => gpuCountFromValues(hr) > 0);
    });
    // A source event concerns the releases that use it; a Namespace event those living in or installing into it.
    this.onSpokes([[SOURCE, 'HelmRepository'], [SOURCE, 'OCIRepository']], (cluster, ev) => {
      const src = ev.object;
      releases(cluster, (hr) => {
        const ref = sourceRefOf(hr);
        return ref.name === src.metadata.name && ref.kind === src.kind && ref.namespace === src.metadata.namespace;
      });
    });
    this.onSpokes([['', 'Namespace']], (cluster, ev) => {
      const ns = ev.object.metadata.name;
      releases(cluster, (hr) => hr.metadata.namespace === ns || (hr.spec as HrSpec | undefined)?.targetNamespace === ns);
    });
    this.onSpokes([['apps', 'Deployment']], (cluster, ev) => ev.object.metadata.namespace === 'flux-system' && ev.object.metadata.name === 'helm-controller' && releases(cluster));
    this.ctx.spokes.names().forEach((c) => releases(c));
  }

  protected reconcile(key: ObjectKey): void {
    const spoke = this.storeOf(key.scope);
    let hr = spoke.get(HELM, 'HelmRelease', key.namespace, key.name);
    if (!hr || !fluxControllerReady(spoke, 'helm-controller')) return;
    if (hr.metadata.deletionTimestamp) {
      uninstallWorkload(spoke, hr);
      spoke.update({ ...hr, metadata: { ...hr.metadata, finalizers: (hr.metadata.finalizers ?? []).filter((f) => f !== FINALIZER) } }, { manager: MANAGER });
      return;
    }
    if (!hr.metadata.finalizers?.includes(FINALIZER)) hr = spoke.update({ ...hr, metadata: { ...hr.metadata, finalizers: [...(hr.metadata.finalizers ?? []), FINALIZER] } }, { manager: MANAGER });

    const gen = hr.metadata.generation;
    const spec = (hr.spec ?? {}) as HrSpec;
    let st = (hr.status ?? {}) as HrStatus;
    const requestedAt = hr.metadata.annotations?.[REQUESTED_AT];
    const resetAt = hr.metadata.annotations?.[RESET_AT];
    const action: 'install' | 'upgrade' = st.history?.length ? 'upgrade' : 'install';
    const ready = findCondition(hr, 'Ready');
    const reconciling = findCondition(hr, 'Reconciling');
    const retrying = reconciling?.status === 'True' && reconciling.reason === RETRY_REASON && reconciling.observedGeneration === gen;

    // A new generation, reconcile request or reset request is handled once, before anything else.
    const newGeneration = st.lastAttemptedGeneration !== gen;
    const newRequest = st.lastHandledReconcileAt !== requestedAt;
    const newReset = resetAt !== undefined && st.lastHandledResetAt !== resetAt;
    if (newGeneration || newRequest || newReset) {
      const reset = newReset && resetAt === requestedAt && newRequest;
      // helm-controller forgets past failures only on a spec change or a matching reset request;
      // a bare reconcile request leaves an exhausted release Stalled.
      st = { ...st, lastHandledReconcileAt: requestedAt, ...(resetAt !== undefined ? { lastHandledResetAt: resetAt } : {}) };
      if (newGeneration || reset) st = { ...st, installFailures: 0, upgradeFailures: 0, failures: 0 };
      if (!newGeneration && retriesExhausted(spec, st, action)) {
        writeStatus(spoke, hr, st, MANAGER);
        return;
      }
      const conditions = withConditions(
        (st.conditions ?? []).filter((c) => c.type !== 'Stalled'),
        cond('Reconciling', true, 'Progressing', `Running '${action}' action with timeout of 5m0s`, gen),
        cond('Ready', 'Unknown', 'Progressing', 'Reconciliation in progress', gen),
      );
      writeStatus(spoke, hr, { ...st, conditions, lastAttemptedGeneration: gen }, MANAGER);
      return;
    }
    const handled = st.observedGeneration === gen && !retrying && ready && ready.status !== 'Unknown' && ready.observedGeneration === gen;
    if (handled || retriesExhausted(spec, st, action)) return;
    if (reconciling?.status !== 'True' || reconciling.observedGeneration !== gen) {
      const conditions = withConditions(
        st.conditions,
        cond('Reconciling', true, 'Progressing', `Running '${action}' action with timeout of 5m0s`, gen),
        cond('Ready', 'Unknown', 'Progressing', 'Reconciliation in progress', gen),
      );
      writeStatus(spoke, hr, { ...st, conditions, lastAttemptedGeneration: gen }, MANAGER);
      return;
    }
    const { chart, version, wait } = resolveChart(spoke, hr);
    if (wait) {
      // Source, namespace and add-on events re-enqueue this release; no polling needed.
      writeStatus(spoke, hr, { ...st, conditions: withConditions(st.conditions, cond('Ready', 'Unknown', 'Progressing', `waiting for chart source: ${wait}`, gen)) }, MANAGER);
      return;
    }
    const namespace = spec.targetNamespace ?? key.namespace ?? 'default';
    const releaseName = spec.releaseName ?? (spec.targetNamespace && spec.targetNamespace !== key.namespace ? `${spec.targetNamespace}-${key.name}` : key.name);
    const rel: Release = { hr, namespace, releaseName, chart, version };
    const gpus = gpuCountFromValues(hr);
    if (gpus > 0 && this.ctx.requireGpuDevicePlugin !== false && !gpusAdvertised(spoke)) {
      // helm --wait: the pod is Pending (0/N nodes have nvidia.com/gpu); a device plugin release
      // turning Ready re-enqueues every release of the spoke
      const message = `waiting for pods to be scheduled: 0 nodes advertise ${gpus} nvidia.com/gpu (no GPU device plugin Ready on the spoke)`;
      writeStatus(spoke, hr, { ...st, conditions: withConditions(st.conditions, cond('Ready', 'Unknown', 'Progressing', message, gen)) }, MANAGER);
      return;
    }
    let failure = this.ctx.faults.releaseFails(key.name) ? 'simulated fault (failReleases): the chart\'s hooks failed' : undefined;
    if (!failure) {
      try {
        installWorkload(spoke, rel);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        failure = e.message;
      }
    }
    const base = (st.conditions ?? []).filter((c) => c.type !== 'Reconciling' && c.type !== 'Stalled');
    const common = { observedGeneration: gen, lastAttemptedGeneration: gen, lastAttemptedRevision: version, lastAttemptedReleaseAction: action, lastHandledReconcileAt: requestedAt, storageNamespace: namespace };
    const Action = action === 'install' ? 'Install' : 'Upgrade';
    if (failure) {
      const message = `Helm ${action} failed for release ${namespace}/${releaseName} with chart ${chart}@${version}: ${failure}`;
      const counter = action === 'install' ? 'installFailures' : 'upgradeFailures';
      const next: HrStatus = { ...st, ...common, [counter]: Number(st[counter] ?? 0) + 1, failures: (st.failures ?? 0) + 1 };
      // install remediation (the default): a failed install is uninstalled before the next attempt
      if (action === 'install') uninstallWorkload(spoke, hr);
      const exhausted = retriesExhausted(spec, next, action);
      const attempts = Number(next[counter]);
      const conditions = exhausted
        ? withConditions(base, cond('Ready', false, `${Action}Failed`, message, gen), cond('Released', false, `${Action}Failed`, message, gen), cond('Stalled', true, 'RetriesExceeded', `Failed to ${action} after ${attempts} attempt(s)`, gen))
        : withConditions(base, cond('Ready', false, `${Action}Failed`, message, gen), cond('Released', false, `${Action}Failed`, message, gen), cond('Reconciling', true, RETRY_REASON, `retrying after ${attempts} failed attempt(s)`, gen));
      writeStatus(spoke, hr, { ...next, conditions }, MANAGER);
      this.note(`HelmRelease ${key.namespace}/${key.name} on spoke ${key.scope}: ${message}${exhausted ? ' (retries exhausted: Stalled)' : ''}`);
      return;
    }
    const versionNo = Math.max(0, ...(st.history ?? []).map((h) => Number(h.version ?? 0))) + 1;
    const now = nowIso();
    const entry = {
      name: releaseName,
      namespace,
      version: versionNo,
      status: 'deployed',
      chartName: chart,
      chartVersion: version,
      appVersion: version,
      configDigest: `sha256:${createHash('sha256').update(JSON.stringify(spec.values ?? {})).digest('hex')}`,
      digest: `sha256:${createHash('sha256').update(`${releaseName}.v${versionNo}`).digest('hex')}`,
      firstDeployed: (st.history?.[0]?.firstDeployed as string | undefined) ?? now,
      lastDeployed: now,
    };
    const message = `Helm ${action} succeeded for release ${namespace}/${releaseName}.v${versionNo} with chart ${chart}@${version}`;
    writeStatus(spoke, hr, {
      ...st,
      ...common,
      history: [entry, ...(st.history ?? [])].slice(0, 5),
      conditions: withConditions(base, cond('Ready', true, `${Action}Succeeded`, message, gen), cond('Released', true, `${Action}Succeeded`, message, gen)),
    }, MANAGER);
    this.note(`HelmRelease ${key.namespace}/${key.name} on spoke ${key.scope}: ${message}`);
  }
}
