/** The live parts of pool and deployment screens: progress, steps, why it waits, why it failed. */
import type { StatusFieldsFragment } from '../gql/graphql';
import type { LiveEvent } from '../api/live';
import { PhaseBadge, ProgressBar, Since, waitWords, When } from './bits';

export function LiveStatus({ name, status, latest }: { name: string; status: StatusFieldsFragment; latest: LiveEvent | null }) {
  // the newest event is fresher than the last query; the query adds what events do not carry
  const phase = latest?.phase ?? status.phase;
  const percent = latest?.percent ?? status.percent;
  const waiting = status.waitingOn;
  return (
    <section aria-labelledby="status-title" className="card">
      <h2 id="status-title">Status</h2>
      <p>
        Phase <PhaseBadge phase={phase} />
        {status.currentStep && phase !== 'RUNNING' && (
          <>
            {' '}
            at step <strong>{latest?.step ?? status.currentStep}</strong>
            {status.stepIndex != null && status.stepCount != null && ` (${status.stepIndex + 1} of ${status.stepCount})`}
          </>
        )}
      </p>
      <ProgressBar percent={percent} label={`Progress of ${name}`} />
      <div aria-live="polite" className="live">
        {latest && <p className="muted">Latest: {latest.message}</p>}
        {waiting && phase !== 'FAILED' && (
          <p className="waiting">
            <strong>{waitWords(waiting.reason)}</strong> <Since since={waiting.since} />. <span className="muted">{waiting.message}</span>
          </p>
        )}
      </div>
      {status.failure && phase === 'FAILED' && (
        <div role="alert" className="error-box">
          <p>
            <strong>Failed at step {status.failure.step}</strong> ({status.failure.reason}): {status.failure.message}
          </p>
        </div>
      )}
    </section>
  );
}

type StepState = 'running' | 'waiting' | 'done' | 'failed';

export function stepsOf(events: readonly LiveEvent[]): { step: string; state: StepState; message: string }[] {
  const steps = new Map<string, { step: string; state: StepState; message: string }>();
  for (const e of events) {
    if (!e.step) continue;
    const s = steps.get(e.step) ?? { step: e.step, state: 'running' as StepState, message: '' };
    if (e.type === 'STEP_STARTED' || e.type === 'STEP_PROGRESS') s.state = 'running';
    if (e.type === 'STEP_WAITING') s.state = 'waiting';
    if (e.type === 'STEP_SUCCEEDED') s.state = 'done';
    if (e.type === 'STEP_FAILED') s.state = 'failed';
    s.message = e.message;
    steps.set(e.step, s);
  }
  return [...steps.values()];
}

const STATE_WORDS: Record<StepState, string> = { running: 'running', waiting: 'waiting', done: 'done', failed: 'failed' };

export function StepList({ events }: { events: readonly LiveEvent[] }) {
  const steps = stepsOf(events);
  return (
    <section aria-labelledby="steps-title" className="card">
      <h2 id="steps-title">Steps</h2>
      {steps.length === 0 ? (
        <p className="muted">No step has started yet.</p>
      ) : (
        <ol className="steps">
          {steps.map((s) => (
            <li key={s.step} className={`step ${s.state}`}>
              <span className="step-name">{s.step}</span> <span className={`step-state ${s.state}`}>{STATE_WORDS[s.state]}</span>
              <span className="muted"> — {s.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function EventLog({ events }: { events: readonly LiveEvent[] }) {
  return (
    <details className="card">
      <summary>Event log ({events.length})</summary>
      <table>
        <caption className="visually-hidden">Progress events, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Phase</th>
            <th scope="col">%</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td>{e.seq}</td>
              <td>
                <When at={e.time} />
              </td>
              <td>{e.type}</td>
              <td>{e.phase}</td>
              <td>{e.percent}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
