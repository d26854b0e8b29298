import { describe, expect, it } from 'vitest';
import { BundleType as B, VariableType, WorkloadProfileType as W, type BundleContent, type ClusterProfileSpec, type WorkloadProfileSpec } from '../../../src/catalog/bundle.model.js';
import { bundleContentProblems, bundleNameProblem, clusterProfileProblems, typeContentProblems, workloadProfileProblems } from '../../../src/catalog/bundle.rules.js';

const fields = (errors: { field: string[] | null }[]) => errors.map((e) => e.field!.join('.'));
let seq = 0;
const wp = (type: W, over: Partial<WorkloadProfileSpec> = {}): WorkloadProfileSpec => ({
  name: `wp-${++seq}`,
  type,
  description: null,
  components: [{ name: `c${++seq}`, chart: { repository: 'https://c.example.com', chart: 'c', version: '1.0.0' }, values: {}, gpu: null, expose: null }],
  ...over,
});
const cp: ClusterProfileSpec = { kubernetesVersion: '1.31.4', cni: 'calico', csi: 'longhorn', addons: [] };

describe('bundleNameProblem', () => {
  it.each([
    ['abc', true],
    ['llm-inference', true],
    ['a1-b2', true],
    ['a'.repeat(63), true],
    ['ab', false],
    ['a'.repeat(64), false],
    ['1abc', false],
    ['-abc', false],
    ['abc-', false],
    ['ABC', false],
    ['a_bc', false],
    ['a.bc', false],
    ['a bc', false],
  ])('should judge %j valid: %s', (name, ok) => {
    expect(bundleNameProblem(name) === null).toBe(ok);
  });
});

describe('typeContentProblems', () => {
  it.each([
    ['APPLICATION with an APPLICATION profile', B.APPLICATION, null, [wp(W.APPLICATION)]],
    ['APPLICATION with a MODEL profile', B.APPLICATION, null, [wp(W.MODEL)]],
    ['INFRASTRUCTURE with only a cluster profile', B.INFRASTRUCTURE, cp, []],
    ['INFRASTRUCTURE with INFRASTRUCTURE profiles', B.INFRASTRUCTURE, cp, [wp(W.INFRASTRUCTURE), wp(W.INFRASTRUCTURE)]],
    ['FULLSTACK with a MODEL profile', B.FULLSTACK, cp, [wp(W.MODEL)]],
    ['FULLSTACK with every profile type', B.FULLSTACK, cp, [wp(W.INFRASTRUCTURE), wp(W.APPLICATION), wp(W.MODEL)]],
  ])('should accept %s', (_label, type, clusterProfile, wps) => {
    expect(typeContentProblems(type, clusterProfile, wps)).toEqual([]);
  });

  it.each([
    ['APPLICATION without profiles', B.APPLICATION, null, [], ['workloadProfiles']],
    ['APPLICATION with a cluster profile', B.APPLICATION, cp, [wp(W.MODEL)], ['clusterProfile']],
    ['APPLICATION with only an INFRASTRUCTURE profile', B.APPLICATION, null, [wp(W.INFRASTRUCTURE)], ['workloadProfiles.0.type', 'workloadProfiles']],
    ['APPLICATION mixing in an INFRASTRUCTURE profile', B.APPLICATION, null, [wp(W.MODEL), wp(W.INFRASTRUCTURE)], ['workloadProfiles.1.type']],
    ['INFRASTRUCTURE without a cluster profile', B.INFRASTRUCTURE, null, [], ['clusterProfile']],
    ['INFRASTRUCTURE with an APPLICATION profile', B.INFRASTRUCTURE, cp, [wp(W.INFRASTRUCTURE), wp(W.APPLICATION)], ['workloadProfiles.1.type']],
    ['FULLSTACK without a cluster profile', B.FULLSTACK, null, [wp(W.MODEL)], ['clusterProfile']],
    ['FULLSTACK without an application profile', B.FULLSTACK, cp, [wp(W.INFRASTRUCTURE)], ['workloadProfiles']],
    ['FULLSTACK with nothing', B.FULLSTACK, null, [], ['clusterProfile', 'workloadProfiles']],
    ['an unknown type', 'MODEL' as B, null, [wp(W.MODEL)], ['type']],
  ])('should refuse %s', (_label, type, clusterProfile, wps, expected) => {
    expect(fields(typeContentProblems(type, clusterProfile, wps))).toEqual(expected);
  });
});

