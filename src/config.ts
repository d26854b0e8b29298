/**
 * Configuration, read once from the environment at start and validated as a whole: every problem is
 * reported together so an operator fixes them in one round. Only this module reads process.env.
 */
import path from 'node:path';
import type { LogLevel } from './logger.js';

export interface Config {
  /** HOST, default 127.0.0.1 */
  host: string;
  /** PORT, default 4000; 0 picks a free port */
  port: number;
  db:
    | { kind: 'sqlite'; file: string }
    | { kind: 'postgresql'; url: string };
  /** DATA_DIR, default ./data: the SQLite file and the simulated hub's state live here */
  dataDir: string;
  /** LOG_LEVEL debug|info|warn|error|silent, default info */
  logLevel: LogLevel;
  /** LOG_FORMAT json|text, default: text on a terminal, json otherwise */
  logJson: boolean | undefined;
  /** SEED_DEMO, default true: seed a demo tenant on the first start of an empty database */
  seedDemo: boolean;
  /** BOOTSTRAP_ADMIN_TOKEN: use this platform-admin token on first start instead of a random one */
  bootstrapAdminToken: string | undefined;
  limits: {
    /** BODY_LIMIT_BYTES, default 1 MiB: HTTP request bodies and WebSocket messages */
    bodyBytes: number;
    /** MAX_QUERY_DEPTH, default 10 */
    depth: number;
    /** MAX_QUERY_COST, default 5000 */
    cost: number;
    /** MAX_ALIASES, default 30 */
    aliases: number;
    /** MAX_SUBSCRIPTIONS_PER_SOCKET, default 50 */
    subscriptionsPerSocket: number;
  };
  /** INTROSPECTION, default true (the gateway ships its schema; set false to hide it) */
  introspection: boolean;
  hub:
    | { kind: 'kubeconfig'; file: string; context: string | undefined }
    | { kind: 'in-cluster' }
    | { kind: 'simulated'; env: Record<string, string | undefined> };
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];

  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return def;
  };

  const dataDir = path.resolve(cwd, env.DATA_DIR || 'data');

  let db: Config['db'] = { kind: 'sqlite', file: path.join(dataDir, 'spokegraph.sqlite') };
  if (env.DATABASE_URL) {
    const url = env.DATABASE_URL;
    if (/^postgres(ql)?:\/\//.test(url)) db = { kind: 'postgresql', url };
    else if (url.startsWith('sqlite:')) db = { kind: 'sqlite', file: url === 'sqlite::memory:' ? ':memory:' : path.resolve(cwd, url.slice('sqlite:'.length)) };
    else problems.push('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
  }

  const levels = ['debug', 'info', 'warn', 'error', 'silent'];
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!levels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${levels.join(', ')} (got "${env.LOG_LEVEL}")`);
  let logJson: boolean | undefined;
  if (env.LOG_FORMAT) {
    if (env.LOG_FORMAT === 'json') logJson = true;
    else if (env.LOG_FORMAT === 'text') logJson = false;
    else problems.push(`LOG_FORMAT must be json or text (got "${env.LOG_FORMAT}")`);
  }

  const token = env.BOOTSTRAP_ADMIN_TOKEN || undefined;
  if (token !== undefined && !/^[A-Za-z0-9_-]{24,128}$/.test(token)) {
    problems.push('BOOTSTRAP_ADMIN_TOKEN must be 24-128 characters of A-Z a-z 0-9 _ -');
  }

  let hub: Config['hub'];
  if (env.HUB_KUBECONFIG) hub = { kind: 'kubeconfig', file: path.resolve(cwd, env.HUB_KUBECONFIG), context: env.HUB_CONTEXT || undefined };
  else if (bool('HUB_IN_CLUSTER', false)) hub = { kind: 'in-cluster' };
  else hub = { kind: 'simulated', env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('SIM_'))) };

  const config: Config = {
    host: env.HOST || '127.0.0.1',
    port: int('PORT', 4000, 0, 65535),
    db,
    dataDir,
    logLevel,
    logJson,
    seedDemo: bool('SEED_DEMO', true),
    bootstrapAdminToken: token,
    limits: {
      bodyBytes: int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      depth: int('MAX_QUERY_DEPTH', 10, 2, 50),
      cost: int('MAX_QUERY_COST', 5000, 10, 1_000_000),
      aliases: int('MAX_ALIASES', 30, 1, 1000),
      subscriptionsPerSocket: int('MAX_SUBSCRIPTIONS_PER_SOCKET', 50, 1, 10_000),
    },
    introspection: bool('INTROSPECTION', true),
    hub,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
