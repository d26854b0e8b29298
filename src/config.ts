/**
 * Configuration, read once from the environment at start and validated as a whole: every problem is
 * reported together so an operator fixes them in one round. Only this module reads process.env.
 */
import path from 'node:path';
import type { CapiInfrastructure } from './kube/index.js';
import type { LogLevel } from './logger.js';
import { parseOidcIssuers, type OidcIssuer } from './tenancy/oidc.config.js';
// Only the simulator's option parser and types: the simulator itself loads in hub.setup.ts, and only
// when the hub is simulated.
import { parseSimEnv } from './sim/sim.env.js';
import type { SimOptions } from './sim/simulated.hub.js';

/**
 * Every environment variable the gateway reads. Deployment manifests are checked against this list
 * (test/packaging), and a variable that looks like one of these but is not (a typo) is reported at
 * start instead of being silently ignored.
 */
export const CONFIG_VARIABLES = [
  'HOST',
  'PORT',
  'DATABASE_URL',
  'DATA_DIR',
  'REDIS_URL',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'SEED_DEMO',
  'BOOTSTRAP_ADMIN_TOKEN',
  'BODY_LIMIT_BYTES',
  'MAX_QUERY_DEPTH',
  'MAX_QUERY_COST',
  'MAX_ALIASES',
  'RATE_LIMIT_POINTS_PER_MINUTE',
  'MAX_SUBSCRIPTIONS_PER_SOCKET',
  'MAX_SOCKETS_PER_TOKEN',
  'MAX_SOCKETS',
  'MAX_SUBSCRIPTIONS_PER_TOKEN',
  'MAX_SUBSCRIPTIONS',
  'MAX_HANDSHAKES_PER_MINUTE',
  'TOKEN_RECHECK_MS',
  'INTROSPECTION',
  'CORS_ORIGINS',
  'OIDC_ISSUERS',
  'HUB_KUBECONFIG',
  'HUB_CONTEXT',
  'HUB_IN_CLUSTER',
  'CAPI_CLUSTER_CLASS',
  'CAPI_WORKER_MACHINE_TEMPLATE',
  'CAPI_WORKER_MACHINE_TEMPLATE_KIND',
  'CAPI_WORKER_BOOTSTRAP_TEMPLATE',
  'HUB_REGISTRATION',
  'KLUSTERLET_BOOTSTRAP_KUBECONFIG',
  'KLUSTERLET_OPERATOR_MANIFESTS',
  'KLUSTERLET_IMAGE_TAG',
  'POOL_PROVISION_DEADLINE_SECONDS',
  'GPU_DEVICE_PLUGIN_REPO_URL',
  'GPU_DEVICE_PLUGIN_CHART',
  'GPU_DEVICE_PLUGIN_VERSION',
  'WORKFLOW_CONCURRENCY',
  'WORKFLOW_LEASE_MS',
  'WORKFLOW_POLL_MS',
  'ROLLOUT_DEADLINE_SECONDS',
  'SUBSCRIPTION_BUFFER',
  'AUDIT_RETENTION_DAYS',
  'APOLLO_USAGE_REPORTING',
  'APOLLO_KEY',
  'APOLLO_GRAPH_REF',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_SERVICE_NAME',
  'SIM_SPEED',
  'SIM_ERROR_RATE',
  'SIM_ERROR_VERBS',
  'SIM_FAIL_CLUSTERS',
  'SIM_FAIL_CLUSTERS_BY_CONDITIONS',
  'SIM_STUCK_CLUSTERS',
  'SIM_FAIL_RELEASES',
  'SIM_DROP_WATCHES_MS',
  'SIM_STATUS_DELAY_MS',
  'SIM_NO_LOADBALANCER_CLUSTERS',
  'SIM_PORT',
  'SIM_STATE_FILE',
] as const;

export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

/** Variables that carry credentials: deployments keep them in a Secret, never in a ConfigMap. */
export const SECRET_CONFIG_VARIABLES: readonly ConfigVariable[] = ['DATABASE_URL', 'REDIS_URL', 'BOOTSTRAP_ADMIN_TOKEN', 'APOLLO_KEY', 'OTEL_EXPORTER_OTLP_HEADERS'];

