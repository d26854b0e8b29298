import { describe, expect, it } from 'vitest';
import { renderValues, scanMacros } from '../../../src/catalog/macros.js';
import type { ResolvedVariables } from '../../../src/catalog/variables.js';

describe('scanMacros', () => {
  it.each([
    ['a whole-string macro', { a: '{{ .var.model }}' }, [{ name: 'model', path: ['a'] }]],
    ['tight spacing', { a: '{{.var.model}}' }, [{ name: 'model', path: ['a'] }]],
    ['wide spacing', { a: '{{   .var.model   }}' }, [{ name: 'model', path: ['a'] }]],
    ['several macros in one string', { a: '{{ .var.x }}-{{ .var.y_2 }}' }, [{ name: 'x', path: ['a'] }, { name: 'y_2', path: ['a'] }]],
    ['macros in arrays and nested objects', { args: ['--m={{ .var.m }}'], env: { K: { v: '{{ .var.k-v }}' } } }, [{ name: 'm', path: ['args', '0'] }, { name: 'k-v', path: ['env', 'K', 'v'] }]],
    ['Helm templates that are not variables', { a: '{{ .Release.Name }}', b: '{{ .Values.x }}' }, []],
    ['no strings at all', { a: 1, b: true, c: null, d: [] }, []],
  ])('should find %s', (_label, values, uses) => {
    const s = scanMacros(values);
    expect(s.uses).toEqual(uses);
    expect(s.malformed).toEqual([]);
    expect(s.inKeys).toEqual([]);
  });

  it.each([
    ['a name starting with a digit', { a: '{{ .var.9x }}' }],
    ['an empty name', { a: '{{ .var. }}' }],
    ['an unclosed macro', { a: '{{ .var.model' }],
    ['a trim marker', { a: '{{- .var.model }}' }],
    ['a name with a dot', { a: '{{ .var.a.b }}' }],
    ['a space in the name', { a: '{{ .var.a b }}' }],
  ])('should flag %s as malformed', (_label, values) => {
    expect(scanMacros(values).malformed).toEqual([['a']]);
  });

  it('should flag macros in keys', () => {
    expect(scanMacros({ outer: { '{{ .var.k }}': 1 } }).inKeys).toEqual([['outer', '{{ .var.k }}']]);
  });
});

describe('renderValues', () => {
  const resolved: ResolvedVariables = { model: 'llama', replicas: 3, util: 0.9, debug: false, big: '9223372036854775807', unset: null };

  it.each([
    ['a whole STRING macro', { m: '{{ .var.model }}' }, { m: 'llama' }],
    ['a whole INT macro as a number', { r: '{{ .var.replicas }}' }, { r: 3 }],
    ['a whole FLOAT macro as a number', { u: '{{.var.util}}' }, { u: 0.9 }],
    ['a whole BOOL macro as a boolean', { d: '{{ .var.debug }}' }, { d: false }],
    ['a big INT64 as its decimal string', { b: '{{ .var.big }}' }, { b: '9223372036854775807' }],
    ['a variable without value as null', { n: '{{ .var.unset }}' }, { n: null }],
    ['macros inside longer strings as text', { s: '--model={{ .var.model }} --n={{ .var.replicas }} --u={{ .var.util }} --d={{ .var.debug }}' }, { s: '--model=llama --n=3 --u=0.9 --d=false' }],
    ['a variable without value inside text as empty', { s: 'x{{ .var.unset }}y' }, { s: 'xy' }],
    ['surrounding spaces as text', { s: ' {{ .var.replicas }}' }, { s: ' 3' }],
    ['arrays element by element', { a: ['{{ .var.replicas }}', 'n={{ .var.replicas }}', 7] }, { a: [3, 'n=3', 7] }],
    ['other Helm templates untouched', { t: '{{ .Release.Name }}-{{ .var.model }}' }, { t: '{{ .Release.Name }}-llama' }],
    ['non-strings untouched', { a: 1, b: null, c: true, d: { e: [] } }, { a: 1, b: null, c: true, d: { e: [] } }],
  ])('should render %s', (_label, values, expected) => {
    expect(renderValues(values, resolved)).toEqual(expected);
  });

  it('should not change its input', () => {
    const values = { a: { b: '{{ .var.model }}' } };
    renderValues(values, resolved);
    expect(values).toEqual({ a: { b: '{{ .var.model }}' } });
  });

  it('should render byte-identical JSON whatever the key order of the input', () => {
    const one = renderValues({ b: 1, a: { y: '{{ .var.model }}', x: [{ q: 1, p: 2 }] } }, resolved);
    const two = renderValues({ a: { x: [{ p: 2, q: 1 }], y: '{{ .var.model }}' }, b: 1 }, resolved);
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    expect(JSON.stringify(one)).toBe('{"a":{"x":[{"p":2,"q":1}],"y":"llama"},"b":1}');
  });

  it('should keep a "__proto__" key as data', () => {
    const out = renderValues(JSON.parse('{"__proto__": {"polluted": "{{ .var.model }}"}}'), resolved);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"llama"}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('should refuse a macro naming a variable it was not given', () => {
    expect(() => renderValues({ a: ['{{ .var.nope }}'] }, resolved)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: ['values', 'a', '0'] }));
    expect(() => renderValues({ a: 'x{{ .var.toString }}' }, resolved)).toThrow(/undeclared/);
  });
});
