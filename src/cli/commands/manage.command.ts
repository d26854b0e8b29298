/** `spokegraph delete | retry | clone`: change a deployment, optionally following it with --watch. */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import * as q from '../api/queries.js';
import { findDeployment, poolId } from '../api/resolve.js';
import type { Deployment, Plan } from '../api/types.js';
import type { CliContext } from '../context.js';
import { printDeployment } from '../output/deployment.view.js';
import { finishDeploy } from './deploy.command.js';
import { collect, variableValues } from './deploy.input.js';
import { watchDeployment } from './watch.js';

async function mutateAndMaybeWatch(ctx: CliContext, ref: string, document: string, field: string, watch: boolean | undefined): Promise<void> {
  const api = ctx.api;
  const d = await findDeployment(api, ctx.settings.project, ref);
  // the events that existed before the request are history: --watch shows what follows it
  const before = watch ? (await api.query(q.FOLLOW_START, { id: d.id })).node?.events.totalCount ?? 0 : 0;
  const { appDeployment } = await api.mutate<{ appDeployment: Deployment }>(document, { id: d.id }, field);
  if (!watch) return printDeployment(ctx.out, appDeployment);
  ctx.out.note(`${appDeployment.name} is ${appDeployment.phase}; following its events`);
  await watchDeployment(ctx, appDeployment.id, null, before);
}

export function registerManage(program: Command, context: () => CliContext): void {
  program
    .command('delete <deployment>')
    .description('tear a deployment down (and the dedicated pool made for it); the record stays for audit')
    .option('--watch', 'follow the teardown until DELETED')
    .action((ref: string, flags: { watch?: boolean }) => mutateAndMaybeWatch(context(), ref, q.DELETE, 'deleteAppDeployment', flags.watch));

  program
    .command('retry <deployment>')
    .description('resume a FAILED deployment at its failed step')
    .option('--watch', 'follow it until it settles (exit 6 if it fails again)')
    .action((ref: string, flags: { watch?: boolean }) => mutateAndMaybeWatch(context(), ref, q.RETRY, 'retryAppDeployment', flags.watch));

  program
    .command('clone <deployment> <name>')
    .description('deploy a copy under a new name: same bundles, target and values, with optional overrides')
    .option('--var <name=value>', 'override a variable value (repeatable)', collect, [])
    .option('--pool <pool>', 'another RUNNING pool, by name or id (default: the same target)')
    .option('--description <text>', 'description of the copy')
    .option('--idempotency-key <key>', 'the same key and input return the first result (default: a fresh one)')
    .option('--dry-run', 'print the plan and write nothing')
    .option('--watch', 'follow the copy until it is RUNNING')
    .action(async (ref: string, name: string, flags: { var: string[]; pool?: string; description?: string; idempotencyKey?: string; dryRun?: boolean; watch?: boolean }) => {
      const ctx = context();
      const api = ctx.api;
      const source = await findDeployment(api, ctx.settings.project, ref);
      const input: Record<string, unknown> = { id: source.id, name };
      if (flags.var.length) {
        // typed like the source's values (the bundles' definitions are not needed: the values carry the types)
        const defs = Object.entries(source.variableValues).map(([n, v]) => ({ name: n, type: typeof v === 'boolean' ? 'BOOL' : typeof v === 'number' ? (Number.isInteger(v) ? 'INT64' : 'FLOAT64') : 'STRING', locked: false }));
        input.variables = variableValues(flags.var, defs);
      }
      if (flags.pool) input.poolId = await poolId(api, source.project.name, flags.pool);
      if (flags.description) input.description = flags.description;
      if (flags.dryRun) input.dryRun = true;
      else input.idempotencyKey = flags.idempotencyKey ?? randomUUID();
      const payload = await api.mutate<{ appDeployment: Deployment | null; plan: Plan | null }>(q.CLONE, { input }, 'cloneAppDeployment');
      await finishDeploy(ctx, payload, flags);
    });
}
