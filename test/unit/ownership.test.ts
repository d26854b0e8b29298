/** Who owns an object on the hub (src/kube/ownership.ts): table-driven over the marks an object can carry. */
import { describe, expect, it } from 'vitest';
import { clusterNamespaceProblem, hasOwnerIds, judgeOwnership, ownerLabels, type KubeObject, type Ownership } from '../../src/kube/index.js';

const T = 'tenant-1';
const P = 'project-1';
const POOL = 'pool-1';
const D = 'deployment-1';
const poolOwner: Ownership = { project: 'vision', pool: 'team', ids: { tenantId: T, projectId: P, poolId: POOL } };
const projectOwner: Ownership = { project: 'vision', ids: { tenantId: T, projectId: P } };
const deploymentOwner: Ownership = { project: 'vision', deployment: 'chat', ids: { tenantId: T, projectId: P, deploymentId: D } };

const obj = (labels?: Record<string, string>, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', ...(labels ? { labels } : {}), ...meta } });

describe('judgeOwnership', () => {
  it.each<[string, KubeObject | null, Ownership, string]>([
    ['absent', null, poolOwner, 'absent'],
    ['ours (same ids)', obj(ownerLabels(poolOwner)), poolOwner, 'ours'],
    ['ours, names changed nothing', obj({ ...ownerLabels(poolOwner), 'spokegraph.io/pool': 'renamed' }), poolOwner, 'ours'],
    ['no labels at all (kube-system)', obj(), poolOwner, 'foreign'],
    ['labels, but not managed by spokegraph', obj({ 'spokegraph.io/project': 'vision', 'spokegraph.io/pool': 'team' }), poolOwner, 'foreign'],
    ['managed-by with another value', obj({ ...ownerLabels(poolOwner), 'spokegraph.io/managed-by': 'someone' }), poolOwner, 'foreign'],
    ['another pool of the same names (a leftover of a deleted pool)', obj(ownerLabels({ ...poolOwner, ids: { tenantId: T, projectId: P, poolId: 'pool-0' } })), poolOwner, 'foreign'],
    ['another tenant', obj(ownerLabels({ ...poolOwner, ids: { tenantId: 'tenant-2', projectId: P, poolId: POOL } })), poolOwner, 'foreign'],
    ['another project', obj(ownerLabels({ ...poolOwner, ids: { tenantId: T, projectId: 'project-2', poolId: POOL } })), poolOwner, 'foreign'],
    ['a pool object where a project namespace is wanted', obj(ownerLabels(poolOwner)), projectOwner, 'foreign'],
    ['a project namespace where a pool object is wanted', obj(ownerLabels(projectOwner)), poolOwner, 'foreign'],
    ['a deployment object where a pool object is wanted', obj(ownerLabels({ ...deploymentOwner, pool: 'team' })), poolOwner, 'foreign'],
    ['only some of our ids', obj({ ...ownerLabels(projectOwner) }), deploymentOwner, 'foreign'],
    ['previous release, same names', obj(ownerLabels({ project: 'vision', pool: 'team', cluster: 'vision-team' })), poolOwner, 'adoptable'],
    ['previous release, project namespace', obj(ownerLabels({ project: 'vision' })), projectOwner, 'adoptable'],
    ['previous release, deployment', obj(ownerLabels({ project: 'vision', deployment: 'chat' })), deploymentOwner, 'adoptable'],
    ['previous release, another project', obj(ownerLabels({ project: 'vision-team' })), projectOwner, 'foreign'],
    ['previous release, another pool', obj(ownerLabels({ project: 'vision', pool: 'other' })), poolOwner, 'foreign'],
    ['previous release, a pool object where a project namespace is wanted', obj(ownerLabels({ project: 'vision', pool: 'team' })), projectOwner, 'foreign'],
  ])('%s → %s', (_, live, owner, verdict) => {
    expect(judgeOwnership(live, ownerLabels(owner)).kind).toBe(verdict);
  });

  it('should say why without naming the other owner', () => {
    const other = obj(ownerLabels({ project: 'secret-project', pool: 'secret-pool', ids: { tenantId: 'secret-tenant', projectId: 'p9', poolId: 'x' } }));
    const v = judgeOwnership(other, ownerLabels(poolOwner));
    expect(v).toEqual({ kind: 'foreign', why: 'it belongs to another owner' });
  });

  it.each<[Record<string, string> | undefined, boolean]>([
    [ownerLabels(poolOwner), true],
    [ownerLabels(projectOwner), true],
    [ownerLabels({ project: 'vision', pool: 'team' }), false],
    [{ 'spokegraph.io/tenant-id': T, 'spokegraph.io/project-id': P }, false],
    [undefined, false],
  ])('hasOwnerIds(%j) = %s', (labels, ok) => {
    expect(hasOwnerIds(labels)).toBe(ok);
  });
});

describe('clusterNamespaceProblem', () => {
  const mc = (created: string) => ({ apiVersion: 'cluster.open-cluster-management.io/v1', kind: 'ManagedCluster', metadata: { name: 'c', creationTimestamp: created } });
  const ns = (created: string, labels?: Record<string, string>) => obj(labels, { name: 'c', creationTimestamp: created });
  it.each<[string, 'create' | 'delete', KubeObject | null, KubeObject | null, RegExp | null]>([
    ['register: no namespace yet', 'create', null, null, null],
    ['register: the namespace exists already', 'create', null, ns('2025-01-01T00:00:00Z'), /would take it over/],
    ['register again: our cluster made it', 'create', mc('2025-01-01T00:00:00Z'), ns('2025-01-01T00:00:01Z'), null],
    ['delete: the namespace the hub made for it', 'delete', mc('2025-01-01T00:00:00Z'), ns('2025-01-01T00:00:01Z', { 'open-cluster-management.io/cluster-name': 'c' }), null],
    ['delete: same second', 'delete', mc('2025-01-01T00:00:00Z'), ns('2025-01-01T00:00:00Z'), null],
    ['delete: namespace gone', 'delete', mc('2025-01-01T00:00:00Z'), null, null],
    ['delete: a namespace older than the cluster (kube-system)', 'delete', mc('2025-01-02T00:00:00Z'), ns('2025-01-01T00:00:00Z'), /did not create/],
    ['delete: a project namespace (our marks)', 'delete', mc('2025-01-01T00:00:00Z'), ns('2025-01-01T00:00:01Z', ownerLabels({ project: 'c' })), /did not create/],
  ])('%s', (_, verb, cluster, namespace, problem) => {
    const p = clusterNamespaceProblem(verb, cluster, namespace);
    if (problem) expect(p).toMatch(problem);
    else expect(p).toBeNull();
  });
});
