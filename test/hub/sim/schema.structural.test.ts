/**
 * The structural-schema walk: pruning, defaulting and validation as kube-apiserver does them for
 * custom resources (apiextensions "Specifying a structural schema", "Pruning", "Defaulting",
 * "Validation"), on small hand-written schemas and on the upstream CRDs.
 */
import { describe, expect, it } from 'vitest';
import { describeKind } from '../../../src/sim/resource.catalog.js';
import { rootNode } from '../../../src/sim/schema.registry.js';
import { typeNode, walkSchema, type FieldError } from '../../../src/sim/schema.structural.js';
import type { SchemaObject } from '../../../src/sim/schema.types.js';

const root = (properties: Record<string, SchemaObject>, extra: SchemaObject = {}) => typeNode({ type: 'object', properties, ...extra }, true);
const check = (node: ReturnType<typeof root>, value: unknown) => walkSchema(value, node, { prune: true, defaults: true, validate: true });
const messages = (errors: FieldError[]) => errors.map((e) => `${e.field}: ${e.message}`);

const SPEC: SchemaObject = {
  type: 'object',
  required: ['size'],
  properties: {
    size: { type: 'integer', minimum: 1, maximum: 10 },
    mode: { type: 'string', enum: ['A', 'B'], default: 'A' },
    name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5, minLength: 2 },
    at: { type: 'string', format: 'date-time' },
    data: { type: 'string', format: 'byte' },
    port: { 'x-kubernetes-int-or-string': true },
    tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
    ports: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'] },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    opt: { type: 'string', nullable: true },
    nested: { type: 'object', properties: { inner: { type: 'object', default: {}, properties: { depth: { type: 'integer', default: 3 } } } } },
    labels: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1 },
    manifest: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    either: { anyOf: [{ type: 'string', enum: ['x'] }, { type: 'string', enum: ['y'] }], type: 'string' },
  },
};
const node = root({ spec: SPEC });
const obj = (spec: Record<string, unknown>) => ({ apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'a' }, spec: { size: 1, ...spec } });

describe('structural schema walk', () => {
  it('should accept a valid object and apply defaults, nested ones included, without changing the input', () => {
    const input = obj({ nested: {} });
    const r = check(node, input);
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual(obj({ mode: 'A', nested: { inner: { depth: 3 } } }));
    expect(input.spec).toEqual({ size: 1, nested: {} });
  });

  it('should prune undeclared fields (metadata too) and report their paths, but keep what preserve-unknown-fields and maps hold', () => {
    const input = { ...obj({ bogus: 1, ports: [{ port: 80, extra: true }], free: { any: { thing: [1] } }, labels: { a: 'b' } }), top: 1, metadata: { name: 'a', surprise: true } };
    const r = check(node, input);
    expect(r.unknown.sort()).toEqual(['metadata.surprise', 'spec.bogus', 'spec.ports[0].extra', 'top']);
    expect(r.value).toEqual(obj({ mode: 'A', ports: [{ port: 80, protocol: 'TCP' }], free: { any: { thing: [1] } }, labels: { a: 'b' } }));
  });

  it('should drop null where the schema is not nullable (applying the default if there is one) and keep it where it is', () => {
    const r = check(node, obj({ mode: null, name: null, opt: null }));
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual(obj({ mode: 'A', opt: null }));
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['a wrong type', { size: 'big' }, ['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"']],
    ['a value below the minimum', { size: 0 }, ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1']],
    ['a value above the maximum', { size: 11 }, ['spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10']],
    ['a missing required field', { size: undefined }, ['spec.size: Required value']],
    ['a value outside the enum', { mode: 'C' }, ['spec.mode: Unsupported value: "C": supported values: "A", "B"']],
    ['a pattern mismatch', { name: 'ABC' }, ["spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'"]],
    ['a string too long', { name: 'abcdef' }, ['spec.name: Too long: may not be more than 5 bytes']],
    ['a string too short', { name: 'a' }, ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']],
    ['a bad date-time', { at: 'yesterday' }, ['spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"']],
    ['bad base64 bytes', { data: 'not base64!' }, ['spec.data: Invalid value: "not base64!": spec.data in body must be of type byte: "not base64!"']],
    ['a boolean where int-or-string is expected', { port: true }, ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']],
    ['a duplicate in a set list', { tags: ['a', 'a'] }, ['spec.tags[1]: Duplicate value: "a"']],
    ['too many items', { tags: ['a', 'b', 'c', 'd'] }, ['spec.tags: Too many: 4: must have at most 3 items']],
    ['a duplicate key in a map list', { ports: [{ port: 80 }, { port: 80, protocol: 'TCP' }] }, ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}']],
    ['too few properties', { labels: {} }, ['spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties']],
    ['an embedded resource without apiVersion and kind', { manifest: { metadata: { name: 'm' } } }, ['spec.manifest.apiVersion: Required value: must not be empty', 'spec.manifest.kind: Required value: must not be empty']],
    ['a value no anyOf branch accepts', { either: 'z' }, ['spec.either: Invalid value: "z": spec.either in body must validate at least one schema (anyOf)']],
  ])('should refuse %s', (_what, spec, expected) => {
    expect(messages(check(node, obj(spec)).errors)).toEqual(expected);
  });

  it('should accept both forms of int-or-string and date-times with fractions and offsets', () => {
    for (const v of [{ port: 8080 }, { port: 'http' }, { at: '2024-01-02T03:04:05Z' }, { at: '2024-01-02T03:04:05.123456+02:00' }]) expect(check(node, obj(v)).errors).toEqual([]);
  });

  it('should keep the metadata and content of embedded resources, pruning unknown metadata fields', () => {
    const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm', nope: 1 }, data: { a: 'b' } };
    const r = check(node, obj({ manifest }));
    expect(r.unknown).toEqual(['spec.manifest.metadata.nope']);
    expect((r.value as { spec: { manifest: unknown } }).spec.manifest).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, data: { a: 'b' } });
  });

  it('should validate without pruning when asked to only check', () => {
    const input = obj({ bogus: 1 });
    const r = walkSchema(input, node, { prune: false, defaults: false, validate: true });
    expect(r.value).toBe(input);
    expect(r.unknown).toEqual([]);
  });

  it('should enforce the upstream CRDs: a HelmRelease with a bad interval and an unknown field', () => {
    const hr = describeKind('helm.toolkit.fluxcd.io', 'HelmRelease');
    const r = check(rootNode(hr, 'v2')!, {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'r', namespace: 'n' },
      spec: { interval: 'soon', chart: { spec: { chart: 'c', sourceRef: { kind: 'HelmRepository', name: 'x' } } }, bogus: true, values: { free: { form: 1 } } },
    });
    expect(r.unknown).toEqual(['spec.bogus']);
    expect(messages(r.errors)).toEqual([expect.stringMatching(/^spec\.interval: Invalid value: "soon": spec\.interval in body should match/)]);
    expect((r.value as { spec: { values: unknown } }).spec.values).toEqual({ free: { form: 1 } });
  });

  it('should compile each kind and version once', () => {
    const mc = describeKind('cluster.open-cluster-management.io', 'ManagedCluster');
    expect(rootNode(mc, 'v1')).toBe(rootNode(mc, 'v1'));
  });
});
