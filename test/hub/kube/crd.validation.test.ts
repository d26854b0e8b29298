/**
 * Every object the builders can produce, validated against the upstream CRD schema of the version we
 * write (strictly: unknown fields fail), core kinds against strict core schemas, and the CEL / webhook
 * rules that matter checked by hand.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  apiVersionOf,
  helmReleaseName,
  MAX_RELEASE_NAME_LENGTH,
  Resources,
  type KubeObject,
  type ManifestWorkObject,
} from '../../../src/kube/index.js';
import { allVariants } from './builder.fixtures.js';
import { CORE_SCHEMAS } from './core.schemas.js';
import { CRD_DIR, CrdValidator, makeAjv } from './crd.validator.js';

const validator = new CrdValidator();
const ajv = makeAjv();
const coreValidators = Object.fromEntries(Object.entries(CORE_SCHEMAS).map(([kind, s]) => [kind, ajv.compile(s)]));

function validate(obj: KubeObject): string[] {
  if (validator.hasSchema(obj.apiVersion, obj.kind)) {
    const r = validator.validate(obj);
    return r.valid ? [] : r.errors;
  }
  const fn = coreValidators[obj.kind];
  // (each core schema pins its apiVersion: v1, or networking.k8s.io/v1 for Ingress)
  if (!fn) return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  return fn(obj) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** The object and, for a ManifestWork, every embedded manifest. */
function withEmbedded(name: string, obj: KubeObject): Array<[string, KubeObject]> {
  const out: Array<[string, KubeObject]> = [[name, obj]];
  if (obj.kind === 'ManifestWork') {
    for (const m of (obj as ManifestWorkObject).spec!.workload.manifests) out.push([`${name} › ${m.kind} ${m.metadata.name}`, m]);
  }
  return out;
}

const variants = Object.entries(allVariants()).flatMap(([name, obj]) => withEmbedded(name, obj));

/** CEL rules of the HelmRelease CRD (x-kubernetes-validations) that our objects exercise. */
function helmReleaseCel(hr: KubeObject): string[] {
  const spec = hr.spec as Record<string, unknown>;
  const problems: string[] = [];
  // helm.toolkit.fluxcd.io_helmreleases.yaml: (has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))
  if (('chart' in spec) === ('chartRef' in spec)) problems.push('either chart or chartRef must be set');
  const kubeConfig = spec.kubeConfig as Record<string, unknown> | undefined;
  if (kubeConfig && ('configMapRef' in kubeConfig) === ('secretRef' in kubeConfig)) problems.push('exactly one of kubeConfig.configMapRef or secretRef');
  return problems;
}

