/**
 * HelmRelease readiness by Flux's kstatus rules, from the object itself or from the ManifestWork
 * status feedback that mirrors it on the hub.
 */
import { conditionsOf, currentCondition, isStale, isStatusCurrent } from './conditions.js';
import { FeedbackName } from './manifestwork.builder.js';
import type { KubeObject } from './object.types.js';
import { feedbackInteger, feedbackString, type FeedbackValue } from './work.readers.js';

/** Flux condition types (fluxcd/pkg apis/meta). */
export const FluxCondition = {
  /** the last reconciliation succeeded for the current generation */
  Ready: 'Ready',
  /** a reconciliation is in progress */
  Reconciling: 'Reconciling',
  /** reconciliation stopped and will not retry without a spec change */
  Stalled: 'Stalled',
} as const;

/** HelmRelease Ready reasons that mean success. */
export const HELM_RELEASE_SUCCESS_REASONS: readonly string[] = ['InstallSucceeded', 'UpgradeSucceeded', 'TestSucceeded'];

/** Where a HelmRelease stands. */
export const ReleaseState = {
  /** installed and Ready at the current generation */
  Ready: 'ready',
  /** not there yet (including retries after a failure) */
  Progressing: 'progressing',
  /** failed with no retry pending */
  Failed: 'failed',
} as const;
export type ReleaseState = (typeof ReleaseState)[keyof typeof ReleaseState];

export interface ReleaseReadiness {
  state: ReleaseState;
  /** Flux's reason (CamelCase), e.g. InstallFailed; set when known */
  reason?: string;
}

/** Reason used when the status describes an older generation than the spec. */
export const REASON_NOT_OBSERVED = 'GenerationNotObserved';
/** Reason used when no status (or feedback) has arrived yet. */
export const REASON_NO_STATUS = 'NoStatus';

export interface ReleaseSignals {
  ready?: string;
  readyReason?: string;
  reconciling?: boolean;
  stalled?: boolean;
  /** the status describes the current generation */
  current: boolean;
}

/**
 * kstatus: Stalled → failed; Ready=True → ready; Ready=False while not reconciling → failed;
 * everything else (no status, Unknown, retrying after a failure, stale generation) → progressing.
 */
export function classifyRelease(s: ReleaseSignals): ReleaseReadiness {
  const withReason = (state: ReleaseState, reason?: string): ReleaseReadiness => (reason ? { state, reason } : { state });
  if (!s.current) return withReason(ReleaseState.Progressing, REASON_NOT_OBSERVED);
  if (s.stalled) return withReason(ReleaseState.Failed, s.readyReason ?? FluxCondition.Stalled);
  if (s.ready === 'True') return withReason(ReleaseState.Ready, s.readyReason);
  if (s.ready === 'False' && !s.reconciling) return withReason(ReleaseState.Failed, s.readyReason);
  return withReason(ReleaseState.Progressing, s.readyReason ?? (s.ready === undefined ? REASON_NO_STATUS : undefined));
}

/** Readiness of a HelmRelease object (spoke side, or in tests). */
export function readHelmRelease(hr: KubeObject): ReleaseReadiness {
  const ready = conditionsOf(hr).find((c) => c.type === FluxCondition.Ready);
  return classifyRelease({
    ready: ready?.status,
    readyReason: ready?.reason,
    reconciling: currentCondition(hr, FluxCondition.Reconciling)?.status === 'True',
    stalled: currentCondition(hr, FluxCondition.Stalled)?.status === 'True',
    current: isStatusCurrent(hr) && !(ready && isStale(hr, ready)),
  });
}

/**
 * Readiness from the ManifestWork feedback of a HelmRelease. Feedback paths only reach `.status`, so
 * metadata.generation is not visible here; "current" means the Ready condition was computed for the
 * generation the controller last observed. The ManifestWork's own Applied condition (at its current
 * generation) covers the hub → spoke half.
 */
export function releaseFromFeedback(values: Map<string, FeedbackValue>): ReleaseReadiness {
  const readyGen = feedbackInteger(values, FeedbackName.ReadyObservedGeneration);
  const observedGen = feedbackInteger(values, FeedbackName.ObservedGeneration);
  return classifyRelease({
    ready: feedbackString(values, FeedbackName.Ready),
    readyReason: feedbackString(values, FeedbackName.ReadyReason),
    reconciling: feedbackString(values, FeedbackName.Reconciling) === 'True',
    stalled: feedbackString(values, FeedbackName.Stalled) === 'True',
    current: readyGen === undefined || observedGen === undefined || readyGen === observedGen,
  });
}
