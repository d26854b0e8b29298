/**
 * Property test of the hub naming scheme (docs/hub-conventions.md "Names") over adversarial names:
 * names that join to the same text with "-" (the tenant-collision class: project `vision` + pool
 * `team` vs project `vision-team`), names made of system-namespace words (`kube` + `system`), names
 * at the 33-character limit whose derived names must be shortened (hash truncation), and shortened
 * names next to whole names crafted to look like them. For every pair of distinct owners the derived
 * names differ, no derived namespace is a name a user could give a project, and none is reserved.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReservedNamespace, leafNameProblem, nameProblem, projectNameProblem } from '../../src/common/rules.js';
import { appHubName, clusterSetName, isDnsLabel, shortHash, spokeClusterName, TRUNCATION_MARK } from '../../src/kube/naming.js';

const RUNS = 2000;

/** Words of system namespaces and of each other's names, so joins collide as often as they can. */
const WORDS = ['a', 'b', 'ab', 'kube', 'system', 'flux', 'team', 'vision', 'x1', 'cert', 'manager', 'open', 'cluster', 'management', 'capi', 'tenant', 'default', 'shared', '0', '1'];
const joined = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }).map((w) => w.join('-'));
const random = fc.stringMatching(/^[a-z][a-z0-9-]{1,31}[a-z0-9]$/);
/** 33 characters: derived names of two of them exceed 63 and are shortened */
const long = fc.stringMatching(/^[a-z][a-z0-9-]{31}[a-z0-9]$/);
const anyName = fc.oneof(joined, random, long);

const project = anyName.filter((n) => projectNameProblem(n) === null);
const leaf = anyName.filter((n) => leafNameProblem(n, 'name') === null);
const index = fc.option(fc.integer({ min: 0, max: 19 }), { nil: undefined });
const spoke = fc.tuple(project, leaf, index);

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('hub names over adversarial owners', () => {
  it('should give two distinct (project, pool, index) two distinct cluster names', () => {
    fc.assert(
      fc.property(spoke, spoke, (a, b) => {
        fc.pre(!same(a, b));
        expect(spokeClusterName(...a)).not.toBe(spokeClusterName(...b));
      }),
      { numRuns: RUNS },
    );
  });

  it('should give two distinct (project, pool) two distinct cluster sets, and (project, deployment) two distinct app names', () => {
    fc.assert(
      fc.property(project, leaf, project, leaf, (p1, q1, p2, q2) => {
        fc.pre(p1 !== p2 || q1 !== q2);
        expect(clusterSetName(p1, q1)).not.toBe(clusterSetName(p2, q2));
        expect(appHubName(p1, q1)).not.toBe(appHubName(p2, q2));
      }),
      { numRuns: RUNS },
    );
  });

  it('should never derive a namespace that is a possible project name, a reserved namespace, or not a DNS label', () => {
    fc.assert(
      fc.property(spoke, leaf, ([p, q, i], d) => {
        for (const name of [spokeClusterName(p, q, i), appHubName(p, d), clusterSetName(p, q)]) {
          expect(isDnsLabel(name)).toBe(true);
          // a project's namespace is its name: a derived name can never be one (attacks a and c)
          expect(nameProblem(name)).not.toBeNull();
          // nor a namespace the hub or a spoke keeps for itself (attack b)
          expect(isReservedNamespace(name)).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('should keep a shortened name apart from every whole name, even one crafted to look like it', () => {
    fc.assert(
      fc.property(long.filter((n) => projectNameProblem(n) === null), long.filter((n) => leafNameProblem(n, 'name') === null), index, (p, q, i) => {
        const shortened = spokeClusterName(p, q, i);
        expect(shortened.length).toBeLessThanOrEqual(63);
        expect(shortened).toContain(TRUNCATION_MARK);
        // what an attacker in the same project would try: a pool named like the shortened name's tail
        const head = shortened.slice(0, shortened.indexOf(TRUNCATION_MARK));
        const tail = `${head.slice(p.length + 2)}-${shortened.slice(-8)}`;
        if (leafNameProblem(tail, 'name') === null) {
          expect(spokeClusterName(p, tail)).not.toBe(shortened);
          expect(spokeClusterName(p, tail)).not.toContain(TRUNCATION_MARK);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    // (a) tenant alpha's project vision + pool team vs tenant beta's project vision-team
    ['vision', 'team', 'vision-team'],
    // (b) a pool named like the hub's own namespaces
    ['kubex', 'system', 'kubex-system'],
    ['flux', 'system', 'flux-system'],
    // (c) a project named like another tenant's cluster namespace of the previous release
    ['beta-p1', 'beta-shared', 'beta-p1-beta-shared-ed502721'],
  ])('should keep %s + %s away from the namespace %s', (p, q, victim) => {
    expect(spokeClusterName(p, q)).not.toBe(victim);
    expect(appHubName(p, q)).not.toBe(victim);
    // and the names that would produce it are refused up front where they are reserved
    if (isReservedNamespace(victim)) expect(leafNameProblem(q, 'pool name') ?? projectNameProblem(p)).not.toBeNull();
  });

  it('should hash the owners, not the shortened text', () => {
    const p = 'p'.repeat(33);
    const a = spokeClusterName(p, `${'q'.repeat(31)}-1`);
    const b = spokeClusterName(p, `${'q'.repeat(31)}-2`);
    expect(a.slice(0, -8)).toBe(b.slice(0, -8));
    expect(a).not.toBe(b);
    expect(a.slice(-8)).toBe(shortHash(JSON.stringify([p, `${'q'.repeat(31)}-1`])));
  });
});
