/** `spokegraph events <deployment>`: the progress log; --follow streams it live until the deployment settles. */
import type { Command } from 'commander';
import * as q from '../api/queries.js';
import { allPages, findDeployment } from '../api/resolve.js';
import type { DeploymentEvent } from '../api/types.js';
import type { CliContext } from '../context.js';
import { stepLabel } from '../output/progress.js';
import { watchDeployment } from './watch.js';

export function registerEvents(program: Command, context: () => CliContext): void {
  program
    .command('events <deployment>')
    .description('print the deployment\'s events; --follow continues live (resuming by cursor after a disconnect) until it settles')
    .option('-f, --follow', 'stream live events until RUNNING, FAILED or DELETED (exit 6 if FAILED)')
    .option('--after <cursor>', 'start after this event cursor')
    .action(async (ref: string, flags: { follow?: boolean; after?: string }) => {
      const ctx = context();
      const d = await findDeployment(ctx.api, ctx.settings.project, ref);
      if (flags.follow) {
        await watchDeployment(ctx, d.id, flags.after ?? null);
        return;
      }
      const events = (await allPages<DeploymentEvent>(ctx.api, q.EVENTS_PAGE, { id: d.id }, (data) => data.node?.events ?? null)) ?? [];
      const after = flags.after ? events.findIndex((e) => e.cursor === flags.after) : -1;
      ctx.out.list(events.slice(after + 1), [
        { header: 'seq', value: (e) => e.seq },
        { header: 'time', value: (e) => e.time },
        { header: 'phase', value: (e) => e.phase },
        { header: 'step', value: (e) => stepLabel(e) },
        { header: '%', value: (e) => e.percent },
        { header: 'type', value: (e) => e.type },
        { header: 'message', value: (e) => e.message },
      ], 'no events');
    });
}
