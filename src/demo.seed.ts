/**
 * First-start demo content so a newcomer's graph is not empty: one tenant, one project with a GPU
 * quota, a dozen machines of two GPU families. Created through the services, so it obeys every rule
 * a client's mutations do.
 */
import type { Ctx } from './context.js';
import { MachineRole } from './compute/machine.entity.js';
import { Loaders } from './db/loaders.js';
import type { Em, Orm } from './db/orm.js';
import type { Logger } from './logger.js';
import type { Services } from './services.js';
import { Role } from './tenancy/role-binding.entity.js';
import { Viewer } from './tenancy/viewer.js';

export const DEMO = { tenant: 'demo', project: 'demo-ml' } as const;

export function systemCtx(orm: Orm, services: Services, log: Logger): Ctx {
  const viewer = new Viewer('00000000-0000-7000-8000-000000000000', 'system', [{ role: Role.PLATFORM_ADMIN, tenantId: null, projectId: null }]);
  return { em: orm.em.fork() as Em, viewer, loaders: new Loaders(), services, log };
}

export async function seedDemo(orm: Orm, services: Services, log: Logger): Promise<void> {
  const ctx = systemCtx(orm, services, log);
  const tenant = await services.tenants.create(ctx, {
    name: DEMO.tenant,
    displayName: 'Demo Tenant',
    description: 'Seeded on first start',
    gpuQuota: [
      { gpuFamily: 'NVIDIA-H100', limit: 32 },
      { gpuFamily: 'NVIDIA-A100', limit: 16 },
    ],
  });
  const project = await services.projects.create(ctx, {
    tenantId: tenant.id,
    name: DEMO.project,
    displayName: 'Demo ML',
    description: 'A team workspace with GPU quota',
    tags: [{ key: 'team', value: 'research' }],
    gpuQuota: [
      { gpuFamily: 'NVIDIA-H100', limit: 16 },
      { gpuFamily: 'NVIDIA-A100', limit: 8 },
    ],
  });
  const cp = (i: number) => ({ hostId: `demo-cp-${i}`, cpuCount: 16, memoryMiB: 65536, roles: [MachineRole.CONTROL_PLANE, MachineRole.WORKER], resourceGroups: [{ key: 'palette.ai', value: 'true' }] });
  const gpu = (family: string, i: number) => ({
    hostId: `demo-${family.toLowerCase()}-${i}`,
    cpuCount: 64,
    memoryMiB: 524288,
    gpu: { family, count: family === 'NVIDIA-H100' ? 8 : 4, memoryMiB: family === 'NVIDIA-H100' ? 81920 : 40960 },
    roles: [MachineRole.WORKER],
    resourceGroups: [
      { key: 'palette.ai', value: 'true' },
      { key: 'gpu-enabled', value: 'true' },
    ],
  });
  await services.machines.register(ctx, tenant.id, [cp(1), cp(2), cp(3), cp(4), gpu('NVIDIA-H100', 1), gpu('NVIDIA-H100', 2), gpu('NVIDIA-H100', 3), gpu('NVIDIA-H100', 4), gpu('NVIDIA-A100', 1), gpu('NVIDIA-A100', 2), gpu('NVIDIA-A100', 3), gpu('NVIDIA-A100', 4)]);
  await services.bundles.seedDemo?.(ctx, project.id);
  log.info('seeded demo content', { tenant: DEMO.tenant, project: DEMO.project });
}
