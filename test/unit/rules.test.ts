/** The shared input rules (design §1): names, GPU families, counts, key/value pairs, free text. */
import { describe, expect, it } from 'vitest';
import { gpuCountProblem, gpuFamilyProblem, isReservedNamespace, jsonSize, keyValueProblem, leafNameProblem, MAX_GPU_COUNT, nameProblem, projectNameProblem, textProblem, truncate } from '../../src/common/rules.js';

describe('nameProblem (Tenants, Projects, Compute Pools, App Deployments)', () => {
  it.each([
    'abc',
    'a-b',
    'a1b',
    'abc-123',
    'a'.repeat(33),
    'a-' + 'b-'.repeat(15) + 'c',
    'team-9',
    'x0x',
  ])('accepts %j', (name) => {
    expect(nameProblem(name)).toBeNull();
  });

  it.each([
    ['', /3-33 characters/],
    ['ab', /3-33 characters/],
    ['a'.repeat(34), /3-33 characters/],
    ['Abc', /lowercase/],
    ['aBc', /lowercase/],
    ['1ab', /start with a letter/],
    ['-ab', /start with a letter/],
    ['ab-', /end with a letter or digit/],
    ['a_b', /lowercase letters, digits and "-"/],
    ['a.b', /lowercase/],
    ['a b', /lowercase/],
    ['a/b', /lowercase/],
    ['äbc', /lowercase/],
    ['ab\n', /lowercase/],
    ['abc\u0000', /lowercase/],
    // "--" joins owner names on the hub (docs/hub-conventions.md): it was allowed before
    ['a' + '-'.repeat(31) + 'b', /must not contain "--"/],
    ['vision--team', /must not contain "--"/],
  ])('refuses %j', (name, message) => {
    expect(nameProblem(name)).toMatch(message);
  });

  it('names the field it judges and survives non-strings', () => {
    expect(nameProblem('A', 'project name')).toMatch(/^project name must/);
    expect(nameProblem(undefined as unknown as string)).toMatch(/3-33 characters/);
    expect(nameProblem(42 as unknown as string)).toMatch(/3-33 characters/);
  });
});

describe('projectNameProblem (a project name is its hub namespace and starts its hub names)', () => {
  it.each(['vision', 'vision-team', 'open', 'flux', 'cert', 'kubeflow', 'capital', 'tenants', 'systemic', 'ml-systems', 'a'.repeat(33), 'team-x1'])('accepts %j', (name) => {
    expect(projectNameProblem(name)).toBeNull();
  });

  it.each([
    ['default', /reserved: the hub/],
    ['kube-system', /reserved: the hub/],
    ['kube-public', /reserved: the hub/],
    ['kube-node-lease', /reserved: the hub/],
    ['flux-system', /reserved: the hub/],
    ['capi-system', /reserved: the hub/],
    ['capi-kubeadm-bootstrap-system', /reserved: the hub/],
    ['cert-manager', /reserved: the hub/],
    ['open-cluster-management', /reserved: the hub/],
    ['open-cluster-management-hub', /reserved: the hub/],
    ['open-cluster-management-agent', /reserved: the hub/],
    ['openshift-monitoring', /reserved: the hub/],
    ['local-cluster', /reserved: the hub/],
    ['multicluster-engine', /reserved: the hub/],
    ['hive', /reserved: the hub/],
    ['gatekeeper-system', /reserved: the hub/],
    ['tenant-acme', /reserved: the hub/],
    ['spokegraph', /reserved: the hub/],
    // every hub name of its pools would start like the hub's own namespaces
    ['kube', /\(kube--…\) would look like a system namespace/],
    ['capi', /would look like a system namespace/],
    ['tenant', /would look like a system namespace/],
    ['vision--team', /must not contain "--"/],
    ['Vision', /lowercase/],
  ])('refuses %j', (name, message) => {
    expect(projectNameProblem(name)).toMatch(message);
    expect(projectNameProblem(name)).toMatch(/^project name /);
  });
});

describe('leafNameProblem (pool and deployment names end their hub names)', () => {
  it.each(['team', 'system1', 'systems', 'ecosystem', 'kube', 'default', 'flux', 'kube-system2', 'x'.repeat(33)])('accepts %j', (name) => {
    expect(leafNameProblem(name, 'pool name')).toBeNull();
  });

  it.each([
    ['system', /pool name system is reserved: hub names derived from it \(…--system\)/],
    ['flux-system', /reserved/],
    ['kube-system', /reserved/],
    ['team--a', /must not contain "--"/],
    ['ab', /3-33/],
  ])('refuses %j', (name, message) => {
    expect(leafNameProblem(name, 'pool name')).toMatch(message);
  });
});

