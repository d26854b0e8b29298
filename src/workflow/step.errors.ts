/**
 * What an exception thrown by a step means for its subject. Hub faults that may pass (5xx, timeouts,
 * dropped connections, 409) become waits with backoff and never fail a subject by themselves; a hub
 * refusal (4xx) fails the step; anything else is a bug that is retried a bounded number of times.
 * Messages are ours: raw Kubernetes or SQL text stays in the logs.
 */
import { HubError, HubErrorKind } from '../kube/index.js';
import { FailureReason, WaitReason } from './flow.js';

export interface StepErrorClass {
  permanent: boolean;
  /** Retried only a bounded number of times (bugs); hub faults that may pass are retried for as long as they last. */
  bounded: boolean;
  reason: FailureReason;
  message: string;
  waitReason: WaitReason;
}

export function classifyStepError(e: unknown): StepErrorClass {
  if (e instanceof HubError) {
    if (e.kind === HubErrorKind.Permanent) return { permanent: true, bounded: true, reason: FailureReason.HUB_REJECTED, message: e.publicMessage, waitReason: WaitReason.RETRYING_AFTER_ERROR };
    // never a failure (not permanent): the step waits until the foreign object is gone
    if (e.kind === HubErrorKind.NameConflict) return { permanent: false, bounded: false, reason: FailureReason.HUB_ERROR, message: e.publicMessage, waitReason: WaitReason.HUB_NAME_CONFLICT };
    if (e.kind === HubErrorKind.Unreachable) return { permanent: false, bounded: false, reason: FailureReason.HUB_UNREACHABLE, message: 'The hub is unreachable; retrying', waitReason: WaitReason.HUB_UNREACHABLE };
    return { permanent: false, bounded: false, reason: FailureReason.HUB_ERROR, message: `${e.publicMessage}; retrying`, waitReason: WaitReason.HUB_UNREACHABLE };
  }
  return { permanent: false, bounded: true, reason: FailureReason.INTERNAL_ERROR, message: 'An internal error occurred; retrying', waitReason: WaitReason.RETRYING_AFTER_ERROR };
}
