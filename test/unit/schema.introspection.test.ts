/**
 * The check type-graphql's buildSchema would run on every start, which the gateway skips
 * (src/graphql/schema.ts, `skipCheck`): the full introspection query over the built schema answers
 * without errors (schema validation, default values that serialise, every type reachable).
 */
import 'reflect-metadata';
import { getIntrospectionQuery, graphqlSync, validateSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/graphql/schema.js';

describe('schema: the start-up check, run once here', () => {
  it('is a valid schema and answers the introspection query without errors', async () => {
    const schema = await buildGatewaySchema();
    expect(validateSchema(schema)).toEqual([]);
    const result = graphqlSync({ schema, source: getIntrospectionQuery() });
    expect(result.errors).toBeUndefined();
    expect(result.data?.__schema).toBeTruthy();
  });
});