describe('isReservedNamespace', () => {
  it.each([
    ['default', true],
    ['kube-system', true],
    ['kube-anything', true],
    ['flux-system', true],
    ['my-operator-system', true],
    ['cert-manager', true],
    ['open-cluster-management-agent', true],
    ['openshift', true],
    ['capi-system', true],
    ['tenant-acme', true],
    ['kube', false],
    ['vision', false],
    ['vision--team', false],
    ['vision--system2', false],
    ['ecosystem', false],
  ])('%s → %s', (name, reserved) => {
    expect(isReservedNamespace(name)).toBe(reserved);
  });
});

describe('gpuFamilyProblem', () => {
  it.each(['NVIDIA-H100', 'nvidia-h100', 'A100', 'H', 'amd.mi300x', 'gpu_1', 'N'.repeat(63), 'a-b.c_d9'])('accepts %j', (f) => {
    expect(gpuFamilyProblem(f)).toBeNull();
  });

  it.each([
    ['', 'empty'],
    ['N'.repeat(64), '64 characters'],
    ['NVIDIA H100', 'space'],
    [' NVIDIA', 'leading space'],
    ['NVIDIA ', 'trailing space'],
    ['NVIDIA/H100', 'slash'],
    ['nvidia:h100', 'colon'],
    ['-H100', 'leading dash'],
    ['H100-', 'trailing dash'],
    ['.H100', 'leading dot'],
    ['H100_', 'trailing underscore'],
    ['ÑVIDIA', 'unicode'],
    ['H100😀', 'emoji'],
    ['H100\n', 'newline'],
    ['H1\u0000', 'NUL'],
  ])('refuses %j (%s)', (f) => {
    expect(gpuFamilyProblem(f)).toMatch(/GPU family must be 1-63 characters/);
  });

  it('refuses non-strings', () => {
    expect(gpuFamilyProblem(null as unknown as string)).not.toBeNull();
    expect(gpuFamilyProblem(7 as unknown as string)).not.toBeNull();
  });
});

describe('gpuCountProblem', () => {
  it.each([
    [0, 0, true],
    [1, 0, true],
    [MAX_GPU_COUNT, 0, true],
    [MAX_GPU_COUNT + 1, 0, false],
    [-1, 0, false],
    [0, 1, false],
    [1, 1, true],
    [1.5, 0, false],
    [Number.NaN, 0, false],
    [Number.POSITIVE_INFINITY, 0, false],
    [2 ** 53, 0, false],
  ])('count %d with minimum %d → valid %s', (n, min, valid) => {
    const p = gpuCountProblem(n, 'limit', min);
    if (valid) expect(p).toBeNull();
    else expect(p).toBe(`limit must be an integer between ${min} and ${MAX_GPU_COUNT}`);
  });
});

describe('keyValueProblem (tags, resource groups)', () => {
  it.each([
    ['team', 'ml'],
    ['a', ''],
    ['palette.ai', 'true'],
    ['example.com/team', 'x'],
    ['K_9-x.y', 'v'.repeat(256)],
    ['k'.repeat(63), 'v'],
    ['gpu', 'ünïcode values are fine'],
  ])('accepts %j = %j', (k, v) => {
    expect(keyValueProblem(k, v)).toBeNull();
  });

  it.each([
    ['', 'v', /key/],
    ['k'.repeat(64), 'v', /key/],
    ['a b', 'v', /key/],
    ['-a', 'v', /key/],
    ['a-', 'v', /key/],
    ['/a', 'v', /key/],
    ['ä', 'v', /key/],
    ['k', 'v'.repeat(257), /value/],
    ['k', 'a\nb', /value/],
    ['k', 'tab\t', /value/],
    ['k', 7 as unknown as string, /value/],
  ])('refuses %j = %j', (k, v, message) => {
    expect(keyValueProblem(k, v, 'tag')).toMatch(message);
  });

  it('truncates an absurd key in its message', () => {
    const p = keyValueProblem('x'.repeat(10_000) + ' ', 'v')!;
    expect(p.length).toBeLessThan(200);
    expect(p).toContain('…');
  });
});

describe('textProblem', () => {
  it.each([
    [null, null],
    [undefined, null],
    ['', null],
    ['x'.repeat(10), null],
    ['a\nb\tc\rd', null],
    ['x'.repeat(11), 'description must be at most 10 characters'],
    ['bell\u0007', 'description must not contain control characters'],
    ['esc\u001b', 'description must not contain control characters'],
    ['nul\u0000', 'description must not contain control characters'],
  ])('%j → %j', (text, problem) => {
    expect(textProblem(text as string | null, 10, 'description')).toBe(problem);
  });
});

describe('truncate and jsonSize', () => {
  it.each([
    ['abc', 5, 'abc'],
    ['abcde', 5, 'abcde'],
    ['abcdef', 5, 'abcd…'],
  ])('truncate(%j, %d) = %j', (s, n, out) => {
    expect(truncate(s, n)).toBe(out);
  });

  it.each([
    [null, 4],
    [undefined, 4],
    [{}, 2],
    [{ a: 1 }, 7],
    ['é', 4],
    [[1, 2, 3], 7],
  ])('jsonSize(%j) = %d bytes', (v, n) => {
    expect(jsonSize(v)).toBe(n);
  });
});
