/**
 * Plays Flux helm-controller on every spoke (once the cluster's `flux` add-on is Available):
 * Reconciling=True, then — when the chart source is Ready — install/upgrade: Ready=True
 * (InstallSucceeded/UpgradeSucceeded) at observedGeneration, or Ready=False (InstallFailed/
 * UpgradeFailed) + Stalled by fault or when the workload is refused (exceeded quota). A failed
 * release is retried on a new generation or a new `reconcile.fluxcd.io/requestedAt`.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../api.errors.js';
import { findCondition, nowIso, type Condition, type KubeObject } from '../kube.types.js';
import type { ObjectStore } from '../object.store.js';
import { addonAvailable } from './addon.controller.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';
import { installWorkload, uninstallWorkload, type Release } from './helmrelease.workload.js';

const HELM = 'helm.toolkit.fluxcd.io';
const SOURCE = 'source.toolkit.fluxcd.io';
const FINALIZER = 'finalizers.fluxcd.io';
const MANAGER = 'helm-controller';
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

interface HrSpec {
  releaseName?: string;
  targetNamespace?: string;
  chart?: { spec?: { chart?: string; version?: string; sourceRef?: { kind?: string; name?: string; namespace?: string } } };
  chartRef?: { kind?: string; name?: string; namespace?: string };
  values?: unknown;
}

interface HrStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  history?: Array<Record<string, unknown>>;
  installFailures?: number;
  upgradeFailures?: number;
  failures?: number;
  lastHandledReconcileAt?: string;
  [k: string]: unknown;
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
    this.onSpokes([[HELM, 'HelmRelease']], (cluster, ev) => this.enqueue(keyOf(cluster, ev.object)));
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
    this.onHub([['addon.open-cluster-management.io', 'ManagedClusterAddOn']], (ev) => releases(ev.object.metadata.namespace ?? ''));
    this.ctx.spokes.names().forEach((c) => releases(c));
  }

  protected reconcile(key: ObjectKey): void {
    const spoke = this.storeOf(key.scope);
    let hr = spoke.get(HELM, 'HelmRelease', key.namespace, key.name);
    if (!hr || !addonAvailable(this.ctx.hub, key.scope, 'flux')) return;
    if (hr.metadata.deletionTimestamp) {
      uninstallWorkload(spoke, hr);
      spoke.update({ ...hr, metadata: { ...hr.metadata, finalizers: (hr.metadata.finalizers ?? []).filter((f) => f !== FINALIZER) } }, { manager: MANAGER });
      return;
    }
    if (!hr.metadata.finalizers?.includes(FINALIZER)) hr = spoke.update({ ...hr, metadata: { ...hr.metadata, finalizers: [...(hr.metadata.finalizers ?? []), FINALIZER] } }, { manager: MANAGER });

    const gen = hr.metadata.generation;
    const st = (hr.status ?? {}) as HrStatus;
    const requestedAt = hr.metadata.annotations?.[REQUESTED_AT];
    const ready = findCondition(hr, 'Ready');
    const handled = st.observedGeneration === gen && st.lastHandledReconcileAt === requestedAt && ready && ready.status !== 'Unknown' && ready.observedGeneration === gen;
    if (handled) return;
    const action = st.history?.length ? 'upgrade' : 'install';
    const reconciling = findCondition(hr, 'Reconciling');
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
    const spec = (hr.spec ?? {}) as HrSpec;
    const namespace = spec.targetNamespace ?? key.namespace ?? 'default';
    const releaseName = spec.releaseName ?? (spec.targetNamespace && spec.targetNamespace !== key.namespace ? `${spec.targetNamespace}-${key.name}` : key.name);
    const rel: Release = { hr, namespace, releaseName, chart, version };
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
      writeStatus(spoke, hr, {
        ...st,
        ...common,
        [counter]: Number(st[counter] ?? 0) + 1,
        failures: (st.failures ?? 0) + 1,
        conditions: withConditions(base, cond('Ready', false, `${Action}Failed`, message, gen), cond('Released', false, `${Action}Failed`, message, gen), cond('Stalled', true, 'RetriesExceeded', `Failed to ${action} after 1 attempt(s)`, gen)),
      }, MANAGER);
      this.note(`HelmRelease ${key.namespace}/${key.name} on spoke ${key.scope}: ${message}`);
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
