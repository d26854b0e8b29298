/** Quota rules (design §1, "GPU quota"), without a database. */
import { describe, expect, it } from 'vitest';
import { QuotaLevel } from '../../src/tenancy/gpu-quota.entity.js';
import { normaliseRequests, QuotaExceededError } from '../../src/tenancy/quota.ledger.js';
import { limitListProblems, MAX_QUOTA_FAMILIES, projectWithinTenantProblems, tenantAboveProjectsProblems } from '../../src/tenancy/quota.rules.js';

const shape = (errs: { code: string; field: string[] | null; message: string }[]) => errs.map((e) => ({ code: e.code, field: e.field }));

describe('limitListProblems', () => {
  it('accepts a well-formed list, including zero limits', () => {
    expect(limitListProblems([], ['gpuQuota'])).toEqual([]);
    expect(
      limitListProblems(
        [
          { gpuFamily: 'NVIDIA-H100', limit: 8 },
          { gpuFamily: 'NVIDIA-A100', limit: 0 },
        ],
        ['gpuQuota'],
      ),
    ).toEqual([]);
  });

  it.each([
    [[{ gpuFamily: 'bad family', limit: 1 }], [{ code: 'INVALID_INPUT', field: ['gpuQuota', '0', 'gpuFamily'] }]],
    [[{ gpuFamily: 'H100', limit: -1 }], [{ code: 'INVALID_INPUT', field: ['gpuQuota', '0', 'limit'] }]],
    [[{ gpuFamily: 'H100', limit: 1_000_001 }], [{ code: 'INVALID_INPUT', field: ['gpuQuota', '0', 'limit'] }]],
    [[{ gpuFamily: 'H100', limit: 0.5 }], [{ code: 'INVALID_INPUT', field: ['gpuQuota', '0', 'limit'] }]],
    [
      [
        { gpuFamily: 'H100', limit: 1 },
        { gpuFamily: 'H100', limit: 2 },
      ],
      [{ code: 'INVALID_INPUT', field: ['gpuQuota', '1', 'gpuFamily'] }],
    ],
    [
      [{ gpuFamily: '', limit: -5 }],
      [
        { code: 'INVALID_INPUT', field: ['gpuQuota', '0', 'gpuFamily'] },
        { code: 'INVALID_INPUT', field: ['gpuQuota', '0', 'limit'] },
      ],
    ],
  ])('refuses %j', (limits, expected) => {
    expect(shape(limitListProblems(limits, ['gpuQuota']))).toEqual(expected);
  });

  it(`refuses more than ${MAX_QUOTA_FAMILIES} families with one error on the list`, () => {
    const limits = Array.from({ length: MAX_QUOTA_FAMILIES + 1 }, (_, i) => ({ gpuFamily: `F${i}`, limit: 1 }));
    expect(shape(limitListProblems(limits, ['gpuQuota']))).toEqual([{ code: 'INVALID_INPUT', field: ['gpuQuota'] }]);
    expect(limitListProblems(limits.slice(0, MAX_QUOTA_FAMILIES), ['gpuQuota'])).toEqual([]);
  });
});

describe('projectWithinTenantProblems: a project limit may not exceed its tenant limit', () => {
  const tenant = new Map([
    ['H100', 8],
    ['A100', 0],
  ]);

  it.each([
    [[{ gpuFamily: 'H100', limit: 8 }], []],
    [[{ gpuFamily: 'H100', limit: 0 }], []],
    [[{ gpuFamily: 'A100', limit: 0 }], []],
    [[{ gpuFamily: 'H100', limit: 9 }], [['gpuQuota', '0', 'limit']]],
    // a family with no tenant entry has limit 0
    [[{ gpuFamily: 'MI300', limit: 1 }], [['gpuQuota', '0', 'limit']]],
    [[{ gpuFamily: 'A100', limit: 1 }], [['gpuQuota', '0', 'limit']]],
    [
      [
        { gpuFamily: 'H100', limit: 1 },
        { gpuFamily: 'MI300', limit: 2 },
      ],
      [['gpuQuota', '1', 'limit']],
    ],
  ])('%j → errors on %j', (limits, fields) => {
    const errs = projectWithinTenantProblems(limits, tenant, ['gpuQuota']);
    expect(errs.map((e) => e.field)).toEqual(fields);
    for (const e of errs) expect(e.message).toMatch(/exceeds the tenant limit \d+/);
  });

  it('says which limit binds', () => {
    expect(projectWithinTenantProblems([{ gpuFamily: 'H100', limit: 9 }], tenant, ['q'])[0].message).toBe('project limit 9 for H100 exceeds the tenant limit 8');
  });
});

