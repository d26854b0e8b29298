import { describe, expect, it } from 'vitest';
import { VariableType as T, type VariableSpec } from '../../../src/catalog/bundle.model.js';
import { normalizeVariables, resolveVariables, typedValue, variableDefinitionProblems } from '../../../src/catalog/variables.js';

const v = (over: Partial<VariableSpec> & Pick<VariableSpec, 'name' | 'type'>): VariableSpec => ({ default: null, required: false, locked: false, description: null, ...over });

describe('typedValue', () => {
  it.each([
    [T.STRING, 'hello', 'hello'],
    [T.STRING, '', ''],
    [T.STRING, 'line\nbreak', 'line\nbreak'],
    [T.STRING, 'x'.repeat(4096), 'x'.repeat(4096)],
    [T.BOOL, true, true],
    [T.BOOL, false, false],
    [T.INT32, 0, 0],
    [T.INT32, -0, 0],
    [T.INT32, 2147483647, 2147483647],
    [T.INT32, -2147483648, -2147483648],
    [T.INT64, 42, 42],
    [T.INT64, '42', 42],
    [T.INT64, '-0', 0],
    [T.INT64, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    [T.INT64, '9007199254740993', '9007199254740993'],
    [T.INT64, '9223372036854775807', '9223372036854775807'],
    [T.INT64, '-9223372036854775808', '-9223372036854775808'],
    [T.FLOAT32, 0.5, 0.5],
    [T.FLOAT32, 3, 3],
    [T.FLOAT32, -3.4028234663852886e38, -3.4028234663852886e38],
    [T.FLOAT64, 1e300, 1e300],
    [T.FLOAT64, -2.5, -2.5],
  ])('should accept %s %j as %j', (type, value, canonical) => {
    expect(typedValue(type, value)).toEqual({ ok: true, value: canonical });
  });

  it.each([
    [T.STRING, 42, /string/],
    [T.STRING, 'x'.repeat(4097), /4096/],
    [T.STRING, 'a\u0000b', /NUL/],
    [T.STRING, 'a\udc00', /Unicode/],
    [T.BOOL, 'true', /true or false/],
    [T.BOOL, 1, /true or false/],
    [T.INT32, 1.5, /integer/],
    [T.INT32, '1', /integer/],
    [T.INT32, 2147483648, /between/],
    [T.INT32, -2147483649, /between/],
    [T.INT64, 2 ** 53, /safe integer/],
    [T.INT64, 1.5, /safe integer/],
    [T.INT64, '9223372036854775808', /between/],
    [T.INT64, '-9223372036854775809', /between/],
    [T.INT64, '007', /decimal string/],
    [T.INT64, '1e3', /decimal string/],
    [T.INT64, ' 1', /decimal string/],
    [T.INT64, '99999999999999999999', /decimal string/],
    [T.INT64, true, /decimal string/],
    [T.FLOAT32, 3.5e38, /float32/],
    [T.FLOAT32, Infinity, /finite/],
    [T.FLOAT32, '1.5', /finite/],
    [T.FLOAT64, Number.NaN, /finite/],
    [T.FLOAT64, null, /finite/],
    ['DATE' as T, '2024-01-01', /unknown type/],
  ])('should refuse %s %j', (type, value, message) => {
    const r = typedValue(type, value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(message);
  });
});

describe('variableDefinitionProblems', () => {
  it.each([
    ['a plain string', [v({ name: 'model', type: T.STRING })]],
    ['underscore and dash names', [v({ name: '_x', type: T.BOOL }), v({ name: 'a-b_C9', type: T.BOOL })]],
    ['a 63-character name', [v({ name: 'a'.repeat(63), type: T.STRING })]],
    ['required without default', [v({ name: 'x', type: T.INT32, required: true })]],
    ['required with default', [v({ name: 'x', type: T.INT32, required: true, default: 3 })]],
    ['locked with default', [v({ name: 'x', type: T.FLOAT64, locked: true, default: 0.1 })]],
    ['an INT64 string default', [v({ name: 'x', type: T.INT64, default: '9223372036854775807' })]],
    ['a 1024-character description', [v({ name: 'x', type: T.STRING, description: 'd'.repeat(1024) })]],
    ['100 variables', Array.from({ length: 100 }, (_, i) => v({ name: `v${i}`, type: T.STRING }))],
    ['no variables', []],
  ])('should accept %s', (_label, defs) => {
    expect(variableDefinitionProblems(defs)).toEqual([]);
  });

  it.each([
    ['a name starting with a digit', [v({ name: '1x', type: T.STRING })], ['variables', '0', 'name'], 'INVALID_INPUT'],
    ['a name with a dot', [v({ name: 'a.b', type: T.STRING })], ['variables', '0', 'name'], 'INVALID_INPUT'],
    ['an empty name', [v({ name: '', type: T.STRING })], ['variables', '0', 'name'], 'INVALID_INPUT'],
    ['a 64-character name', [v({ name: 'a'.repeat(64), type: T.STRING })], ['variables', '0', 'name'], 'INVALID_INPUT'],
    ['a duplicate name', [v({ name: 'x', type: T.STRING }), v({ name: 'x', type: T.INT32 })], ['variables', '1', 'name'], 'ALREADY_EXISTS'],
    ['an unknown type', [v({ name: 'x', type: 'UUID' as T })], ['variables', '0', 'type'], 'INVALID_INPUT'],
    ['a default of the wrong type', [v({ name: 'x', type: T.BOOL, default: 'yes' })], ['variables', '0', 'default'], 'INVALID_INPUT'],
    ['an INT32 default out of range', [v({ name: 'x', type: T.INT32, default: 2 ** 40 })], ['variables', '0', 'default'], 'INVALID_INPUT'],
    ['required and locked', [v({ name: 'x', type: T.STRING, default: 'a', required: true, locked: true })], ['variables', '0', 'locked'], 'INVALID_INPUT'],
    ['locked without default', [v({ name: 'x', type: T.STRING, locked: true })], ['variables', '0', 'default'], 'INVALID_INPUT'],
    ['a 1025-character description', [v({ name: 'x', type: T.STRING, description: 'd'.repeat(1025) })], ['variables', '0', 'description'], 'INVALID_INPUT'],
    ['a description with control characters', [v({ name: 'x', type: T.STRING, description: 'bell\u0007' })], ['variables', '0', 'description'], 'INVALID_INPUT'],
    ['101 variables', Array.from({ length: 101 }, (_, i) => v({ name: `v${i}`, type: T.STRING })), ['variables'], 'INVALID_INPUT'],
  ])('should refuse %s', (_label, defs, field, code) => {
    const problems = variableDefinitionProblems(defs);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field, code });
  });

  it('should report every problem of every variable', () => {
    const problems = variableDefinitionProblems([v({ name: '9', type: T.INT32, default: 'x' }), v({ name: 'ok', type: T.BOOL, required: true, locked: true })]);
    expect(problems.map((p) => p.field!.join('.'))).toEqual(['variables.0.name', 'variables.0.default', 'variables.1.locked']);
  });
});