describe('CRD validation of builder output', () => {
  it('should ship exactly the CRD files SOURCES.md lists', () => {
    const listed = [...readFileSync(path.join(CRD_DIR, 'SOURCES.md'), 'utf8').matchAll(/^\| ([\w.-]+\.yaml) \|/gm)].map((m) => m[1]).sort();
    const shipped = readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect(shipped).toEqual(listed);
    expect(validator.crds).toHaveLength(listed.length);
  });

  // built-in API groups (core, certificates.k8s.io, networking.k8s.io) have no CRD: their kinds are checked against CORE_SCHEMAS
  it.each(Object.values(Resources).filter((r) => r.group !== '' && !r.group.endsWith('.k8s.io')))('should write a served version of $kind', (r) => {
    const v = validator.version(apiVersionOf(r), r.kind);
    expect(v, `${apiVersionOf(r)} ${r.kind}`).toBeDefined();
    expect(v!.served).toBe(true);
    if (r.group === 'cluster.x-k8s.io') expect(v!.storage).toBe(true); // v1beta2, not the deprecated v1beta1
  });

  it.each(variants)('should validate %s', (_name, obj) => {
    expect(validate(obj)).toEqual([]);
  });

  it('should reject unknown fields the way a structural schema prunes them', () => {
    const all = allVariants();
    const work = structuredClone(all['ManifestWork helm + oci, exposed, shared repository']) as ManifestWorkObject;
    const hr = work.spec!.workload.manifests.find((m) => m.kind === 'HelmRelease')!;
    const cases: Array<[string, KubeObject, string]> = [
      ['top-level spec field', { ...structuredClone(all['Placement minimal']), spec: { ...(all['Placement minimal'].spec as object), bogus: 1 } }, '/spec must NOT have additional properties: bogus'],
      ['nested field', { ...hr, spec: { ...(hr.spec as object), install: { remediation: { retries: 3, bogus: true } } } }, '/spec/install/remediation must NOT have additional properties: bogus'],
      ['metadata field', { ...hr, metadata: { ...hr.metadata, bogus: 'x' } }, '/metadata must NOT have additional properties: bogus'],
      ['wrong type', { ...hr, spec: { ...(hr.spec as object), interval: 10 } }, '/spec/interval must be string'],
      ['bad label value', { ...hr, metadata: { ...hr.metadata, labels: { a: 'not valid!' } } }, '/metadata/labels/a must match pattern'],
      ['missing required', { ...hr, spec: { ...(hr.spec as Record<string, unknown>), interval: undefined } }, "/spec must have required property 'interval'"],
      ['core kind unknown field', { ...structuredClone(all['Secret auto-import']), stringData: { a: 'b' } }, 'must NOT have additional properties'],
    ];
    for (const [what, obj, expected] of cases) {
      expect(validate(JSON.parse(JSON.stringify(obj))).join('\n'), what).toContain(expected);
    }
  });

  it('should keep free-form fields open where the CRD preserves unknown fields (HelmRelease values)', () => {
    const hr = variants.find(([, o]) => o.kind === 'HelmRelease' && (o.spec as { values?: unknown }).values)![1];
    expect(validate({ ...hr, spec: { ...(hr.spec as object), values: { anything: { goes: [1, 'two'] } } } })).toEqual([]);
  });

  it.each(variants.filter(([, o]) => o.kind === 'HelmRelease'))('should satisfy the HelmRelease CEL rules for %s', (_n, hr) => {
    expect(helmReleaseCel(hr)).toEqual([]);
    expect(((hr.spec as { releaseName: string }).releaseName).length).toBeLessThanOrEqual(MAX_RELEASE_NAME_LENGTH);
  });

  it('should catch a HelmRelease with both chart and chartRef (CEL)', () => {
    const hr = variants.find(([, o]) => o.kind === 'HelmRelease' && 'chart' in (o.spec as object))![1];
    expect(helmReleaseCel({ ...hr, spec: { ...(hr.spec as object), chartRef: { kind: 'OCIRepository', name: 'x' } } })).not.toEqual([]);
    expect(helmReleaseCel({ ...hr, spec: { interval: '10m' } })).not.toEqual([]);
  });

  it.each(variants.filter(([, o]) => o.kind === 'ManagedClusterSetBinding'))('should name %s after its clusterSet (OCM webhook)', (_n, b) => {
    expect(b.metadata.name).toBe((b.spec as { clusterSet: string }).clusterSet);
  });

  it.each(variants.filter(([, o]) => o.kind === 'MachineDeployment'))('should select its own machines in %s (CAPI webhook)', (_n, md) => {
    const spec = md.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } }; clusterName: string };
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) expect(spec.template.metadata.labels[k]).toBe(v);
    expect(spec.selector.matchLabels['cluster.x-k8s.io/cluster-name']).toBe(spec.clusterName);
  });

  it.each(variants.filter(([, o]) => o.kind === 'ManifestWork'))('should only reference objects that %s itself applies', (_n, obj) => {
    const work = obj as ManifestWorkObject;
    const manifests = work.spec!.workload.manifests;
    const has = (kind: string, ns: string | undefined, name: string) => manifests.some((m) => m.kind === kind && m.metadata.namespace === ns && m.metadata.name === name);
    const plural = Object.fromEntries(Object.values(Resources).map((r) => [`${r.group}/${r.plural}`, r.kind]));
    // feedback rules only run for resources the work created
    for (const c of work.spec!.manifestConfigs) {
      const id = c.resourceIdentifier;
      expect(has(plural[`${id.group}/${id.resource}`], id.namespace, id.name), JSON.stringify(id)).toBe(true);
    }
    for (const hr of manifests.filter((m) => m.kind === 'HelmRelease')) {
      const spec = hr.spec as { chart?: { spec: { sourceRef: { kind: string; name: string } } }; chartRef?: { kind: string; name: string } };
      const ref = spec.chartRef ?? spec.chart!.spec.sourceRef;
      expect(has(ref.kind, hr.metadata.namespace, ref.name)).toBe(true);
    }
    for (const svc of manifests.filter((m) => m.kind === 'Service')) {
      const instance = (svc.spec as { selector: Record<string, string> }).selector['app.kubernetes.io/instance'];
      expect(manifests.some((m) => m.kind === 'HelmRelease' && m.metadata.name === instance && helmReleaseName(instance) === instance)).toBe(true);
    }
    // the Namespace comes first so the agent can create everything inside it
    expect(manifests[0].kind).toBe('Namespace');
    expect(manifests.filter((m) => m.kind !== 'Namespace').every((m) => m.metadata.namespace === manifests[0].metadata.name)).toBe(true);
  });
});
