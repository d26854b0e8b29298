/**
 * ManifestWork status readers: the work's own conditions, per-manifest conditions, and the typed
 * status-feedback values the work agent copied from spoke objects.
 */
import { asNumber, asString, isConditionTrue, isRecord, statusOf } from './conditions.js';
import type { ResourceIdentifier } from './manifestwork.builder.js';
import type { Condition, KubeObject } from './object.types.js';

/** ManifestWork condition types. */
export const ManifestWorkCondition = {
  /** every manifest was applied on the spoke */
  Applied: 'Applied',
  /** every applied resource exists on the spoke */
  Available: 'Available',
  /** some resource is still converging */
  Progressing: 'Progressing',
  /** some resource reports a problem */
  Degraded: 'Degraded',
  /** the work is being removed from the spoke */
  Deleting: 'Deleting',
} as const;

export interface ManifestWorkState {
  applied: boolean;
  available: boolean;
  progressing: boolean;
  degraded: boolean;
  deleting: boolean;
}

/** A status-feedback value, typed as the work agent reported it. */
export type FeedbackValue =
  | { type: 'Integer'; value: number }
  | { type: 'String'; value: string }
  | { type: 'Boolean'; value: boolean }
  | { type: 'JsonRaw'; value: string };

export function readManifestWork(mw: KubeObject): ManifestWorkState {
  return {
    applied: isConditionTrue(mw, ManifestWorkCondition.Applied),
    available: isConditionTrue(mw, ManifestWorkCondition.Available),
    progressing: isConditionTrue(mw, ManifestWorkCondition.Progressing),
    degraded: isConditionTrue(mw, ManifestWorkCondition.Degraded),
    deleting: isConditionTrue(mw, ManifestWorkCondition.Deleting) || Boolean(mw.metadata?.deletionTimestamp),
  };
}

function manifestStatus(mw: KubeObject, id: ResourceIdentifier): Record<string, unknown> | undefined {
  const rs = statusOf(mw).resourceStatus;
  const manifests = isRecord(rs) && Array.isArray(rs.manifests) ? rs.manifests : [];
  return manifests.find((m): m is Record<string, unknown> => {
    if (!isRecord(m) || !isRecord(m.resourceMeta)) return false;
    const meta = m.resourceMeta;
    return (
      (asString(meta.group) ?? '') === id.group &&
      (meta.resource === undefined || meta.resource === id.resource) &&
      meta.name === id.name &&
      (asString(meta.namespace) ?? '') === id.namespace
    );
  });
}

/** Conditions the work agent reports for one manifest (Applied, Available, StatusFeedbackSynced…). */
export function manifestConditions(mw: KubeObject, id: ResourceIdentifier): Condition[] {
  const conditions = manifestStatus(mw, id)?.conditions;
  return Array.isArray(conditions) ? conditions.filter((c): c is Condition => isRecord(c) && typeof c.type === 'string') : [];
}

function toFeedbackValue(raw: unknown): FeedbackValue | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case 'Integer': {
      const value = asNumber(raw.integer);
      return value === undefined ? undefined : { type: 'Integer', value };
    }
    case 'String': {
      const value = asString(raw.string);
      return value === undefined ? undefined : { type: 'String', value };
    }
    case 'Boolean':
      return typeof raw.boolean === 'boolean' ? { type: 'Boolean', value: raw.boolean } : undefined;
    case 'JsonRaw': {
      const value = asString(raw.jsonRaw);
      return value === undefined ? undefined : { type: 'JsonRaw', value };
    }
    default:
      return undefined;
  }
}

/** All feedback values of one manifest by name; empty when the agent reported none (yet). */
export function feedbackValues(mw: KubeObject, id: ResourceIdentifier): Map<string, FeedbackValue> {
  const values = new Map<string, FeedbackValue>();
  const feedback = manifestStatus(mw, id)?.statusFeedback;
  const list = isRecord(feedback) && Array.isArray(feedback.values) ? feedback.values : [];
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry.name !== 'string') continue;
    const value = toFeedbackValue(entry.fieldValue);
    if (value) values.set(entry.name, value);
  }
  return values;
}

export function feedbackValue(mw: KubeObject, id: ResourceIdentifier, name: string): FeedbackValue | undefined {
  return feedbackValues(mw, id).get(name);
}

/** A String value (or the text of a scalar of another type), for values that are strings on the spoke. */
export function feedbackString(values: Map<string, FeedbackValue>, name: string): string | undefined {
  const v = values.get(name);
  if (!v) return undefined;
  return v.type === 'String' || v.type === 'JsonRaw' ? v.value : String(v.value);
}

/** An Integer value; Strings holding an integer are accepted too. */
export function feedbackInteger(values: Map<string, FeedbackValue>, name: string): number | undefined {
  const v = values.get(name);
  if (!v) return undefined;
  if (v.type === 'Integer') return v.value;
  if (v.type === 'String' && /^-?\d+$/.test(v.value)) return Number(v.value);
  return undefined;
}
