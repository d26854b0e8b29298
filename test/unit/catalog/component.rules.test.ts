import { describe, expect, it } from 'vitest';
import type { ComponentSpec } from '../../../src/catalog/bundle.model.js';
import { chartProblems, componentProblems, exposeProblems, gpuProblems, repositoryProblem, valuesProblems } from '../../../src/catalog/component.rules.js';

const fields = (errors: { field: string[] | null }[]) => errors.map((e) => e.field!.join('.'));
const nest = (n: number): Record<string, unknown> => (n <= 1 ? { leaf: 1 } : { d: nest(n - 1) });

describe('repositoryProblem', () => {
  it.each([
    'https://charts.example.com',
    'https://charts.example.com/stable/',
    'http://10.0.0.5:8080/charts',
    'https://helm.ngc.nvidia.com/nvidia',
    'oci://ghcr.io/org/charts',
    'oci://registry-1.docker.io/bitnamicharts',
    'oci://localhost:5000/a/b_c/d-e',
  ])('should accept %s', (repo) => {
    expect(repositoryProblem(repo)).toBeNull();
  });

  it.each([
    ['', /1-512/],
    ['x'.repeat(513), /1-512/],
    ['charts.example.com', /https/],
    ['ftp://charts.example.com', /https/],
    ['HTTPS://charts.example.com', /https/],
    ['git+https://github.com/a/b', /https/],
    ['https://', /valid URL/],
    ['https://exa mple.com', /valid URL/],
    ['https://user:secret@charts.example.com', /credentials/],
    ['https://charts.example.com/?token=x', /query/],
    ['https://charts.example.com/#x', /query/],
    ['oci://', /oci:\/\/registry/],
    ['oci://ghcr.io', /oci:\/\/registry/],
    ['oci://ghcr.io/Org/Charts', /oci:\/\/registry/],
    ['oci://ghcr.io/org/chart:1.0.0', /oci:\/\/registry/],
    ['oci://ghcr.io/org/chart@sha256:abc', /oci:\/\/registry/],
  ])('should refuse %j', (repo, message) => {
    expect(repositoryProblem(repo)).toMatch(message);
  });
});

describe('chartProblems', () => {
  const ok = { repository: 'https://c.example.com', chart: 'vllm-stack', version: '0.1.7' };
  it.each([
    ['a plain chart', {}],
    ['a v-prefixed version', { version: 'v24.9.1' }],
    ['a pre-release', { version: '1.0.0-rc.1+build.5' }],
    ['a tilde range', { version: '~1.2' }],
    ['a caret range', { version: '^1' }],
    ['a comparison range', { version: '>=1.0.0 <2.0.0' }],
    ['an alternation', { version: '1.x || 2.x' }],
    ['a wildcard', { version: '*' }],
    ['a chart name with dots and underscores', { chart: 'kube_prometheus.stack' }],
  ])('should accept %s', (_label, over) => {
    expect(chartProblems({ ...ok, ...over }, ['chart'])).toEqual([]);
  });

  it.each([
    ['an empty chart name', { chart: '' }, 'chart.chart'],
    ['a chart name with "/"', { chart: 'org/chart' }, 'chart.chart'],
    ['a chart name ending in "-"', { chart: 'chart-' }, 'chart.chart'],
    ['a 129-character chart name', { chart: 'c'.repeat(129) }, 'chart.chart'],
    ['an empty version', { version: '' }, 'chart.version'],
    ['a version with a leading space', { version: ' 1.0' }, 'chart.version'],
    ['a version with a semicolon', { version: '1.0;x' }, 'chart.version'],
    ['a version with a newline', { version: '1.0\n' }, 'chart.version'],
    ['a 129-character version', { version: '1'.repeat(129) }, 'chart.version'],
    ['a bad repository', { repository: 'file:///tmp' }, 'chart.repository'],
  ])('should refuse %s', (_label, over, field) => {
    expect(fields(chartProblems({ ...ok, ...over }, ['chart']))).toEqual([field]);
  });
});

describe('valuesProblems', () => {
  it.each([
    ['an empty object', {}],
    ['nested JSON', { a: [1, 'x', true, null, { b: -1.5 }] }],
    ['macros', { a: '{{ .var.x }}', b: ['x{{ .var.y }}'] }],
    ['depth 32', nest(32)],
    ['just under 64 KiB', { s: 'x'.repeat(64 * 1024 - 10) }],
    ['Helm templates', { a: '{{ .Release.Name }}' }],
  ])('should accept %s', (_label, values) => {
    expect(valuesProblems(values, ['values'])).toEqual([]);
  });

  it.each([
    ['null', null, ['values'], /JSON object/],
    ['an array', [1], ['values'], /JSON object/],
    ['a string', 'a: 1', ['values'], /JSON object/],
    ['depth 33', nest(33), ['values'], /nested deeper than 32/],
    ['over 64 KiB', { s: 'x'.repeat(64 * 1024) }, ['values'], /65536 bytes/],
    ['a non-finite number', { a: [Infinity] }, ['values', 'a', '0'], /finite/],
    ['a NUL in a string', { a: { b: '\u0000' } }, ['values', 'a', 'b'], /NUL/],
    ['a NUL in a key', { 'a\u0000': 1 }, ['values'], /key must not contain NUL/],
    ['an unpaired surrogate', { a: '\ud83d' }, ['values', 'a'], /Unicode/],
    ['a malformed macro', { a: { b: '{{ .var.-x }}' } }, ['values', 'a', 'b'], /malformed macro/],
    ['a macro in a key', { '{{ .var.k }}': 1 }, ['values', '{{ .var.k }}'], /not in keys/],
    ['a function', { f: () => 1 }, ['values', 'f'], /JSON/],
  ])('should refuse %s', (_label, values, field, message) => {
    const problems = valuesProblems(values, ['values']);
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toEqual(field);
    expect(problems[0].message).toMatch(message);
  });

  it('should survive hostile nesting without overflowing the stack', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(valuesProblems(deep, ['values'])[0].message).toMatch(/nested deeper/);
  });
});

