/**
 * The one registry of resolvers. `npm run schema:emit` prints the result to schema.graphql and
 * `npm run schema:check` fails when the committed file differs from what this builds.
 */
import { lexicographicSortSchema, printSchema, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema, type ClassType, type NonEmptyArray, type PubSub } from 'type-graphql';
import { BundleResolver, ProjectBundlesResolver } from '../catalog/bundle.resolver.js';
import { MachineResolver, TenantMachinesResolver } from '../compute/machine.resolver.js';
import { ProjectResolver } from '../tenancy/project.resolver.js';
import { QuotaResolver } from '../tenancy/quota.resolver.js';
import { TenantResolver } from '../tenancy/tenant.resolver.js';
import { RoleBindingResolver, TokenResolver } from '../tenancy/token.resolver.js';
import { guardArguments } from './input.sanity.js';
import { callFieldResolversDirectly } from './resolver.direct.js';
import { syncEventRoots } from './shared-subscribe.js';
import { NodeResolver } from './node.resolver.js';
import { EnvironmentResolver, MachinePoolResolver, PoolResolver, ProjectPoolsResolver } from '../compute/pool.resolver.js';
import { ProjectEventsResolver } from '../events/event.resolver.js';
import { DeploymentUpdateResolver } from '../deployments/deployment.update.resolver.js';
import { DeploymentResolver, PlanPoolResolver, PoolDeploymentsResolver, ProjectDeploymentsResolver } from '../deployments/deployment.resolver.js';
import { AuditResolver } from '../audit/audit.resolver.js';
import { auditMutations } from '../audit/audit.wrap.js';
import { ProjectBudgetResolver, UsageResolver } from '../usage/usage.resolver.js';

export const resolvers = [
  NodeResolver,
  TenantResolver,
  ProjectResolver,
  QuotaResolver,
  TokenResolver,
  RoleBindingResolver,
  MachineResolver,
  TenantMachinesResolver,
  BundleResolver,
  ProjectBundlesResolver,
  PoolResolver,
  ProjectPoolsResolver,
  MachinePoolResolver,
  EnvironmentResolver,
  ProjectEventsResolver,
  DeploymentResolver,
  DeploymentUpdateResolver,
  ProjectDeploymentsResolver,
  PoolDeploymentsResolver,
  PlanPoolResolver,
  AuditResolver,
  UsageResolver,
  ProjectBudgetResolver,
] as const;

/**
 * Every subscription here supplies its own `subscribe` (replay from the database, then the event
 * bus), so type-graphql's topic pub/sub is never used; it insists on one being present.
 */
const noTopicPubSub: PubSub = {
  publish: () => {
    throw new Error('topic-based subscriptions are not used: publish through the EventLog');
  },
  subscribe: () => {
    throw new Error('topic-based subscriptions are not used');
  },
};

/** Every mutation of the schema is audited (audit/audit.wrap.ts). */
export async function buildGatewaySchema(pubSub: PubSub = noTopicPubSub): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [...resolvers] as unknown as NonEmptyArray<ClassType>,
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    // Inputs are validated by the services (they report every problem as userErrors).
    validate: false,
    emitSchemaFile: false,
    pubSub,
    // type-graphql would run the full introspection query over the new schema on every start (about
    // 5 % of a cold start) to find an invalid one. The schema is the same on every start of a build
    // (no configuration goes into it): test/unit/schema.introspection.test.ts runs that check once,
    // and Apollo Server still asserts the schema valid when it starts.
    skipCheck: true,
  });
  // type-graphql's per-call wrapper left out where it adds nothing (resolver.direct.ts); then, before
  // any resolver: what no argument may ever hold (NUL, broken Unicode, absurd nesting);
  // the audit wrapper outside it records those refusals too
  return describeRootTypes(auditMutations(syncEventRoots(guardArguments(callFieldResolversDirectly(schema, resolvers)))));
}

/** type-graphql builds the root types itself and takes no description for them. */
function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  const roots: [GraphQLObjectType | null | undefined, string][] = [
    [schema.getQueryType(), 'Reads. Objects you may not see are absent (null or left out), never an authorization error.'],
    [
      schema.getMutationType(),
      'Writes. Each takes one `input` and returns a payload whose `userErrors` list expected refusals (nothing changed then); every call is recorded in the audit trail.',
    ],
    [
      schema.getSubscriptionType(),
      'Live progress over graphql-ws: each stream replays what happened after its `after` cursor, then continues live, without gaps or duplicates. Access is checked when it starts.',
    ],
  ];
  for (const [type, description] of roots) if (type) type.description = description;
  return schema;
}

export function printGatewaySchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
