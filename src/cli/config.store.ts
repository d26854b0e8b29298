/**
 * Where `spokegraph login` keeps the gateway URL, the token and a default project:
 * $XDG_CONFIG_HOME/spokegraph/config.json (else ~/.config/spokegraph/config.json), mode 0600 in a
 * 0700 directory, because it holds a bearer secret. SPOKEGRAPH_URL, SPOKEGRAPH_TOKEN and
 * SPOKEGRAPH_PROJECT override what is stored, and --url / --project override those.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError, ExitCode } from './exit-codes.js';

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

export interface StoredConfig {
  url?: string;
  token?: string;
  project?: string;
}

/** The environment the CLI reads (main.ts passes process.env: the only place it is read). */
export interface CliEnv {
  SPOKEGRAPH_URL?: string;
  SPOKEGRAPH_TOKEN?: string;
  SPOKEGRAPH_PROJECT?: string;
  XDG_CONFIG_HOME?: string;
  HOME?: string;
}

export interface Settings {
  url: string;
  token: string | null;
  project: string | null;
  /** where each came from, for `spokegraph login --show` style messages */
  configFile: string;
}

export function configFile(env: CliEnv): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'spokegraph', 'config.json');
}

export function readStored(file: string): StoredConfig {
  if (!existsSync(file)) return {};
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!data || typeof data !== 'object') throw new Error('not an object');
    const d = data as Record<string, unknown>;
    const str = (k: string) => (typeof d[k] === 'string' && d[k] ? (d[k] as string) : undefined);
    return { url: str('url'), token: str('token'), project: str('project') };
  } catch (e) {
    throw new CliError(ExitCode.ERROR, `${file} is not valid (${(e as Error).message}); run spokegraph login again`);
  }
}

/** Writes atomically (temp file + rename) with mode 0600, the directory 0700. */
export function writeStored(file: string, config: StoredConfig): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask cannot widen it, an existing file's mode is not kept
  renameSync(tmp, file);
}

export function removeStored(file: string): boolean {
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

export function resolveSettings(env: CliEnv, flags: { url?: string; project?: string }): Settings {
  const file = configFile(env);
  const stored = readStored(file);
  return {
    url: flags.url || env.SPOKEGRAPH_URL || stored.url || DEFAULT_URL,
    token: env.SPOKEGRAPH_TOKEN || stored.token || null,
    project: flags.project || env.SPOKEGRAPH_PROJECT || stored.project || null,
    configFile: file,
  };
}
