/** What every command gets: settings from flags, environment and the login file, an API client, output. */
import { Api } from './api/graphql.client.js';
import { requireProject } from './api/resolve.js';
import { resolveSettings, type CliEnv, type Settings } from './config.store.js';
import { Output, type OutputFormat } from './output/output.js';

export interface GlobalFlags {
  url?: string;
  project?: string;
  output: OutputFormat;
}

export interface Io {
  env: CliEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

export class CliContext {
  readonly out: Output;
  private cached: Settings | null = null;

  constructor(
    readonly io: Io,
    readonly flags: GlobalFlags,
  ) {
    this.out = new Output(flags.output, io.stdout, io.stderr);
  }

  get settings(): Settings {
    return (this.cached ??= resolveSettings(this.io.env, this.flags));
  }

  get api(): Api {
    return new Api(this.settings.url, this.settings.token);
  }

  /** The project from --project, SPOKEGRAPH_PROJECT or the login file; a usage error without one. */
  get project(): string {
    return requireProject(this.settings.project);
  }

  /** The terminal to draw progress bars on, or null when stdout is not one. */
  get tty(): NodeJS.WriteStream | null {
    return this.io.stdout.isTTY ? this.io.stdout : null;
  }
}
