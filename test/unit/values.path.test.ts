import { describe, expect, it } from 'vitest';
import { valuesPathProblem, withValueAt } from '../../src/common/values.path.js';

describe('withValueAt', () => {
  it('should create the maps on the way and leave the input untouched', () => {
    const values = { image: { tag: '1' } };
    expect(withValueAt(values, 'resources.limits', 'nvidia.com/gpu', 2)).toEqual({ image: { tag: '1' }, resources: { limits: { 'nvidia.com/gpu': 2 } } });
    expect(values).toEqual({ image: { tag: '1' } });
  });

  it('should index arrays the values hold and keep sibling keys', () => {
    const values = { workers: [{ a: 1 }, { b: 2, resources: { limits: { cpu: '1' } } }] };
    expect(withValueAt(values, 'workers.1.resources.limits', 'nvidia.com/gpu', 4)).toEqual({ workers: [{ a: 1 }, { b: 2, resources: { limits: { cpu: '1', 'nvidia.com/gpu': 4 } } }] });
  });

  it('should treat a "__proto__" key of the values as data, never as the prototype', () => {
    const values = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    const out = withValueAt(values, 'resources.limits', 'nvidia.com/gpu', 1);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).resources).toBeUndefined();
    expect(valuesPathProblem(values, '__proto__.x', 'k')).toMatch(/__proto__/);
  });

  it('should refuse what valuesPathProblem refuses', () => {
    expect(() => withValueAt({ resources: { limits: { 'nvidia.com/gpu': 1 } } }, 'resources.limits', 'nvidia.com/gpu', 2)).toThrow(/already set/);
    expect(() => withValueAt({ resources: null }, 'resources.limits', 'k', 2)).toThrow(/null before resources.limits/);
  });
});
