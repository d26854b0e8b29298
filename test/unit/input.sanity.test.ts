import { buildSchema, type GraphQLArgument } from 'graphql';
import { describe, expect, it } from 'vitest';
import { inputProblems, MAX_INPUT_DEPTH } from '../../src/graphql/input.sanity.js';

const schema = buildSchema(`
  scalar JSON
  input Var { name: String! value: JSON }
  input In { name: String tags: [String!] vars: [Var!] }
  type Query { f(input: In, q: String): Int }
`);
const args = schema.getQueryType()!.getFields().f.args as readonly GraphQLArgument[];

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('inputProblems', () => {
  it.each<[string, Record<string, unknown>, { field: string[]; message: RegExp }[]]>([
    ['clean input', { input: { name: 'ok', tags: ['a\nb', '😀'], vars: [{ name: 'x', value: { k: ['v', 1, null, true] } }] }, q: 'fine' }, []],
    ['a NUL in a string argument', { q: 'a\u0000' }, [{ field: ['q'], message: /NUL/ }]],
    ['a NUL in an input field', { input: { name: '\u0000' } }, [{ field: ['input', 'name'], message: /NUL/ }]],
    ['a NUL in a list item', { input: { tags: ['ok', 'x\u0000'] } }, [{ field: ['input', 'tags', '1'], message: /NUL/ }]],
    ['a NUL inside a JSON value', { input: { vars: [{ name: 'x', value: { a: ['b', 'c\u0000'] } }] } }, [{ field: ['input', 'vars', '0', 'value', 'a', '1'], message: /NUL/ }]],
    ['a NUL in a JSON key', { input: { vars: [{ name: 'x', value: { 'k\u0000': 1 } }] } }, [{ field: ['input', 'vars', '0', 'value'], message: /key must not contain NUL/ }]],
    ['an unpaired high surrogate', { q: 'x\ud800' }, [{ field: ['q'], message: /valid Unicode/ }]],
    ['an unpaired low surrogate', { q: '\udc00x' }, [{ field: ['q'], message: /valid Unicode/ }]],
    ['a JSON value nested too deep', { input: { vars: [{ name: 'x', value: nested(MAX_INPUT_DEPTH + 10) }] } }, [{ field: ['input', 'vars', '0', 'value'], message: /nested deeper than 64/ }]],
    ['two problems, in input order', { input: { name: 'a\u0000', tags: ['\u0000'] } }, [
      { field: ['input', 'name'], message: /NUL/ },
      { field: ['input', 'tags', '0'], message: /NUL/ },
    ]],
  ])('%s', (_what, value, expected) => {
    expect(inputProblems(value, args).map((e) => ({ field: e.field, message: e.message, code: e.code }))).toEqual(
      expected.map((e) => ({ field: e.field, message: expect.stringMatching(e.message), code: 'INVALID_INPUT' })),
    );
  });

  it('should accept a JSON value at the depth limit', () => {
    expect(inputProblems({ input: { vars: [{ name: 'x', value: nested(MAX_INPUT_DEPTH - 6) }] } }, args)).toEqual([]);
  });

  it('should measure a value nested 100,000 levels deep without recursing', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(inputProblems({ input: { vars: [{ name: 'x', value: v }] } }, args).map((e) => e.field)).toEqual([['input', 'vars', '0', 'value']]);
  });

  it('should report at most ten problems', () => {
    expect(inputProblems({ input: { tags: Array.from({ length: 50 }, () => '\u0000') } }, args)).toHaveLength(10);
  });
});
