/** `spokegraph pools`: the project's compute pools with their GPU allocation. */
import type { Command } from 'commander';
import { listPools } from '../api/resolve.js';
import type { CliContext } from '../context.js';

export function registerPools(program: Command, context: () => CliContext): void {
  program
    .command('pools')
    .description("list the project's compute pools (GPUs: allocated/capacity)")
    .option('--phase <phase>', 'only pools in this phase, e.g. RUNNING')
    .action(async (opts: { phase?: string }) => {
      const ctx = context();
      const pools = await listPools(ctx.api, ctx.project, opts.phase?.toUpperCase());
      ctx.out.list(pools, [
        { header: 'name', value: (p) => p.name },
        { header: 'mode', value: (p) => p.mode },
        { header: 'phase', value: (p) => p.phase },
        { header: 'clusters', value: (p) => p.clusterCount },
        { header: 'gpus', value: (p) => p.gpus.map((g) => `${g.gpuFamily} ${g.allocated}/${g.capacity}`).join(', ') },
        { header: 'id', value: (p) => p.id },
      ], 'no compute pools');
    });
}
