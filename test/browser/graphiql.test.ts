/**
 * GraphiQL at /graphql in Chromium against a real gateway: the first screen asks for a token (no
 * "Error fetching schema"), the schema loads once it is given, a query runs, and a subscription
 * runs over graphql-ws with the Headers tab's token as connectionParams (the server closes a socket
 * without it, so an event arriving proves it was sent).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createTenant, uniq } from '../helpers/seed.js';
import { findChromium, launch, seriousViolations } from './chromium.js';

const chromiumPath = findChromium();
const SHOTS = path.resolve('artifacts', 'console');

let app: TestApp;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
const pageErrors: string[] = [];

/** The CodeMirror instance of one of GraphiQL's editors, as page-side code (the test runs in Node, without DOM types). */
const codeMirror = (selector: string) => `document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)})?.CodeMirror`;
const editorText = (selector: string) => page.evaluate<string>(`${codeMirror(selector)}?.getValue() ?? ''`);

/**
 * Puts `query` in the editor and presses Run until `started` holds: a click that lands while
 * GraphiQL is still re-rendering (a loaded machine) is otherwise lost.
 */
async function run(query: string, started: () => Promise<boolean>): Promise<void> {
  await page.evaluate(`${codeMirror('.graphiql-query-editor')}.setValue(${JSON.stringify(query)})`);
  for (let attempt = 0; attempt < 6; attempt++) {
    if (!(await page.locator('button[aria-label^="Stop query"]').count())) await page.click('.graphiql-execute-button');
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      if (await started()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`GraphiQL did not run ${query}`);
}

describe.skipIf(!chromiumPath)('GraphiQL in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startTestApp();
    browser = await launch(chromiumPath!);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('asks for a token first, then loads the schema and runs a query', async () => {
    await page.goto(app.url);
    await page.getByLabel('API token').waitFor();
    expect(await page.textContent('body')).not.toMatch(/error fetching schema/i);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'graphiql-token.png') });

    await page.getByLabel('API token').fill(app.adminToken);
    await page.getByRole('button', { name: 'Open GraphiQL' }).click();
    await page.waitForSelector('.graphiql-execute-button');
    // the schema arrived: the documentation explorer can show the Query type
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.getByText('Query', { exact: true }).first().waitFor();
    expect(await page.textContent('body')).not.toMatch(/error fetching schema/i);

    await run('{ viewer { isPlatformAdmin } }', async () => (await editorText('.graphiql-response')).includes('isPlatformAdmin'));
    const answer = JSON.parse(await editorText('.graphiql-response'));
    expect(answer.data).toEqual({ viewer: { isPlatformAdmin: true } });
    expect(answer.extensions.cost).toMatchObject({ requested: 2, limit: 25_000 });
    await page.screenshot({ path: path.join(SHOTS, 'graphiql-query.png') });
  });

  it('runs a subscription over graphql-ws with the token of the Headers tab', async () => {
    // the socket is open and subscribed once the server counts it; then a mutation makes an event
    await run('subscription { auditEvents { operation outcome } }', async () => ((await app.metrics.subscriptions.get()).values[0]?.value ?? 0) > 0);
    await createTenant(app, uniq('gq'));
    await expect.poll(() => editorText('.graphiql-response'), { timeout: 30_000 }).toContain('createTenant');
    expect(JSON.parse(await editorText('.graphiql-response'))).toEqual({ data: { auditEvents: { operation: 'createTenant', outcome: 'OK' } } });
    await page.screenshot({ path: path.join(SHOTS, 'graphiql-subscription.png') });
    expect(pageErrors).toEqual([]);
  });
});
