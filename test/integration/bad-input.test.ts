/**
 * Bad input for every mutation: each case must be answered with a precise user error (code and
 * field) or a typed top-level error, and leave the database exactly as it was (every table compared
 * before and after).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import type { Em } from '../../src/db/orm.js';
import { toGlobalId } from '../../src/graphql/relay/global-id.js';
import { reserveGpus } from '../../src/tenancy/quota.ledger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createProject, createTenant, createTokenWithId, registerMachines, uniq } from '../helpers/seed.js';
import { snapshotDb, sql } from '../helpers/snapshot.js';

let app: TestApp;
const H100 = 'NVIDIA-H100';
let T: { id: string; name: string };
let T2: { id: string; name: string };
let P: { id: string; name: string };
let M: { id: string; hostId: string };
let tokenId: string;

beforeAll(async () => {
  app = await startTestApp();
  T = await createTenant(app, uniq('bad'), [{ gpuFamily: H100, limit: 8 }]);
  T2 = await createTenant(app, uniq('bad2'), [{ gpuFamily: H100, limit: 8 }]);
  P = await createProject(app, T.id, uniq('badp'), [{ gpuFamily: H100, limit: 4 }]);
  [M] = await registerMachines(app, T.id, [{ hostId: uniq('bad-host'), gpu: { family: H100, count: 8 } }]);
  tokenId = (await createTokenWithId(app, [{ role: 'PROJECT_VIEWER', projectId: P.id }])).id;
});
afterAll(async () => {
  await app?.close();
});

const SEL: Record<string, string> = {
  createTenant: 'tenant { id }',
  updateTenant: 'tenant { id }',
  deleteTenant: 'deletedId',
  createProject: 'project { id }',
  updateProject: 'project { id }',
  deleteProject: 'deletedId',
  registerMachines: 'machines { id }',
  updateMachine: 'machine { id }',
  createApiToken: 'apiToken { id } secret',
  revokeApiToken: 'apiToken { id }',
};
const INPUT: Record<string, string> = {
  createTenant: 'CreateTenantInput',
  updateTenant: 'UpdateTenantInput',
  deleteTenant: 'DeleteTenantInput',
  createProject: 'CreateProjectInput',
  updateProject: 'UpdateProjectInput',
  deleteProject: 'DeleteProjectInput',
  registerMachines: 'RegisterMachinesInput',
  updateMachine: 'UpdateMachineInput',
  createApiToken: 'CreateApiTokenInput',
  revokeApiToken: 'RevokeApiTokenInput',
};
const doc = (m: string) => `mutation($input: ${INPUT[m]}!) { ${m}(input: $input) { ${SEL[m]} userErrors { field message code } } }`;

type Expect = { code: string; field: string[] | null; message?: RegExp };

/** Runs a mutation that must be refused with exactly `expected` user errors and change nothing. */
async function refused(mutation: string, input: Record<string, unknown>, expected: Expect | Expect[]): Promise<void> {
  const before = await snapshotDb(app);
  const r = await app.gql(doc(mutation), { input });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  const payload = r.data[mutation];
  const list = Array.isArray(expected) ? expected : [expected];
  expect(payload.userErrors).toEqual(list.map((e) => ({ code: e.code, field: e.field, message: e.message ? expect.stringMatching(e.message) : expect.any(String) })));
  for (const u of payload.userErrors) {
    expect(u.message.length).toBeGreaterThan(0);
    expect(u.message).not.toMatch(/select|insert|update .* set|constraint|sqlite|postgres/i);
  }
  // the payload's object is absent (lists empty)
  for (const [k, v] of Object.entries(payload)) if (k !== 'userErrors') expect(Array.isArray(v) ? v : v ?? null, k).toEqual(Array.isArray(v) ? [] : null);
  expect(await snapshotDb(app)).toEqual(before);
}

/** Runs an operation that must fail with a top-level error of `code` (and HTTP `status`), changing nothing. */
async function rejected(query: string, variables: Record<string, unknown>, code: string, status = 400): Promise<void> {
  const before = await snapshotDb(app);
  const r = await app.gql(query, variables);
  expect(r.status).toBe(status);
  expect(r.errors?.[0]?.extensions?.code, JSON.stringify(r.errors)).toBe(code);
  expect(await snapshotDb(app)).toEqual(before);
}

