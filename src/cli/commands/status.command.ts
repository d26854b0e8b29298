/** `spokegraph status [deployment]`: one deployment in detail, or the project's deployments. */
import type { Command } from 'commander';
import { findDeployment, listDeployments } from '../api/resolve.js';
import type { CliContext } from '../context.js';
import { printDeployment } from '../output/deployment.view.js';

export function registerStatus(program: Command, context: () => CliContext): void {
  program
    .command('status [deployment]')
    .alias('deployments')
    .description("a deployment's phase, step, wait reason, failure and access URLs; without one, the project's deployments")
    .option('--phase <phase>', 'list only deployments in this phase')
    .action(async (ref: string | undefined, flags: { phase?: string }) => {
      const ctx = context();
      if (ref) return printDeployment(ctx.out, await findDeployment(ctx.api, ctx.settings.project, ref));
      const list = await listDeployments(ctx.api, ctx.project, flags.phase?.toUpperCase());
      ctx.out.list(list, [
        { header: 'name', value: (d) => d.name },
        { header: 'phase', value: (d) => d.phase },
        { header: '%', value: (d) => d.status.percent },
        { header: 'waiting on', value: (d) => d.status.waitingOn?.reason ?? d.status.failure?.reason ?? '' },
        { header: 'pool', value: (d) => d.computePool.name },
        { header: 'gpus', value: (d) => d.gpuRequests.map((g) => `${g.count} ${g.gpuFamily}`).join(', ') },
        { header: 'urls', value: (d) => d.accessUrls.map((u) => u.url).join(' ') },
        { header: 'id', value: (d) => d.id },
      ], 'no deployments');
    });
}
