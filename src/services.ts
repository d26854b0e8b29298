/**
 * The application's services, built once at start. Resolvers reach them through `ctx.services`, so
 * resolver classes (singletons in type-graphql) hold no state of their own.
 */
import { BundleService } from './catalog/bundle.service.js';
import { MachineService } from './compute/machine.service.js';
import { NodeRegistry } from './graphql/node.registry.js';
import { ProjectService } from './tenancy/project.service.js';
import { QuotaService } from './tenancy/quota.service.js';
import { TenantService } from './tenancy/tenant.service.js';
import { TokenService } from './tenancy/token.service.js';
import { MachineNode } from './compute/machine.type.js';
import { NodeKind } from './graphql/relay/global-id.js';
import { ProjectNode } from './tenancy/project.type.js';
import { TenantNode } from './tenancy/tenant.type.js';
import { ApiTokenNode } from './tenancy/token.type.js';

export interface Services {
  tokens: TokenService;
  quotas: QuotaService;
  tenants: TenantService;
  projects: ProjectService;
  machines: MachineService;
  bundles: BundleService;
  nodes: NodeRegistry;
}

export function createServices(): Services {
  const tokens = new TokenService();
  const quotas = new QuotaService();
  const tenants = new TenantService(quotas);
  const projects = new ProjectService(tenants, quotas);
  const machines = new MachineService(tenants);
  const bundles = new BundleService(projects);
  const nodes = new NodeRegistry();
  nodes.register(NodeKind.Tenant, async (ctx, id) => {
    const t = await tenants.byId(ctx, id);
    return t && TenantNode.from(t);
  });
  nodes.register(NodeKind.Project, async (ctx, id) => {
    const p = await projects.byId(ctx, id);
    return p && ProjectNode.from(p);
  });
  nodes.register(NodeKind.Machine, async (ctx, id) => {
    const m = await machines.byId(ctx, id);
    return m && MachineNode.from(m);
  });
  nodes.register(NodeKind.ApiToken, async (ctx, id) => {
    const t = await tokens.byId(ctx, id);
    return t && ApiTokenNode.from(t);
  });
  return { tokens, quotas, tenants, projects, machines, bundles, nodes };
}
