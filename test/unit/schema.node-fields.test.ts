/**
 * A client that asks `node(id:)` for several types in one document (`... on AppDeployment { phase }
 * ... on ComputePool { phase }`) is refused by GraphQL validation when a field name has two different
 * types across those object types (OverlappingFieldsCanBeMerged), and has to alias. So every field
 * name has exactly one type (nullability included) across all types implementing Node, and phases
 * and reasons are enums.
 */
import 'reflect-metadata';
import { GraphQLObjectType, isObjectType, parse, validate, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/graphql/schema.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

function nodeTypes(s: GraphQLSchema): GraphQLObjectType[] {
  const node = s.getType('Node');
  return Object.values(s.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && t.getInterfaces().some((i) => i === node));
}

/** field name → type string → the Node types that declare it so. */
export function fieldClashes(s: GraphQLSchema): Record<string, Record<string, string[]>> {
  const seen = new Map<string, Map<string, string[]>>();
  for (const t of nodeTypes(s)) {
    for (const f of Object.values(t.getFields())) {
      const byType = seen.get(f.name) ?? new Map<string, string[]>();
      byType.set(String(f.type), [...(byType.get(String(f.type)) ?? []), t.name]);
      seen.set(f.name, byType);
    }
  }
  const out: Record<string, Record<string, string[]>> = {};
  for (const [name, byType] of seen) if (byType.size > 1) out[name] = Object.fromEntries(byType);
  return out;
}

describe('schema: fields of Node types', () => {
  it('has at least the Node types clients use', () => {
    expect(nodeTypes(schema).map((t) => t.name)).toEqual(
      expect.arrayContaining(['Tenant', 'Project', 'Machine', 'ProfileBundle', 'ComputePool', 'Environment', 'AppDeployment', 'DeploymentEvent', 'ApiToken']),
    );
  });

  it('gives each field name one type across all Node types', () => {
    expect(fieldClashes(schema)).toEqual({});
  });

  it('lets one node(id:) document select every field of every Node type without aliases', () => {
    const fragments = nodeTypes(schema).map((t) => {
      const fields = Object.values(t.getFields()).map((f) => {
        let inner = f.type;
        while ('ofType' in inner) inner = inner.ofType;
        const leaf = !('getFields' in inner) && !('getTypes' in inner);
        const args = f.args.filter((a) => String(a.type).endsWith('!')).map((a) => `${a.name}: ${a.type.toString().startsWith('Int') ? 1 : '"x"'}`);
        const call = args.length ? `(${args.join(', ')})` : '';
        return leaf ? `${f.name}${call}` : `${f.name}${call} { __typename }`;
      });
      return `... on ${t.name} { ${fields.join(' ')} }`;
    });
    const errors = validate(schema, parse(`query($id: ID!) { node(id: $id) { id ${fragments.join(' ')} } }`));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('types phases and reasons as enums, never String', () => {
    const stringly: string[] = [];
    for (const t of Object.values(schema.getTypeMap())) {
      if (!isObjectType(t) || t.name.startsWith('__')) continue;
      for (const f of Object.values(t.getFields())) {
        if (/^(phase|.*Phase|reason|mode)$/.test(f.name) && /^String!?$/.test(String(f.type))) stringly.push(`${t.name}.${f.name}`);
      }
    }
    expect(stringly).toEqual([]);
  });

  it('has an `id` field only on Node types (client caches key objects by id)', () => {
    const node = schema.getType('Node');
    const withId = Object.values(schema.getTypeMap())
      .filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && 'id' in t.getFields())
      .filter((t) => !t.getInterfaces().includes(node as never))
      .map((t) => t.name);
    expect(withId).toEqual([]);
  });
});
