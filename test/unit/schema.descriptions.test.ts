/**
 * Every type, field, argument, input field and enum value of the schema carries a description for
 * the people calling it (the same rule graphql-schema-linter enforces in CI, held here even where the
 * linter does not run). A description starts with a capital letter or a code span, like the linter's
 * descriptions-are-capitalized rule, and says more than the bare name.
 */
import 'reflect-metadata';
import { buildSchema as buildSdl, isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/graphql/schema.js';

/** `Type`, `Type.field`, `Type.field(arg)`, `Enum.VALUE` paths whose description is missing or empty. */
export function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (path: string, description: string | null | undefined) => {
    const d = description?.trim() ?? '';
    if (d.length === 0 || d.toLowerCase() === path.split(/[.(]/).pop()?.replace(')', '').toLowerCase()) missing.push(path);
    else if (!/^[A-Z0-9`"'([{]/.test(d)) missing.push(`${path} (not capitalised: "${d.slice(0, 30)}")`);
  };
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith('__')) continue;
    check(t.name, t.description);
    if (isObjectType(t) || isInterfaceType(t)) {
      for (const f of Object.values(t.getFields())) {
        check(`${t.name}.${f.name}`, f.description);
        for (const a of f.args) check(`${t.name}.${f.name}(${a.name})`, a.description);
      }
    } else if (isInputObjectType(t)) {
      for (const f of Object.values(t.getFields())) check(`${t.name}.${f.name}`, f.description);
    } else if (isEnumType(t)) {
      for (const v of t.getValues()) check(`${t.name}.${v.name}`, v.description);
    }
  }
  return missing;
}

describe('schema descriptions', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGatewaySchema();
  });

  it('describes every type, field, argument, input field and enum value', () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('describes the root types and says who may call each mutation', () => {
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) expect(root?.description).toBeTruthy();
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThan(10);
    expect(mutations.filter((m) => !/Who may call:/.test(m.description ?? '')).map((m) => m.name)).toEqual([]);
  });

  it('reports each kind of missing description (the check can fail)', () => {
    const bad = buildSdl(`
      """Root"""
      type Query { """Has one""" a(x: Int): E  b: In }
      enum E { """Yes""" ONE TWO }
      """lowercase start"""
      input In { """Fine""" f: Int  g: Int }
      type Thing { """Thing""" thing: Int }
    `);
    expect(undescribed(bad).sort()).toEqual(
      [
        'E',
        'E.TWO',
        'In (not capitalised: "lowercase start")',
        'In.g',
        'Query.a(x)',
        'Query.b',
        'Thing',
        'Thing.thing',
      ].sort(),
    );
  });
});
