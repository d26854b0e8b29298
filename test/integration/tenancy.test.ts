import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createProject, createTenant, uniq } from '../helpers/seed.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const CREATE_TENANT = `mutation($input: CreateTenantInput!) {
  createTenant(input: $input) { tenant { id name displayName namespace gpuQuota { gpuFamily limit used available } } userErrors { field message code } }
}`;

describe('tenants and projects', () => {
  it('should create a tenant with its namespace and quota', async () => {
    const name = uniq('acme');
    const d = await app.q(CREATE_TENANT, { input: { name, displayName: 'Acme', gpuQuota: [{ gpuFamily: 'NVIDIA-H100', limit: 8 }] } });
    expect(d.createTenant.userErrors).toEqual([]);
    expect(d.createTenant.tenant).toMatchObject({ name, displayName: 'Acme', namespace: `tenant-${name}` });
    expect(d.createTenant.tenant.gpuQuota).toEqual([{ gpuFamily: 'NVIDIA-H100', limit: 8, used: 0, available: 8 }]);
    const again = await app.q(`query($n: String!) { tenant(name: $n) { id name } }`, { n: name });
    expect(again.tenant.id).toBe(d.createTenant.tenant.id);
  });

  it.each([
    ['ab', 'INVALID_NAME'],
    ['Upper-case', 'INVALID_NAME'],
    ['9starts-with-digit', 'INVALID_NAME'],
    ['ends-with-dash-', 'INVALID_NAME'],
    ['x'.repeat(34), 'INVALID_NAME'],
    ['has_underscore', 'INVALID_NAME'],
  ])('should refuse tenant name %j with %s and create nothing', async (name, code) => {
    const before = await app.q(`{ tenants(first: 100) { totalCount } }`);
    const d = await app.q(CREATE_TENANT, { input: { name } });
    expect(d.createTenant.tenant).toBeNull();
    expect(d.createTenant.userErrors[0]).toMatchObject({ code, field: ['input', 'name'] });
    const after = await app.q(`{ tenants(first: 100) { totalCount } }`);
    expect(after.tenants.totalCount).toBe(before.tenants.totalCount);
  });

  it('should refuse a duplicate tenant name', async () => {
    const t = await createTenant(app);
    const d = await app.q(CREATE_TENANT, { input: { name: t.name } });
    expect(d.createTenant.userErrors[0]).toMatchObject({ code: 'ALREADY_EXISTS', field: ['input', 'name'] });
  });

  it('should refuse a project limit above the tenant limit', async () => {
    const t = await createTenant(app, uniq('t'), [{ gpuFamily: 'NVIDIA-A100', limit: 4 }]);
    const d = await app.q(
      `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id } userErrors { field message code } } }`,
      { input: { tenantId: t.id, name: uniq('p'), gpuQuota: [{ gpuFamily: 'NVIDIA-A100', limit: 5 }] } },
    );
    expect(d.createProject.project).toBeNull();
    expect(d.createProject.userErrors[0].field).toEqual(['input', 'gpuQuota', '0', 'limit']);
    expect(d.createProject.userErrors[0].message).toMatch(/exceeds the tenant limit 4/);
  });

  it('should refuse deleting a tenant that still has projects, then allow it once empty', async () => {
    const t = await createTenant(app);
    const p = await createProject(app, t.id);
    const del = `mutation($id: ID!) { deleteTenant(input: { id: $id }) { deletedId userErrors { code message } } }`;
    const refused = await app.q(del, { id: t.id });
    expect(refused.deleteTenant.userErrors[0].code).toBe('IN_USE');
    const dp = await app.q(`mutation($id: ID!) { deleteProject(input: { id: $id }) { deletedId userErrors { code } } }`, { id: p.id });
    expect(dp.deleteProject).toEqual({ deletedId: p.id, userErrors: [] });
    const done = await app.q(del, { id: t.id });
    expect(done.deleteTenant).toEqual({ deletedId: t.id, userErrors: [] });
    expect((await app.q(`query($id: ID!) { node(id: $id) { id } }`, { id: t.id })).node).toBeNull();
  });

  it('should answer unauthenticated calls with 401 UNAUTHENTICATED', async () => {
    const none = await app.gql(`{ tenants { totalCount } }`, {}, null);
    expect(none.status).toBe(401);
    expect(none.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await app.gql(`{ tenants { totalCount } }`, {}, 'sg_not-a-real-token');
    expect(bad.status).toBe(401);
  });
});