export interface Config {
  /** HOST, default 127.0.0.1 */
  host: string;
  /** PORT, default 4000; 0 picks a free port */
  port: number;
  db:
    | { kind: 'sqlite'; file: string }
    | { kind: 'postgresql'; url: string };
  /** REDIS_URL (redis:// or rediss://): live events, access changes and connection caps shared between replicas; unset = in this process only */
  redisUrl: string | undefined;
  /** DATA_DIR, default ./data: the SQLite file and the simulated hub's state live here */
  dataDir: string;
  /** LOG_LEVEL debug|info|warn|error|silent, default info */
  logLevel: LogLevel;
  /** LOG_FORMAT json|text, default: text on a terminal, json otherwise */
  logJson: boolean | undefined;
  /**
   * SEED_DEMO: seed a demo tenant (and twelve made-up machines) on the first start of an empty
   * database. Default true on the simulated hub, false on a real one, whose inventory is real.
   */
  seedDemo: boolean;
  /** BOOTSTRAP_ADMIN_TOKEN: use this platform-admin token on first start instead of a random one */
  bootstrapAdminToken: string | undefined;
  limits: {
    /** BODY_LIMIT_BYTES, default 1 MiB: HTTP request bodies and WebSocket messages */
    bodyBytes: number;
    /** MAX_QUERY_DEPTH, default 10 */
    depth: number;
    /** MAX_QUERY_COST, default 25000 (a page of 50 projects with their quotas and bundles costs ~8000) */
    cost: number;
    /** MAX_ALIASES, default 30 */
    aliases: number;
    /**
     * RATE_LIMIT_POINTS_PER_MINUTE, default 0 (off): query-cost points one token may spend per
     * minute over HTTP (a bucket refilled continuously); over it, 429 RATE_LIMITED.
     */
    pointsPerMinute: number;
    /** MAX_SUBSCRIPTIONS_PER_SOCKET, default 50: operations in flight on one graphql-ws connection */
    subscriptionsPerSocket: number;
    /** MAX_SUBSCRIPTIONS_PER_TOKEN, default 200: live subscriptions of one token, all its connections */
    subscriptionsPerToken: number;
    /** MAX_SUBSCRIPTIONS, default 20000: live subscriptions, all tokens */
    subscriptions: number;
    /** MAX_SOCKETS_PER_TOKEN, default 20: open graphql-ws connections of one token */
    socketsPerToken: number;
    /** MAX_SOCKETS, default 10000: open graphql-ws connections, all tokens */
    sockets: number;
    /** MAX_HANDSHAKES_PER_MINUTE, default 60: graphql-ws connection_init messages per token per minute */
    handshakesPerMinute: number;
  };
  /**
   * TOKEN_RECHECK_MS, default 5000: how often open connections re-read their tokens from the
   * database. Revocations reach them at once through the event bus; this bounds how long a lost bus
   * message could go unnoticed.
   */
  tokenRecheckMs: number;
  /** INTROSPECTION, default true (the gateway ships its schema; set false to hide it) */
  introspection: boolean;
  /**
   * CORS_ORIGINS: comma-separated origins (`https://app.example.com`) whose pages may call the API
   * from a browser, or `*` for any; default none (same-origin only). Credentials (cookies) are never
   * allowed: callers authenticate with a bearer header.
   */
  corsOrigins: string[];
  /**
   * OIDC_ISSUERS: JSON list of identity providers whose JWTs are accepted as bearer tokens, each
   * with its audience, JWKS URL and group → role mapping (tenancy/oidc.config.ts); default none.
   */
  oidcIssuers: OidcIssuer[];
  hub:
    | { kind: 'kubeconfig'; file: string; context: string | undefined }
    | { kind: 'in-cluster' }
    /** SIM_*: the embedded simulated hub (the default); its state persists next to the SQLite file */
    | { kind: 'simulated'; options: Partial<SimOptions> };
  /** What the hub's Cluster API needs to realise a pool cluster (CAPI_*). */
  capi: CapiInfrastructure;
  /**
   * HUB_REGISTRATION: how a pool's spokes join the hub. `auto-import` (default): an auto-import-secret,
   * honoured by multicluster-engine/ACM only. `klusterlet`: stock OCM; the klusterlet reaches the spoke
   * through a Cluster API ClusterResourceSet and the gateway accepts the cluster (CSR + hubAcceptsClient).
   */
  registration:
    | { mode: 'auto-import' }
    | {
        mode: 'klusterlet';
        /** KLUSTERLET_BOOTSTRAP_KUBECONFIG: the kubeconfig spokes use to reach the hub (bootstrap identity); required on a real hub, the simulator's own by default */
        bootstrapKubeconfigFile: string | undefined;
        /** KLUSTERLET_OPERATOR_MANIFESTS, default the deploy/klusterlet/klusterlet-operator.yaml this release ships */
        operatorManifestsFile: string | undefined;
        /** KLUSTERLET_IMAGE_TAG, default v1.1.0: tag of the registration and work agent images */
        imageTag: string;
      };
  /** POOL_PROVISION_DEADLINE_SECONDS, default 3600: a pool still provisioning, registering or installing add-ons after this fails (PROVISION_DEADLINE_EXCEEDED) */
  provisionDeadlineMs: number;
  /** GPU_DEVICE_PLUGIN_*: the Helm chart GPU pools install on their spokes so nodes advertise nvidia.com/gpu */
  gpuDevicePlugin: { repoUrl: string; chart: string; version: string };
  workflow: {
    /** WORKFLOW_CONCURRENCY, default 32: jobs worked on at once by this process */
    concurrency: number;
    /** WORKFLOW_LEASE_MS, default 15000: a dead replica's jobs are taken over after this */
    leaseMs: number;
    /** WORKFLOW_POLL_MS, default 500: how often a waiting step looks again at the hub */
    pollMs: number;
    /**
     * ROLLOUT_DEADLINE_SECONDS, default 1800: how long a deployment's rollout (releases Ready, then
     * the exposed addresses) may wait before it fails with ROLLOUT_TIMEOUT or EXPOSURE_TIMEOUT; 0 = no deadline
     */
    rolloutDeadlineMs: number;
  };
  /** SUBSCRIPTION_BUFFER, default 1000: events held for a slow subscriber before it must resubscribe */
  subscriptionBuffer: number;
  audit: {
    /** AUDIT_RETENTION_DAYS, default 365: records older than this are purged; 0 keeps them for ever */
    retentionDays: number;
    /** how often the purge runs (one replica at a time, under a lease); not an environment variable */
    purgeIntervalMs: number;
  };
  /**
   * Apollo GraphOS usage and schema reporting: off unless APOLLO_USAGE_REPORTING=true, which then
   * needs APOLLO_KEY and APOLLO_GRAPH_REF. An APOLLO_KEY alone (left in an environment) sends nothing.
   */
  apollo: { usageReporting: false } | { usageReporting: true; key: string; graphRef: string };
  /**
   * OpenTelemetry traces, exported over OTLP/HTTP (JSON) to `${endpoint}/v1/traces`: on only when
   * OTEL_EXPORTER_OTLP_ENDPOINT is set (off, the SDK is not even loaded). OTEL_SERVICE_NAME names the
   * service (default spokegraph); OTEL_EXPORTER_OTLP_HEADERS (`key=value,…`) authenticates to a collector.
   */
  tracing: { endpoint: string | null; serviceName: string; headers: Record<string, string> };
  /** Things an operator should know that do not stop the start (e.g. a misspelt variable); logged at start. */
  warnings: string[];
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

  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of corsOrigins) {
    if (o === '*') continue;
    let origin: string | null = null;
    try {
      origin = new URL(o).origin;
    } catch {
      /* reported below */
    }
    // an origin is scheme://host[:port] exactly as browsers send it: no path, no trailing slash
    if (origin !== o || !/^https?:/.test(o)) problems.push(`CORS_ORIGINS entries must be origins like https://app.example.com, or * (got "${o}")`);
  }

  const oidc = parseOidcIssuers(env.OIDC_ISSUERS);
  problems.push(...oidc.problems);

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

  let redisUrl: string | undefined;
  if (env.REDIS_URL) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(env.REDIS_URL);
    } catch {
      /* reported below */
    }
    if (parsed && (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') && parsed.hostname) redisUrl = env.REDIS_URL;
    else problems.push('REDIS_URL must be a redis:// or rediss:// URL with a host');
  }

  let hub: Config['hub'];
  if (env.HUB_KUBECONFIG) hub = { kind: 'kubeconfig', file: path.resolve(cwd, env.HUB_KUBECONFIG), context: env.HUB_CONTEXT || undefined };
  else if (bool('HUB_IN_CLUSTER', false)) hub = { kind: 'in-cluster' };
  else {
    const sim = parseSimEnv(env);
    problems.push(...sim.errors);
    const options = { ...sim.options };
    if (options.stateFile) options.stateFile = path.resolve(cwd, options.stateFile);
    // The hub's state lives beside the database it matches; an in-memory database gets an in-memory hub.
    else if (db.kind === 'sqlite' && db.file !== ':memory:') options.stateFile = path.join(dataDir, 'simulated-hub.json');
    hub = { kind: 'simulated', options };
  }

  const capiRef = (name: string, def: string): string => {
    const v = env[name] || def;
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v)) problems.push(`${name} must be a Kubernetes name (got "${v}")`);
    return v;
  };

  let registration: Config['registration'] = { mode: 'auto-import' };
  const regMode = env.HUB_REGISTRATION || 'auto-import';
  if (regMode === 'klusterlet') {
    const bootstrap = env.KLUSTERLET_BOOTSTRAP_KUBECONFIG ? path.resolve(cwd, env.KLUSTERLET_BOOTSTRAP_KUBECONFIG) : undefined;
    if (!bootstrap && hub.kind !== 'simulated') problems.push('HUB_REGISTRATION=klusterlet on a real hub needs KLUSTERLET_BOOTSTRAP_KUBECONFIG (the kubeconfig spokes use to reach the hub, e.g. from `clusteradm get token`)');
    const imageTag = env.KLUSTERLET_IMAGE_TAG || 'v1.1.0';
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag)) problems.push(`KLUSTERLET_IMAGE_TAG must be an image tag (got "${imageTag}")`);
    registration = {
      mode: 'klusterlet',
      bootstrapKubeconfigFile: bootstrap,
      operatorManifestsFile: env.KLUSTERLET_OPERATOR_MANIFESTS ? path.resolve(cwd, env.KLUSTERLET_OPERATOR_MANIFESTS) : undefined,
      imageTag,
    };
  } else if (regMode !== 'auto-import') problems.push(`HUB_REGISTRATION must be auto-import or klusterlet (got "${regMode}")`);
  if (hub.kind === 'simulated' && registration.mode === 'klusterlet') hub.options.registration = 'klusterlet';

  const devicePluginRepo = env.GPU_DEVICE_PLUGIN_REPO_URL || 'https://nvidia.github.io/k8s-device-plugin';
  if (!/^(https?|oci):\/\/[^\s]+$/.test(devicePluginRepo)) problems.push(`GPU_DEVICE_PLUGIN_REPO_URL must be an http(s):// or oci:// URL (got "${devicePluginRepo}")`);
  const devicePluginChart = capiRef('GPU_DEVICE_PLUGIN_CHART', 'nvidia-device-plugin');
  const devicePluginVersion = env.GPU_DEVICE_PLUGIN_VERSION || '0.17.1';
  if (!/^[A-Za-z0-9][A-Za-z0-9.+~*<>=^ ,-]{0,63}$/.test(devicePluginVersion)) problems.push(`GPU_DEVICE_PLUGIN_VERSION must be a chart version or semver range (got "${devicePluginVersion}")`);

  let apollo: Config['apollo'] = { usageReporting: false };
  const [apolloKey, graphRef] = [env.APOLLO_KEY, env.APOLLO_GRAPH_REF];
  if (bool('APOLLO_USAGE_REPORTING', false)) {
    if (apolloKey && graphRef) apollo = { usageReporting: true, key: apolloKey, graphRef };
    else problems.push('APOLLO_USAGE_REPORTING=true needs APOLLO_KEY and APOLLO_GRAPH_REF');
  }

  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || null;
  if (otlpEndpoint && !/^https?:\/\/[^/]/.test(otlpEndpoint)) problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got "${otlpEndpoint}")`);
  const otlpHeaders: Record<string, string> = {};
  for (const pair of (env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(',')) {
    const eq = pair.indexOf('=');
    const decode = (v: string): string | null => {
      try {
        return decodeURIComponent(v.trim());
      } catch {
        return null;
      }
    };
    const [key, value] = eq > 0 ? [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))] : [null, null];
    if (key && value !== null) otlpHeaders[key] = value;
    else if (pair.trim()) problems.push('OTEL_EXPORTER_OTLP_HEADERS must be a list of key=value pairs separated by commas');
  }

  const config: Config = {
    host: env.HOST || '127.0.0.1',
    port: int('PORT', 4000, 0, 65535),
    db,
    redisUrl,
    dataDir,
    logLevel,
    logJson,
    seedDemo: bool('SEED_DEMO', hub.kind === 'simulated'),
    bootstrapAdminToken: token,
    limits: {
      bodyBytes: int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      depth: int('MAX_QUERY_DEPTH', 10, 2, 50),
      cost: int('MAX_QUERY_COST', 25_000, 10, 1_000_000),
      aliases: int('MAX_ALIASES', 30, 1, 1000),
      pointsPerMinute: int('RATE_LIMIT_POINTS_PER_MINUTE', 0, 0, 1_000_000_000),
      subscriptionsPerSocket: int('MAX_SUBSCRIPTIONS_PER_SOCKET', 50, 1, 10_000),
      subscriptionsPerToken: int('MAX_SUBSCRIPTIONS_PER_TOKEN', 200, 1, 1_000_000),
      subscriptions: int('MAX_SUBSCRIPTIONS', 20_000, 1, 1_000_000),
      socketsPerToken: int('MAX_SOCKETS_PER_TOKEN', 20, 1, 1_000_000),
      sockets: int('MAX_SOCKETS', 10_000, 1, 1_000_000),
      handshakesPerMinute: int('MAX_HANDSHAKES_PER_MINUTE', 60, 1, 1_000_000),
    },
    tokenRecheckMs: int('TOKEN_RECHECK_MS', 5_000, 100, 600_000),
    introspection: bool('INTROSPECTION', true),
    corsOrigins,
    oidcIssuers: oidc.issuers,
    hub,
    capi: {
      clusterClass: capiRef('CAPI_CLUSTER_CLASS', 'spokegraph-edge'),
      workerMachineTemplate: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: env.CAPI_WORKER_MACHINE_TEMPLATE_KIND || 'ByoMachineTemplate', name: capiRef('CAPI_WORKER_MACHINE_TEMPLATE', 'spokegraph-worker') },
      workerBootstrapTemplate: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: capiRef('CAPI_WORKER_BOOTSTRAP_TEMPLATE', 'spokegraph-worker') },
    },
    registration,
    provisionDeadlineMs: int('POOL_PROVISION_DEADLINE_SECONDS', 3600, 1, 7 * 24 * 3600) * 1000,
    gpuDevicePlugin: { repoUrl: devicePluginRepo, chart: devicePluginChart, version: devicePluginVersion },
    workflow: {
      concurrency: int('WORKFLOW_CONCURRENCY', 32, 1, 1000),
      leaseMs: int('WORKFLOW_LEASE_MS', 15_000, 500, 600_000),
      pollMs: int('WORKFLOW_POLL_MS', 500, 10, 60_000),
      rolloutDeadlineMs: int('ROLLOUT_DEADLINE_SECONDS', 1800, 0, 7 * 24 * 3600) * 1000,
    },
    subscriptionBuffer: int('SUBSCRIPTION_BUFFER', 1000, 10, 1_000_000),
    audit: { retentionDays: int('AUDIT_RETENTION_DAYS', 365, 0, 36_500), purgeIntervalMs: 3_600_000 },
    apollo,
    tracing: { endpoint: otlpEndpoint, serviceName: env.OTEL_SERVICE_NAME?.trim() || 'spokegraph', headers: otlpHeaders },
    warnings: unknownVariableWarnings(env),
  };
  if (hub.kind !== 'simulated') {
    const ignored = Object.keys(env).filter((k) => k.startsWith('SIM_') && env[k]);
    if (ignored.length) config.warnings.push(`${ignored.sort().join(', ')} ignored: the hub is not simulated`);
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

const KNOWN = new Set<string>(CONFIG_VARIABLES);
const FAMILIES = new Set(CONFIG_VARIABLES.filter((v) => v.includes('_')).map((v) => v.slice(0, v.indexOf('_') + 1)));
// Kubernetes injects <SERVICE>_SERVICE_HOST, <SERVICE>_PORT=tcp://… and friends for every Service of
// the namespace (a Service named `redis` gives REDIS_PORT): those are not the operator's typos.
const SERVICE_LINK = /_SERVICE_(HOST|PORT)(_|$)|_PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?$/;

/**
 * Variables that look like ours but are not: same family (e.g. WORKFLOW_CONCURENCY) or one or two
 * letters away from a known name (e.g. INTROSPECTON). Warned about rather than refused, because the
 * environment is shared with the platform and other software.
 */
function unknownVariableWarnings(env: Env): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (KNOWN.has(name) || SERVICE_LINK.test(name)) continue;
    const family = name.includes('_') && FAMILIES.has(name.slice(0, name.indexOf('_') + 1));
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const known of KNOWN) {
      const d = editDistance(name, known, HINT_DISTANCE);
      if (d < bestDistance) [best, bestDistance] = [known, d];
    }
    const close = name.length >= 6 && bestDistance <= 2;
    if (family || close) warnings.push(`unknown variable ${name} ignored${bestDistance <= HINT_DISTANCE ? ` (did you mean ${best}?)` : ''}`);
  }
  return warnings;
}

/** The largest distance that earns a "did you mean" hint. */
const HINT_DISTANCE = 3;

/**
 * The edit distance of a and b when it is at most `bound`, else some number above `bound`: every
 * variable of the environment is compared with every known name at each start (a hundred times
 * sixty), and only the close ones matter, so a pair that cannot be close stops early.
 */
function editDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      least = Math.min(least, row[j]);
    }
    // the distance is at least the least entry of any row
    if (least > bound) return bound + 1;
    prev = row;
  }
  return prev[b.length];
}
