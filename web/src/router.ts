/**
 * Hash routes (#/projects/demo-ml): the gateway serves one index.html at `/`, and every screen has
 * a link that survives a reload without server-side route fallbacks.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { screen: 'home' }
  | { screen: 'machines'; tenant: string }
  | { screen: 'project'; name: string }
  | { screen: 'deploy'; project: string }
  | { screen: 'pool'; id: string }
  | { screen: 'deployment'; id: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'tenants' && parts[1] && parts[2] === 'machines') return { screen: 'machines', tenant: parts[1] };
  if (parts[0] === 'projects' && parts[1] && parts[2] === 'deploy') return { screen: 'deploy', project: parts[1] };
  if (parts[0] === 'projects' && parts[1]) return { screen: 'project', name: parts[1] };
  if (parts[0] === 'pools' && parts[1]) return { screen: 'pool', id: parts[1] };
  if (parts[0] === 'deployments' && parts[1]) return { screen: 'deployment', id: parts[1] };
  return { screen: 'home' };
}

export const href = {
  home: () => '#/',
  machines: (tenant: string) => `#/tenants/${encodeURIComponent(tenant)}/machines`,
  project: (name: string) => `#/projects/${encodeURIComponent(name)}`,
  deploy: (project: string) => `#/projects/${encodeURIComponent(project)}/deploy`,
  pool: (id: string) => `#/pools/${encodeURIComponent(id)}`,
  deployment: (id: string) => `#/deployments/${encodeURIComponent(id)}`,
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
