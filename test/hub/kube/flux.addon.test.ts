/**
 * The Flux add-on shipped for stock OCM (deploy/addons/flux-addon.yaml): up to date with its builder,
 * valid against the upstream ClusterManagementAddOn and AddOnTemplate CRDs (strictly), and carrying
 * the CRDs of every Flux kind the gateway's ManifestWorks use, byte-for-byte those in crds/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { AddOns, buildAppManifestWork, FLUX_CONTROLLERS, type KubeObject } from '../../../src/kube/index.js';
import { fluxAddOnFile, loadFluxAddOn, renderFluxAddOnYaml } from '../../../src/sim/addon.seed.js';
import { COMPONENTS } from './builder.fixtures.js';
import { CRD_DIR, CrdValidator } from './crd.validator.js';

const validator = new CrdValidator();

describe('Flux add-on for stock OCM', () => {
  it('should be committed as `npm run addons:render` writes it', () => {
    expect(readFileSync(fluxAddOnFile(), 'utf8') === renderFluxAddOnYaml(), 'deploy/addons/flux-addon.yaml is out of date: run npm run addons:render').toBe(true);
  });

  it('should ship a ClusterManagementAddOn `flux` naming an AddOnTemplate, both valid against their upstream CRDs', () => {
    const [cma, template] = loadFluxAddOn();
    expect(cma).toMatchObject({ kind: 'ClusterManagementAddOn', metadata: { name: AddOns.Flux.name } });
    expect(template).toMatchObject({ kind: 'AddOnTemplate', metadata: { name: AddOns.Flux.name }, spec: { addonName: AddOns.Flux.name } });
    expect((cma.spec as any).supportedConfigs).toEqual([{ group: 'addon.open-cluster-management.io', resource: 'addontemplates', defaultConfig: { name: template.metadata.name } }]);
    // Manual: the gateway decides which clusters get Flux, by creating their ManagedClusterAddOn
    expect((cma.spec as any).installStrategy).toEqual({ type: 'Manual' });
    for (const o of [cma, template]) expect(validator.validate(o as never), `${o.kind}`).toEqual({ valid: true, errors: [] });
  });

  it('should install the CRDs of every Flux kind an app ManifestWork carries, the controllers and their identity', () => {
    const manifests = (loadFluxAddOn()[1].spec as any).agentSpec.workload.manifests as KubeObject[];
    const crds = manifests.filter((m) => m.kind === 'CustomResourceDefinition');
    const work = buildAppManifestWork({ project: 'p', deployment: 'd', cluster: 'c', gpuReservation: 1, components: [COMPONENTS.llm, COMPONENTS.embed] });
    const fluxKinds = new Set(work.spec!.workload.manifests.filter((m) => /fluxcd\.io\//.test(m.apiVersion)).map((m) => `${m.apiVersion.split('/')[0]}/${m.kind}`));
    expect(fluxKinds.size).toBeGreaterThan(1);
    const installed = new Set(crds.map((c) => `${(c.spec as any).group}/${(c.spec as any).names.kind}`));
    for (const k of fluxKinds) expect(installed.has(k), k).toBe(true);
    for (const c of crds) {
      const file = path.join(CRD_DIR, `${(c.spec as any).group}_${(c.spec as any).names.plural}.yaml`);
      expect(c).toEqual(yaml.load(readFileSync(file, 'utf8')));
    }
    // CRDs come before anything that needs them; the controllers run under their own ServiceAccounts
    expect(manifests.findIndex((m) => m.kind !== 'CustomResourceDefinition')).toBe(crds.length);
    for (const name of FLUX_CONTROLLERS) {
      const d = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name) as any;
      expect(d.metadata.namespace).toBe(AddOns.Flux.installNamespace);
      expect(d.spec.template.spec.serviceAccountName).toBe(name);
      expect(manifests.some((m) => m.kind === 'ServiceAccount' && m.metadata.name === name)).toBe(true);
    }
  });
});
