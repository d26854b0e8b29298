/** Fluent-ish seeding through the public GraphQL API (so seeds obey the same rules as clients). */
import { randomBytes } from 'node:crypto';
import type { TestApp } from './app.js';

export const uniq = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

export type Quota = { gpuFamily: string; limit: number }[];

export async function createTenant(app: TestApp, name = uniq('t'), gpuQuota: Quota = []): Promise<{ id: string; name: string }> {
  const d = await app.q(
    `mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id name } userErrors { field message code } } }`,
    { input: { name, gpuQuota } },
  );
  if (d.createTenant.userErrors.length) throw new Error(JSON.stringify(d.createTenant.userErrors));
  return d.createTenant.tenant;
}

export async function createProject(app: TestApp, tenantId: string, name = uniq('p'), gpuQuota: Quota = []): Promise<{ id: string; name: string }> {
  const d = await app.q(
    `mutation($input: CreateProjectInput!) { createProject(input: $input) { project { id name } userErrors { field message code } } }`,
    { input: { tenantId, name, gpuQuota } },
  );
  if (d.createProject.userErrors.length) throw new Error(JSON.stringify(d.createProject.userErrors));
  return d.createProject.project;
}

export interface BindingInput {
  role: string;
  tenantId?: string;
  projectId?: string;
}

export async function createToken(app: TestApp, roleBindings: BindingInput[], as: string = app.adminToken): Promise<string> {
  const d = await app.q(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret userErrors { field message code } } }`,
    { input: { name: uniq('tok'), roleBindings } },
    as,
  );
  if (d.createApiToken.userErrors.length) throw new Error(JSON.stringify(d.createApiToken.userErrors));
  return d.createApiToken.secret;
}

export async function registerMachines(
  app: TestApp,
  tenantId: string,
  machines: { hostId: string; gpu?: { family: string; count: number } | null; roles?: string[] }[],
): Promise<{ id: string; hostId: string }[]> {
  const d = await app.q(
    `mutation($input: RegisterMachinesInput!) { registerMachines(input: $input) { machines { id hostId } userErrors { field message code } } }`,
    { input: { tenantId, machines: machines.map((m) => ({ cpuCount: 8, memoryMiB: 16384, roles: ['WORKER'], ...m })) } },
  );
  if (d.registerMachines.userErrors.length) throw new Error(JSON.stringify(d.registerMachines.userErrors));
  return d.registerMachines.machines;
}

/** Like createToken, but also returns the token's global id. */
export async function createTokenWithId(app: TestApp, roleBindings: BindingInput[], as: string = app.adminToken): Promise<{ id: string; secret: string }> {
  const d = await app.q(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret apiToken { id } userErrors { field message code } } }`,
    { input: { name: uniq('tok'), roleBindings } },
    as,
  );
  if (d.createApiToken.userErrors.length) throw new Error(JSON.stringify(d.createApiToken.userErrors));
  return { id: d.createApiToken.apiToken.id, secret: d.createApiToken.secret };
}
