/** Discovery documents (what KubernetesObjectApi reads to map kinds to plurals and scope). */
import { apiVersionOf } from './kube.types.js';
import { RESOURCES, servedGroupVersions, type ResourceType } from './resource.catalog.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resourceEntries(r: ResourceType): Array<Record<string, unknown>> {
  const main: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: ALL_VERBS };
  if (r.shortNames) main.shortNames = r.shortNames;
  const out = [main];
  if (r.status) out.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
  if (r.scale) out.push({ name: `${r.plural}/scale`, singularName: '', namespaced: r.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  if (r.kind === 'Namespace') out.push({ name: 'namespaces/finalize', singularName: '', namespaced: false, kind: r.kind, verbs: ['update'] });
  return out;
}

/** Body for a discovery path, or undefined when the path is not a discovery document. */
export function discovery(path: string, serverAddress: string): unknown {
  const groups = servedGroupVersions();
  if (path === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (path === '/apis') {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.filter((g) => g.group).map((g) => groupDoc(g.group, g.versions)) };
  }
  const m = /^\/(?:api|apis\/([^/]+))(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const group = path.startsWith('/apis/') ? (m[1] ?? '') : '';
  const version = path.startsWith('/apis/') ? m[2] : m[2] ?? m[1];
  const g = groups.find((x) => x.group === group);
  if (!g) return undefined;
  if (version === undefined) return { ...groupDoc(group, g.versions), kind: 'APIGroup', apiVersion: 'v1' };
  if (!g.versions.includes(version)) return undefined;
  const resources = RESOURCES.filter((r) => r.served && r.group === group && r.versions.includes(version)).flatMap(resourceEntries);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

function groupDoc(group: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: apiVersionOf(group, v), version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-spokegraph-sim',
  gitCommit: 'simulated',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'none (spokegraph simulated hub)',
  compiler: 'none',
  platform: 'simulated',
};
