/** Query limits as pure functions over a small schema: depth, aliases, cost, page size. */
import { buildSchema, parse, specifiedRules, validate, type DocumentNode, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { aliasLimitRule, assertCost, depthLimitRule, limitRules, operationCost } from '../../src/graphql/limits.js';

const schema = buildSchema(`
  type Query { tenants(first: Int, after: String, last: Int, before: String): TenantConnection! viewer: Viewer! node(id: ID!): Node nodes(ids: [ID!]!): [Node]! }
  interface Node { id: ID! }
  type Viewer { name: String! token: Token! }
  type Token { name: String! tenant: Tenant }
  type TenantConnection { totalCount: Int! edges: [TenantEdge!]! nodes: [Tenant!]! }
  type TenantEdge { cursor: String! node: Tenant! }
  type Tenant implements Node { id: ID! name: String! projects(first: Int): ProjectConnection! owner: Viewer! }
  type ProjectConnection { totalCount: Int! nodes: [Project!]! }
  type Project implements Node { id: ID! name: String! tenant: Tenant! }
`);

const errorsOf = (query: string, rules = limitRules({ depth: 4, aliases: 3, cost: 0 })) => validate(schema, parse(query), [...specifiedRules, ...rules]);
const codes = (errs: readonly GraphQLError[]) => errs.map((e) => e.extensions?.code ?? 'SPEC');

describe('depthLimitRule', () => {
  const rule = [depthLimitRule(4)];
  it.each([
    ['{ viewer { name } }', 2],
    ['{ viewer { token { tenant { name } } } }', 4],
    ['{ tenants { edges { node { projects { nodes { name } } } } } }', 6],
    ['{ viewer { token { tenant { owner { name } } } } }', 5],
  ])('%s has depth %d', (q, depth) => {
    const errs = validate(schema, parse(q), rule);
    if (depth <= 4) expect(errs).toEqual([]);
    else {
      expect(codes(errs)).toEqual(['LIMIT_EXCEEDED']);
      expect(errs[0].message).toBe(`Query depth ${depth} exceeds the limit of 4`);
    }
  });

  it('counts depth through fragments and inline fragments', () => {
    const viaFragments = `query { viewer { ...V } } fragment V on Viewer { token { ...T } } fragment T on Token { tenant { owner { name } } }`;
    expect(codes(validate(schema, parse(viaFragments), rule))).toEqual(['LIMIT_EXCEEDED']);
    const inline = `{ node(id: "x") { ... on Tenant { owner { token { tenant { name } } } } } }`;
    expect(codes(validate(schema, parse(inline), rule))).toEqual(['LIMIT_EXCEEDED']);
  });

  it('judges each operation of a document separately, and ignores introspection-only operations', () => {
    const doc = `query A { viewer { name } } query B { viewer { token { tenant { owner { name } } } } }`;
    expect(validate(schema, parse(doc), rule)).toHaveLength(1);
    const introspection = `{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }`;
    expect(validate(schema, parse(introspection), rule)).toEqual([]);
  });
});

describe('aliasLimitRule', () => {
  const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { name }`).join(' ')} }`;
  it.each([
    [1, 0],
    [3, 0],
    [4, 1],
  ])('%d aliases → %d errors', (n, errs) => {
    expect(validate(schema, parse(aliases(n)), [aliasLimitRule(3)])).toHaveLength(errs);
  });

  it('counts aliases anywhere in the document, nested and in fragments', () => {
    const q = `{ a: viewer { b: name } ...F } fragment F on Query { c: viewer { d: name } }`;
    const errs = validate(schema, parse(q), [aliasLimitRule(3)]);
    expect(errs.map((e) => e.message)).toEqual(['4 aliases exceed the limit of 3']);
  });
});

describe('limitRules', () => {
  it('combines depth and aliases and keeps valid operations valid', () => {
    expect(errorsOf('{ viewer { name } }')).toEqual([]);
    expect(codes(errorsOf('{ a: viewer { b: token { c: tenant { d: owner { name } } } } }'))).toEqual(['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
  });
});

describe('operationCost', () => {
  const cost = (q: string, variables?: Record<string, unknown>) => operationCost(schema, parse(q), variables);

  it.each([
    ['{ viewer { name } }', 2],
    // a connection multiplies what it selects by its page size (default 20)
    ['{ tenants { totalCount } }', 1 + 20 * 1],
    ['{ tenants(first: 5) { totalCount } }', 1 + 5 * 1],
    ['{ tenants(first: 5) { nodes { name } } }', 1 + 5 * 2],
    ['{ tenants(first: 10) { nodes { projects(first: 10) { nodes { name } } } } }', 1 + 10 * (1 + (1 + 10 * 2))],
    ['{ tenants(first: 100) { nodes { projects(first: 100) { nodes { id name } } } } }', 1 + 100 * (1 + (1 + 100 * 3))],
  ])('%s costs %d', (q, n) => {
    expect(cost(q)).toBe(n);
  });

  it('multiplies by last like by first (a backward page costs the same)', () => {
    expect(cost('{ tenants(last: 5) { nodes { name } } }')).toBe(cost('{ tenants(first: 5) { nodes { name } } }'));
    expect(cost('query($n: Int) { tenants(last: $n) { totalCount } }', { n: 100 })).toBe(101);
  });

  it('reads page sizes from variables', () => {
    const q = 'query($n: Int) { tenants(first: $n) { totalCount } }';
    expect(cost(q, { n: 3 })).toBe(4);
    expect(cost(q, { n: 100 })).toBe(101);
    expect(cost(q, {})).toBe(21);
  });

  it('never lets a page size below 1 lower the estimate', () => {
    const a = 'a: tenants(first: 100) { nodes { projects(first: 100) { nodes { name } } } }';
    const b = 'b: tenants(first: -1000000) { nodes { projects(first: 100) { nodes { name } } } }';
    const big = `{ ${a} }`;
    const withNegative = `{ ${a} ${b} }`;
    expect(cost(withNegative)).toBeGreaterThan(cost(big));
    expect(cost('{ tenants(first: 0) { totalCount } }')).toBe(2);
    expect(cost('{ tenants(first: -5) { totalCount } }')).toBe(2);
  });

  it('multiplies nodes(ids:) by the number of ids', () => {
    const q = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    expect(cost(q, { ids: ['a'] })).toBe(2);
    expect(cost(q, { ids: Array.from({ length: 50 }, (_, i) => String(i)) })).toBe(51);
  });
});

describe('assertCost', () => {
  const check = (q: string, variables?: Record<string, unknown>, max = 1000) => {
    try {
      assertCost(schema, parse(q), variables, undefined, max);
      return null;
    } catch (e) {
      const err = e as GraphQLError;
      return { code: err.extensions?.code, status: (err.extensions?.http as { status?: number } | undefined)?.status, message: err.message };
    }
  };

  it('passes within the budget and refuses above it with LIMIT_EXCEEDED (400)', () => {
    expect(check('{ tenants(first: 10) { totalCount } }')).toBeNull();
    expect(check('{ tenants(first: 100) { nodes { projects(first: 100) { nodes { name } } } } }')).toEqual({
      code: 'LIMIT_EXCEEDED',
      status: 400,
      message: 'Query cost 20201 exceeds the limit of 1000',
    });
  });

  it.each([101, 1000, 2 ** 31 - 1])('refuses first: %d whatever the budget', (first) => {
    expect(check(`{ tenants(first: ${first}) { totalCount } }`, undefined, 1e12)).toEqual({
      code: 'LIMIT_EXCEEDED',
      status: 400,
      message: `first: ${first} exceeds the page limit of 100`,
    });
    expect(check('query($n: Int) { tenants { nodes { projects(first: $n) { totalCount } } } }', { n: first }, 1e12)?.code).toBe('LIMIT_EXCEEDED');
  });

  it('refuses last above the page limit whatever the budget', () => {
    expect(check('{ tenants(last: 101) { totalCount } }', undefined, 1e12)).toEqual({ code: 'LIMIT_EXCEEDED', status: 400, message: 'last: 101 exceeds the page limit of 100' });
    expect(check('{ tenants(last: 100) { nodes { projects(first: 100) { nodes { name } } } } }')?.message).toBe('Query cost 20201 exceeds the limit of 1000');
  });

  it('answers variables that do not fit their type as BAD_USER_INPUT (400), not as an internal error', () => {
    const r = check('query($n: Int!) { tenants(first: $n) { totalCount } }', { n: 'ten' });
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT', status: 400 });
    expect(r!.message).toMatch(/Variable "\$n" got invalid value "ten"/);
    expect(check('query($n: Int!) { tenants(first: $n) { totalCount } }', {})).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  describe('on the same parsed document again (the analysis is kept, keyed by the variables it reads)', () => {
    const costOf = (doc: DocumentNode, variables: Record<string, unknown>, max = 1e9) => {
      try {
        return Number(assertCost(schema, doc, variables, undefined, max));
      } catch (e) {
        const err = e as GraphQLError;
        return { code: err.extensions?.code, message: err.message };
      }
    };

    it('follows page sizes, id lists and @include/@skip given as variables, and ignores the values of the other variables', () => {
      const text = 'query($n: Int, $id: ID!, $ids: [ID!]!, $b: Boolean!) { tenants(first: $n) { nodes { name } } node(id: $id) { id } nodes(ids: $ids) { id } viewer @include(if: $b) { name } }';
      const doc = parse(text);
      const base = { n: 10, id: 'a', ids: ['x'], b: true };
      const c = costOf(doc, base);
      // each the same as a first analysis of its own (a new parse of the text is a new document)
      for (const v of [{ n: 20 }, { ids: ['x', 'y', 'z'] }, { b: false }, { id: 'another' }, { n: 101 }, {}]) {
        expect(costOf(doc, { ...base, ...v })).toEqual(costOf(parse(text), { ...base, ...v }));
      }
      expect(costOf(doc, { ...base, n: 20 })).toBe(Number(c) + 20);
      expect(costOf(doc, { ...base, ids: ['x', 'y', 'z'] })).toBe(Number(c) + 2);
      expect(costOf(doc, { ...base, b: false })).toBe(Number(c) - 2);
      expect(costOf(doc, { ...base, n: 101 })).toEqual({ code: 'LIMIT_EXCEEDED', message: 'first: 101 exceeds the page limit of 100' });
    });

    it('still refuses a value of another variable that does not fit its type, or a missing one, as BAD_USER_INPUT', () => {
      const doc = parse('query($n: Int, $id: ID!) { tenants(first: $n) { totalCount } node(id: $id) { id } }');
      expect(typeof costOf(doc, { n: 5, id: 'a' })).toBe('number');
      expect(costOf(doc, { n: 5, id: { not: 'an id' } })).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/Variable "\$id" got invalid value/) });
      expect(costOf(doc, { n: 5 })).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(costOf(doc, { n: 5, id: null })).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(typeof costOf(doc, { n: 5, id: 'b' })).toBe('number');
    });
  });

  it('judges only the named operation of a document', () => {
    const doc = 'query Small { viewer { name } } query Big { tenants(first: 100) { nodes { projects(first: 100) { nodes { name } } } } }';
    expect(() => assertCost(schema, parse(doc), {}, 'Small', 1000)).not.toThrow();
    expect(() => assertCost(schema, parse(doc), {}, 'Big', 1000)).toThrow(/Query cost/);
  });
});
