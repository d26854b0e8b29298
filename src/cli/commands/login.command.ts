/** `spokegraph login` / `logout`: keep the gateway URL, token and default project in the user's config dir. */
import type { Command } from 'commander';
import { Api } from '../api/graphql.client.js';
import * as q from '../api/queries.js';
import { configFile, DEFAULT_URL, readStored, removeStored, writeStored } from '../config.store.js';
import type { CliContext } from '../context.js';
import { usageError } from '../exit-codes.js';

async function readToken(ctx: CliContext): Promise<string> {
  const { stdin, stderr } = ctx.io;
  if (stdin.isTTY) stderr.write('Token: ');
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (stdin.isTTY && text.includes('\n')) break;
  }
  return text.trim();
}

export function registerLogin(program: Command, context: () => CliContext): void {
  program
    .command('login')
    .description('check a token against the gateway and store URL, token and default project (file mode 0600)')
    .option('--token <token>', 'the bearer token (default: read from stdin, or SPOKEGRAPH_TOKEN)')
    .action(async (opts: { token?: string }) => {
      const ctx = context();
      const file = configFile(ctx.io.env);
      const stored = readStored(file);
      const url = ctx.flags.url || ctx.io.env.SPOKEGRAPH_URL || stored.url || DEFAULT_URL;
      const token = opts.token || ctx.io.env.SPOKEGRAPH_TOKEN || (await readToken(ctx));
      if (!token) throw usageError('No token given (--token, SPOKEGRAPH_TOKEN or stdin)');
      const viewer = (await new Api(url, token).query(q.VIEWER)).viewer;
      const project = ctx.flags.project || stored.project;
      writeStored(file, { url, token, ...(project ? { project } : {}) });
      ctx.out.object(
        { url, project: project ?? null, token: viewer.token, isPlatformAdmin: viewer.isPlatformAdmin, configFile: file },
        [
          ['logged in to', url],
          ['token', `${viewer.token.name} (${viewer.token.prefix}…)${viewer.isPlatformAdmin ? ', platform admin' : ''}`],
          ['project', project ?? '(none: pass --project)'],
          ['stored in', file],
        ],
      );
    });

  program
    .command('logout')
    .description('forget the stored URL and token')
    .action(() => {
      const ctx = context();
      const file = configFile(ctx.io.env);
      const removed = removeStored(file);
      ctx.out.object({ removed, configFile: file }, [[removed ? 'removed' : 'nothing stored at', file]]);
    });
}
