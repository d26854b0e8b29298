/**
 * deploy/rbac.yaml must grant exactly what the adapter does on the hub: every hub-side kind of the
 * registry with the adapter's verbs, and nothing else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Resources, type KindName } from '../../../src/kube/index.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/rbac.yaml');
const docs = yaml.loadAll(readFileSync(file, 'utf8')) as Array<{ kind: string; rules?: Rule[]; metadata: { name: string } }>;
const rules = docs.find((d) => d.kind === 'ClusterRole')!.rules!;

/** Kinds that only exist on spokes (inside ManifestWorks): the work agent applies them, not us. */
const SPOKE_ONLY: KindName[] = ['ResourceQuota', 'Service', 'Ingress', 'HelmRepository', 'OCIRepository', 'HelmRelease'];
/** Kinds other controllers write and we only read. */
const READ_ONLY: KindName[] = ['PlacementDecision', 'CertificateSigningRequest'];
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'patch', 'delete'];

/** group/resource → verbs granted. */
function granted(): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of rules) for (const g of r.apiGroups) for (const res of r.resources) {
    const key = `${g}/${res}`;
    m.set(key, new Set([...(m.get(key) ?? []), ...r.verbs]));
  }
  return m;
}

describe('deploy/rbac.yaml', () => {
  it('should grant every hub-side kind exactly the adapter verbs', () => {
    const expected = new Map<string, Set<string>>();
    for (const [kind, r] of Object.entries(Resources) as Array<[KindName, (typeof Resources)[KindName]]>) {
      if (SPOKE_ONLY.includes(kind)) continue;
      expected.set(`${r.group}/${r.plural}`, new Set(READ_ONLY.includes(kind) ? READ : [...READ, ...WRITE]));
    }
    expected.set('register.open-cluster-management.io/managedclusters/accept', new Set(['update']));
    expected.set('cluster.open-cluster-management.io/managedclustersets/join', new Set(['create']));
    // approving the klusterlets' CSRs (HUB_REGISTRATION=klusterlet)
    expected.set('certificates.k8s.io/certificatesigningrequests/approval', new Set(['update']));
    expected.set('certificates.k8s.io/signers', new Set(['approve']));
    expected.set('cluster.open-cluster-management.io/managedclustersets/bind', new Set(['create']));
    const actual = granted();
    expect(Object.fromEntries([...actual].map(([k, v]) => [k, [...v].sort()]))).toEqual(
      Object.fromEntries([...expected].map(([k, v]) => [k, [...v].sort()])),
    );
  });

  it('should bind the role to the gateway ServiceAccount', () => {
    const binding = docs.find((d) => d.kind === 'ClusterRoleBinding') as unknown as { roleRef: { name: string }; subjects: Array<{ kind: string; name: string; namespace: string }> };
    expect(binding.roleRef.name).toBe('spokegraph-hub');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'spokegraph', namespace: 'spokegraph' }]);
    expect(docs.some((d) => d.kind === 'ServiceAccount' && d.metadata.name === 'spokegraph')).toBe(true);
  });
});