describe('tenantAboveProjectsProblems: the sum of project limits may exceed the tenant, a single one may not', () => {
  const projects = new Map([
    ['H100', { limit: 6, projectName: 'big' }],
    ['A100', { limit: 2, projectName: 'small' }],
  ]);

  it.each([
    // 6 ≥ the largest project limit: fine, even though two projects of 6 would sum to 12
    [[{ gpuFamily: 'H100', limit: 6 }, { gpuFamily: 'A100', limit: 2 }], []],
    [[{ gpuFamily: 'H100', limit: 5 }, { gpuFamily: 'A100', limit: 2 }], [['gpuQuota', '0', 'limit']]],
    // dropping a family a project uses: the error names the list, there is no entry to point at
    [[{ gpuFamily: 'H100', limit: 6 }], [['gpuQuota']]],
    [[], [['gpuQuota'], ['gpuQuota']]],
  ])('%j → errors on %j', (limits, fields) => {
    const errs = tenantAboveProjectsProblems(limits, projects, ['gpuQuota']);
    expect(errs.map((e) => e.field)).toEqual(fields);
    for (const e of errs) expect(e.code).toBe('CONFLICT');
  });

  it('names the project that blocks', () => {
    expect(tenantAboveProjectsProblems([{ gpuFamily: 'H100', limit: 1 }, { gpuFamily: 'A100', limit: 9 }], projects, ['q'])[0].message).toBe(
      "tenant limit 1 for H100 would be below project big's limit 6; lower the project first",
    );
  });
});

describe('normaliseRequests: one entry per family, zero counts dropped, sorted (the lock order)', () => {
  it.each([
    [[], []],
    [[{ gpuFamily: 'B', count: 0 }], []],
    [
      [
        { gpuFamily: 'B', count: 1 },
        { gpuFamily: 'A', count: 2 },
        { gpuFamily: 'B', count: 3 },
      ],
      [
        { gpuFamily: 'A', count: 2 },
        { gpuFamily: 'B', count: 4 },
      ],
    ],
    [
      [
        { gpuFamily: 'b', count: 1 },
        { gpuFamily: 'B', count: 1 },
        { gpuFamily: 'a', count: 1 },
      ],
      [
        { gpuFamily: 'B', count: 1 },
        { gpuFamily: 'a', count: 1 },
        { gpuFamily: 'b', count: 1 },
      ],
    ],
    [[{ gpuFamily: 'A', count: -2 }], []],
  ])('%j → %j', (input, out) => {
    expect(normaliseRequests(input)).toEqual(out);
  });
});

describe('QuotaExceededError', () => {
  it.each([
    [QuotaLevel.PROJECT, 'ml-team', 'Project ml-team GPU quota exceeded for NVIDIA-H100: requested 4, used 6, limit 8'],
    [QuotaLevel.TENANT, 'acme', 'Tenant acme GPU quota exceeded for NVIDIA-H100: requested 4, used 6, limit 8'],
  ])('%s level: says which level, family, requested, used and limit', (level, scope, message) => {
    const e = new QuotaExceededError({ level, gpuFamily: 'NVIDIA-H100', requested: 4, used: 6, limit: 8 }, scope, ['input', 'gpu']);
    expect(e.message).toBe(message);
    expect(e.code).toBe('QUOTA_EXCEEDED');
    expect(e.field).toEqual(['input', 'gpu']);
    expect(e.details).toEqual({ level, gpuFamily: 'NVIDIA-H100', requested: 4, used: 6, limit: 8 });
  });
});
