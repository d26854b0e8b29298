import { createRequire } from 'node:module';
import os from 'node:os';
import { defineConfig } from 'vitest/config';

// graphql 16 ships CJS (index.js) and ESM (index.mjs). Node resolves every dependency's
// `import 'graphql'` to the CJS file, but Vite would hand our own sources the .mjs one: two realms
// ("Cannot use GraphQLObjectType from another module"). Pin our sources to the file Node uses.
const graphqlMain = createRequire(import.meta.url).resolve('graphql');

// Integration tests run once per database. PostgreSQL joins only when CI (or a developer)
// provides TEST_DATABASE_URL; otherwise say so loudly instead of silently passing.
const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) {
  console.warn('[vitest] TEST_DATABASE_URL not set: PostgreSQL integration tests are skipped (SQLite only).');
}

const integration = ['test/integration/**/*.test.ts'];

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlMain }] },
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default (one core left free) ran one file at a time on a 2-core machine: about 45 min
    // for the suite on a slow one (2026-12-07). A file mostly waits (child gateways, PostgreSQL,
    // timers), and the files are isolated (own databases, port 0), so two at once: 22.5 min there,
    // every test passing. Machines with more cores keep the default.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    projects: [
      { extends: true as const, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/hub/**/*.test.ts', 'test/packaging/**/*.test.ts', 'test/docs/**/*.test.ts'] } },
      { extends: true as const, test: { name: 'sqlite', include: integration, env: { DB: 'sqlite' } } },
      ...(pgUrl
        ? [{ extends: true as const, test: { name: 'postgres', include: integration, env: { DB: 'postgresql' } } }]
        : []),
    ],
  },
});
