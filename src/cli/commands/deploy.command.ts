/**
 * `spokegraph deploy <name>`: deployApp with flags that mirror DeployAppInput; --dry-run prints the
 * plan (exit 4 if it would be refused), --watch follows the deployment to RUNNING (exit 6 if FAILED).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import * as q from '../api/queries.js';
import { findBundle, findProject, poolId } from '../api/resolve.js';
import type { Deployment, Plan } from '../api/types.js';
import type { CliContext } from '../context.js';
import { CliError, ExitCode, usageError } from '../exit-codes.js';
import { printDeployment, printPlan } from '../output/deployment.view.js';
import { collect, controlPlane, inputFile, links, variableValues, workerPool } from './deploy.input.js';
import { watchDeployment } from './watch.js';

interface DeployFlags {
  bundle: string[];
  pool?: string;
  infrastructureBundle?: string;
  poolName?: string;
  poolDescription?: string;
  controlPlane?: string;
  workerPool: string[];
  var: string[];
  description?: string;
  link: string[];
  idempotencyKey?: string;
  input?: string;
  dryRun?: boolean;
  watch?: boolean;
}

/** After a deploy or clone: the plan (dry run), or the deployment, followed when asked. */
export async function finishDeploy(ctx: CliContext, payload: { appDeployment: Deployment | null; plan: Plan | null }, flags: { dryRun?: boolean; watch?: boolean }): Promise<void> {
  if (flags.dryRun) {
    const plan = payload.plan!;
    printPlan(ctx.out, plan);
    if (!plan.allowed) throw new CliError(ExitCode.USER_ERROR, 'The deployment would be refused (see the plan)', plan.refusals[0]?.code ?? 'REFUSED', plan.refusals);
    return;
  }
  const d = payload.appDeployment!;
  if (!flags.watch) return printDeployment(ctx.out, d);
  ctx.out.note(`${d.name} admitted (${d.id}); following its events`);
  await watchDeployment(ctx, d.id);
}

export function registerDeploy(program: Command, context: () => CliContext): void {
  program
    .command('deploy <name>')
    .description('deploy profile bundles onto a RUNNING pool (--pool) or a new dedicated pool (--infrastructure-bundle)')
    .option('-b, --bundle <bundle>', 'a bundle version: NAME (latest), NAME@vN, or an id; repeat for several', collect, [])
    .option('--pool <pool>', 'a RUNNING compute pool of the project, by name or id')
    .option('--infrastructure-bundle <bundle>', 'provision a new DEDICATED pool from this INFRASTRUCTURE/FULLSTACK bundle')
    .option('--pool-name <name>', 'name of the new dedicated pool (default: the deployment name)')
    .option('--pool-description <text>', 'description of the new dedicated pool')
    .option('--control-plane <spec>', 'new pool control plane: nodes=N,arch=AMD64|ARM64,min-cpu=N,min-memory-mib=N,worker-eligible=true|false')
    .option('--worker-pool <spec>', 'new pool worker pool (repeatable): name=NAME,nodes=N[,gpu=FAMILY:COUNT][,arch=..][,min-cpu=N][,min-memory-mib=N]', collect, [])
    .option('--var <name=value>', 'a bundle variable value, typed by its definition (repeatable)', collect, [])
    .option('--description <text>', 'description of the deployment')
    .option('--link <title=url>', 'a link shown with the deployment (repeatable)', collect, [])
    .option('--idempotency-key <key>', 'the same key and input return the first result (default: a fresh one)')
    .option('--input <file>', 'a DeployAppInput as JSON ("-" for stdin); flags override its fields')
    .option('--dry-run', 'print the plan (quota verdicts, pool, steps, hub objects) and write nothing')
    .option('--watch', 'follow the deployment until it is RUNNING (bars on a terminal, one line per event otherwise)')
    .action(async (name: string, flags: DeployFlags) => {
      const ctx = context();
      const api = ctx.api;
      const base = flags.input ? inputFile(flags.input, () => readFileSync(0, 'utf8')) : {};
      const project = await findProject(api, ctx.project);
      const bundles = await Promise.all(flags.bundle.map((b) => findBundle(api, project.name, b)));
      if (!bundles.length && !Array.isArray(base.bundleIds)) throw usageError('Give at least one --bundle');
      if (flags.pool && flags.infrastructureBundle) throw usageError('Give either --pool or --infrastructure-bundle, not both');
      const input: Record<string, unknown> = { ...base, projectId: project.id, name };
      if (bundles.length) input.bundleIds = bundles.map((b) => b.id);
      if (flags.pool) input.poolId = await poolId(api, project.name, flags.pool);
      if (flags.infrastructureBundle) {
        const infra = await findBundle(api, project.name, flags.infrastructureBundle);
        const nodeRequirements: Record<string, unknown> = {};
        if (flags.controlPlane) nodeRequirements.controlPlane = controlPlane(flags.controlPlane);
        if (flags.workerPool.length) nodeRequirements.workerPools = flags.workerPool.map(workerPool);
        input.newDedicatedPool = { infrastructureBundleId: infra.id, nodeRequirements, ...(flags.poolName ? { name: flags.poolName } : {}), ...(flags.poolDescription ? { description: flags.poolDescription } : {}) };
      } else if (flags.controlPlane || flags.workerPool.length || flags.poolName) {
        throw usageError('--control-plane, --worker-pool and --pool-name describe a new dedicated pool: give --infrastructure-bundle too');
      }
      if (flags.var.length) input.variables = variableValues(flags.var, bundles.flatMap((b) => b.variables));
      if (flags.description) input.description = flags.description;
      if (flags.link.length) input.links = links(flags.link);
      if (flags.dryRun) {
        input.dryRun = true;
        delete input.idempotencyKey;
      } else input.idempotencyKey = flags.idempotencyKey ?? (input.idempotencyKey as string | undefined) ?? randomUUID();
      const payload = await api.mutate<{ appDeployment: Deployment | null; plan: Plan | null }>(q.DEPLOY, { input }, 'deployApp');
      await finishDeploy(ctx, payload, flags);
    });
}