describe('gpuProblems', () => {
  it.each([
    [{ family: 'NVIDIA-H100', count: 1 }, []],
    [{ family: 'AMD-MI300X', count: 64 }, []],
    [{ family: 'nvidia_a100.80gb', count: 8 }, []],
    [{ family: 'NVIDIA H100', count: 1 }, ['gpu.family']],
    [{ family: '', count: 1 }, ['gpu.family']],
    [{ family: '-H100', count: 1 }, ['gpu.family']],
    [{ family: 'NVIDIA-H100', count: 0 }, ['gpu.count']],
    [{ family: 'NVIDIA-H100', count: 65 }, ['gpu.count']],
    [{ family: 'NVIDIA-H100', count: 1.5 }, ['gpu.count']],
    [{ family: 'x y', count: -1 }, ['gpu.family', 'gpu.count']],
  ])('should judge %j', (gpu, expected) => {
    expect(fields(gpuProblems(gpu, ['gpu']))).toEqual(expected);
  });
});

describe('exposeProblems', () => {
  it.each([
    [{ port: 1, path: '/' }, []],
    [{ port: 65535, path: '/v1/chat' }, []],
    [{ port: 8080, path: '/a-b_c.d~e/%20/:x@y' }, []],
    [{ port: 0, path: '/' }, ['expose.port']],
    [{ port: 65536, path: '/' }, ['expose.port']],
    [{ port: 80.5, path: '/' }, ['expose.port']],
    [{ port: 80, path: '' }, ['expose.path']],
    [{ port: 80, path: 'v1' }, ['expose.path']],
    [{ port: 80, path: '/a b' }, ['expose.path']],
    [{ port: 80, path: '/a?b=1' }, ['expose.path']],
    [{ port: 80, path: '/' + 'p'.repeat(256) }, ['expose.path']],
  ])('should judge %j', (expose, expected) => {
    expect(fields(exposeProblems(expose, ['expose']))).toEqual(expected);
  });
});

describe('componentProblems', () => {
  const base: ComponentSpec = { name: 'vllm', chart: { repository: 'https://c.example.com', chart: 'c', version: '1' }, values: {}, gpu: null, expose: null };
  it.each([
    ['vllm', true],
    ['a', true],
    ['open-webui2', true],
    ['a'.repeat(53), true],
    ['a'.repeat(54), false],
    ['2fast', false],
    ['Vllm', false],
    ['vllm-', false],
    ['v.llm', false],
    ['', false],
  ])('should judge component name %j valid: %s', (name, ok) => {
    expect(fields(componentProblems({ ...base, name }, ['c']))).toEqual(ok ? [] : ['c.name']);
  });

  it('should report chart, values, gpu and expose problems together', () => {
    const c = { ...base, chart: { ...base.chart, version: '' }, values: [] as never, gpu: { family: 'X', count: 0 }, expose: { port: 0, path: '/' } };
    expect(fields(componentProblems(c, ['c']))).toEqual(['c.chart.version', 'c.values', 'c.gpu.count', 'c.expose.port']);
  });

  it.each([
    ['no path: resources.limits is created', {}, undefined, []],
    ['the default path beside other limits', { resources: { limits: { cpu: '2' } } }, undefined, []],
    ['a path into an array the values hold', { pods: [{ name: 'a' }] }, 'pods.0.resources.limits', []],
    ['a path past the end of an array', { pods: [{ name: 'a' }] }, 'pods.1.resources.limits', ['c.gpu.valuesPath']],
    ['a key into an array', { pods: [] }, 'pods.first', ['c.gpu.valuesPath']],
    ['a scalar on the way', { resources: '{{ .var.r }}' }, undefined, ['c.gpu.valuesPath']],
    ['a path ending at a list', { resources: { limits: [] } }, undefined, ['c.gpu.valuesPath']],
    ['the limit already in the values', { resources: { limits: { 'nvidia.com/gpu': 1 } } }, undefined, ['c.gpu.valuesPath']],
    ['a bad segment', {}, 'resources..limits', ['c.gpu.valuesPath']],
    ['a dotted key', {}, 'resources.limits.nvidia.com/gpu', ['c.gpu.valuesPath']],
    ['a prototype key', {}, '__proto__.limits', ['c.gpu.valuesPath']],
    ['an empty path', {}, '', ['c.gpu.valuesPath']],
  ])('should judge the GPU values path with %s', (_n, values, valuesPath, expected) => {
    const gpu = { family: 'NVIDIA-H100', count: 1, ...(valuesPath === undefined ? {} : { valuesPath }) };
    expect(fields(componentProblems({ ...base, values, gpu }, ['c']))).toEqual(expected);
  });
});