const absent = (kind: 'Tenant' | 'Project' | 'Machine' | 'ApiToken') => toGlobalId(kind, randomUUID());
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** Malformed IDs and IDs of the wrong kind, for every ID argument. */
const badIds = (): [string, string][] => [
  ['garbage', 'INVALID_ID'],
  ['', 'INVALID_ID'],
  ['!!!', 'INVALID_ID'],
  ['x'.repeat(5000), 'INVALID_ID'],
  [b64('sg1:Tenant:not-a-uuid'), 'INVALID_ID'],
  [b64(`sg1:Tenant:${randomUUID()}:extra`), 'INVALID_ID'],
  [b64(`sg1:Nope:${randomUUID()}`), 'INVALID_ID'],
  [b64(`sg2:Tenant:${randomUUID()}`), 'INVALID_ID'],
  [randomUUID(), 'INVALID_ID'],
];
const wrongKind = (kind: string): string => (kind === 'Tenant' ? P.id : kind === 'Project' ? T.id : kind === 'Machine' ? P.id : T.id);

const BAD_NAMES: [string, string][] = [
  ['', 'empty'],
  ['ab', 'too short'],
  ['a'.repeat(34), 'too long'],
  ['a'.repeat(10_000), 'oversized'],
  ['Upper', 'upper case'],
  ['9lives', 'digit first'],
  ['-lead', 'dash first'],
  ['trail-', 'dash last'],
  ['has_underscore', 'underscore'],
  ['has space', 'space'],
  ['has.dot', 'dot'],
  ['slash/name', 'slash'],
  ['ünïcode', 'unicode'],
  ['emoji-😀', 'emoji'],
  ['tab\tname', 'control character'],
  ['name\n', 'newline'],
];

const BAD_FAMILIES: [string, string][] = [
  ['', 'empty'],
  ['NVIDIA H100', 'space'],
  [' NVIDIA-H100', 'leading space'],
  ['NVIDIA-H100 ', 'trailing space'],
  ['NVIDIA/H100', 'slash'],
  ['ÑVIDIA-H100', 'unicode'],
  ['NVIDIA-H100-😀', 'emoji'],
  ['N'.repeat(64), '64 characters'],
  ['N'.repeat(10_000), 'oversized'],
  ['-H100', 'dash first'],
  ['H100-', 'dash last'],
  ['H100\u0000', 'NUL'],
  ['nvidia:h100', 'colon'],
  ['a b/c', 'space and slash'],
];

