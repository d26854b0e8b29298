/**
 * For tests that compare two paths to the database statement by statement: one app for the file,
 * no runner (nothing writes beside the test), every statement it sends kept in `statements`.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Em } from '../../src/db/orm.js';
import { JobStore } from '../../src/workflow/job.store.js';
import { startTestApp, type TestApp } from './app.js';
import { testDialect } from './db.js';

export interface LoggedApp {
  app(): TestApp;
  statements: string[];
  em(): Em;
  store(): JobStore;
}

/** Call at a test file's top level: starts the app before its tests and closes it after. */
export function loggedApp(): LoggedApp {
  let app: TestApp | undefined;
  const statements: string[] = [];
  beforeAll(async () => {
    app = await startTestApp({ noRunner: true, onQuery: (sql) => void statements.push(sql) });
  });
  afterAll(async () => {
    await app?.close();
  });
  const started = (): TestApp => {
    if (!app) throw new Error('loggedApp: the app is not started (use it inside tests)');
    return app;
  };
  return {
    app: started,
    statements,
    em: () => started().orm.em.fork() as Em,
    store: () => new JobStore(testDialect() === 'postgresql'),
  };
}
