/**
 * `npm run test:browser`: the web console in Debian's Chromium against a real gateway (see
 * test/browser/). Kept out of `npm test` (it needs a browser and takes a minute); CI runs it as its
 * own step. Without a Chromium the tests are skipped with a message.
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({
    test: {
      name: 'browser',
      include: ['test/browser/**/*.test.ts'],
      env: { DB: 'sqlite' },
      globalSetup: ['test/browser/global-setup.ts'],
      testTimeout: 120_000,
      fileParallelism: false,
    },
  }),
);
