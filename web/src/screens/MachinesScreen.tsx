import { useQuery } from '@apollo/client/react';
import { MachinesQuery } from '../api/operations';
import { ErrorBox, Loading } from '../components/bits';
import { href } from '../router';

export function MachinesScreen({ tenant }: { tenant: string }) {
  const { data, error, fetchMore } = useQuery(MachinesQuery, { variables: { tenant } });
  const t = data?.tenant;
  return (
    <>
      <h1 tabIndex={-1}>Machines{t ? ` of ${t.displayName}` : ''}</h1>
      <p>
        <a href={href.home()}>← Tenants and projects</a>
      </p>
      {error && <ErrorBox>{error.message}</ErrorBox>}
      {!data && !error && <Loading what="machines" />}
      {data && !t && <ErrorBox>Tenant {tenant} does not exist or is not visible to you.</ErrorBox>}
      {t && (
        <table>
          <caption>
            {t.machines.totalCount} machines in the inventory of {t.displayName}
          </caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">State</th>
              <th scope="col">Roles</th>
              <th scope="col">CPU / memory</th>
              <th scope="col">GPUs</th>
              <th scope="col">Compute pool</th>
            </tr>
          </thead>
          <tbody>
            {t.machines.nodes.map((m) => (
              <tr key={m.id}>
                <th scope="row">{m.hostId}</th>
                <td>{m.state}</td>
                <td>{m.roles.join(', ')}</td>
                <td>
                  {m.cpuCount} CPU, {Math.round(m.memoryMiB / 1024)} GiB ({m.architecture})
                </td>
                <td>{m.gpu ? `${m.gpu.count} × ${m.gpu.family}` : '—'}</td>
                <td>{m.assignedPool ? <a href={href.pool(m.assignedPool.id)}>{m.assignedPool.name}</a> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {t?.machines.pageInfo.hasNextPage && (
        <button type="button" onClick={() =>
            void fetchMore({
              variables: { after: t.machines.pageInfo.endCursor },
              updateQuery: (prev, { fetchMoreResult }) =>
                prev.tenant && fetchMoreResult.tenant
                  ? { ...prev, tenant: { ...prev.tenant, machines: { ...fetchMoreResult.tenant.machines, nodes: [...prev.tenant.machines.nodes, ...fetchMoreResult.tenant.machines.nodes] } } }
                  : fetchMoreResult,
            })
          }>
          Show more machines
        </button>
      )}
    </>
  );
}
