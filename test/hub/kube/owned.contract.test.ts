/**
 * The owned verbs of the hub adapter (src/kube/hub.owned.ts) against the simulated hub over real
 * HTTP: what is ours is written and deleted, what is not (the hub's own namespaces, another owner's
 * objects of the same name, a leftover of a deleted pool) is never written over nor deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildManagedCluster,
  buildManagedClusterSet,
  buildNamespace,
  HubError,
  HubErrorKind,
  Label,
  ownerLabels,
  type KubeObject,
  type Ownership,
} from '../../../src/kube/index.js';
import { HUB_NAMESPACES } from '../../../src/sim/simulated.hub.js';
import { eventually, startTestHub, type TestHub } from './sim.harness.js';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t?.stop());

const ids = (n: number) => ({ tenantId: `tenant-${n}`, projectId: `project-${n}` });
const alpha: Ownership = { project: 'vision', pool: 'team', ids: { ...ids(1), poolId: 'pool-1' } };
const conflict = (e: unknown) => e instanceof HubError && e.kind === HubErrorKind.NameConflict;

async function refusal(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(conflict(e)).toBe(true);
  return e as HubError;
}

describe('applyOwned', () => {
  it('should start on a hub that has a real hub\'s namespaces, none of them ours', async () => {
    for (const name of HUB_NAMESPACES) {
      const ns = await t.adapter.get({ kind: 'Namespace', name });
      expect(ns, name).not.toBeNull();
      expect(ns!.metadata.labels?.[Label.ManagedBy]).toBeUndefined();
    }
  });

  it('should create what is absent, and converge what is ours', async () => {
    const set = buildManagedClusterSet({ name: 'vision--team', owner: alpha });
    const first = await t.adapter.applyOwned(set);
    expect(first.metadata.labels).toMatchObject(ownerLabels(alpha));
    const again = await t.adapter.applyOwned(set);
    expect(again.metadata.uid).toBe(first.metadata.uid);
  });

  it.each(HUB_NAMESPACES.map((n) => [n]))('should never write over the hub namespace %s', async (name) => {
    const before = await t.adapter.get({ kind: 'Namespace', name });
    const e = await refusal(t.adapter.applyOwned(buildNamespace({ name, owner: { project: name, ids: ids(2) } })));
    expect(e.publicMessage).toBe(`Namespace ${name} exists on the hub and it was not created by spokegraph: spokegraph leaves it untouched; remove or rename it on the hub to go on`);
    expect(await t.adapter.get({ kind: 'Namespace', name })).toEqual(before);
  });

  it("should never write over another owner's object of the same name, nor a deleted pool's leftover", async () => {
    const name = 'vision--leftover';
    const old: Ownership = { ...alpha, ids: { ...ids(1), poolId: 'pool-0' } };
    const leftover = await t.adapter.applyOwned(buildManagedClusterSet({ name, owner: old }));
    for (const owner of [alpha, { project: 'other', pool: 'team', ids: { ...ids(3), poolId: 'pool-3' } }]) {
      const e = await refusal(t.adapter.applyOwned(buildManagedClusterSet({ name, owner })));
      expect(e.publicMessage).toContain('it belongs to another owner');
      expect(e.publicMessage).not.toContain('pool-0');
    }
    // (its status is the cluster-set controller's to change)
    expect((await t.adapter.get({ kind: 'ManagedClusterSet', name }))!.metadata).toMatchObject({ uid: leftover.metadata.uid, labels: leftover.metadata.labels, generation: leftover.metadata.generation });
  });

  it('should adopt an object of the previous release with our names, and mark it with our ids', async () => {
    const legacy = await t.adapter.apply(buildManagedClusterSet({ name: 'vision--legacy', owner: { project: 'vision', pool: 'team' } }));
    expect(legacy.metadata.labels?.[Label.PoolId]).toBeUndefined();
    const adopted = await t.adapter.applyOwned(buildManagedClusterSet({ name: 'vision--legacy', owner: alpha }));
    expect(adopted.metadata.uid).toBe(legacy.metadata.uid);
    expect(adopted.metadata.labels).toMatchObject(ownerLabels(alpha));
    // and one of the previous release for other names is not ours
    await t.adapter.apply(buildManagedClusterSet({ name: 'vision--legacy2', owner: { project: 'vision-team' } }));
    await refusal(t.adapter.applyOwned(buildManagedClusterSet({ name: 'vision--legacy2', owner: alpha })));
  });

  it('should refuse to write an object that does not name its owners', async () => {
    await expect(t.adapter.applyOwned(buildManagedClusterSet({ name: 'unmarked', owner: { project: 'vision', pool: 'team' } }))).rejects.toThrow(/without owner ids/);
    expect(await t.adapter.get({ kind: 'ManagedClusterSet', name: 'unmarked' })).toBeNull();
  });

  it('should not register a cluster over a namespace of its name that exists already', async () => {
    // beta's project namespace, named like the cluster the previous release gave alpha's pool
    await t.adapter.applyOwned(buildNamespace({ name: 'vision-team', owner: { project: 'vision-team', ids: ids(4) } }));
    const e = await refusal(t.adapter.applyOwned(buildManagedCluster({ cluster: 'vision-team', clusterSet: 'vision--team', gpus: {}, owner: alpha })));
    expect(e.publicMessage).toMatch(/ManagedCluster vision-team exists on the hub and cannot be registered safely \(Namespace vision-team already exists/);
    expect(await t.adapter.get({ kind: 'ManagedCluster', name: 'vision-team' })).toBeNull();
    await refusal(t.adapter.applyOwned(buildManagedCluster({ cluster: 'kube-system', clusterSet: 'x', gpus: {}, owner: alpha })));
  });
});

describe('deleteOwned', () => {
  it('should delete what is ours, and say gone for what is absent', async () => {
    await t.adapter.applyOwned(buildManagedClusterSet({ name: 'vision--gone', owner: alpha }));
    expect(await t.adapter.deleteOwned({ kind: 'ManagedClusterSet', name: 'vision--gone' }, alpha)).toBe('gone');
    expect(await t.adapter.get({ kind: 'ManagedClusterSet', name: 'vision--gone' })).toBeNull();
    expect(await t.adapter.deleteOwned({ kind: 'ManagedClusterSet', name: 'vision--gone' }, alpha)).toBe('gone');
  });

  it("should leave another's object of the name alone, the hub's namespaces included", async () => {
    const other = await t.adapter.applyOwned(buildManagedClusterSet({ name: 'vision--theirs', owner: { ...alpha, ids: { ...ids(1), poolId: 'pool-9' } } }));
    expect(await t.adapter.deleteOwned({ kind: 'ManagedClusterSet', name: 'vision--theirs' }, alpha)).toBe('foreign');
    expect((await t.adapter.get({ kind: 'ManagedClusterSet', name: 'vision--theirs' }))?.metadata.uid).toBe(other.metadata.uid);
    for (const name of HUB_NAMESPACES) {
      expect(await t.adapter.deleteOwned({ kind: 'Namespace', name }, { project: name, ids: ids(5) })).toBe('foreign');
      expect((await t.adapter.get({ kind: 'Namespace', name }))?.status).toMatchObject({ phase: 'Active' });
    }
  });

  it('should not delete a cluster whose namespace is a project namespace or was there before it', async () => {
    // the state the previous release could leave: alpha's cluster "vision-team" over beta's namespace
    const mc = buildManagedCluster({ cluster: 'vision-team', clusterSet: 'vision-team', gpus: {}, owner: { project: 'vision', pool: 'team' } });
    await t.adapter.apply(mc);
    const e = await refusal(t.adapter.deleteOwned({ kind: 'ManagedCluster', name: 'vision-team' }, alpha));
    expect(e.publicMessage).toMatch(/would delete Namespace vision-team, which the hub did not create for it/);
    expect(await t.adapter.get({ kind: 'ManagedCluster', name: 'vision-team' })).not.toBeNull();
    expect((await t.adapter.get({ kind: 'Namespace', name: 'vision-team' }))?.status).toMatchObject({ phase: 'Active' });
  });

  it('should delete a cluster with the namespace the hub made for it', async () => {
    await t.adapter.applyOwned(buildManagedCluster({ cluster: 'vision--team', clusterSet: 'vision--team', gpus: {}, owner: alpha }));
    await eventually(() => t.adapter.get({ kind: 'Namespace', name: 'vision--team' }), 'the cluster namespace');
    await eventually(async () => (await t.adapter.deleteOwned({ kind: 'ManagedCluster', name: 'vision--team' }, alpha)) === 'gone', 'the cluster gone');
    await eventually(async () => (await t.adapter.get({ kind: 'Namespace', name: 'vision--team' })) === null, 'its namespace gone');
  });

  it('should delete only the object it judged (uid precondition)', async () => {
    const first = await t.adapter.applyOwned(buildManagedClusterSet({ name: 'vision--uid', owner: alpha }));
    await t.adapter.delete({ kind: 'ManagedClusterSet', name: 'vision--uid' });
    const second = await t.adapter.apply(buildManagedClusterSet({ name: 'vision--uid', owner: { project: 'x', ids: ids(6) } }));
    const e = await t.adapter.delete({ kind: 'ManagedClusterSet', name: 'vision--uid' }, { uid: first.metadata.uid }).then(
      () => null,
      (err: unknown) => err as HubError,
    );
    expect(e?.status).toBe(409);
    expect((await t.adapter.get<KubeObject>({ kind: 'ManagedClusterSet', name: 'vision--uid' }))?.metadata.uid).toBe(second.metadata.uid);
  });
});
