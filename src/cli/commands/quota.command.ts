/** `spokegraph quota`: a project's GPU quota, and what admission would say to a request (--what-if). */
import type { Command } from 'commander';
import * as q from '../api/queries.js';
import { findProject } from '../api/resolve.js';
import type { QuotaLevelVerdict } from '../api/types.js';
import type { CliContext } from '../context.js';
import { CliError, ExitCode, usageError } from '../exit-codes.js';

function parseWhatIf(spec: string): { gpuFamily: string; count: number } {
  const m = /^([^=:\s]+)[=:](\d+)$/.exec(spec.trim());
  if (!m) throw usageError(`--what-if expects FAMILY=COUNT (e.g. NVIDIA-H100=4), got "${spec}"`);
  return { gpuFamily: m[1], count: Number(m[2]) };
}

export function registerQuota(program: Command, context: () => CliContext): void {
  program
    .command('quota')
    .description("show the project's GPU quota per family; --what-if asks whether a request would be admitted (exit 4 if not)")
    .option('--what-if <family=count>', 'e.g. NVIDIA-H100=4')
    .action(async (opts: { whatIf?: string }) => {
      const ctx = context();
      const api = ctx.api;
      const project = await findProject(api, ctx.project);
      if (!opts.whatIf) {
        ctx.out.list(project.gpuQuota, [
          { header: 'gpu family', value: (g) => g.gpuFamily },
          { header: 'limit', value: (g) => g.limit },
          { header: 'used', value: (g) => g.used },
          { header: 'available', value: (g) => g.available },
        ], 'no GPU quota');
        return;
      }
      const ask = parseWhatIf(opts.whatIf);
      const { quotaWhatIf } = await api.query(q.QUOTA_WHAT_IF, { projectId: project.id, ...ask });
      ctx.out.list<QuotaLevelVerdict>(quotaWhatIf.levels, [
        { header: 'level', value: (l) => l.level },
        { header: 'gpu family', value: (l) => l.gpuFamily },
        { header: 'requested', value: (l) => l.requested },
        { header: 'used', value: (l) => l.used },
        { header: 'limit', value: (l) => l.limit },
        { header: 'verdict', value: (l) => (l.allowed ? 'allowed' : 'REFUSED') },
      ]);
      if (!quotaWhatIf.allowed) {
        throw new CliError(ExitCode.USER_ERROR, `${ask.count} ${ask.gpuFamily} would be refused at the ${quotaWhatIf.bindingLevel} level`, 'QUOTA_EXCEEDED', quotaWhatIf);
      }
    });
}
