/**
 * Request handling as kube-apiserver does it, over raw HTTP: schema validation and pruning with
 * fieldValidation, dryRun, query-parameter parsing, media types (protobuf bodies kubectl sends,
 * 415, 406, YAML), OpenAPI documents and Table output. Each case names the Kubernetes API
 * convention or documentation page it follows.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHub } from '../../../src/sim/index.js';
import { startTestHub } from './sim.helpers.js';

const PL = '/apis/cluster.open-cluster-management.io/v1beta1/namespaces/req/placements';
const placement = (name: string, spec: Record<string, unknown> = { numberOfClusters: 1 }, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'cluster.open-cluster-management.io/v1beta1',
  kind: 'Placement',
  metadata: { name },
  spec,
  ...extra,
});

describe('simulated hub API server: requests', () => {
  let hub: SimulatedHub;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${hub.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  beforeAll(async () => {
    hub = await startTestHub({ controllers: false });
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'req' } });
  });
  afterAll(() => hub.stop());

  describe('schema validation (CRD openAPIV3Schema; api-conventions "Validation")', () => {
    it('should refuse wrong types, values outside an enum and missing required fields with 422 Invalid and one cause each', async () => {
      const r = await call('POST', PL, placement('bad', { numberOfClusters: 'two', sortBy: 'Age', spreadPolicy: { spreadConstraints: [{ topologyKey: 'zone' }] } }));
      expect(r.status).toBe(422);
      expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422, details: { name: 'bad', group: 'cluster.open-cluster-management.io', kind: 'Placement' } });
      expect(r.json.details.causes).toEqual([
        { reason: 'FieldValueTypeInvalid', field: 'spec.numberOfClusters', message: 'Invalid value: "string": spec.numberOfClusters in body must be of type integer: "string"' },
        { reason: 'FieldValueNotSupported', field: 'spec.sortBy', message: 'Unsupported value: "Age": supported values: "ClusterName", "Score"' },
        { reason: 'FieldValueRequired', field: 'spec.spreadPolicy.spreadConstraints[0].topologyKeyType', message: 'Required value' },
      ]);
      expect(r.json.message).toMatch(/^Placement\.cluster\.open-cluster-management\.io "bad" is invalid: \[spec\.numberOfClusters: Invalid value/);
      const missing = await call('POST', '/apis/cluster.x-k8s.io/v1beta2/namespaces/req/machinedeployments', { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'MachineDeployment', metadata: { name: 'md' }, spec: { clusterName: 'c' } });
      expect(missing.status).toBe(422);
      expect(missing.json.details.causes.map((c: { field: string; reason: string }) => `${c.reason} ${c.field}`)).toEqual(['FieldValueRequired spec.selector', 'FieldValueRequired spec.template']);
      expect((await call('GET', `${PL}/bad`)).status).toBe(404);
    });

    it('should prune unknown fields with a Warning by default, refuse them with 400 under Strict, and say nothing under Ignore', async () => {
      const body = placement('unk', { numberOfClusters: 1, bogus: true }, { extra: 1 });
      const warn = await call('POST', PL, body);
      expect(warn.status).toBe(201);
      expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"extra\\"", 299 - "unknown field \\"spec.bogus\\""');
      expect(warn.json.spec).toEqual({ numberOfClusters: 1, scoreRateLimit: '1m', sortBy: 'ClusterName' });
      expect(warn.json.extra).toBeUndefined();
      const strict = await call('POST', `${PL}?fieldValidation=Strict`, { ...body, metadata: { name: 'unk2' } });
      expect(strict.status).toBe(400);
      expect(strict.json).toMatchObject({ reason: 'BadRequest', message: 'Placement in version "v1beta1" cannot be handled as a Placement: strict decoding error: unknown field "extra", unknown field "spec.bogus"' });
      const ignore = await call('POST', `${PL}?fieldValidation=Ignore`, { ...body, metadata: { name: 'unk3' } });
      expect(ignore.status).toBe(201);
      expect(ignore.headers.get('warning')).toBeNull();
      expect((await call('POST', `${PL}?fieldValidation=Loose`, body)).json).toMatchObject({ code: 422, details: { causes: [{ field: 'fieldValidation' }] } });
    });

    it('should treat a write that differs from the stored object only by schema defaults as a no-op (same resourceVersion)', async () => {
      // kube-apiserver defaults on decode and skips no-op updates: a client re-sending what it
      // wrote (without the defaults) must not bump the resourceVersion, or every controller that
      // compares before writing would loop.
      const created = (await call('POST', PL, placement('noop'))).json;
      expect(created.spec).toEqual({ numberOfClusters: 1, scoreRateLimit: '1m', sortBy: 'ClusterName' });
      const put = await call('PUT', `${PL}/noop`, { ...placement('noop'), metadata: { name: 'noop', resourceVersion: created.metadata.resourceVersion } });
      expect(put.status).toBe(200);
      expect(put.json.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    });

    it('should report duplicate JSON fields (Warn) and refuse them (Strict)', async () => {
      const text = '{"apiVersion":"cluster.open-cluster-management.io/v1beta1","kind":"Placement","metadata":{"name":"dup"},"spec":{"numberOfClusters":1,"numberOfClusters":2}}';
      const warn = await call('POST', PL, text);
      expect(warn.status).toBe(201);
      expect(warn.headers.get('warning')).toBe('299 - "duplicate field \\"spec.numberOfClusters\\""');
      expect(warn.json.spec.numberOfClusters).toBe(2);
      const strict = await call('POST', `${PL}?fieldValidation=Strict`, text.replace('"dup"', '"dup2"'));
      expect(strict.json.message).toContain('strict decoding error: duplicate field "spec.numberOfClusters"');
    });

    it('should name unknown apply fields as server-side apply does under Strict', async () => {
      const r = await call('PATCH', `${PL}/sa?fieldManager=t&fieldValidation=Strict`, placement('sa', { numberOfClusters: 1, nope: 1 }), { 'Content-Type': 'application/apply-patch+yaml' });
      expect(r.status).toBe(400);
      expect(r.json.message).toBe('failed to create typed patch object (req/sa; cluster.open-cluster-management.io/v1beta1, Kind=Placement): .spec.nope: field not declared in schema');
    });

    it('should check ObjectMeta of custom resources and of embedded resources (ManifestWork manifests)', async () => {
      const work = {
        apiVersion: 'work.open-cluster-management.io/v1',
        kind: 'ManifestWork',
        metadata: { name: 'w', finalizers: ['bad finalizer'] },
        spec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { 'bad key!': 'x' } } }, { kind: 'ConfigMap', metadata: { name: 'd' } }] } },
      };
      const r = await call('POST', '/apis/work.open-cluster-management.io/v1/namespaces/req/manifestworks', work);
      expect(r.status).toBe(422);
      expect(r.json.details.causes.map((c: { field: string }) => c.field)).toEqual(['spec.workload.manifests[1].apiVersion', 'metadata.finalizers[0]', 'spec.workload.manifests[0].metadata.labels']);
    });

    it('should apply the built-in kinds\' shape rules: names, kind/apiVersion agreement, Service port ranges', async () => {
      expect((await call('POST', '/api/v1/namespaces', { metadata: { name: 'Not_A_Label' } })).status).toBe(422);
      expect((await call('POST', '/api/v1/namespaces/req/services', { metadata: { name: '1-starts-with-a-digit' }, spec: { ports: [{ port: 80 }] } })).json).toMatchObject({ code: 422, details: { causes: [{ field: 'metadata.name' }] } });
      expect((await call('POST', '/api/v1/namespaces/req/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } })).json).toMatchObject({ code: 400, reason: 'BadRequest' });
      expect((await call('POST', '/api/v1/namespaces/req/configmaps', { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'x' } })).json).toMatchObject({ code: 400 });
      const svc = await call('POST', '/api/v1/namespaces/req/services', { metadata: { name: 's' }, spec: { ports: [{ port: 70000 }] } });
      expect(svc.json.details.causes).toEqual([expect.objectContaining({ field: 'spec.ports[0].port' })]);
      expect((await call('POST', '/api/v1/namespaces/req/configmaps', { metadata: { name: 'rv', resourceVersion: '5' } })).json).toMatchObject({ code: 400, message: 'resourceVersion should not be set on objects to be created' });
    });
  });

  describe('dryRun=All (api-concepts "Dry-run")', () => {
    it('should validate and answer as if written, storing nothing, for create, update, patch, apply and delete', async () => {
      const before = hub.objects({ kind: 'Placement', namespace: 'req' }).length;
      const created = await call('POST', `${PL}?dryRun=All`, placement('dry'));
      expect(created.status).toBe(201);
      expect(created.json.metadata).toMatchObject({ name: 'dry', uid: expect.any(String) });
      expect(hub.objects({ kind: 'Placement', namespace: 'req' }).length).toBe(before);
      expect((await call('POST', `${PL}?dryRun=All`, placement('dry', { numberOfClusters: 'one' }))).status).toBe(422);
      const applied = await call('PATCH', `${PL}/dry?dryRun=All&fieldManager=t`, placement('dry'), { 'Content-Type': 'application/apply-patch+yaml' });
      expect(applied.status).toBe(201);
      expect((await call('GET', `${PL}/dry`)).status).toBe(404);

      const real = (await call('POST', PL, placement('wet'))).json;
      const put = await call('PUT', `${PL}/wet?dryRun=All`, { ...real, spec: { numberOfClusters: 5 } });
      expect(put.json.spec.numberOfClusters).toBe(5);
      const patched = await call('PATCH', `${PL}/wet?dryRun=All`, { spec: { numberOfClusters: 6 } }, { 'Content-Type': 'application/merge-patch+json' });
      expect(patched.json.spec.numberOfClusters).toBe(6);
      const deleted = await call('DELETE', `${PL}/wet?dryRun=All`);
      expect(deleted.status).toBe(200);
      const live = (await call('GET', `${PL}/wet`)).json;
      expect(live.spec.numberOfClusters).toBe(1);
      expect(live.metadata.resourceVersion).toBe(real.metadata.resourceVersion);
      expect((await call('POST', `${PL}?dryRun=Some`, placement('x'))).json).toMatchObject({ code: 422, details: { kind: 'CreateOptions', causes: [{ field: 'dryRun' }] } });
    });
  });

  describe('query parameters (the parameter codec: bools are false only for "0"/"false")', () => {
    it('should watch for watch=True and watch=1, and force an apply with force=True', async () => {
      for (const v of ['True', '1', 'true']) {
        const ctl = new AbortController();
        const res = await fetch(`${hub.url}${PL}?watch=${v}`, { signal: ctl.signal });
        const reader = res.body!.getReader();
        const first = new TextDecoder().decode((await reader.read()).value);
        ctl.abort();
        expect(JSON.parse(first.split('\n')[0]).type).toBe('ADDED');
      }
      const list = await call('GET', `${PL}?watch=false`);
      expect(list.json.kind).toBe('PlacementList');
      await call('PATCH', `${PL}/forced?fieldManager=one`, placement('forced', { numberOfClusters: 1 }), { 'Content-Type': 'application/apply-patch+yaml' });
      const conflict = await call('PATCH', `${PL}/forced?fieldManager=two`, placement('forced', { numberOfClusters: 2 }), { 'Content-Type': 'application/apply-patch+yaml' });
      expect(conflict.status).toBe(409);
      const forced = await call('PATCH', `${PL}/forced?fieldManager=two&force=True`, placement('forced', { numberOfClusters: 2 }), { 'Content-Type': 'application/apply-patch+yaml' });
      expect(forced.json.spec.numberOfClusters).toBe(2);
    });

    it('should refuse malformed integers and force on a non-apply patch', async () => {
      expect((await call('GET', `${PL}?limit=ten`)).status).toBe(400);
      const r = await call('PATCH', `${PL}/forced?force=true`, { spec: {} }, { 'Content-Type': 'application/merge-patch+json' });
      expect(r.json).toMatchObject({ code: 422, details: { causes: [{ field: 'force', reason: 'FieldValueForbidden' }] } });
    });
  });

  describe('media types (api-concepts "Alternate representations of resources")', () => {
    const fixture = JSON.parse(readFileSync(new URL('./kubectl-protobuf.fixture.json', import.meta.url), 'utf8')) as { requests: Array<{ path: string; query: string; contentType: string; body: string }> };

    it('should accept the protobuf bodies kubectl 1.33 sends for built-in kinds', async () => {
      for (const r of fixture.requests) {
        const res = await call('POST', `${r.path}?${r.query}`, Buffer.from(r.body, 'hex'), { 'Content-Type': r.contentType, Accept: 'application/vnd.kubernetes.protobuf,application/json' });
        expect(res.status, res.text).toBe(201);
        expect(res.headers.get('content-type')).toBe('application/json');
      }
      const cm = (await call('GET', '/api/v1/namespaces/proto-fixture/configmaps/proto-cm')).json;
      expect(cm.data).toEqual({ greeting: 'hello', empty: '' });
      const secret = (await call('GET', '/api/v1/namespaces/proto-fixture/secrets/proto-secret')).json;
      expect(Buffer.from(secret.data.token, 'base64').toString()).toBe('s3cr3t');
      expect(secret.type).toBe('Opaque');
      const svc = (await call('GET', '/api/v1/namespaces/proto-fixture/services/proto-svc')).json;
      expect(svc.spec).toMatchObject({ type: 'NodePort', ports: [{ name: '80-http', port: 80, protocol: 'TCP', targetPort: 'http' }], selector: { app: 'proto-svc' } });
    });

    it('should answer 415 listing the accepted types for a protobuf custom resource or an unknown type, never 400', async () => {
      const r = await call('POST', PL, Buffer.from('6b387300', 'hex'), { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
      expect(r.json).toMatchObject({ code: 415, reason: 'UnsupportedMediaType', message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml' });
      expect((await call('POST', PL, 'x', { 'Content-Type': 'text/plain' })).status).toBe(415);
      expect((await call('PATCH', `${PL}/forced`, '{}', { 'Content-Type': 'application/strategic-merge-patch+json' })).status).toBe(415);
    });

    it('should answer JSON when protobuf is preferred but JSON allowed, YAML when asked, and 406 when nothing it can produce is acceptable', async () => {
      expect((await call('GET', `${PL}/forced`, undefined, { Accept: 'application/vnd.kubernetes.protobuf, application/json' })).headers.get('content-type')).toBe('application/json');
      const y = await call('GET', `${PL}/forced`, undefined, { Accept: 'application/yaml' });
      expect(y.headers.get('content-type')).toBe('application/yaml');
      expect(y.text).toContain('kind: Placement');
      const no = await call('GET', `${PL}/forced`, undefined, { Accept: 'application/vnd.kubernetes.protobuf' });
      expect(no.json).toMatchObject({ code: 406, reason: 'NotAcceptable' });
      const yamlBody = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: "1"\n';
      expect((await call('POST', '/api/v1/namespaces/req/configmaps', yamlBody, { 'Content-Type': 'application/yaml' })).json.data).toEqual({ a: '1' });
    });

    it('should serve a meta.k8s.io/v1 Table with the CRD printer columns when kubectl get asks for one', async () => {
      const t = await call('GET', PL, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
      expect(t.json.kind).toBe('Table');
      expect(t.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Succeeded', 'Reason', 'SelectedClusters']);
      expect(t.json.rows.map((r: { cells: unknown[] }) => r.cells[0])).toContain('forced');
      expect(t.json.rows[0].object.kind).toBe('PartialObjectMetadata');
    });
  });

  describe('strategic merge patch on built-in kinds (api-concepts "Patch"; strategic-merge-patch.md)', () => {
    it('should merge Service ports by port over HTTP', async () => {
      await call('POST', '/api/v1/namespaces/req/services', { metadata: { name: 'smp' }, spec: { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] } });
      const r = await call('PATCH', '/api/v1/namespaces/req/services/smp', { spec: { ports: [{ port: 81, targetPort: 9000 }, { port: 80, $patch: 'delete' }] } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
      expect(r.json.spec.ports).toEqual([{ name: 'b', port: 81, protocol: 'TCP', targetPort: 9000 }]);
    });
  });

  describe('OpenAPI (api-concepts "OpenAPI interface definition")', () => {
    it('should list one v3 document per group-version and publish schemas with their GVK and PATCH parameters', async () => {
      const index = (await call('GET', '/openapi/v3')).json;
      expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/cluster.x-k8s.io/v1beta2', 'apis/addon.open-cluster-management.io/v1beta1']));
      const url = index.paths['apis/cluster.open-cluster-management.io/v1beta1'].serverRelativeURL as string;
      expect(url).toMatch(/^\/openapi\/v3\/apis\/cluster\.open-cluster-management\.io\/v1beta1\?hash=[0-9A-F]{128}$/);
      const doc = (await call('GET', url)).json;
      expect(doc.openapi).toBe('3.0.0');
      const schema = doc.components.schemas['io.open-cluster-management.cluster.v1beta1.Placement'];
      expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'cluster.open-cluster-management.io', version: 'v1beta1', kind: 'Placement' }]);
      expect(schema.properties.spec.properties.numberOfClusters.type).toBe('integer');
      const patch = doc.paths['/apis/cluster.open-cluster-management.io/v1beta1/namespaces/{namespace}/placements/{name}'].patch;
      expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'cluster.open-cluster-management.io', version: 'v1beta1', kind: 'Placement' });
      expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
      expect(Object.keys(patch.requestBody.content)).not.toContain('application/strategic-merge-patch+json');
      const core = (await call('GET', '/openapi/v3/api/v1')).json;
      expect(Object.keys(core.paths['/api/v1/namespaces/{namespace}/services/{name}'].patch.requestBody.content)).toContain('application/strategic-merge-patch+json');
    });

    it('should serve Swagger 2.0 as JSON and as the gnostic protobuf client-go asks for, and 406 for anything else', async () => {
      const v2 = await call('GET', '/openapi/v2', undefined, { Accept: 'application/json' });
      expect(v2.json.swagger).toBe('2.0');
      expect(v2.json.definitions['io.x-k8s.cluster.v1beta2.MachineDeployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'cluster.x-k8s.io', version: 'v1beta2', kind: 'MachineDeployment' }]);
      const res = await fetch(`${hub.url}/openapi/v2`, { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
      // kube-openapi answers with the '.' spelling of the type ('@' is not a valid MIME token).
      expect(res.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      const pb = Buffer.from(await res.arrayBuffer());
      // openapi.v2.Document: field 1 (swagger) = "2.0"; kubectl explain --output=plaintext-openapiv2 reads it (conformance B23).
      expect(pb.subarray(0, 5)).toEqual(Buffer.from([0x0a, 0x03, 0x32, 0x2e, 0x30]));
      expect(pb.includes(Buffer.from('io.x-k8s.cluster.v1beta2.MachineDeployment'))).toBe(true);
      expect((await call('GET', '/openapi/v2', undefined, { Accept: 'text/html' })).status).toBe(406);
    });
  });
});
