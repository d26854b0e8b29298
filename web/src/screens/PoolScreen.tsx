import { useQuery } from '@apollo/client/react';
import { useEffect, useRef } from 'react';
import { useLiveEvents } from '../api/live';
import { ComputePoolEvents, PoolQuery } from '../api/operations';
import { ErrorBox, Loading, PhaseBadge, When } from '../components/bits';
import { EventLog, LiveStatus, StepList } from '../components/live';
import { href } from '../router';

export function PoolScreen({ id }: { id: string }) {
  const { data, error, refetch } = useQuery(PoolQuery, { variables: { id } });
  const pool = data?.node?.__typename === 'ComputePool' ? data.node : null;
  const live = useLiveEvents(ComputePoolEvents, 'computePoolEvents', pool ? { id } : null, pool?.events.nodes, pool?.events.pageInfo.endCursor);

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
  if (!data) return <Loading what="the compute pool" />;
  if (!pool) return <ErrorBox>This compute pool does not exist or is not visible to you.</ErrorBox>;

  return (
    <>
      <h1 tabIndex={-1}>
        Compute pool {pool.name} <PhaseBadge phase={live.latest?.phase ?? pool.phase} />
      </h1>
      <p>
        <a href={href.project(pool.project.name)}>← Project {pool.project.name}</a> · {pool.mode} · Kubernetes {pool.kubernetesVersion} · created <When at={pool.createdAt} />
      </p>
      <LiveStatus name={`pool ${pool.name}`} status={pool.status} latest={live.latest} />

      <section className="card" aria-labelledby="clusters-title">
        <h2 id="clusters-title">Clusters</h2>
        {pool.clusters.length === 0 ? (
          <p className="muted">No cluster yet.</p>
        ) : (
          <table>
            <caption className="visually-hidden">Clusters of {pool.name}</caption>
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">Nodes</th>
                <th scope="col">GPUs (allocated / capacity)</th>
              </tr>
            </thead>
            <tbody>
              {pool.clusters.map((c) => (
                <tr key={c.name}>
                  <th scope="row">{c.name}</th>
                  <td>{c.nodeCount}</td>
                  <td>{c.gpus.map((g) => `${g.allocated} / ${g.capacity} ${g.gpuFamily}`).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">
          Environment: cluster set {pool.environment.clusterSets.join(', ')} bound into namespace {pool.environment.namespace}.
        </p>
      </section>

      <section className="card" aria-labelledby="pool-deployments-title">
        <h2 id="pool-deployments-title">App deployments on this pool ({pool.appDeployments.totalCount})</h2>
        <ul>
          {pool.appDeployments.nodes.map((d) => (
            <li key={d.id}>
              <a href={href.deployment(d.id)}>{d.name}</a> <PhaseBadge phase={d.phase} />
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="pool-machines-title">
        <h2 id="pool-machines-title">Machines ({pool.machines.totalCount})</h2>
        <ul>
          {pool.machines.nodes.map((m) => (
            <li key={m.id}>
              {m.hostId} — {m.state}
              {m.gpu ? `, ${m.gpu.count} × ${m.gpu.family}` : ''}
            </li>
          ))}
        </ul>
      </section>
      <StepList events={live.events} />
      <EventLog events={live.events} />
    </>
  );
}