describe('createTenant', () => {
  it.each(BAD_NAMES)('refuses the name %j (%s)', async (name) => {
    await refused('createTenant', { name }, { code: 'INVALID_NAME', field: ['input', 'name'] });
  });

  it('refuses a duplicate name', async () => {
    await refused('createTenant', { name: T.name }, { code: 'ALREADY_EXISTS', field: ['input', 'name'] });
  });

  it.each(BAD_FAMILIES)('refuses the GPU family %j (%s)', async (gpuFamily) => {
    await refused('createTenant', { name: uniq('t'), gpuQuota: [{ gpuFamily, limit: 1 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'gpuFamily'] });
  });

  it.each([
    [-1, 'negative'],
    [1_000_001, 'absurd'],
    [2_000_000_000, 'near Int max'],
  ])('refuses the limit %d (%s)', async (limit) => {
    await refused('createTenant', { name: uniq('t'), gpuQuota: [{ gpuFamily: H100, limit }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'] });
  });

  it('refuses a family listed twice', async () => {
    await refused(
      'createTenant',
      { name: uniq('t'), gpuQuota: [{ gpuFamily: H100, limit: 1 }, { gpuFamily: H100, limit: 2 }] },
      { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '1', 'gpuFamily'] },
    );
  });

  it('refuses more than 64 families', async () => {
    const gpuQuota = Array.from({ length: 65 }, (_, i) => ({ gpuFamily: `F${i}`, limit: 1 }));
    await refused('createTenant', { name: uniq('t'), gpuQuota }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota'] });
  });

  it.each([
    ['displayName', 'x'.repeat(129)],
    ['displayName', 'x'.repeat(200_000)],
    ['displayName', 'bell\u0007'],
    ['description', 'x'.repeat(2049)],
    ['description', 'x'.repeat(500_000)],
    ['description', 'esc\u001b[31m'],
  ])('refuses %s of %#', async (field, value) => {
    await refused('createTenant', { name: uniq('t'), [field]: value }, { code: 'INVALID_INPUT', field: ['input', field] });
  });

  it('reports every problem of the input at once', async () => {
    await refused('createTenant', { name: 'X', displayName: 'x'.repeat(129), gpuQuota: [{ gpuFamily: 'a b', limit: -1 }] }, [
      { code: 'INVALID_NAME', field: ['input', 'name'] },
      { code: 'INVALID_INPUT', field: ['input', 'displayName'] },
      { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'gpuFamily'] },
      { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'] },
    ]);
  });

  it('answers values GraphQL cannot coerce with a typed 400 error', async () => {
    await rejected(doc('createTenant'), { input: { name: uniq('t'), gpuQuota: [{ gpuFamily: H100, limit: 2 ** 31 }] } }, 'BAD_USER_INPUT');
    await rejected(doc('createTenant'), { input: { name: uniq('t'), gpuQuota: [{ gpuFamily: H100, limit: 1.5 }] } }, 'BAD_USER_INPUT');
    await rejected(doc('createTenant'), { input: { name: 42 } }, 'BAD_USER_INPUT');
    await rejected(doc('createTenant'), { input: { name: uniq('t'), unknownField: 1 } }, 'BAD_USER_INPUT');
    await rejected(doc('createTenant'), { input: {} }, 'BAD_USER_INPUT');
    await rejected(`mutation { createTenant(input: { name: "ok-name", gpuQuota: [{ gpuFamily: "A", limit: "1" }] }) { tenant { id } } }`, {}, 'GRAPHQL_VALIDATION_FAILED');
  });
});

describe('updateTenant', () => {
  it.each(badIds())('refuses the id %#', async (id, code) => {
    await refused('updateTenant', { id, displayName: 'x' }, { code, field: ['input', 'id'] });
  });

  it('refuses an id of another kind and an id that does not exist', async () => {
    await refused('updateTenant', { id: wrongKind('Tenant'), displayName: 'x' }, { code: 'INVALID_ID', field: ['input', 'id'] });
    await refused('updateTenant', { id: absent('Tenant'), displayName: 'x' }, { code: 'NOT_FOUND', field: ['input', 'id'] });
  });

  it.each(BAD_FAMILIES)('refuses the GPU family %j (%s)', async (gpuFamily) => {
    await refused('updateTenant', { id: T.id, gpuQuota: [{ gpuFamily: H100, limit: 8 }, { gpuFamily, limit: 1 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '1', 'gpuFamily'] });
  });

  it('refuses a negative or absurd limit', async () => {
    await refused('updateTenant', { id: T.id, gpuQuota: [{ gpuFamily: H100, limit: -8 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'] });
    await refused('updateTenant', { id: T.id, gpuQuota: [{ gpuFamily: H100, limit: 10_000_000 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'] });
  });

  it('refuses lowering the limit below a project limit, or dropping a family a project uses', async () => {
    await refused('updateTenant', { id: T.id, gpuQuota: [{ gpuFamily: H100, limit: 3 }] }, { code: 'CONFLICT', field: ['input', 'gpuQuota', '0', 'limit'], message: /below project/ });
    await refused('updateTenant', { id: T.id, gpuQuota: [] }, { code: 'CONFLICT', field: ['input', 'gpuQuota'] });
    await refused('updateTenant', { id: T.id, gpuQuota: [{ gpuFamily: 'NVIDIA-A100', limit: 3 }] }, { code: 'CONFLICT', field: ['input', 'gpuQuota'] });
  });

  it('refuses an oversized displayName or description', async () => {
    await refused('updateTenant', { id: T.id, displayName: 'x'.repeat(129) }, { code: 'INVALID_INPUT', field: ['input', 'displayName'] });
    await refused('updateTenant', { id: T.id, description: 'x'.repeat(2049) }, { code: 'INVALID_INPUT', field: ['input', 'description'] });
  });
});

describe('deleteTenant', () => {
  it.each(badIds())('refuses the id %#', async (id, code) => {
    await refused('deleteTenant', { id }, { code, field: ['input', 'id'] });
  });

  it('refuses an id of another kind, a missing tenant, and a tenant with projects', async () => {
    await refused('deleteTenant', { id: wrongKind('Tenant') }, { code: 'INVALID_ID', field: ['input', 'id'] });
    await refused('deleteTenant', { id: absent('Tenant') }, { code: 'NOT_FOUND', field: ['input', 'id'] });
    await refused('deleteTenant', { id: T.id }, { code: 'IN_USE', field: ['input', 'id'] });
  });
});

describe('createProject', () => {
  it.each(badIds())('refuses the tenantId %#', async (tenantId, code) => {
    await refused('createProject', { tenantId, name: uniq('p') }, { code, field: ['input', 'tenantId'] });
  });

  it('refuses a tenantId of another kind or of a missing tenant', async () => {
    await refused('createProject', { tenantId: wrongKind('Tenant'), name: uniq('p') }, { code: 'INVALID_ID', field: ['input', 'tenantId'] });
    await refused('createProject', { tenantId: absent('Tenant'), name: uniq('p') }, { code: 'NOT_FOUND', field: ['input', 'tenantId'] });
  });

  it.each(BAD_NAMES)('refuses the name %j (%s)', async (name) => {
    await refused('createProject', { tenantId: T.id, name }, { code: 'INVALID_NAME', field: ['input', 'name'] });
  });

  it.each(['default', 'kube-system', 'kube-public', 'flux-system', 'open-cluster-management-agent', 'tenant-acme', 'spokegraph'])('refuses the reserved namespace %j', async (name) => {
    await refused('createProject', { tenantId: T.id, name }, { code: 'INVALID_NAME', field: ['input', 'name'] });
  });

  it('refuses a name taken in the same or in another tenant', async () => {
    await refused('createProject', { tenantId: T.id, name: P.name }, { code: 'ALREADY_EXISTS', field: ['input', 'name'] });
    await refused('createProject', { tenantId: T2.id, name: P.name }, { code: 'ALREADY_EXISTS', field: ['input', 'name'] });
  });

  it.each(BAD_FAMILIES)('refuses the GPU family %j (%s)', async (gpuFamily) => {
    await refused('createProject', { tenantId: T.id, name: uniq('p'), gpuQuota: [{ gpuFamily, limit: 1 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'gpuFamily'] });
  });

  it('refuses limits that are negative, absurd, above the tenant, or of a family the tenant lacks', async () => {
    const name = uniq('p');
    await refused('createProject', { tenantId: T.id, name, gpuQuota: [{ gpuFamily: H100, limit: -1 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'] });
    await refused('createProject', { tenantId: T.id, name, gpuQuota: [{ gpuFamily: H100, limit: 1_000_001 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'] });
    await refused('createProject', { tenantId: T.id, name, gpuQuota: [{ gpuFamily: H100, limit: 9 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'], message: /exceeds the tenant limit 8/ });
    await refused('createProject', { tenantId: T.id, name, gpuQuota: [{ gpuFamily: 'AMD-MI300', limit: 1 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'], message: /tenant limit 0/ });
  });

  it.each([
    [[{ key: 'bad key', value: 'v' }], ['input', 'tags', '0']],
    [[{ key: 'k'.repeat(64), value: 'v' }], ['input', 'tags', '0']],
    [[{ key: '', value: 'v' }], ['input', 'tags', '0']],
    [[{ key: 'ünï', value: 'v' }], ['input', 'tags', '0']],
    [[{ key: 'k', value: 'v'.repeat(257) }], ['input', 'tags', '0']],
    [[{ key: 'k', value: 'line\nbreak' }], ['input', 'tags', '0']],
    [
      [
        { key: 'team', value: 'a' },
        { key: 'team', value: 'b' },
      ],
      ['input', 'tags', '1', 'key'],
    ],
    [Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })), ['input', 'tags']],
  ])('refuses the tags %#', async (tags, field) => {
    await refused('createProject', { tenantId: T.id, name: uniq('p'), tags }, { code: 'INVALID_INPUT', field });
  });

  it.each([
    [{ controlPlaneNodeCount: 2, workerNodeEligible: true }],
    [{ controlPlaneNodeCount: 0, workerNodeEligible: true }],
    [{ controlPlaneNodeCount: -3, workerNodeEligible: true }],
    [{ controlPlaneNodeCount: 1, workerNodeEligible: false }],
  ])('refuses the compute defaults %j', async (computeDefaults) => {
    await refused('createProject', { tenantId: T.id, name: uniq('p'), computeDefaults }, { code: 'INVALID_INPUT', field: ['input', 'computeDefaults'] });
  });

  it('refuses oversized text', async () => {
    await refused('createProject', { tenantId: T.id, name: uniq('p'), displayName: 'd'.repeat(129) }, { code: 'INVALID_INPUT', field: ['input', 'displayName'] });
    await refused('createProject', { tenantId: T.id, name: uniq('p'), description: 'd'.repeat(300_000) }, { code: 'INVALID_INPUT', field: ['input', 'description'] });
  });
});

describe('updateProject', () => {
  it.each(badIds())('refuses the id %#', async (id, code) => {
    await refused('updateProject', { id, displayName: 'x' }, { code, field: ['input', 'id'] });
  });

  it('refuses an id of another kind and an id that does not exist', async () => {
    await refused('updateProject', { id: wrongKind('Project'), displayName: 'x' }, { code: 'INVALID_ID', field: ['input', 'id'] });
    await refused('updateProject', { id: absent('Project'), displayName: 'x' }, { code: 'NOT_FOUND', field: ['input', 'id'] });
  });

  it('refuses bad fields and quotas without changing anything else of the input', async () => {
    await refused('updateProject', { id: P.id, displayName: 'changed', tags: [{ key: 'a b', value: 'c' }] }, { code: 'INVALID_INPUT', field: ['input', 'tags', '0'] });
    await refused('updateProject', { id: P.id, computeDefaults: { controlPlaneNodeCount: 4, workerNodeEligible: true } }, { code: 'INVALID_INPUT', field: ['input', 'computeDefaults'] });
    await refused('updateProject', { id: P.id, description: 'x'.repeat(2049) }, { code: 'INVALID_INPUT', field: ['input', 'description'] });
    // a valid displayName next to a quota above the tenant's: nothing is applied
    await refused('updateProject', { id: P.id, displayName: 'changed', gpuQuota: [{ gpuFamily: H100, limit: 9 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'] });
    await refused('updateProject', { id: P.id, gpuQuota: [{ gpuFamily: 'bad family', limit: 1 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'gpuFamily'] });
    await refused('updateProject', { id: P.id, gpuQuota: [{ gpuFamily: H100, limit: -4 }] }, { code: 'INVALID_INPUT', field: ['input', 'gpuQuota', '0', 'limit'] });
  });
});

describe('quota limits below what is in use', () => {
  it('refuses lowering a project or tenant limit below its reserved GPUs', async () => {
    const t = await createTenant(app, uniq('use'), [{ gpuFamily: H100, limit: 8 }]);
    const p1 = await createProject(app, t.id, uniq('use1'), [{ gpuFamily: H100, limit: 4 }]);
    const p2 = await createProject(app, t.id, uniq('use2'), [{ gpuFamily: H100, limit: 4 }]);
    const [tRow] = await sql<{ id: string }>(app, 'select id from tenant where name = ?', [t.name]);
    for (const p of [p1, p2]) {
      const [pRow] = await sql<{ id: string }>(app, 'select id from project where name = ?', [p.name]);
      await inTransaction(app.orm.em.fork() as Em, (em) =>
        reserveGpus(em, { tenantId: tRow.id, tenantName: t.name, projectId: pRow.id, projectName: p.name }, { kind: 'COMPUTE_POOL', id: randomUUID(), deploymentId: null }, [{ gpuFamily: H100, count: 3 }]),
      );
    }
    await refused('updateProject', { id: p1.id, displayName: 'new name', gpuQuota: [{ gpuFamily: H100, limit: 2 }] }, { code: 'CONFLICT', field: ['input', 'gpuQuota', '0', 'limit'], message: /below the 3 GPUs in use/ });
    await refused('updateProject', { id: p1.id, gpuQuota: [] }, { code: 'CONFLICT', field: ['input', 'gpuQuota'] });
    // 5 is above every project's limit (4) but below the 6 the tenant has in use
    await refused('updateTenant', { id: t.id, displayName: 'new name', gpuQuota: [{ gpuFamily: H100, limit: 5 }] }, { code: 'CONFLICT', field: ['input', 'gpuQuota', '0', 'limit'], message: /below the 6 GPUs in use/ });
  });
});

describe('deleteProject', () => {
  it.each(badIds())('refuses the id %#', async (id, code) => {
    await refused('deleteProject', { id }, { code, field: ['input', 'id'] });
  });

  it('refuses an id of another kind and an id that does not exist', async () => {
    await refused('deleteProject', { id: wrongKind('Project') }, { code: 'INVALID_ID', field: ['input', 'id'] });
    await refused('deleteProject', { id: absent('Project') }, { code: 'NOT_FOUND', field: ['input', 'id'] });
  });
});

describe('registerMachines', () => {
  const machine = (over: Record<string, unknown> = {}) => ({ hostId: uniq('h'), cpuCount: 8, memoryMiB: 16384, roles: ['WORKER'], ...over });

  it.each(badIds())('refuses the tenantId %#', async (tenantId, code) => {
    await refused('registerMachines', { tenantId, machines: [machine()] }, { code, field: ['input', 'tenantId'] });
  });

  it('refuses a tenantId of another kind or of a missing tenant', async () => {
    await refused('registerMachines', { tenantId: wrongKind('Tenant'), machines: [machine()] }, { code: 'INVALID_ID', field: ['input', 'tenantId'] });
    await refused('registerMachines', { tenantId: absent('Tenant'), machines: [machine()] }, { code: 'NOT_FOUND', field: ['input', 'tenantId'] });
  });

  it('refuses an empty batch and one above 500 machines', async () => {
    await refused('registerMachines', { tenantId: T.id, machines: [] }, { code: 'INVALID_INPUT', field: ['input', 'machines'] });
    await refused('registerMachines', { tenantId: T.id, machines: Array.from({ length: 501 }, () => machine()) }, { code: 'INVALID_INPUT', field: ['input', 'machines'] });
  });

  it('is all-or-nothing: a hostId twice in the batch creates none', async () => {
    const dup = uniq('dup');
    await refused('registerMachines', { tenantId: T.id, machines: [machine(), machine({ hostId: dup }), machine(), machine({ hostId: dup })] }, {
      code: 'ALREADY_EXISTS',
      field: ['input', 'machines', '3', 'hostId'],
    });
  });

  it('is all-or-nothing: one already registered host (in this or another tenant) creates none', async () => {
    await refused('registerMachines', { tenantId: T.id, machines: [machine(), machine({ hostId: M.hostId }), machine()] }, {
      code: 'ALREADY_EXISTS',
      field: ['input', 'machines', '1', 'hostId'],
    });
    await refused('registerMachines', { tenantId: T2.id, machines: [machine(), machine({ hostId: M.hostId })] }, {
      code: 'ALREADY_EXISTS',
      field: ['input', 'machines', '1', 'hostId'],
    });
  });

  it.each([
    [{ hostId: '' }, ['hostId']],
    [{ hostId: 'has space' }, ['hostId']],
    [{ hostId: 'rack/host' }, ['hostId']],
    [{ hostId: 'hôst' }, ['hostId']],
    [{ hostId: 'h'.repeat(129) }, ['hostId']],
    [{ hostId: 'h'.repeat(100_000) }, ['hostId']],
    [{ cpuCount: 0 }, ['cpuCount']],
    [{ cpuCount: -4 }, ['cpuCount']],
    [{ cpuCount: 5000 }, ['cpuCount']],
    [{ memoryMiB: 100 }, ['memoryMiB']],
    [{ gpu: { family: 'NVIDIA H100', count: 8 } }, ['gpu', 'family']],
    [{ gpu: { family: 'N'.repeat(64), count: 8 } }, ['gpu', 'family']],
    [{ gpu: { family: 'NVIDIA/H100', count: 8 } }, ['gpu', 'family']],
    [{ gpu: { family: 'ÑVIDIA', count: 8 } }, ['gpu', 'family']],
    [{ gpu: { family: H100, count: 0 } }, ['gpu', 'count']],
    [{ gpu: { family: H100, count: 65 } }, ['gpu', 'count']],
    [{ gpu: { family: H100, count: 8, memoryMiB: -1 } }, ['gpu', 'memoryMiB']],
    [{ roles: [] }, ['roles']],
    [{ roles: ['WORKER', 'WORKER'] }, ['roles']],
    [{ resourceGroups: [{ key: 'bad key', value: 'v' }] }, ['resourceGroups', '0']],
    [{ resourceGroups: [{ key: 'k', value: 'v'.repeat(257) }] }, ['resourceGroups', '0']],
    [
      {
        resourceGroups: [
          { key: 'k', value: 'a' },
          { key: 'k', value: 'b' },
        ],
      },
      ['resourceGroups', '1', 'key'],
    ],
    [{ resourceGroups: Array.from({ length: 33 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, ['resourceGroups']],
  ])('refuses machine %j, naming the field (batch index 1)', async (over, field) => {
    await refused('registerMachines', { tenantId: T.id, machines: [machine(), machine(over)] }, { code: 'INVALID_INPUT', field: ['input', 'machines', '1', ...field] });
  });
});

describe('updateMachine', () => {
  it.each(badIds())('refuses the id %#', async (id, code) => {
    await refused('updateMachine', { id, state: 'UNHEALTHY' }, { code, field: ['input', 'id'] });
  });

  it('refuses an id of another kind, a missing machine, pool-managed states and bad resource groups', async () => {
    await refused('updateMachine', { id: wrongKind('Machine'), state: 'UNHEALTHY' }, { code: 'INVALID_ID', field: ['input', 'id'] });
    await refused('updateMachine', { id: absent('Machine'), state: 'UNHEALTHY' }, { code: 'NOT_FOUND', field: ['input', 'id'] });
    await refused('updateMachine', { id: M.id, state: 'RESERVED' }, { code: 'INVALID_INPUT', field: ['input', 'state'] });
    await refused('updateMachine', { id: M.id, state: 'IN_USE' }, { code: 'INVALID_INPUT', field: ['input', 'state'] });
    await refused('updateMachine', { id: M.id, resourceGroups: [{ key: '-bad', value: 'v' }] }, { code: 'INVALID_INPUT', field: ['input', 'resourceGroups', '0'] });
    await refused('updateMachine', { id: M.id, state: 'UNHEALTHY', resourceGroups: [{ key: 'ok', value: 'x'.repeat(300) }] }, { code: 'INVALID_INPUT', field: ['input', 'resourceGroups', '0'] });
    await rejected(doc('updateMachine'), { input: { id: M.id, state: 'BROKEN' } }, 'BAD_USER_INPUT');
  });
});

describe('createApiToken', () => {
  const viewerOf = (projectId: string) => [{ role: 'PROJECT_VIEWER', projectId }];

  it.each([
    ['', ['input', 'name']],
    ['   ', ['input', 'name']],
    ['n'.repeat(101), ['input', 'name']],
    ['n'.repeat(100_000), ['input', 'name']],
    ['bell\u0007', ['input', 'name']],
  ])('refuses the name %#', async (name, field) => {
    await refused('createApiToken', { name, roleBindings: viewerOf(P.id) }, { code: 'INVALID_INPUT', field });
  });

  it.each([0, -1, 3651])('refuses expiresInDays %d', async (expiresInDays) => {
    await refused('createApiToken', { name: 'x', roleBindings: viewerOf(P.id), expiresInDays }, { code: 'INVALID_INPUT', field: ['input', 'expiresInDays'] });
  });

  it('refuses no role bindings and more than 50', async () => {
    await refused('createApiToken', { name: 'x', roleBindings: [] }, { code: 'INVALID_INPUT', field: ['input', 'roleBindings'] });
    await refused('createApiToken', { name: 'x', roleBindings: Array.from({ length: 51 }, () => ({ role: 'PROJECT_VIEWER', projectId: P.id })) }, { code: 'INVALID_INPUT', field: ['input', 'roleBindings'] });
  });

  it('refuses bindings without their scope or with a scope they do not take', async () => {
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'TENANT_ADMIN' }] }, { code: 'INVALID_INPUT', field: ['input', 'roleBindings', '0'] });
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'TENANT_ADMIN', tenantId: T.id, projectId: P.id }] }, { code: 'INVALID_INPUT', field: ['input', 'roleBindings', '0'] });
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'PLATFORM_ADMIN', tenantId: T.id }] }, { code: 'INVALID_INPUT', field: ['input', 'roleBindings', '0'] });
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'PROJECT_EDITOR', tenantId: T.id }] }, { code: 'INVALID_INPUT', field: ['input', 'roleBindings', '0'] });
  });

  it.each(badIds())('refuses the binding projectId %#', async (projectId, code) => {
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'PROJECT_VIEWER', projectId }] }, { code, field: ['input', 'roleBindings', '0', 'projectId'] });
  });

  it('refuses binding ids of another kind and of missing objects', async () => {
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'PROJECT_VIEWER', projectId: T.id }] }, { code: 'INVALID_ID', field: ['input', 'roleBindings', '0', 'projectId'] });
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'TENANT_ADMIN', tenantId: P.id }] }, { code: 'INVALID_ID', field: ['input', 'roleBindings', '0', 'tenantId'] });
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'PROJECT_VIEWER', projectId: absent('Project') }] }, { code: 'NOT_FOUND', field: ['input', 'roleBindings', '0', 'projectId'] });
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'TENANT_ADMIN', tenantId: absent('Tenant') }] }, { code: 'NOT_FOUND', field: ['input', 'roleBindings', '0', 'tenantId'] });
    // the second binding is at fault: its index is named
    await refused('createApiToken', { name: 'x', roleBindings: [{ role: 'PROJECT_VIEWER', projectId: P.id }, { role: 'PROJECT_VIEWER', projectId: absent('Project') }] }, { code: 'NOT_FOUND', field: ['input', 'roleBindings', '1', 'projectId'] });
  });

  it('refuses an unknown role with a typed 400', async () => {
    await rejected(doc('createApiToken'), { input: { name: 'x', roleBindings: [{ role: 'SUPERUSER' }] } }, 'BAD_USER_INPUT');
  });
});

