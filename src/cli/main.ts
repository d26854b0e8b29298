/**
 * `spokegraph`: the command-line client of the gateway (`npx spokegraph --help`). Commands are in
 * commands/, the GraphQL documents in api/queries.ts; every failure ends with a documented exit code
 * (exit-codes.ts). This file is the CLI's only reader of process.env.
 */
import { Command, CommanderError, Option } from 'commander';
import { registerDeploy } from './commands/deploy.command.js';
import { registerEvents } from './commands/events.command.js';
import { registerLogin } from './commands/login.command.js';
import { registerManage } from './commands/manage.command.js';
import { registerPools } from './commands/pools.command.js';
import { registerProjects } from './commands/projects.command.js';
import { registerQuota } from './commands/quota.command.js';
import { registerStatus } from './commands/status.command.js';
import { CliContext, type GlobalFlags, type Io } from './context.js';
import { CliError, ExitCode } from './exit-codes.js';

const EXIT_CODES_HELP = `
Environment: SPOKEGRAPH_URL, SPOKEGRAPH_TOKEN, SPOKEGRAPH_PROJECT override what \`login\` stored
(in $XDG_CONFIG_HOME/spokegraph/config.json, else ~/.config/spokegraph/config.json).

Exit codes: 0 ok, 1 other error, 2 usage error, 3 auth error (no or refused token), 4 user error
(refused input, or a dry run / quota --what-if that would be refused), 5 not found, 6 the followed
deployment ended FAILED, 7 gateway unreachable or event stream lost.`;

export function buildProgram(io: Io): Command {
  const program = new Command('spokegraph');
  program
    .description('Deploy AI/ML apps onto compute pools through a spokegraph gateway, and watch them live')
    .version('0.1.0')
    .option('--url <url>', 'the gateway GraphQL endpoint (default: SPOKEGRAPH_URL, the login file, http://127.0.0.1:4000/graphql)')
    .option('-p, --project <name>', 'the project (default: SPOKEGRAPH_PROJECT or the login file)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run spokegraph --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  const context = () => new CliContext(io, program.opts<GlobalFlags>());
  registerLogin(program, context);
  registerProjects(program, context);
  registerQuota(program, context);
  registerPools(program, context);
  registerDeploy(program, context);
  registerStatus(program, context);
  registerEvents(program, context);
  registerManage(program, context);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError('(run spokegraph <command> --help for usage)');
  return program;
}

/** Runs the CLI and returns its exit code (errors are reported on stderr, as JSON with --output json). */
export async function run(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successes; every other parse failure is a usage error
      return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const error = e instanceof CliError ? e : new CliError(ExitCode.ERROR, e instanceof Error ? (e.stack ?? e.message) : String(e), 'INTERNAL');
    if (program.opts<GlobalFlags>().output === 'json') io.stderr.write(JSON.stringify({ error: { code: error.code, message: error.message, exitCode: error.exitCode, details: error.details } }) + '\n');
    else io.stderr.write(`spokegraph: ${error.message}\n`);
    return error.exitCode;
  }
}

// `spokegraph status | head`: a reader that went away is not an error of ours
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.OK);
  throw e;
});

const io: Io = { env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
run(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`spokegraph: ${String(e)}\n`);
    process.exitCode = ExitCode.ERROR;
  },
);
