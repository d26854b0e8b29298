/**
 * Every mutation is audited, including every refusal: this walks the Mutation type of the schema the
 * gateway serves (introspection) and calls each field with an input it must refuse, as a token with
 * no rights where it matters. Each call must leave exactly one audit record (its operation, REFUSED,
 * the error code the caller saw) and nothing else in the database. A mutation added later without
 * going through the schema's audit wrapper fails here.
 */
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
  type IntrospectionQuery,
} from 'graphql';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId, type NodeKind } from '../../src/graphql/relay/global-id.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { auditRows } from '../helpers/audit.js';
import { createProject, createTenant, createToken } from '../helpers/seed.js';
import { snapshotDb } from '../helpers/snapshot.js';

let app: TestApp;
let viewerToken: string;
const codes: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
  const t = await createTenant(app);
  const p = await createProject(app, t.id);
  viewerToken = await createToken(app, [{ role: 'PROJECT_VIEWER', projectId: p.id }]);
});
afterAll(async () => app?.close());

/** The kind of object an ID field names, from its name (and for `id`, from the mutation's). */
function kindOf(mutation: string, field: string): string {
  const byField: Record<string, string> = { tenantId: 'Tenant', projectId: 'Project', poolId: 'ComputePool', profileBundleId: 'ProfileBundle', infrastructureBundleId: 'ProfileBundle', bundleIds: 'ProfileBundle' };
  if (byField[field]) return byField[field];
  return ['ApiToken', 'AppDeployment', 'ComputePool', 'ProfileBundle', 'Machine', 'Project', 'Tenant'].find((k) => mutation.endsWith(k)) ?? 'Tenant';
}

/**
 * A value for every required field that nothing accepts: names that break the name rule, negative
 * numbers, empty lists; IDs malformed (round 1) or well-formed ids of objects that do not exist
 * (round 2).
 */
function refusedValue(type: GraphQLInputType, mutation: string, round: 1 | 2, name = ''): unknown {
  if (isNonNullType(type)) return refusedValue(type.ofType, mutation, round, name);
  if (isListType(type)) return [];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0].value;
  if (isInputObjectType(named)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) if (isNonNullType(f.type)) out[f.name] = refusedValue(f.type, mutation, round, f.name);
    return out;
  }
  if (isScalarType(named)) {
    switch (named.name) {
      case 'ID':
        return round === 1 ? 'not-an-id' : toGlobalId(kindOf(mutation, name) as NodeKind, randomUUID());
      case 'String':
        return 'Not A Valid Name!';
      case 'Int':
        return -1;
      case 'Float':
        return -1;
      case 'Boolean':
        return false;
      case 'DateTime':
        return '2000-01-01T00:00:00Z';
      default:
        return {};
    }
  }
  throw new Error(`no refused value for ${String(type)}`);
}

describe('every mutation is audited', () => {
  it.each([1, 2] as const)('records exactly one REFUSED record per refused call, and changes nothing else (round %i)', async (round) => {
    const intro = await app.q<IntrospectionQuery>(getIntrospectionQuery());
    const schema = buildClientSchema(intro);
    const fields = Object.values(schema.getMutationType()!.getFields());
    expect(fields.length).toBeGreaterThanOrEqual(19);
    const covered: string[] = [];
    for (const field of fields) {
      const args = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
      const pass = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      // every mutation returns a payload with userErrors (design §4)
      const selection = '{ __typename userErrors { field message code } }';
      const doc = `mutation(${args}) { ${field.name}(${pass}) ${selection} }`;
      const variables = Object.fromEntries(field.args.map((a) => [a.name, refusedValue(a.type, field.name, round)]));
      const before = await snapshotDb(app);
      const rowsBefore = await auditRows(app);
      const r = await app.gql(doc, variables, viewerToken);
      const topCode = r.errors?.[0]?.extensions?.code as string | undefined;
      const userErrors: { code: string }[] = r.data?.[field.name]?.userErrors ?? [];
      const seen = topCode ?? userErrors[0]?.code;
      expect(seen, `${field.name} was not refused: ${JSON.stringify(r)}`).toBeTruthy();
      const rowsAfter = await auditRows(app);
      const added = rowsAfter.slice(rowsBefore.length);
      expect(added, field.name).toHaveLength(1);
      expect(added[0], field.name).toMatchObject({ operation: field.name, outcome: 'REFUSED', error_code: seen, seq: (rowsBefore.at(-1)?.seq ?? 0) + 1 });
      expect(await snapshotDb(app), `${field.name} changed something besides its audit record`).toEqual(before);
      covered.push(`${field.name}:${seen}`);
    }
    expect(covered.map((c) => c.split(':')[0]).sort()).toEqual(fields.map((f) => f.name).sort());
    // the refusals are of several kinds: malformed ids, invalid input, authorization
    // the refusals are of every kind: malformed ids, missing objects, invalid input, authorization
    codes.push(...covered.map((c) => c.split(':')[1]));
    if (round === 2) expect(new Set(codes)).toEqual(new Set(['INVALID_ID', 'NOT_FOUND', 'INVALID_INPUT', 'FORBIDDEN']));
  });
});
