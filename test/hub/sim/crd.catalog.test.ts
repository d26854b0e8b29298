/**
 * The simulator's resource catalog agrees with the upstream CRDs it serves: scope, served and
 * storage versions, subresources, names; discovery orders versions by Kubernetes version priority.
 */
import { describe, expect, it } from 'vitest';
import { crdFor } from '../../../src/sim/crd.registry.js';
import { compareVersions, RESOURCES } from '../../../src/sim/resource.catalog.js';

const custom = RESOURCES.filter((r) => r.custom && r.served);

describe('resource catalog vs upstream CRDs', () => {
  it.each(custom)('should serve $kind as its CRD declares it', (r) => {
    const crd = crdFor(r.group, r.plural)!;
    expect(crd, `crds/${r.group}_${r.plural}.yaml`).toBeDefined();
    const s = crd.spec;
    expect(s.names.kind).toBe(r.kind);
    expect(s.scope === 'Namespaced').toBe(r.namespaced);
    expect([...r.versions].sort()).toEqual(s.versions.filter((v) => v.served).map((v) => v.name).sort());
    expect(r.storage).toBe(s.versions.find((v) => v.storage)!.name);
    for (const v of s.versions.filter((x) => x.served)) {
      expect(Boolean(v.subresources?.status), `${v.name} status`).toBe(r.status);
      expect(Boolean(v.subresources?.scale), `${v.name} scale`).toBe(Boolean(r.scale));
      expect(v.schema?.openAPIV3Schema, `${v.name} schema`).toBeDefined();
    }
    expect([...(r.shortNames ?? [])].sort()).toEqual([...(s.names.shortNames ?? [])].sort());
    expect(r.singular).toBe(s.names.singular ?? r.kind.toLowerCase());
  });

  it('should order versions as discovery does: GA, then beta, then alpha, higher first', () => {
    expect(['v1alpha1', 'v1beta1', 'v1', 'v2beta1', 'v1beta2', 'v2', 'foo'].sort(compareVersions)).toEqual(['v2', 'v1', 'v2beta1', 'v1beta2', 'v1beta1', 'v1alpha1', 'foo']);
  });
});