describe('revokeApiToken', () => {
  it.each(badIds())('refuses the id %#', async (id, code) => {
    await refused('revokeApiToken', { id }, { code, field: ['input', 'id'] });
  });

  it('refuses an id of another kind, a missing token and a second revocation', async () => {
    await refused('revokeApiToken', { id: wrongKind('ApiToken') }, { code: 'INVALID_ID', field: ['input', 'id'] });
    await refused('revokeApiToken', { id: absent('ApiToken') }, { code: 'NOT_FOUND', field: ['input', 'id'] });
    const r = await app.q(doc('revokeApiToken'), { input: { id: tokenId } });
    expect(r.revokeApiToken.userErrors).toEqual([]);
    await refused('revokeApiToken', { id: tokenId }, { code: 'ILLEGAL_STATE', field: ['input', 'id'] });
  });
});

describe('queries with bad arguments', () => {
  const whatIf = `query($p: ID!, $f: String!, $n: Int!) { quotaWhatIf(projectId: $p, gpuFamily: $f, count: $n) { allowed } }`;

  it.each([
    [{ f: 'NVIDIA H100', n: 1 }, 'INVALID_INPUT', ['gpuFamily']],
    [{ f: 'N'.repeat(64), n: 1 }, 'INVALID_INPUT', ['gpuFamily']],
    [{ f: H100, n: -1 }, 'INVALID_INPUT', ['count']],
    [{ f: H100, n: 2_000_000 }, 'INVALID_INPUT', ['count']],
  ])('quotaWhatIf refuses %j', async (vars, code, field) => {
    const r = await app.gql(whatIf, { p: P.id, ...vars });
    expect(r.errors?.[0].extensions).toMatchObject({ code, field });
    expect(r.data).toBeNull();
  });

  it.each(badIds())('quotaWhatIf refuses the projectId %#', async (p, code) => {
    const r = await app.gql(whatIf, { p, f: H100, n: 1 });
    expect(r.errors?.[0].extensions).toMatchObject({ code, field: ['projectId'] });
  });

  it('node(id:) answers null for malformed and foreign ids; nodes(ids:) keeps their positions', async () => {
    const ids = [...badIds().map(([id]) => id), wrongKind('Tenant'), absent('Tenant'), T.id];
    const r = await app.q(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(r.nodes).toHaveLength(ids.length);
    expect(r.nodes.slice(0, -3).every((n: unknown) => n === null)).toBe(true);
    expect(r.nodes.slice(-3)).toEqual([{ id: wrongKind('Tenant') }, null, { id: T.id }]);
    for (const [id] of badIds()) expect((await app.q(`query($id: ID!) { node(id: $id) { id } }`, { id })).node).toBeNull();
  });

  it('nodes(ids:) refuses more than 100 ids', async () => {
    const r = await app.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array.from({ length: 101 }, () => T.id) });
    expect(r.errors?.[0].extensions?.code).toMatch(/INVALID_INPUT|LIMIT_EXCEEDED/);
  });

  it.each(['garbage', 'YWJj', Buffer.from('c1:not-a-uuid').toString('base64url'), 'x'.repeat(300)])('refuses the cursor %j', async (after) => {
    const r = await app.gql(`query($a: String) { tenants(first: 5, after: $a) { totalCount } }`, { a: after });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: ['after'] });
  });
});

