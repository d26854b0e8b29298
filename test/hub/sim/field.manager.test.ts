/**
 * Server-side apply's field ownership with list types, against the documented semantics
 * (kubernetes.io/docs/reference/using-api/server-side-apply: "Merge strategy", "Conflicts",
 * "Field management"): map lists are owned per key, set lists per value, atomic lists whole.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/sim/api.errors.js';
import { displayPath, recordUpdate, serverSideApply } from '../../../src/sim/field.manager.js';
import type { KubeObject } from '../../../src/sim/kube.types.js';
import { describeKind } from '../../../src/sim/resource.catalog.js';

const SVC = describeKind('', 'Service');
const MD = describeKind('cluster.x-k8s.io', 'MachineDeployment');

const svc = (ports: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'n', ...extra },
  spec: { ports },
});
const apply = (live: KubeObject | undefined, applied: KubeObject, manager: string, force = false) => serverSideApply(live, applied, { resource: SVC, manager, force, scope: 'main' });
const conflictOf = (f: () => unknown): ApiError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a conflict');
};

describe('server-side apply with list types', () => {
  it('should let two managers own different items of a map list (Service ports by port+protocol) without conflict', () => {
    const a = apply(undefined, svc([{ port: 80, protocol: 'TCP', targetPort: 8080 }]), 'a');
    const b = apply(a, svc([{ port: 443, protocol: 'TCP', targetPort: 8443 }]), 'b');
    expect((b.spec as { ports: unknown[] }).ports).toEqual([
      { port: 80, protocol: 'TCP', targetPort: 8080 },
      { port: 443, protocol: 'TCP', targetPort: 8443 },
    ]);
    const fields = b.metadata.managedFields!.find((m) => m.manager === 'b')!.fieldsV1 as Record<string, Record<string, Record<string, unknown>>>;
    expect(fields['f:spec']['f:ports']['k:{"port":443,"protocol":"TCP"}']).toEqual({ '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} });
  });

  it('should report a conflict on another manager\'s item field with the structured path and manager', () => {
    const a = apply(undefined, svc([{ port: 80, protocol: 'TCP', targetPort: 8080 }]), 'a');
    const err = conflictOf(() => apply(a, svc([{ port: 80, protocol: 'TCP', targetPort: 9090 }]), 'b'));
    expect(err.code).toBe(409);
    expect(err.toStatus()).toMatchObject({
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "a": .spec.ports[port=80,protocol="TCP"].targetPort',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.ports[port=80,protocol="TCP"].targetPort' }] },
    });
    const forced = apply(a, svc([{ port: 80, protocol: 'TCP', targetPort: 9090 }]), 'b', true);
    expect((forced.spec as { ports: Array<{ targetPort: number }> }).ports[0].targetPort).toBe(9090);
  });

  it('should group several conflicts by manager in the message, as kube-apiserver words it', () => {
    const a = apply(undefined, svc([{ port: 80, protocol: 'TCP', targetPort: 1, name: 'x' }]), 'a');
    const err = conflictOf(() => apply(a, svc([{ port: 80, protocol: 'TCP', targetPort: 2, name: 'y' }]), 'b'));
    expect(err.message).toBe('Apply failed with 2 conflicts: conflicts with "a":\n- .spec.ports[port=80,protocol="TCP"].name\n- .spec.ports[port=80,protocol="TCP"].targetPort');
  });

  it('should remove an item its applier no longer applies, but keep an item another manager co-owns', () => {
    let o = apply(undefined, svc([{ port: 80, protocol: 'TCP' }, { port: 81, protocol: 'TCP' }]), 'a');
    o = apply(o, svc([{ port: 81, protocol: 'TCP' }]), 'b');
    o = apply(o, svc([]), 'a');
    expect((o.spec as { ports: unknown[] }).ports).toEqual([{ port: 81, protocol: 'TCP' }]);
  });

  it('should own set-list values one by one (finalizers) and remove only its own', () => {
    let o = apply(undefined, svc([], { finalizers: ['a.io/x'] }), 'a');
    o = apply(o, svc([], { finalizers: ['b.io/y'] }), 'b');
    expect(o.metadata.finalizers).toEqual(['a.io/x', 'b.io/y']);
    o = apply(o, svc([]), 'a');
    expect(o.metadata.finalizers).toEqual(['b.io/y']);
  });

  it('should follow the CRD: an atomic map (LabelSelector) is owned whole, a map list (taints by key+effect) per item', () => {
    const md = (labels: Record<string, string>, taints: unknown[]): KubeObject => ({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata: { name: 'm', namespace: 'n' },
      spec: { clusterName: 'c', selector: { matchLabels: labels }, template: { spec: { clusterName: 'c', bootstrap: {}, infrastructureRef: { apiGroup: 'x', kind: 'y', name: 'z' }, taints } } },
    });
    const a = serverSideApply(undefined, md({ a: '1' }, [{ key: 'k', effect: 'NoSchedule' }]), { resource: MD, manager: 'a', force: false, scope: 'main' });
    const spec = (a.metadata.managedFields![0].fieldsV1 as Record<string, Record<string, Record<string, unknown>>>)['f:spec'];
    expect(spec['f:selector']).toEqual({});
    expect((spec['f:template'] as Record<string, Record<string, unknown>>)['f:spec']['f:taints']).toEqual({ 'k:{"effect":"NoSchedule","key":"k"}': { '.': {}, 'f:effect': {}, 'f:key': {} } });
  });

  it('should give a non-apply writer the fields it changed and take them from the others', () => {
    const a = apply(undefined, svc([{ port: 80, protocol: 'TCP', targetPort: 8080 }]), 'a');
    const changed = svc([{ port: 80, protocol: 'TCP', targetPort: 9000 }]);
    const mf = recordUpdate(a, { ...changed, metadata: { ...changed.metadata, managedFields: a.metadata.managedFields } }, 'kubectl-edit', 'main', SVC)!;
    const edit = mf.find((m) => m.manager === 'kubectl-edit')!;
    expect(edit.operation).toBe('Update');
    expect(JSON.stringify(edit.fieldsV1)).toBe('{"f:spec":{"f:ports":{"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{"f:targetPort":{}}}}}');
    expect(JSON.stringify(mf.find((m) => m.manager === 'a')!.fieldsV1)).not.toContain('targetPort');
  });

  it('should print paths as structured-merge-diff does', () => {
    expect(displayPath(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:name'])).toBe('.spec.ports[port=80,protocol="TCP"].name');
    expect(displayPath(['f:metadata', 'f:finalizers', 'v:"a.io/x"'])).toBe('.metadata.finalizers[="a.io/x"]');
  });
});
