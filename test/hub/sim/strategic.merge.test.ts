/**
 * Strategic merge patch on built-in kinds, against the behaviour documented in
 * community/contributors/devel/sig-api-machinery/strategic-merge-patch.md: merge keys from the
 * types' patchMergeKey tags, `$patch` directives, `$deleteFromPrimitiveList`, `$retainKeys`,
 * `$setElementOrder`.
 */
import { describe, expect, it } from 'vitest';
import { describeKind } from '../../../src/sim/resource.catalog.js';
import { rootNode } from '../../../src/sim/schema.registry.js';
import { strategicMerge } from '../../../src/sim/strategic.merge.js';

const svcNode = rootNode(describeKind('', 'Service'))!;
const podNode = rootNode(describeKind('', 'Pod'))!;

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', finalizers: ['a'] },
  spec: { type: 'ClusterIP', selector: { app: 'x', tier: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }] },
};

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], args: ['--x'] },
      { name: 'side', image: 'side:1' },
    ],
    volumes: [{ name: 'v1', emptyDir: {} }],
  },
};

describe('strategic merge patch', () => {
  it('should merge Service ports by port, keeping the others', () => {
    const out = strategicMerge(service, { spec: { ports: [{ port: 80, targetPort: 9090 }, { name: 'metrics', port: 9100 }] } }, svcNode) as typeof service;
    expect(out.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 9090, protocol: 'TCP' },
      { name: 'https', port: 443, protocol: 'TCP' },
      { name: 'metrics', port: 9100 },
    ]);
  });

  it('should merge containers and their env by name, and replace lists without a strategy (args)', () => {
    const out = strategicMerge(pod, { spec: { containers: [{ name: 'app', image: 'app:2', env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }], args: ['--y'] }] } }, podNode) as typeof pod;
    expect(out.spec.containers).toEqual([
      { name: 'app', image: 'app:2', env: [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }, { name: 'C', value: '3' }], args: ['--y'] },
      { name: 'side', image: 'side:1' },
    ]);
  });

  it('should delete list items with $patch: delete and a whole map with $patch: delete', () => {
    const out = strategicMerge(pod, { spec: { containers: [{ name: 'side', $patch: 'delete' }, { name: 'app', env: [{ name: 'A', $patch: 'delete' }] }] } }, podNode) as typeof pod;
    expect(out.spec.containers).toEqual([{ name: 'app', image: 'app:1', env: [{ name: 'B', value: '2' }], args: ['--x'] }]);
    const noSelector = strategicMerge(service, { spec: { selector: { $patch: 'delete' } } }, svcNode) as { spec: Record<string, unknown> };
    expect(noSelector.spec.selector).toBeUndefined();
  });

  it('should replace a list with a $patch: replace item, and a map with $patch: replace', () => {
    const out = strategicMerge(service, { spec: { ports: [{ $patch: 'replace' }, { port: 8443, name: 'only' }], selector: { $patch: 'replace', app: 'y' } } }, svcNode) as typeof service;
    expect(out.spec.ports).toEqual([{ port: 8443, name: 'only' }]);
    expect(out.spec.selector).toEqual({ app: 'y' });
  });

  it('should merge maps key by key (x-kubernetes-map-type is for apply, not strategic merge)', () => {
    const out = strategicMerge(service, { spec: { selector: { app: 'z', tier: null } } }, svcNode) as typeof service;
    expect(out.spec.selector).toEqual({ app: 'z' });
  });

  it('should union primitive merge lists (finalizers) and delete from them with $deleteFromPrimitiveList', () => {
    const added = strategicMerge(service, { metadata: { finalizers: ['b', 'a'] } }, svcNode) as typeof service;
    expect(added.metadata.finalizers).toEqual(['a', 'b']);
    const removed = strategicMerge(added, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, svcNode) as typeof service;
    expect(removed.metadata.finalizers).toEqual(['b']);
  });

  it('should drop fields set to null and honour $retainKeys and $setElementOrder', () => {
    const out = strategicMerge(service, { spec: { type: null, $retainKeys: ['ports', 'selector'], '$setElementOrder/ports': [{ port: 443 }, { port: 80 }] } }, svcNode) as typeof service;
    expect(Object.keys(out.spec).sort()).toEqual(['ports', 'selector']);
    expect(out.spec.ports.map((p) => p.port)).toEqual([443, 80]);
  });

  it('should refuse merge-list items without their merge key', () => {
    expect(() => strategicMerge(service, { spec: { ports: [{ name: 'no-port' }] } }, svcNode)).toThrow(/does not contain declared merge key: port/);
  });

  it('should not change its input', () => {
    const before = JSON.stringify(pod);
    strategicMerge(pod, { spec: { containers: [{ name: 'app', image: 'x' }] } }, podNode);
    expect(JSON.stringify(pod)).toBe(before);
  });
});
