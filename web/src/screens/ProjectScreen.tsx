import { useQuery } from '@apollo/client/react';
import { useEffect, useMemo, useRef } from 'react';
import { useLiveEvents, type LiveEvent } from '../api/live';
import { ProjectEvents, ProjectQuery } from '../api/operations';
import { ErrorBox, Loading, PhaseBadge, ProgressBar, QuotaBar, waitWords } from '../components/bits';
import { href } from '../router';

const NO_EVENTS: LiveEvent[] = [];

export function ProjectScreen({ name }: { name: string }) {
  const { data, error, refetch } = useQuery(ProjectQuery, { variables: { name } });
  const p = data?.project;

  // projectEvents resumes after the newest event the page already reflects: the highest project
  // sequence among the listed pools' and deployments' last events (any event's cursor will do).
  const start = useMemo(() => {
    if (!p) return undefined;
    const last = [...p.computePools.nodes, ...p.appDeployments.nodes].flatMap((x) => x.events.nodes);
    return last.reduce<{ cursor: string; projectSeq: number } | null>((a, e) => (!a || e.projectSeq > a.projectSeq ? e : a), null);
  }, [p]);
  const live = useLiveEvents(ProjectEvents, 'projectEvents', p ? { projectId: p.id } : null, start === undefined ? undefined : NO_EVENTS, start?.cursor ?? null, 'projectSeq');
  const latestBySubject = useMemo(() => {
    const m = new Map<string, LiveEvent>();
    for (const e of live.events) m.set(e.subjectId, e);
    return m;
  }, [live.events]);

  // new or finished subjects appear through a refetch, at most every second while events flow
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!live.latest || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void refetch();
    }, 1000);
  }, [live.latest, refetch]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  if (error) return <ErrorBox>{error.message}</ErrorBox>;
  if (!data) return <Loading what="the project" />;
  if (!p) return <ErrorBox>Project {name} does not exist or is not visible to you.</ErrorBox>;

  return (
    <>
      <h1 tabIndex={-1}>Project {p.displayName}</h1>
      <p>
        <a href={href.home()}>← Tenants and projects</a> · tenant {p.tenant.displayName} · namespace <code>{p.namespace}</code>
      </p>
      {p.description && <p>{p.description}</p>}
      <p>
        <a className="button" href={href.deploy(p.name)}>
          Deploy an app
        </a>
      </p>
      <section className="card" aria-labelledby="quota-title">
        <h2 id="quota-title">GPU quota</h2>
        {p.gpuQuota.length === 0 ? <p className="muted">No GPU quota.</p> : p.gpuQuota.map((q) => <QuotaBar key={q.gpuFamily} {...q} />)}
      </section>

      <section className="card" aria-labelledby="deployments-title">
        <h2 id="deployments-title">App deployments</h2>
        {p.appDeployments.nodes.length === 0 ? (
          <p className="muted">No app deployment yet.</p>
        ) : (
          <table>
            <caption className="visually-hidden">App deployments of {p.name}, newest last</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Phase</th>
                <th scope="col">Progress</th>
                <th scope="col">Compute pool</th>
                <th scope="col">Access</th>
              </tr>
            </thead>
            <tbody>
              {p.appDeployments.nodes.map((d) => {
                const e = latestBySubject.get(d.id);
                const phase = e?.phase ?? d.phase;
                return (
                  <tr key={d.id}>
                    <th scope="row">
                      <a href={href.deployment(d.id)}>{d.name}</a>
                    </th>
                    <td>
                      <PhaseBadge phase={phase} />
                    </td>
                    <td>
                      <ProgressBar percent={e?.percent ?? d.status.percent} label={`Progress of ${d.name}`} />
                      {d.status.waitingOn && phase !== 'FAILED' && phase !== 'RUNNING' && <span className="muted">{waitWords(d.status.waitingOn.reason)}</span>}
                      {d.status.failure && phase === 'FAILED' && <span className="bad-text">Failed at {d.status.failure.step}</span>}
                    </td>
                    <td>
                      <a href={href.pool(d.computePool.id)}>{d.computePool.name}</a>
                    </td>
                    <td>
                      {d.accessUrls.map((u) => (
                        <a key={u.component} href={u.url}>
                          {u.component}
                        </a>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="pools-title">
        <h2 id="pools-title">Compute pools</h2>
        {p.computePools.nodes.length === 0 ? (
          <p className="muted">No compute pool yet.</p>
        ) : (
          <table>
            <caption className="visually-hidden">Compute pools of {p.name}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Mode</th>
                <th scope="col">Phase</th>
                <th scope="col">Progress</th>
                <th scope="col">GPUs free</th>
              </tr>
            </thead>
            <tbody>
              {p.computePools.nodes.map((pool) => {
                const e = latestBySubject.get(pool.id);
                return (
                  <tr key={pool.id}>
                    <th scope="row">
                      <a href={href.pool(pool.id)}>{pool.name}</a>
                    </th>
                    <td>
                      {pool.mode} ({pool.clusterCount} cluster{pool.clusterCount === 1 ? '' : 's'})
                    </td>
                    <td>
                      <PhaseBadge phase={e?.phase ?? pool.phase} />
                    </td>
                    <td>
                      <ProgressBar percent={e?.percent ?? pool.status.percent} label={`Progress of pool ${pool.name}`} />
                    </td>
                    <td>{pool.gpus.map((g) => `${g.free} of ${g.capacity} ${g.gpuFamily}`).join(', ') || '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
