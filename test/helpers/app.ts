/**
 * Boots the real gateway on port 0 with a fresh database, like `npm start` does, and hands tests
 * a GraphQL client bound to it. Register the returned app's close() in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createTestDatabase, type TestDialect } from './db.js';
import { gqlRequest, ok, type GqlResponse } from './graphql.js';

export interface TestApp extends App {
  adminToken: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>>;
  /** Like gql, but throws on top-level errors and returns data. */
  q<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<T>;
  wsUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions extends AppOptions {
  env?: Record<string, string>;
  dialect?: TestDialect;
  configure?: (c: Config) => Config;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase(opts.dialect);
  // a test that names the bootstrap token (a second start on the same database) gets clients that use it
  const adminToken = opts.env?.BOOTSTRAP_ADMIN_TOKEN ?? 'sg_test_' + randomBytes(24).toString('base64url');
  let config = loadConfig({
    PORT: '0',
    SEED_DEMO: 'false',
    LOG_LEVEL: process.env.SG_TEST_LOG_LEVEL ?? 'silent',
    BOOTSTRAP_ADMIN_TOKEN: adminToken,
    // an in-memory database gets an in-memory simulated hub at full speed
    DATABASE_URL: 'sqlite::memory:',
    SIM_SPEED: '0',
    WORKFLOW_POLL_MS: '50',
    ...opts.env,
  });
  config = { ...config, db: database.db };
  if (opts.configure) config = opts.configure(config);
  let app: App;
  try {
    app = await startApp(config, opts);
  } catch (e) {
    await database.drop();
    throw e;
  }
  const url = app.url;
  return Object.assign(app, {
    adminToken,
    wsUrl: url.replace(/^http/, 'ws'),
    gql: <T>(query: string, variables?: Record<string, unknown>, token: string | null = adminToken) => gqlRequest<T>(url, query, variables, token),
    q: async <T>(query: string, variables?: Record<string, unknown>, token: string | null = adminToken) => ok(await gqlRequest<T>(url, query, variables, token)),
    close: async () => {
      await app.stop();
      await database.drop();
    },
  }) as TestApp;
}
