/**
 * `npm run addons:render` writes deploy/addons/flux-addon.yaml (the Flux ClusterManagementAddOn and
 * AddOnTemplate) from the builder and the CRDs in crds/; test/hub/kube/flux.addon.test.ts fails when
 * the committed file is out of date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fluxAddOnFile, renderFluxAddOnYaml } from '../src/sim/addon.seed.js';
import { klusterletOperatorFile, renderKlusterletOperatorYaml } from '../src/sim/klusterlet.seed.js';

const file = fluxAddOnFile();
fs.mkdirSync(path.dirname(file), { recursive: true });
const text = renderFluxAddOnYaml();
fs.writeFileSync(file, text);
console.log(`wrote ${path.relative(process.cwd(), file)} (${text.length} bytes)`);

const kFile = klusterletOperatorFile();
fs.mkdirSync(path.dirname(kFile), { recursive: true });
const kText = renderKlusterletOperatorYaml();
fs.writeFileSync(kFile, kText);
console.log(`wrote ${path.relative(process.cwd(), kFile)} (${kText.length} bytes)`);
