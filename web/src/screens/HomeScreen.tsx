import { useQuery } from '@apollo/client/react';
import { TenantsQuery } from '../api/operations';
import { ErrorBox, Loading, QuotaBar } from '../components/bits';
import { href } from '../router';

export function HomeScreen() {
  const { data, error } = useQuery(TenantsQuery);
  return (
    <>
      <h1 tabIndex={-1}>Tenants and projects</h1>
      {error && <ErrorBox>{error.message}</ErrorBox>}
      {!data && !error && <Loading what="tenants" />}
      {data?.tenants.nodes.length === 0 && <p>This token sees no tenant.</p>}
      {data?.tenants.nodes.map((t) => (
        <section key={t.id} className="card" aria-labelledby={`tenant-${t.id}`}>
          <h2 id={`tenant-${t.id}`}>
            {t.displayName} <span className="muted">({t.name})</span>
          </h2>
          <p>
            <a href={href.machines(t.name)}>Machines of {t.displayName}</a>
          </p>
          <h3>GPU quota</h3>
          {t.gpuQuota.length === 0 ? <p className="muted">No GPU quota.</p> : t.gpuQuota.map((q) => <QuotaBar key={q.gpuFamily} {...q} />)}
          <h3>Projects ({t.projects.totalCount})</h3>
          {t.projects.nodes.length === 0 ? (
            <p className="muted">No project you can see.</p>
          ) : (
            <ul className="projects">
              {t.projects.nodes.map((p) => (
                <li key={p.id}>
                  <a href={href.project(p.name)}>{p.displayName}</a> <span className="muted">({p.name})</span>
                  {p.gpuQuota.map((q) => (
                    <QuotaBar key={q.gpuFamily} {...q} />
                  ))}
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}
