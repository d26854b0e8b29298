/** The rules of a pool's exposure setting (how its apps are reached), checked at creation. */
import { DomainError, ErrorCode } from '../errors.js';
import { DEFAULT_EXPOSURE, PoolExposure, type ExposureSetting } from './pool.model.js';

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** 253 (a DNS name) less one 63-character host label and its dot */
export const MAX_HOST_SUFFIX = 189;

/** Why `suffix` cannot carry component hosts, or null. */
export function hostSuffixProblem(suffix: string): string | null {
  if (suffix.length > MAX_HOST_SUFFIX) return `ingressHostSuffix must be at most ${MAX_HOST_SUFFIX} characters`;
  const labels = suffix.split('.');
  if (labels.some((l) => !LABEL.test(l))) return 'ingressHostSuffix must be a DNS name: dot-separated labels of lowercase letters, digits and "-" (e.g. apps.example.com)';
  return null;
}

/**
 * The setting to store, or the typed refusal (returned, so it is reported with the input's other problems): INGRESS needs a host suffix (hosts are made under it),
 * the other modes take none (a suffix there would be silently unused).
 */
export function exposureOf(input: { exposure?: PoolExposure | null; ingressHostSuffix?: string | null }): ExposureSetting | DomainError {
  const mode = input.exposure ?? DEFAULT_EXPOSURE.mode;
  const suffix = input.ingressHostSuffix?.trim().toLowerCase().replace(/\.$/, '') || undefined;
  if (mode === PoolExposure.INGRESS) {
    if (!suffix) return new DomainError(ErrorCode.INVALID_INPUT, 'exposure INGRESS needs ingressHostSuffix, the DNS suffix the app hosts are made under (e.g. apps.example.com)', ['ingressHostSuffix']);
    const problem = hostSuffixProblem(suffix);
    if (problem) return new DomainError(ErrorCode.INVALID_INPUT, problem, ['ingressHostSuffix']);
    return { mode, ingressHostSuffix: suffix };
  }
  if (suffix) return new DomainError(ErrorCode.INVALID_INPUT, `ingressHostSuffix is only used with exposure INGRESS (this pool is ${mode})`, ['ingressHostSuffix']);
  return { mode };
}

/** The pool's setting, with the default for rows stored before the setting existed. */
export const exposureSetting = (stored: ExposureSetting | null | undefined): ExposureSetting => stored ?? DEFAULT_EXPOSURE;