describe('clusterProfileProblems', () => {
  it.each([
    ['a full version', {}],
    ['a v-prefixed minor version', { kubernetesVersion: 'v1.30' }],
    ['a distribution suffix', { kubernetesVersion: '1.31.2+k3s1' }],
    ['add-ons', { addons: [{ name: 'metallb', version: '0.14.9' }, { name: 'nvidia-gpu-operator', version: 'v24.9.1' }] }],
  ])('should accept %s', (_label, over) => {
    expect(clusterProfileProblems({ ...cp, ...over })).toEqual([]);
  });

  it.each([
    ['"latest" as version', { kubernetesVersion: 'latest' }, ['clusterProfile.kubernetesVersion']],
    ['a one-part version', { kubernetesVersion: '1' }, ['clusterProfile.kubernetesVersion']],
    ['an empty CNI', { cni: '' }, ['clusterProfile.cni']],
    ['a CSI with a space', { csi: 'long horn' }, ['clusterProfile.csi']],
    ['an add-on without a name', { addons: [{ name: '', version: '1' }] }, ['clusterProfile.addons.0.name']],
    ['an add-on with a bad version', { addons: [{ name: 'a', version: '1.0 beta' }] }, ['clusterProfile.addons.0.version']],
    ['a duplicate add-on', { addons: [{ name: 'a', version: '1' }, { name: 'a', version: '1' }] }, ['clusterProfile.addons.1.name']],
    ['51 add-ons', { addons: Array.from({ length: 51 }, (_, i) => ({ name: `a${i}`, version: '1' })) }, ['clusterProfile.addons']],
  ])('should refuse %s', (_label, over, expected) => {
    expect(fields(clusterProfileProblems({ ...cp, ...over }))).toEqual(expected);
  });
});

describe('workloadProfileProblems', () => {
  it.each([
    ['inference', true],
    ['llama-3.1', true],
    ['0day', true],
    ['a', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['Inference', false],
    ['my_profile', false],
    ['-a', false],
    ['a.', false],
  ])('should judge workload profile name %j valid: %s', (name, ok) => {
    expect(fields(workloadProfileProblems([wp(W.MODEL, { name })]))).toEqual(ok ? [] : ['workloadProfiles.0.name']);
  });

  it.each([
    ['a duplicate profile name', [wp(W.MODEL, { name: 'x' }), wp(W.MODEL, { name: 'x' })], ['workloadProfiles.1.name']],
    ['a component name used twice across profiles', (() => { const a = wp(W.MODEL); return [a, wp(W.APPLICATION, { components: a.components })]; })(), ['workloadProfiles.1.components.0.name']],
    ['a profile without components', [wp(W.MODEL, { components: [] })], ['workloadProfiles.0.components']],
    ['a profile with 21 components', [wp(W.MODEL, { components: Array.from({ length: 21 }, (_, i) => ({ ...wp(W.MODEL).components[0], name: `c-${i}` })) })], ['workloadProfiles.0.components']],
    ['a 1025-character description', [wp(W.MODEL, { description: 'd'.repeat(1025) })], ['workloadProfiles.0.description']],
    ['an unknown profile type', [wp('TASK' as W)], ['workloadProfiles.0.type']],
    ['21 profiles', Array.from({ length: 21 }, () => wp(W.MODEL)), ['workloadProfiles']],
  ])('should refuse %s', (_label, wps, expected) => {
    expect(fields(workloadProfileProblems(wps))).toEqual(expected);
  });
});

describe('bundleContentProblems', () => {
  const content = (over: Partial<BundleContent> = {}): BundleContent => ({
    type: B.APPLICATION,
    description: null,
    clusterProfile: null,
    workloadProfiles: [wp(W.MODEL, { components: [{ ...wp(W.MODEL).components[0], values: { image: { tag: '{{ .var.tag }}' }, args: ['--n={{ .var.n }}'] } }] })],
    variables: [
      { name: 'tag', type: VariableType.STRING, default: 'v1', required: false, locked: false, description: null },
      { name: 'n', type: VariableType.INT32, default: null, required: true, locked: false, description: null },
    ],
    ...over,
  });

  it('should accept a bundle whose macros all name declared variables', () => {
    expect(bundleContentProblems(content())).toEqual([]);
  });

  it('should report each macro naming an undeclared variable at its path', () => {
    const problems = bundleContentProblems(content({ variables: [] }));
    expect(problems.map((p) => [p.field!.join('.'), p.message])).toEqual([
      ['workloadProfiles.0.components.0.values.image.tag', 'macro {{ .var.tag }} names an undeclared variable'],
      ['workloadProfiles.0.components.0.values.args.0', 'macro {{ .var.n }} names an undeclared variable'],
    ]);
  });

  it('should report problems of every part at once', () => {
    const c = content({ description: 'x'.repeat(2049), clusterProfile: cp });
    c.variables[0].locked = true;
    c.variables[0].required = true;
    expect(fields(bundleContentProblems(c))).toEqual(['description', 'clusterProfile', 'variables.0.locked']);
  });
});
