/** `spokegraph projects`: the projects the token sees, with their GPU quota. */
import type { Command } from 'commander';
import * as q from '../api/queries.js';
import { allPages } from '../api/resolve.js';
import type { GpuQuota, Project } from '../api/types.js';
import type { CliContext } from '../context.js';
import { notFound } from '../exit-codes.js';

export const quotaText = (quota: GpuQuota[]) => quota.map((g) => `${g.gpuFamily} ${g.used}/${g.limit}`).join(', ');

export function registerProjects(program: Command, context: () => CliContext): void {
  program
    .command('projects')
    .description('list the projects visible to the token, with GPU quota (used/limit)')
    .option('--tenant <name>', 'only the projects of this tenant')
    .action(async (opts: { tenant?: string }) => {
      const ctx = context();
      const api = ctx.api;
      const tenants = opts.tenant ? [opts.tenant] : ((await allPages<{ name: string }>(api, q.TENANTS, {}, (d) => d.tenants)) ?? []).map((t) => t.name);
      const projects: Project[] = [];
      for (const tenant of tenants) {
        const list = await allPages<Project>(api, q.TENANT_PROJECTS, { tenant }, (d) => d.tenant?.projects ?? null);
        if (!list) throw notFound(`Tenant ${tenant} not found (or not visible to this token)`);
        projects.push(...list);
      }
      ctx.out.list(projects, [
        { header: 'name', value: (p) => p.name },
        { header: 'tenant', value: (p) => p.tenant.name },
        { header: 'display name', value: (p) => p.displayName },
        { header: 'gpu quota', value: (p) => quotaText(p.gpuQuota) },
        { header: 'id', value: (p) => p.id },
      ], 'no projects visible');
    });
}
