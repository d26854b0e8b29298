/** Starts every simulated controller against the hub and spoke stores. */
import { AddonController } from './addon.controller.js';
import { ClusterController } from './cluster.controller.js';
import { ClusterSetController } from './clusterset.controller.js';
import { DeploymentController } from './deployment.controller.js';
import type { Controller, SimContext } from './controller.runtime.js';
import { FluxSourceController } from './flux-source.controller.js';
import { HelmReleaseController } from './helmrelease.controller.js';
import { KlusterletController } from './klusterlet.controller.js';
import { LoadBalancerController } from './loadbalancer.controller.js';
import { MachineDeploymentController } from './machine-deployment.controller.js';
import { NamespaceController } from './namespace.controller.js';
import { PlacementController } from './placement.controller.js';
import { QuotaController } from './quota.controller.js';
import { RegistrationController } from './registration.controller.js';
import { ClusterResourceSetController } from './resource-set.controller.js';
import { WorkAgentController } from './work.controller.js';

export function startControllers(ctx: SimContext): { stop(): void } {
  const controllers: Controller[] = [
    new NamespaceController(ctx),
    new ClusterController(ctx),
    new MachineDeploymentController(ctx),
    new RegistrationController(ctx),
    new ClusterResourceSetController(ctx),
    new KlusterletController(ctx),
    new AddonController(ctx),
    new ClusterSetController(ctx),
    new PlacementController(ctx),
    new WorkAgentController(ctx),
    new DeploymentController(ctx),
    new FluxSourceController(ctx),
    new HelmReleaseController(ctx),
    new LoadBalancerController(ctx),
    new QuotaController(ctx),
  ];
  for (const c of controllers) c.start();
  return { stop: () => controllers.forEach((c) => c.stop()) };
}
