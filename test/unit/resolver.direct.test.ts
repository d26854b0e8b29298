/**
 * resolver.direct.ts calls plain class field resolvers without type-graphql's per-call wrapper. The
 * method must still get what type-graphql would hand it: the root itself when it is an instance of
 * the object type's class, a copy made an instance when it is not, the context as given, and the
 * arguments as type-graphql converts them (an `@Args` class instance, scalar `@Arg`s as given).
 */
import 'reflect-metadata';
import { isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/graphql/schema.js';
import { ProjectNode } from '../../src/tenancy/project.type.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

function resolverOf(typeName: string, field: string): GraphQLFieldResolver<unknown, unknown> {
  const t = schema.getType(typeName);
  if (!isObjectType(t)) throw new Error(`${typeName} is not an object type`);
  const resolve = t.getFields()[field].resolve;
  if (!resolve) throw new Error(`${typeName}.${field} has no resolver`);
  return resolve;
}

const info = {} as GraphQLResolveInfo;

describe('class field resolvers called directly', () => {
  it('Project.gpuQuota: an instance root and the context reach the method as they are', async () => {
    const calls: unknown[][] = [];
    const ctx = { services: { quotas: { forScope: async (...a: unknown[]) => (calls.push(a), [{ gpuFamily: 'NVIDIA-H100', limit: 8, used: 3 }]) } } };
    const root = Object.assign(new ProjectNode(), { uuid: 'p-1', tenantUuid: 't-1' });
    const out = await resolverOf('Project', 'gpuQuota')(root, {}, ctx, info);
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe(ctx);
    expect(calls[0][1]).toBe('p-1');
    expect(out).toEqual([{ gpuFamily: 'NVIDIA-H100', limit: 8, used: 3, available: 5 }]);
  });

  it('Project.tenant: a root that is not a ProjectNode is still made one (type-graphql path)', async () => {
    const roots: unknown[] = [];
    const ctx = {
      services: { tenants: { viewById: async (_c: unknown, id: string) => (roots.push(id), null) } },
    };
    // the method throws for an invisible tenant: the same rejection on either path
    await expect(Promise.resolve(resolverOf('Project', 'tenant')({ uuid: 'p-2', tenantUuid: 't-2' }, {}, ctx, info))).rejects.toThrow(
      'tenant of a visible project is not visible',
    );
    expect(roots).toEqual(['t-2']);
  });

  it('Project.profileBundles: its page arguments and filters reach the service as type-graphql converts them', async () => {
    const calls: unknown[][] = [];
    const ctx = {
      services: { bundles: { pageForProject: async (...a: unknown[]) => (calls.push(a), { items: [], hasNextPage: false, hasPreviousPage: false }) } },
    };
    const root = Object.assign(new ProjectNode(), { uuid: 'p-3', tenantUuid: 't-3' });
    const fieldInfo = { fieldNodes: [{ kind: 'Field', name: { kind: 'Name', value: 'profileBundles' } }], fragments: {} } as unknown as GraphQLResolveInfo;
    await Promise.resolve(resolverOf('Project', 'profileBundles')(root, { first: 2, name: 'llm' }, ctx, fieldInfo)).catch(() => undefined);
    expect(calls).toHaveLength(1);
    const [c, project, page, filter] = calls[0];
    expect(c).toBe(ctx);
    expect(project).toEqual({ id: 'p-3', tenantId: 't-3' });
    expect(page).toMatchObject({ first: 2, afterId: null, beforeId: null, backward: false });
    expect(filter).toEqual({ name: 'llm', type: undefined });
  });
});
