/**
 * The end of every command that follows a deployment (`deploy --watch`, `retry --watch`,
 * `clone --watch`, `delete --watch`, `events --follow`): show its events until it settles, then the
 * deployment as it ended (access URLs when RUNNING). Ending FAILED is exit code 6.
 */
import * as q from '../api/queries.js';
import type { Deployment } from '../api/types.js';
import type { CliContext } from '../context.js';
import { followDeployment } from '../events/follow.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { progressView } from '../output/progress.js';

/**
 * `after`: resume after this event cursor (null: from the first event). `hideUpToSeq`: events up to
 * this seq are consumed but not shown (delete/retry show only what happens from the request on).
 */
export async function watchDeployment(ctx: CliContext, deploymentId: string, after: string | null = null, hideUpToSeq = 0): Promise<Deployment> {
  const api = ctx.api;
  const view = progressView(ctx.out, ctx.tty);
  let result;
  try {
    result = await followDeployment({
      api,
      deploymentId,
      after,
      onEvent: (e) => e.seq > hideUpToSeq && view.event(e),
      onResume: (why, last) => view.note(`(${why}: resuming after ${last ? `event #${last.seq}` : 'the start'})`),
    });
    if (result.duplicates) view.note(`(${result.duplicates} events received twice were not shown again)`);
  } finally {
    view.stop();
  }
  const final = (await api.query<{ node: Deployment }>(q.NODE, { id: deploymentId })).node;
  if (ctx.out.json) ctx.out.jsonLine({ deployment: final });
  else {
    ctx.out.text(`${final.name} is ${final.phase}`);
    for (const u of final.accessUrls) ctx.out.text(`  ${u.component.padEnd(12)} ${u.url}`);
  }
  if (result.phase === 'FAILED') {
    const f = final.status.failure;
    throw new CliError(ExitCode.FAILED, `${final.name} FAILED${f ? ` at step ${f.step}: ${f.reason}: ${f.message}` : ''}`, 'FAILED');
  }
  return final;
}
