import { describe, expect, it } from 'vitest';
import { contentFrom, type BundleContentInput } from '../../../src/catalog/bundle.content.js';
import { BundleType, VariableType, WorkloadProfileType, type BundleContent } from '../../../src/catalog/bundle.model.js';

const base: BundleContent = {
  type: BundleType.FULLSTACK,
  description: 'base',
  clusterProfile: { kubernetesVersion: '1.31', cni: 'calico', csi: 'longhorn', addons: [] },
  workloadProfiles: [
    {
      name: 'app',
      type: WorkloadProfileType.APPLICATION,
      description: null,
      components: [{ name: 'web', chart: { repository: 'https://c.example.com', chart: 'web', version: '1' }, values: { a: 1 }, gpu: null, expose: null }],
    },
  ],
  variables: [{ name: 'x', type: VariableType.STRING, default: 'a', required: false, locked: false, description: null }],
};

describe('contentFrom', () => {
  it.each<[string, BundleContentInput, Partial<BundleContent>]>([
    ['nothing given: a copy of the base', {}, {}],
    ['a new description', { description: 'next' }, { description: 'next' }],
    ['a cleared description', { description: null }, { description: null }],
    ['a cleared cluster profile', { clusterProfile: null }, { clusterProfile: null }],
    ['null variables: none', { variables: null }, { variables: [] }],
    ['replaced variables with defaults filled in', { variables: [{ name: 'y', type: VariableType.BOOL }] }, { variables: [{ name: 'y', type: VariableType.BOOL, default: null, required: false, locked: false, description: null }] }],
  ])('should derive a version from %s', (_label, input, changes) => {
    expect(contentFrom(BundleType.FULLSTACK, input, base)).toEqual({ ...base, ...changes });
  });

  it.each<[string, BundleContentInput, Partial<BundleContent>]>([
    ['nothing given', {}, { description: null, clusterProfile: null, workloadProfiles: [], variables: [] }],
    [
      'a component with defaults to fill in',
      { workloadProfiles: [{ name: 'w', type: WorkloadProfileType.MODEL, components: [{ name: 'c', chart: { repository: 'r', chart: 'c', version: '1' }, expose: { port: 80 } }] }] },
      {
        workloadProfiles: [
          { name: 'w', type: WorkloadProfileType.MODEL, description: null, components: [{ name: 'c', chart: { repository: 'r', chart: 'c', version: '1' }, values: {}, gpu: null, expose: { port: 80, path: '/' } }] },
        ],
      },
    ],
    ['a cluster profile without add-ons', { clusterProfile: { kubernetesVersion: '1.30', cni: 'cilium', csi: 'ebs' } }, { clusterProfile: { kubernetesVersion: '1.30', cni: 'cilium', csi: 'ebs', addons: [] } }],
  ])('should build a first version from %s', (_label, input, expected) => {
    expect(contentFrom(BundleType.APPLICATION, input, null)).toMatchObject({ type: BundleType.APPLICATION, ...expected });
  });

  it('should copy only known fields into plain objects', () => {
    const input = { variables: [Object.assign(Object.create({ inherited: 1 }), { name: 'v', type: VariableType.INT32, default: 1, extra: 'dropped' })] };
    const [v] = contentFrom(BundleType.APPLICATION, input, null).variables;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['name', 'type', 'default', 'required', 'locked', 'description']);
  });
});
