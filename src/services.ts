/**
 * The application's services, built once at start. Resolvers reach them through `ctx.services`, so
 * resolver classes (singletons in type-graphql) hold no state of their own.
 */
import { BundleService } from './catalog/bundle.service.js';
import { ProfileBundleNode } from './catalog/bundle.type.js';
import { MachineService } from './compute/machine.service.js';
import { NodeRegistry } from './graphql/node.registry.js';
import type { AccessNotifier } from './tenancy/access.change.js';
import { ProjectService } from './tenancy/project.service.js';
import { QuotaService } from './tenancy/quota.service.js';
import { TenantService } from './tenancy/tenant.service.js';
import { TokenService } from './tenancy/token.service.js';
import { MachineNode } from './compute/machine.type.js';
import { NodeKind } from './graphql/relay/global-id.js';
import { ProjectNode } from './tenancy/project.type.js';
import { TenantNode } from './tenancy/tenant.type.js';
import { ApiTokenNode } from './tenancy/token.type.js';
import { ComputePool } from './compute/pool.entity.js';
import { PoolPhase } from './compute/pool.model.js';
import { PoolService } from './compute/pool.service.js';
import { ComputePoolNode, EnvironmentNode } from './compute/pool.type.js';
import { DeploymentEvent, SubjectKind } from './events/event.entity.js';
import { toDto, type EventLog } from './events/event.log.js';
import { EventService, type StreamHooks } from './events/event.service.js';
import { DeploymentEventNode } from './events/event.type.js';
import type { JobStore } from './workflow/job.store.js';
import { purgeProjectHistory } from './project.purge.js';
import { DeploymentUpdates, revisionsPinning } from './deployments/deployment.update.js';
import { AppDeployment, AppDeploymentBundle } from './deployments/deployment.entity.js';
import { DeploymentPhase } from './deployments/deployment.model.js';
import { DeploymentService } from './deployments/deployment.service.js';
import { AppDeploymentNode } from './deployments/deployment.type.js';
import { AuditLog } from './audit/audit.log.js';
import { AuditService } from './audit/audit.service.js';
import { AuditEventType } from './audit/audit.type.js';
import { systemClock, type Clock } from './common/clock.js';
import { UsageService } from './usage/usage.service.js';

export interface ServiceDeps {
  events: EventLog;
  jobs: JobStore;
  /** wakes the workflow runner once a new job is committed */
  wake: () => void;
  subscriptionBuffer: number;
  /** subscription metrics */
  streamHooks?: StreamHooks;
  /** announces committed access changes (revocations, deleted scopes) to live connections */
  access?: AccessNotifier;
  /** what "now" is for audit records, reservations, usage and budgets (tests set it) */
  clock?: Clock;
  /** false: no group commit on PostgreSQL, every admission on its own (the path the group commit falls back to; tests) */
  batchAdmissions?: boolean;
}

export interface Services {
  tokens: TokenService;
  quotas: QuotaService;
  tenants: TenantService;
  projects: ProjectService;
  machines: MachineService;
  bundles: BundleService;
  pools: PoolService;
  deployments: DeploymentService;
  deploymentUpdates: DeploymentUpdates;
  events: EventService;
  nodes: NodeRegistry;
  audit: AuditService;
  usage: UsageService;
  clock: Clock;
}

export function createServices(deps: ServiceDeps): Services {
  const tokens = new TokenService(deps.access);
  const quotas = new QuotaService();
  const tenants = new TenantService(quotas, deps.access);
  const projects = new ProjectService(tenants, quotas, deps.access);
  const machines = new MachineService(tenants);
  const bundles = new BundleService(projects);
  const pools = new PoolService({ projects, events: deps.events, jobs: deps.jobs, wake: deps.wake });
  bundles.registerReferences(async (em, bundleId) => {
    const n = await em.count(ComputePool, { bundle: bundleId, phase: { $ne: PoolPhase.DELETED } });
    return n ? `is used by ${n} compute pool(s)` : null;
  });
  const deployments = new DeploymentService({ pools, events: deps.events, jobs: deps.jobs, wake: deps.wake, batchAdmissions: deps.batchAdmissions });
  const deploymentUpdates = new DeploymentUpdates({ events: deps.events, jobs: deps.jobs, wake: deps.wake });
  bundles.registerReferences(async (em, bundleId) => {
    const n = await em.count(AppDeploymentBundle, { bundle: bundleId, deployment: { phase: { $ne: DeploymentPhase.DELETED } } });
    return n ? `is used by ${n} app deployment(s)` : null;
  });
  // versions that earlier revisions of live deployments pin (a rollback needs them)
  bundles.registerReferences(revisionsPinning);
  projects.registerDependents(async (em, projectId) => {
    const n = await em.count(AppDeployment, { project: projectId, phase: { $ne: DeploymentPhase.DELETED } });
    return n ? `has ${n} app deployment(s)` : null;
  });
  projects.registerPurge(purgeProjectHistory);
  const events = new EventService(deps.events, deps.subscriptionBuffer, deps.streamHooks);
  const clock = deps.clock ?? systemClock;
  const audit = new AuditService(new AuditLog(deps.events.bus), clock, deps.subscriptionBuffer, deps.streamHooks);
  const usage = new UsageService(clock);
  const nodes = new NodeRegistry();
  nodes.register(NodeKind.ComputePool, async (ctx, id) => {
    const p = await pools.byId(ctx, id);
    return p && ComputePoolNode.from(p);
  });
  nodes.register(NodeKind.Environment, async (ctx, id) => {
    const p = await pools.byId(ctx, id);
    const project = p && (await projects.byId(ctx, p.project.id));
    return p && project ? EnvironmentNode.of(p.id, p.clusterSet, project.namespace) : null;
  });
  nodes.register(NodeKind.DeploymentEvent, async (ctx, id) => {
    const e = await ctx.em.findOne(DeploymentEvent, { id });
    if (!e) return null;
    const visible = e.subjectKind === SubjectKind.COMPUTE_POOL ? await pools.byId(ctx, e.subjectId) : await deployments.byId(ctx, e.subjectId);
    return visible ? DeploymentEventNode.from(toDto(e)) : null;
  });
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
  nodes.register(NodeKind.ProfileBundle, async (ctx, id) => {
    const b = await bundles.byId(ctx, id);
    return b && ProfileBundleNode.from(b);
  });
  nodes.register(NodeKind.ApiToken, async (ctx, id) => {
    const t = await tokens.byId(ctx, id);
    return t && ApiTokenNode.from(t);
  });
  nodes.register(NodeKind.AuditEvent, async (ctx, id) => {
    const e = await audit.byId(ctx, id);
    return e && AuditEventType.from(e);
  });
  nodes.register(NodeKind.AppDeployment, async (ctx, id) => {
    const d = await deployments.byId(ctx, id);
    return d && AppDeploymentNode.from(d);
  });
  return { tokens, quotas, tenants, projects, machines, bundles, pools, deployments, deploymentUpdates, events, nodes, audit, usage, clock };
}
