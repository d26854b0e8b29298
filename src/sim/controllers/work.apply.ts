/**
 * How the work agent puts one manifest on a spoke, per update strategy (Update, CreateOnly,
 * ServerSideApply, ReadOnly), and how it reads back whether the resulting object is ready.
 */
import { ApiError } from '../api.errors.js';
import { serverSideApply } from '../field.manager.js';
import { findCondition, groupOf, isPlainObject, versionOf, type KubeObject } from '../kube.types.js';
import type { ObjectStore } from '../object.store.js';
import { describeKind } from '../resource.catalog.js';
import type { FeedbackRule } from './work.feedback.js';

export const WORK_MANAGER = 'work-agent';

export interface ManifestConfig {
  resourceIdentifier?: { group?: string; resource?: string; name?: string; namespace?: string };
  feedbackRules?: FeedbackRule[];
  updateStrategy?: { type?: string; serverSideApply?: { force?: boolean; fieldManager?: string } };
}

export interface AppliedRef {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

export interface ApplyResult {
  meta: { ordinal: number; group: string; version: string; kind: string; resource: string; name: string; namespace: string };
  error?: string;
  object?: KubeObject;
  /** Set when the agent owns the object (everything but ReadOnly), so it is pruned and deleted with the work. */
  ref?: AppliedRef;
  config?: ManifestConfig;
}

export function applyManifest(spoke: ObjectStore, raw: unknown, ordinal: number, configs: ManifestConfig[]): ApplyResult {
  // Only the top level and metadata are changed below; the rest stays shared with the (frozen)
  // ManifestWork, and the spoke store copies what it keeps.
  const m = (isPlainObject(raw) ? { ...raw, metadata: isPlainObject(raw.metadata) ? { ...raw.metadata } : raw.metadata } : {}) as KubeObject;
  const apiVersion = typeof m.apiVersion === 'string' ? m.apiVersion : '';
  const group = groupOf(apiVersion);
  const r = describeKind(group, String(m.kind ?? ''), Boolean(m.metadata?.namespace));
  const name = String(m.metadata?.name ?? '');
  const namespace = r.namespaced ? String(m.metadata?.namespace || 'default') : '';
  const meta = { ordinal, group, version: versionOf(apiVersion), kind: r.kind, resource: r.plural, name, namespace };
  if (!apiVersion || !m.kind || !name) return { meta, error: 'invalid manifest: apiVersion, kind and metadata.name are required' };
  if (r.namespaced) m.metadata.namespace = namespace;
  const config = configs.find((c) => {
    const id = c.resourceIdentifier ?? {};
    return (id.group ?? '') === group && id.resource === r.plural && id.name === name && (id.namespace ?? '') === namespace;
  });
  const strategy = config?.updateStrategy?.type ?? 'Update';
  const existing = spoke.get(group, r.kind, namespace || undefined, name);
  try {
    let object = existing;
    if (strategy === 'ReadOnly') return { meta, object, config };
    if (!existing && strategy !== 'ServerSideApply') object = spoke.create(m, { manager: WORK_MANAGER });
    else if (strategy === 'ServerSideApply') {
      const ssa = config?.updateStrategy?.serverSideApply ?? {};
      const merged = serverSideApply(existing, m, { resource: r, manager: ssa.fieldManager ?? WORK_MANAGER, force: ssa.force ?? false, scope: 'main' });
      object = existing ? spoke.update(merged, { appliedFields: true }) : spoke.create(merged, { appliedFields: true });
    } else if (existing && strategy === 'Update') {
      // Replace what the manifest says; keep what others added to metadata (e.g. Flux's finalizer).
      const md = existing.metadata;
      const labels = { ...md.labels, ...m.metadata.labels };
      const annotations = { ...md.annotations, ...m.metadata.annotations };
      m.metadata = { ...m.metadata, labels, annotations, finalizers: md.finalizers, resourceVersion: md.resourceVersion };
      if (!Object.keys(labels).length) delete m.metadata.labels;
      if (!Object.keys(annotations).length) delete m.metadata.annotations;
      if (!md.finalizers) delete m.metadata.finalizers;
      object = spoke.update(m, { manager: WORK_MANAGER });
    }
    const ref = object ? { group, version: meta.version, resource: r.plural, kind: r.kind, namespace: namespace || undefined, name, uid: object.metadata.uid ?? '' } : undefined;
    return { meta, object, ref, config };
  } catch (e) {
    if (e instanceof ApiError) {
      const message = e.reason === 'Conflict' && strategy === 'ServerSideApply' ? `ApplyConflict: ${e.message}` : e.message;
      return { meta, error: message, object: existing, config };
    }
    throw e;
  }
}

/** Readiness of what a manifest produced, for the work's Progressing and Degraded conditions. */
export function readiness(obj: KubeObject | undefined): 'ready' | 'progressing' | 'failed' | undefined {
  if (!obj) return undefined;
  if (obj.kind === 'HelmRelease') {
    const ready = findCondition(obj, 'Ready');
    const st = obj.status as { observedGeneration?: number } | undefined;
    if (!ready || st?.observedGeneration !== obj.metadata.generation) return 'progressing';
    if (ready.status === 'True') return 'ready';
    if (ready.status === 'False' && (findCondition(obj, 'Stalled')?.status === 'True' || ready.reason.endsWith('Failed'))) return 'failed';
    return 'progressing';
  }
  if (obj.kind === 'Deployment') {
    const want = Number((obj.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    return Number((obj.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) >= want ? 'ready' : 'progressing';
  }
  return undefined;
}