describe('a refused mutation leaves nothing behind for the next one in the same request', () => {
  it('updateProject refused on its quota does not leak its displayName into a later mutation', async () => {
    const p = await createProject(app, T.id, uniq('leak'), [{ gpuFamily: H100, limit: 1 }]);
    const r = await app.q(
      `mutation($id: ID!, $t: ID!) {
        a: updateProject(input: { id: $id, displayName: "leaked", gpuQuota: [{ gpuFamily: "NVIDIA-H100", limit: 99 }] }) { project { id } userErrors { code } }
        b: updateTenant(input: { id: $t, description: "later" }) { tenant { id } userErrors { code } }
        c: updateProject(input: { id: $id, description: "third" }) { project { displayName description } userErrors { code } }
      }`,
      { id: p.id, t: T.id },
    );
    expect(r.a.userErrors).toEqual([{ code: 'INVALID_INPUT' }]);
    expect(r.b.userErrors).toEqual([]);
    expect(r.c.project).toEqual({ displayName: p.name, description: 'third' });
    const after = await app.q(`query($n: String!) { project(name: $n) { displayName } }`, { n: p.name });
    expect(after.project.displayName).toBe(p.name);
  });

  it('updateTenant refused on its quota does not leak its displayName into a later mutation', async () => {
    const t = await createTenant(app, uniq('leak'), [{ gpuFamily: H100, limit: 8 }]);
    await createProject(app, t.id, uniq('leakp'), [{ gpuFamily: H100, limit: 8 }]);
    const r = await app.q(
      `mutation($t: ID!) {
        a: updateTenant(input: { id: $t, displayName: "leaked", gpuQuota: [{ gpuFamily: "NVIDIA-H100", limit: 1 }] }) { tenant { id } userErrors { code } }
        b: updateTenant(input: { id: $t, description: "later" }) { tenant { displayName description } userErrors { code } }
      }`,
      { t: t.id },
    );
    expect(r.a.userErrors).toEqual([{ code: 'CONFLICT' }]);
    expect(r.b.tenant).toEqual({ displayName: t.name, description: 'later' });
    expect((await app.q(`query($n: String!) { tenant(name: $n) { displayName } }`, { n: t.name })).tenant.displayName).toBe(t.name);
  });

  it('a later mutation in the same request reads the quota the earlier one wrote', async () => {
    const t = await createTenant(app, uniq('seq'), [{ gpuFamily: H100, limit: 8 }]);
    const r = await app.q(
      `mutation($t: ID!) {
        a: updateTenant(input: { id: $t, gpuQuota: [{ gpuFamily: "NVIDIA-H100", limit: 9 }] }) { tenant { gpuQuota { limit } } }
        b: updateTenant(input: { id: $t, gpuQuota: [{ gpuFamily: "NVIDIA-H100", limit: 10 }] }) { tenant { gpuQuota { limit } } }
      }`,
      { t: t.id },
    );
    expect(r.a.tenant.gpuQuota).toEqual([{ limit: 9 }]);
    expect(r.b.tenant.gpuQuota).toEqual([{ limit: 10 }]);
  });
});
