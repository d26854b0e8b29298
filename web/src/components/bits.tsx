/** Small pieces every screen uses: bars, phases, times, errors. */
import type { ReactNode } from 'react';
import type { Phase, WaitReason } from '../gql/graphql';

export function QuotaBar({ gpuFamily, limit, used }: { gpuFamily: string; limit: number; used: number }) {
  const pct = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : used > 0 ? 100 : 0;
  const label = `${gpuFamily}: ${used} of ${limit} GPUs used`;
  return (
    <div className="quota">
      <span className="quota-label">{label}</span>
      <div className="bar" role="meter" aria-label={`${gpuFamily} GPU quota`} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used} aria-valuetext={label}>
        <div className={`fill ${pct >= 90 ? 'high' : ''}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  return (
    <div className="progress">
      <div className="bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={`${percent} %`}>
        <div className="fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="pct" aria-hidden="true">
        {percent} %
      </span>
    </div>
  );
}

const PHASE_TONE: Partial<Record<Phase, string>> = { RUNNING: 'ok', FAILED: 'bad', DELETED: 'muted', DELETING: 'muted' };

export function PhaseBadge({ phase }: { phase: Phase | string }) {
  return <span className={`phase ${PHASE_TONE[phase as Phase] ?? 'busy'}`}>{phase}</span>;
}

const WAIT_WORDS: Record<WaitReason, string> = {
  QUEUED: 'Queued: waiting for a worker to pick it up',
  WAITING_FOR_CLUSTER: 'Waiting for the cluster to be provisioned',
  WAITING_FOR_KUBECONFIG: "Waiting for the cluster's kubeconfig",
  WAITING_FOR_REGISTRATION: 'Waiting for the cluster to join the hub',
  WAITING_FOR_ADDONS: 'Waiting for the cluster add-ons (Flux, work agent) to become available',
  WAITING_FOR_ENVIRONMENT: "Waiting for the pool's environment (cluster set and binding)",
  WAITING_FOR_POOL: 'Waiting for the compute pool',
  WAITING_FOR_PLACEMENT: 'Waiting for the hub to place the app on a cluster',
  WAITING_FOR_ROLLOUT: 'Waiting for the app to roll out',
  WAITING_FOR_ADDRESS: "Waiting for the app's address (load balancer or node port)",
  WAITING_FOR_DELETION: 'Waiting for hub objects to be deleted',
  HUB_NAME_CONFLICT: 'Blocked: an object on the hub with this name belongs to someone else (it must be removed or renamed on the hub)',
  HUB_UNREACHABLE: 'The hub cannot be reached; retrying',
  RETRYING_AFTER_ERROR: 'Retrying after an error',
};

export function waitWords(reason: WaitReason): string {
  return WAIT_WORDS[reason] ?? reason;
}

export function Since({ since }: { since: string }) {
  const d = new Date(since);
  const secs = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
  const ago = secs < 90 ? `${secs} s` : secs < 5400 ? `${Math.round(secs / 60)} min` : `${Math.round(secs / 3600)} h`;
  return (
    <time dateTime={since} title={d.toLocaleString()}>
      for {ago} (since {d.toLocaleTimeString()})
    </time>
  );
}

export function When({ at }: { at: string }) {
  const d = new Date(at);
  return <time dateTime={at}>{d.toLocaleString()}</time>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ children }: { children: ReactNode }) {
  return (
    <div role="alert" className="error-box">
      {children}
    </div>
  );
}

export interface UserErrorLike {
  field?: readonly string[] | null;
  message: string;
  code: string;
}

/** The user errors whose path starts with `prefix` (e.g. ["input", "name"]). */
export function errorsAt(errors: readonly UserErrorLike[], ...prefix: string[]): UserErrorLike[] {
  const p = ['input', ...prefix];
  return errors.filter((e) => e.field && p.every((seg, i) => e.field![i] === seg));
}

export function FieldErrors({ id, errors }: { id: string; errors: readonly UserErrorLike[] }) {
  if (!errors.length) return null;
  return (
    <div id={id} role="alert">
      <ul className="field-errors">
        {errors.map((e, i) => (
          <li key={i}>{e.message}</li>
        ))}
      </ul>
    </div>
  );
}