describe('normalizeVariables', () => {
  it('should canonicalise defaults and flags', () => {
    const raw = [{ name: 'big', type: T.INT64, default: '12', required: undefined, locked: undefined, description: undefined }] as unknown as VariableSpec[];
    expect(normalizeVariables(raw)).toEqual([{ name: 'big', type: T.INT64, default: 12, required: false, locked: false, description: null }]);
  });
});

describe('resolveVariables', () => {
  const defs = [
    v({ name: 'model', type: T.STRING, default: 'llama' }),
    v({ name: 'replicas', type: T.INT32, default: 1 }),
    v({ name: 'token', type: T.STRING, required: true }),
    v({ name: 'util', type: T.FLOAT32, default: 0.9, locked: true }),
    v({ name: 'seed', type: T.INT64 }),
    v({ name: 'debug', type: T.BOOL, required: true, default: false }),
  ];

  it.each([
    ['defaults and a required value', { token: 't' }, { model: 'llama', replicas: 1, token: 't', util: 0.9, seed: null, debug: false }],
    ['overrides', { token: 't', model: 'mistral', replicas: 3, seed: '9007199254740993', debug: true }, { model: 'mistral', replicas: 3, token: 't', util: 0.9, seed: '9007199254740993', debug: true }],
    ['a null meaning "not provided"', { token: 't', model: null }, { model: 'llama', replicas: 1, token: 't', util: 0.9, seed: null, debug: false }],
    ['a locked variable given its own default', { token: 't', util: 0.9 }, { model: 'llama', replicas: 1, token: 't', util: 0.9, seed: null, debug: false }],
    ['an INT64 in canonical form', { token: 't', seed: '-42' }, { model: 'llama', replicas: 1, token: 't', util: 0.9, seed: -42, debug: false }],
  ])('should resolve %s', (_label, provided, expected) => {
    const r = resolveVariables(defs, provided);
    expect(r.ok).toBe(true);
    if (r.ok) expect({ ...r.values }).toEqual(expected);
  });

  it.each([
    ['an undeclared name', { token: 't', gpu: 2 }, [['variables', 'gpu'], /not declared/]],
    ['a value of the wrong type', { token: 't', replicas: '3' }, [['variables', 'replicas'], /INT32 variable replicas must be an integer/]],
    ['an out-of-range value', { token: 't', replicas: 2 ** 31 }, [['variables', 'replicas'], /between/]],
    ['overriding a locked variable', { token: 't', util: 0.5 }, [['variables', 'util'], /locked/]],
    ['a missing required variable', {}, [['variables', 'token'], /required/]],
    ['a required variable given null', { token: null }, [['variables', 'token'], /required/]],
  ])('should refuse %s', (_label, provided, [field, message]) => {
    const r = resolveVariables(defs, provided as Record<string, unknown>);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0].field).toEqual(field);
      expect(r.problems[0].message).toMatch(message as RegExp);
    }
  });

  it('should report every problem at once, under a caller-chosen field', () => {
    const r = resolveVariables(defs, { zeta: 1, alpha: 2, replicas: 1.5, util: 1 }, ['input', 'variables']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.field!.join('.'))).toEqual(['input.variables.alpha', 'input.variables.zeta', 'input.variables.replicas', 'input.variables.token', 'input.variables.util']);
  });

  it('should handle variable names that shadow Object.prototype', () => {
    const r = resolveVariables([v({ name: '__proto__', type: T.STRING, default: 'p' }), v({ name: 'constructor', type: T.INT32 })], JSON.parse('{"__proto__": "q"}'));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Object.keys(r.values)).toEqual(['__proto__', 'constructor']);
      expect(r.values['__proto__']).toBe('q');
      expect(r.values['constructor']).toBeNull();
    }
    const unknown = resolveVariables([], { toString: 'x' });
    expect(unknown.ok).toBe(false);
  });
});
