/**
 * Plays Flux source-controller on every spoke: HelmRepository and OCIRepository become Ready with a
 * (fake) artifact once source-controller runs on the spoke (its Deployment, installed by the `flux`
 * add-on's ManifestWork, is ready). Nothing is fetched.
 */
import { createHash } from 'node:crypto';
import type { Condition } from '../kube.types.js';
import { fluxControllerReady } from './addon.controller.js';
import { cond, Controller, keyOf, withConditions, writeStatus, type ObjectKey } from './controller.runtime.js';

const SOURCE = 'source.toolkit.fluxcd.io';
const MANAGER = 'source-controller';

export class FluxSourceController extends Controller {
  readonly name = 'flux-source';
  protected readonly stepMs = 300;

  start(): void {
    this.onSpokes([[SOURCE, 'HelmRepository'], [SOURCE, 'OCIRepository']], (cluster, ev) => this.enqueue(keyOf(cluster, ev.object, true)));
    this.onSpokes([['apps', 'Deployment']], (cluster, ev) => {
      if (ev.object.metadata.namespace !== 'flux-system' || ev.object.metadata.name !== 'source-controller') return;
      for (const kind of ['HelmRepository', 'OCIRepository']) for (const s of this.ctx.spokes.get(cluster).list(SOURCE, kind)) this.enqueue(keyOf(cluster, s, true));
    });
    for (const cluster of this.ctx.spokes.names())
      for (const kind of ['HelmRepository', 'OCIRepository']) for (const s of this.ctx.spokes.get(cluster).list(SOURCE, kind)) this.enqueue(keyOf(cluster, s, true));
  }

  protected reconcile(key: ObjectKey): void {
    const spoke = this.storeOf(key.scope);
    const src = spoke.get(SOURCE, key.kind ?? '', key.namespace, key.name);
    if (!src || src.metadata.deletionTimestamp || !fluxControllerReady(spoke, 'source-controller')) return;
    const spec = (src.spec ?? {}) as { url?: string; ref?: { tag?: string; semver?: string; digest?: string } };
    const gen = src.metadata.generation;
    const digest = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
    const revision = key.kind === 'OCIRepository' ? `${spec.ref?.tag ?? spec.ref?.semver ?? 'latest'}@sha256:${digest}` : `sha256:${digest}`;
    const st = (src.status ?? {}) as { conditions?: Condition[]; artifact?: { lastUpdateTime?: string } };
    const message = `stored artifact for revision '${revision}'`;
    writeStatus(
      spoke,
      src,
      {
        ...st,
        observedGeneration: gen,
        url: `http://source-controller.flux-system.svc.cluster.local./${key.kind?.toLowerCase()}/${key.namespace}/${key.name}/index.yaml`,
        artifact: {
          revision,
          digest: `sha256:${digest}`,
          path: `${key.kind?.toLowerCase()}/${key.namespace}/${key.name}/${digest}.tar.gz`,
          url: `http://source-controller.flux-system.svc.cluster.local./${key.kind?.toLowerCase()}/${key.namespace}/${key.name}/${digest}.tar.gz`,
          lastUpdateTime: st.artifact?.lastUpdateTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
        conditions: withConditions(st.conditions, cond('Ready', true, 'Succeeded', message, gen), cond('ArtifactInStorage', true, 'Succeeded', message, gen)),
      },
      MANAGER,
    );
  }
}
