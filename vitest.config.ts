import { defineConfig } from 'vitest/config';

// Integration tests run once per database. PostgreSQL joins only when CI (or a developer)
// provides TEST_DATABASE_URL; otherwise say so loudly instead of silently passing.
const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl) {
  console.warn('[vitest] TEST_DATABASE_URL not set: PostgreSQL integration tests are skipped (SQLite only).');
}

const integration = ['test/integration/**/*.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/hub/**/*.test.ts'] } },
      { extends: true, test: { name: 'sqlite', include: integration, env: { DB: 'sqlite' } } },
      ...(pgUrl
        ? [{ extends: true, test: { name: 'postgres', include: integration, env: { DB: 'postgresql' } } }]
        : []),
    ],
  },
});
