import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useLiveEvents } from '../api/live';
import { AppDeploymentEvents, CloneMutation, DeleteMutation, DeploymentQuery, RetryMutation } from '../api/operations';
import { errorsAt, ErrorBox, FieldErrors, Loading, PhaseBadge, When, type UserErrorLike } from '../components/bits';
import { EventLog, LiveStatus, StepList } from '../components/live';
import { href } from '../router';

export function DeploymentScreen({ id }: { id: string }) {
  const { data, error, refetch } = useQuery(DeploymentQuery, { variables: { id } });
  const d = data?.node?.__typename === 'AppDeployment' ? data.node : null;
  const live = useLiveEvents(AppDeploymentEvents, 'appDeploymentEvents', d ? { id } : null, d?.events.nodes, d?.events.pageInfo.endCursor);

  // Events carry phase and percent; waitingOn, failure and access URLs come from a refetch, at most
  // every 400 ms while events flow.
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!live.latest || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void refetch();
    }, 400);
  }, [live.latest, refetch]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  if (error) return <ErrorBox>{error.message}</ErrorBox>;
  if (!data) return <Loading what="the deployment" />;
  if (!d) return <ErrorBox>This app deployment does not exist or is not visible to you.</ErrorBox>;
  const phase = live.latest?.phase ?? d.phase;

  return (
    <>
      <h1 tabIndex={-1}>
        App deployment {d.name} <PhaseBadge phase={phase} />
      </h1>
      <p>
        <a href={href.project(d.project.name)}>← Project {d.project.name}</a>
      </p>
      {live.error && <p className="muted">Live updates interrupted ({live.error}); reconnecting…</p>}
      <LiveStatus name={d.name} status={d.status} latest={live.latest} />

      <section aria-labelledby="access-title" className="card">
        <h2 id="access-title">Access</h2>
        {d.accessUrls.length === 0 ? (
          <p className="muted">{phase === 'RUNNING' ? 'No component is exposed.' : 'Access URLs appear once the app is RUNNING.'}</p>
        ) : (
          <ul>
            {d.accessUrls.map((u) => (
              <li key={u.component}>
                {u.component}: <a href={u.url}>{u.url}</a>
              </li>
            ))}
          </ul>
        )}
      </section>

      <StepList events={live.events} />
      <Actions id={d.id} name={d.name} phase={phase} variables={(d.variableValues ?? {}) as Record<string, unknown>} onChanged={() => void refetch()} />

      <section aria-labelledby="details-title" className="card">
        <h2 id="details-title">Details</h2>
        <dl className="facts">
          <dt>Compute pool</dt>
          <dd>
            <a href={href.pool(d.computePool.id)}>{d.computePool.name}</a> ({d.computePool.mode}, cluster {d.cluster})
          </dd>
          <dt>Bundles</dt>
          <dd>{d.bundles.map((b) => `${b.name} ${b.versionLabel}`).join(', ') || '—'}</dd>
          <dt>GPUs</dt>
          <dd>{d.gpuRequests.map((g) => `${g.count} × ${g.gpuFamily}`).join(', ') || 'none'}</dd>
          <dt>Created</dt>
          <dd>
            <When at={d.createdAt} />
          </dd>
          <dt>Retries</dt>
          <dd>{d.retries}</dd>
          <dt>Variables</dt>
          <dd>
            <code>{JSON.stringify(d.variableValues)}</code>
          </dd>
        </dl>
      </section>
      <EventLog events={live.events} />
    </>
  );
}

function Actions({ id, name, phase, variables, onChanged }: { id: string; name: string; phase: string; variables: Record<string, unknown>; onChanged: () => void }) {
  const [retry, retried] = useMutation(RetryMutation);
  const [del, deleted] = useMutation(DeleteMutation);
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const gone = phase === 'DELETING' || phase === 'DELETED';

  const doRetry = async () => {
    const r = await retry({ variables: { id } });
    setErrors(r.data?.retryAppDeployment.userErrors ?? []);
    onChanged();
  };
  const doDelete = async () => {
    setConfirming(false);
    const r = await del({ variables: { id } });
    setErrors(r.data?.deleteAppDeployment.userErrors ?? []);
    onChanged();
  };

  return (
    <section aria-labelledby="actions-title" className="card">
      <h2 id="actions-title">Actions</h2>
      <div className="actions">
        {phase === 'FAILED' && (
          <button type="button" onClick={() => void doRetry()} disabled={retried.loading}>
            Retry from the failed step
          </button>
        )}
        {!gone && !confirming && (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete…
          </button>
        )}
        {confirming && (
          <>
            <button type="button" className="danger" onClick={() => void doDelete()} disabled={deleted.loading}>
              Delete {name} now
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        )}
      </div>
      {errors.length > 0 && (
        <ErrorBox>
          {errors.map((e, i) => (
            <p key={i}>{e.message}</p>
          ))}
        </ErrorBox>
      )}
      {(retried.error || deleted.error) && <ErrorBox>{(retried.error ?? deleted.error)!.message}</ErrorBox>}
      <CloneForm id={id} variables={variables} />
    </section>
  );
}

function CloneForm({ id, variables }: { id: string; variables: Record<string, unknown> }) {
  const [clone, cloned] = useMutation(CloneMutation);
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const names = Object.keys(variables);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const overrides = names.filter((n) => values[n] !== undefined && values[n] !== JSON.stringify(variables[n])).map((n) => ({ name: n, value: parseValue(values[n]) }));
    const r = await clone({ variables: { input: { id, name, variables: overrides } } });
    const payload = r.data?.cloneAppDeployment;
    setErrors(payload?.userErrors ?? []);
    if (payload?.appDeployment) window.location.hash = href.deployment(payload.appDeployment.id);
  };
  const nameErrors = errorsAt(errors, 'name');
  // a value's problem is reported at ["input", "variables", NAME]
  const other = errors.filter((e) => !nameErrors.includes(e) && !names.some((n) => errorsAt(errors, 'variables', n).includes(e)));

  return (
    <details className="clone">
      <summary>Clone with changes…</summary>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor="clone-name">New deployment name</label>
        <input id="clone-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={nameErrors.length ? true : undefined} aria-describedby={nameErrors.length ? 'clone-name-errors' : undefined} />
        <FieldErrors id="clone-name-errors" errors={nameErrors} />
        {names.map((n) => {
          const errs = errorsAt(errors, 'variables', n);
          return (
            <div key={n}>
              <label htmlFor={`clone-var-${n}`}>Variable {n}</label>
              <input
                id={`clone-var-${n}`}
                value={values[n] ?? JSON.stringify(variables[n])}
                onChange={(e) => setValues({ ...values, [n]: e.target.value })}
                aria-invalid={errs.length ? true : undefined}
                aria-describedby={errs.length ? `clone-var-${n}-errors` : undefined}
              />
              <FieldErrors id={`clone-var-${n}-errors`} errors={errs} />
            </div>
          );
        })}
        {other.length > 0 && <FieldErrors id="clone-errors" errors={other} />}
        <button type="submit" disabled={cloned.loading}>
          Clone
        </button>
      </form>
    </details>
  );
}

/** A variable typed in a text box: JSON when it parses (numbers, booleans, quoted strings), else the text. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
