/**
 * Admission of controllers' direct writes into a store: pruned, defaulted and validated at the
 * storage version, as their writes through a real API server would be; and a write that differs
 * from the stored object only by what defaulting adds is a no-op (kube-apiserver skips no-op
 * updates), so controllers that re-apply what they want do not loop.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/sim/api.errors.js';
import type { KubeObject } from '../../../src/sim/kube.types.js';
import { ObjectStore } from '../../../src/sim/object.store.js';
import { validationAdmission } from '../../../src/sim/object.validation.js';

const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
const repo = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'r', namespace: 'n' }, spec });

describe('store admission of direct writes', () => {
  it('should prune and default a controller write, and treat re-sending it without the defaults as a no-op', () => {
    const store = new ObjectStore('t', { admission: [validationAdmission] });
    store.create(ns);
    const created = store.create(repo({ url: 'https://x.example.com', bogus: 1 }), { manager: 'ctrl' });
    expect(created.spec).toEqual({ url: 'https://x.example.com', provider: 'generic' });
    const events: string[] = [];
    store.subscribe((ev) => events.push(ev.type));
    const again = store.update({ ...repo({ url: 'https://x.example.com' }), metadata: { ...created.metadata } }, { manager: 'ctrl' });
    expect(again).toBe(created);
    expect(events).toEqual([]);
    const changed = store.update({ ...repo({ url: 'https://y.example.com' }), metadata: { ...created.metadata } }, { manager: 'ctrl' });
    expect(changed.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
    expect(changed.spec).toEqual({ url: 'https://y.example.com', provider: 'generic' });
  });

  it('should refuse an invalid controller write with 422', () => {
    const store = new ObjectStore('t', { admission: [validationAdmission] });
    store.create(ns);
    let err: unknown;
    try {
      store.create(repo({ url: 'ftp://nope' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(422);
    expect((err as ApiError).details.causes?.[0].field).toBe('spec.url');
  });
});
