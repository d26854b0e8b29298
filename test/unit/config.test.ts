/** Configuration is read once from the environment and validated as a whole (design §6). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config.js';

const CWD = '/srv/spokegraph';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, CWD);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('has embedded defaults: SQLite under ./data, port 4000, simulated hub, documented limits', () => {
    const c = loadConfig({}, CWD);
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 4000,
      db: { kind: 'sqlite', file: path.join(CWD, 'data', 'spokegraph.sqlite') },
      dataDir: path.join(CWD, 'data'),
      logLevel: 'info',
      seedDemo: true,
      introspection: true,
      limits: {
        bodyBytes: 1024 * 1024,
        depth: 10,
        cost: 25_000,
        aliases: 30,
        subscriptionsPerSocket: 50,
        subscriptionsPerToken: 200,
        subscriptions: 20_000,
        socketsPerToken: 20,
        sockets: 10_000,
        handshakesPerMinute: 60,
      },
      tokenRecheckMs: 5_000,
      // the simulated hub keeps its state beside the database it matches
      hub: { kind: 'simulated', options: { stateFile: path.join(CWD, 'data', 'simulated-hub.json') } },
      workflow: { concurrency: 32, leaseMs: 15_000, pollMs: 500 },
      subscriptionBuffer: 1000,
    });
    expect(c.bootstrapAdminToken).toBeUndefined();
  });

  it.each([
    ['postgres://u@h:5432/db', { kind: 'postgresql', url: 'postgres://u@h:5432/db' }],
    ['postgresql://u@h/db', { kind: 'postgresql', url: 'postgresql://u@h/db' }],
    ['sqlite::memory:', { kind: 'sqlite', file: ':memory:' }],
    ['sqlite:./x/y.db', { kind: 'sqlite', file: path.join(CWD, 'x', 'y.db') }],
  ])('DATABASE_URL %j', (url, db) => {
    expect(loadConfig({ DATABASE_URL: url }, CWD).db).toEqual(db);
  });

  it('DATA_DIR moves the default SQLite file', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/sg' }, CWD).db).toEqual({ kind: 'sqlite', file: '/var/lib/sg/spokegraph.sqlite' });
  });

  it.each([
    [{ PORT: '0' }, { port: 0 }],
    [{ PORT: '65535' }, { port: 65535 }],
    [{ MAX_QUERY_DEPTH: '2' }, { limits: expect.objectContaining({ depth: 2 }) }],
    [{ BODY_LIMIT_BYTES: '2048' }, { limits: expect.objectContaining({ bodyBytes: 2048 }) }],
    [{ SEED_DEMO: 'false' }, { seedDemo: false }],
    [{ SEED_DEMO: 'NO' }, { seedDemo: false }],
    [{ SEED_DEMO: 'on' }, { seedDemo: true }],
    [{ INTROSPECTION: '0' }, { introspection: false }],
    [{ LOG_LEVEL: 'silent' }, { logLevel: 'silent' }],
    [{ LOG_FORMAT: 'json' }, { logJson: true }],
    [{ LOG_FORMAT: 'text' }, { logJson: false }],
    [{ HUB_KUBECONFIG: './kc', HUB_CONTEXT: 'hub' }, { hub: { kind: 'kubeconfig', file: path.join(CWD, 'kc'), context: 'hub' } }],
    [{ HUB_IN_CLUSTER: 'true' }, { hub: { kind: 'in-cluster' } }],
    [{ BOOTSTRAP_ADMIN_TOKEN: 'a'.repeat(24) }, { bootstrapAdminToken: 'a'.repeat(24) }],
    [{ PORT: '' }, { port: 4000 }],
    [
      { MAX_SOCKETS_PER_TOKEN: '3', MAX_SOCKETS: '4', MAX_SUBSCRIPTIONS_PER_TOKEN: '5', MAX_SUBSCRIPTIONS: '6', MAX_HANDSHAKES_PER_MINUTE: '7' },
      { limits: expect.objectContaining({ socketsPerToken: 3, sockets: 4, subscriptionsPerToken: 5, subscriptions: 6, handshakesPerMinute: 7 }) },
    ],
    [{ TOKEN_RECHECK_MS: '250' }, { tokenRecheckMs: 250 }],
  ])('reads %j', (env, expected) => {
    expect(loadConfig(env, CWD)).toMatchObject(expected);
  });

  it.each([
    [{ PORT: '-1' }, /PORT must be an integer between 0 and 65535 \(got "-1"\)/],
    [{ PORT: '65536' }, /PORT/],
    [{ PORT: '80.5' }, /PORT/],
    [{ PORT: 'http' }, /PORT/],
    [{ MAX_QUERY_DEPTH: '1' }, /MAX_QUERY_DEPTH must be an integer between 2 and 50/],
    [{ MAX_QUERY_COST: '9' }, /MAX_QUERY_COST/],
    [{ MAX_ALIASES: '0' }, /MAX_ALIASES/],
    [{ BODY_LIMIT_BYTES: '100' }, /BODY_LIMIT_BYTES/],
    [{ MAX_SUBSCRIPTIONS_PER_SOCKET: '0' }, /MAX_SUBSCRIPTIONS_PER_SOCKET/],
    [{ MAX_SUBSCRIPTIONS_PER_TOKEN: '0' }, /MAX_SUBSCRIPTIONS_PER_TOKEN must be an integer between 1 and 1000000/],
    [{ MAX_SUBSCRIPTIONS: 'lots' }, /MAX_SUBSCRIPTIONS must be/],
    [{ MAX_SOCKETS_PER_TOKEN: '-2' }, /MAX_SOCKETS_PER_TOKEN/],
    [{ MAX_SOCKETS: '1.5' }, /MAX_SOCKETS must be/],
    [{ MAX_HANDSHAKES_PER_MINUTE: '0' }, /MAX_HANDSHAKES_PER_MINUTE/],
    [{ TOKEN_RECHECK_MS: '10' }, /TOKEN_RECHECK_MS must be an integer between 100 and 600000/],
    [{ SEED_DEMO: 'maybe' }, /SEED_DEMO must be true or false \(got "maybe"\)/],
    [{ INTROSPECTION: 'yesplease' }, /INTROSPECTION/],
    [{ HUB_IN_CLUSTER: '2' }, /HUB_IN_CLUSTER/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of debug, info, warn, error, silent/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT must be json or text/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres:\/\/, postgresql:\/\/ or sqlite:/],
    [{ BOOTSTRAP_ADMIN_TOKEN: 'short' }, /BOOTSTRAP_ADMIN_TOKEN must be 24-128 characters/],
    [{ BOOTSTRAP_ADMIN_TOKEN: 'a'.repeat(23) + ' ' }, /BOOTSTRAP_ADMIN_TOKEN/],
    [{ BOOTSTRAP_ADMIN_TOKEN: 'a'.repeat(129) }, /BOOTSTRAP_ADMIN_TOKEN/],
    [{ WORKFLOW_LEASE_MS: '100' }, /WORKFLOW_LEASE_MS must be an integer between 500 and 600000/],
    [{ SUBSCRIPTION_BUFFER: '5' }, /SUBSCRIPTION_BUFFER/],
    [{ CAPI_CLUSTER_CLASS: 'Not_A_Name' }, /CAPI_CLUSTER_CLASS must be a Kubernetes name/],
    [{ SIM_SPEED: 'fast' }, /SIM_SPEED must be a number >= 0/],
    [{ SIM_ERROR_RATE: '2' }, /SIM_ERROR_RATE must be a fraction between 0 and 1/],
  ])('refuses %j', (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'loud', DATABASE_URL: 'oracle://', SEED_DEMO: '?', MAX_QUERY_COST: '0' });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/PORT[\s\S]*MAX_QUERY_COST|MAX_QUERY_COST[\s\S]*PORT/);
    let message = '';
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' }, CWD);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid configuration:\n {2}- .*\n {2}- /);
  });

  it('gives an in-memory database an in-memory simulated hub, and reads SIM_* options', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:', SIM_SPEED: '0' }, CWD).hub).toEqual({ kind: 'simulated', options: { speed: 0 } });
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db' }, CWD).hub).toEqual({ kind: 'simulated', options: {} });
    // a real hub ignores SIM_* entirely
    expect(loadConfig({ HUB_KUBECONFIG: 'kc', SIM_SPEED: 'fast' }, CWD).hub).toMatchObject({ kind: 'kubeconfig' });
  });

  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['rediss://:secret@redis.example:6380/2', 'rediss://:secret@redis.example:6380/2'],
    ['', undefined],
  ])('REDIS_URL %j', (url, expected) => {
    expect(loadConfig({ REDIS_URL: url }, CWD).redisUrl).toBe(expected);
  });

  it.each(['http://redis:6379', 'redis//host', 'redis://', '127.0.0.1:6379'])('refuses REDIS_URL %j', (url) => {
    expect(problemsOf({ REDIS_URL: url })).toEqual(['REDIS_URL must be a redis:// or rediss:// URL with a host']);
  });

  it.each([
    [{}, true],
    [{ DATABASE_URL: 'postgres://h/db' }, true],
    // a real hub's inventory is real: no made-up machines unless asked for
    [{ HUB_KUBECONFIG: 'kc' }, false],
    [{ HUB_IN_CLUSTER: 'true' }, false],
    [{ HUB_IN_CLUSTER: 'true', SEED_DEMO: 'true' }, true],
    [{ SEED_DEMO: 'false' }, false],
  ])('SEED_DEMO with %j is %s', (env, seed) => {
    expect(loadConfig(env, CWD).seedDemo).toBe(seed);
  });

  it.each([
    [{ WORKFLOW_CONCURENCY: '64' }, ['unknown variable WORKFLOW_CONCURENCY ignored (did you mean WORKFLOW_CONCURRENCY?)']],
    [{ INTROSPECTON: 'false' }, ['unknown variable INTROSPECTON ignored (did you mean INTROSPECTION?)']],
    [{ MAX_QUERY_DEPT: '5' }, ['unknown variable MAX_QUERY_DEPT ignored (did you mean MAX_QUERY_DEPTH?)']],
    [{ SIM_SPEEDY: '1' }, ['unknown variable SIM_SPEEDY ignored (did you mean SIM_SPEED?)']],
    // three edits away still earns the hint; a family name far from every known one gets none
    [{ WORKFLOW_POLL: '1' }, ['unknown variable WORKFLOW_POLL ignored (did you mean WORKFLOW_POLL_MS?)']],
    [{ WORKFLOW_SOMETHING_ELSE: '1' }, ['unknown variable WORKFLOW_SOMETHING_ELSE ignored']],
    [{ HUB_KUBECONFIG: 'kc', SIM_SPEED: '0' }, ['SIM_SPEED ignored: the hub is not simulated']],
    // the rest of a process environment, and the Service links Kubernetes injects, are not ours
    [{ HOME: '/root', HOSTNAME: 'pod-1', PATH: '/bin', NODE_ENV: 'production', SPOKEGRAPH_URL: 'http://x', LOGNAME: 'sg' }, []],
    [{ REDIS_PORT: 'tcp://10.0.0.1:6379', REDIS_PORT_6379_TCP_ADDR: '10.0.0.1', HUB_SERVICE_HOST: '10.0.0.2', HUB_SERVICE_PORT_HTTPS: '443' }, []],
  ])('warns about %j', (env, warnings) => {
    expect(loadConfig(env, CWD).warnings).toEqual(warnings);
  });

  it('HUB_REGISTRATION: auto-import by default; klusterlet plays stock OCM in the simulator and needs a bootstrap kubeconfig on a real hub', () => {
    expect(loadConfig({}, CWD).registration).toEqual({ mode: 'auto-import' });
    const k = loadConfig({ HUB_REGISTRATION: 'klusterlet' }, CWD);
    expect(k.registration).toEqual({ mode: 'klusterlet', bootstrapKubeconfigFile: undefined, operatorManifestsFile: undefined, imageTag: 'v1.1.0' });
    expect(k.hub).toMatchObject({ kind: 'simulated', options: { registration: 'klusterlet' } });
    expect(() => loadConfig({ HUB_REGISTRATION: 'klusterlet', HUB_KUBECONFIG: 'kc' }, CWD)).toThrow(/KLUSTERLET_BOOTSTRAP_KUBECONFIG/);
    expect(loadConfig({ HUB_REGISTRATION: 'klusterlet', HUB_KUBECONFIG: 'kc', KLUSTERLET_BOOTSTRAP_KUBECONFIG: 'b.kubeconfig' }, CWD).registration).toMatchObject({ bootstrapKubeconfigFile: `${CWD}/b.kubeconfig` });
    expect(() => loadConfig({ HUB_REGISTRATION: 'import' }, CWD)).toThrow(/HUB_REGISTRATION must be auto-import or klusterlet/);
  });

  it('tracing is off without OTEL_EXPORTER_OTLP_ENDPOINT; with it, the service name and collector headers are read', () => {
    expect(loadConfig({}, CWD).tracing).toEqual({ endpoint: null, serviceName: 'spokegraph', headers: {} });
    const c = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ' http://collector:4318 ', OTEL_SERVICE_NAME: 'gw-eu', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-tenant = ops' }, CWD);
    expect(c.tracing).toEqual({ endpoint: 'http://collector:4318', serviceName: 'gw-eu', headers: { authorization: 'Bearer abc', 'x-tenant': 'ops' } });
  });

  it('refuses an OTLP endpoint that is not an http(s) URL, and headers that are not key=value pairs', () => {
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL')]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_HEADERS: 'novalue' })).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_HEADERS')]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_HEADERS: 'k=%E0%A4%A' })).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_HEADERS')]);
  });

  it('CONFIG_VARIABLES lists exactly the variables loadConfig reads', () => {
    const read = new Set<string>();
    const recording = (env: Record<string, string>) =>
      new Proxy(env, {
        get: (target, key) => {
          if (typeof key === 'string') read.add(key);
          return target[key as string];
        },
      });
    for (const env of [{}, { HUB_KUBECONFIG: 'kc' }, { HUB_IN_CLUSTER: 'true' }, { DATABASE_URL: 'sqlite:x.db', REDIS_URL: 'redis://r' }, { LOG_FORMAT: 'json' }, { HUB_REGISTRATION: 'klusterlet' }] as Record<string, string>[]) {
      loadConfig(recording(env), CWD);
    }
    expect([...read].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('OIDC_ISSUERS', () => {
  const ok = { issuer: 'https://login.example.com', audience: 'sg', jwksUri: 'https://login.example.com/jwks', groups: { ops: [{ role: 'PLATFORM_ADMIN' }], team: [{ role: 'PROJECT_EDITOR', project: 'demo-ml' }] } };

  it('reads issuers with defaults for the claims', () => {
    const c = loadConfig({ OIDC_ISSUERS: JSON.stringify([ok]) }, CWD);
    expect(c.oidcIssuers).toEqual([{ ...ok, groupsClaim: 'groups', nameClaim: 'email' }]);
    expect(loadConfig({}, CWD).oidcIssuers).toEqual([]);
  });

  it.each([
    ['not json', /must be JSON/],
    [JSON.stringify({}), /must be a JSON list/],
    [JSON.stringify([{ ...ok, issuer: 'http://login.example.com' }]), /issuer must be an https URL/],
    [JSON.stringify([{ ...ok, audience: '' }]), /audience/],
    [JSON.stringify([{ ...ok, groups: { ops: [{ role: 'ROOT' }] } }]), /role must be one of/],
    [JSON.stringify([{ ...ok, groups: { ops: [{ role: 'TENANT_ADMIN' }] } }]), /TENANT_ADMIN takes a tenant/],
    [JSON.stringify([{ ...ok, groups: { ops: [{ role: 'PROJECT_VIEWER', tenant: 'demo' }] } }]), /takes a project/],
    [JSON.stringify([ok, ok]), /issuer twice/],
  ])('refuses %s', (raw, problem) => {
    expect(problemsOf({ OIDC_ISSUERS: raw }).join('\n')).toMatch(problem);
  });
});
