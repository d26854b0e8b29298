/**
 * Reading metav1 conditions the way OCM's `isConditionReady` and Flux's kstatus do: a condition only
 * counts when it was computed for the object's current spec. Statuses come from other controllers,
 * so every accessor tolerates missing or malformed fields instead of throwing.
 */
import type { Condition, KubeObject } from './object.types.js';

/** metav1.ConditionStatus values. */
export const ConditionStatus = {
  /** the condition holds */
  True: 'True',
  /** the condition does not hold */
  False: 'False',
  /** the controller cannot tell (yet) */
  Unknown: 'Unknown',
} as const;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `obj.status` when it is an object, else an empty one. */
export function statusOf(obj: KubeObject | null | undefined): Record<string, unknown> {
  return obj && isRecord(obj.status) ? obj.status : {};
}

export function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The well-formed entries of `status.conditions`. */
export function conditionsOf(obj: KubeObject | null | undefined): Condition[] {
  const raw = statusOf(obj).conditions;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (c): c is Condition => isRecord(c) && typeof c.type === 'string' && (c.status === 'True' || c.status === 'False' || c.status === 'Unknown'),
  );
}

/**
 * A condition is stale when it carries an observedGeneration that differs from the object's
 * metadata.generation: it describes a spec the controller has not caught up with.
 */
export function isStale(obj: KubeObject, c: Condition): boolean {
  const generation = asNumber(obj.metadata?.generation);
  const observed = asNumber(c.observedGeneration);
  return generation !== undefined && observed !== undefined && observed !== generation;
}

/** The condition of that type, only if present and current. */
export function currentCondition(obj: KubeObject | null | undefined, type: string): Condition | undefined {
  if (!obj) return undefined;
  const c = conditionsOf(obj).find((x) => x.type === type);
  return c && !isStale(obj, c) ? c : undefined;
}

/** True only for a current condition with status True. */
export function isConditionTrue(obj: KubeObject | null | undefined, type: string): boolean {
  return currentCondition(obj, type)?.status === ConditionStatus.True;
}

/** True only for a current condition with status False (missing or Unknown is not false). */
export function isConditionFalse(obj: KubeObject | null | undefined, type: string): boolean {
  return currentCondition(obj, type)?.status === ConditionStatus.False;
}

/**
 * kstatus' object-level rule (Flux, CAPI v1beta2): when the status carries observedGeneration and it
 * lags metadata.generation, nothing in the status describes the current spec yet.
 */
export function isStatusCurrent(obj: KubeObject | null | undefined): boolean {
  if (!obj) return false;
  const generation = asNumber(obj.metadata?.generation);
  const observed = asNumber(statusOf(obj).observedGeneration);
  return generation === undefined || observed === undefined || observed === generation;
}
