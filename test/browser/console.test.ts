/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against a real
 * gateway on port 0 with the simulated hub and the demo seed: sign in, deploy the demo app from
 * the form after reviewing its plan, watch the progress bar reach 100 % and the access URL appear,
 * retry a deployment that failed, and see no object of another tenant. Every screen is checked with
 * axe-core (no serious or critical violation) and saved as a screenshot under artifacts/console/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createProject, createTenant, createToken, registerMachines, uniq } from '../helpers/seed.js';
import { findChromium, launch, seriousViolations } from './chromium.js';

const chromiumPath = findChromium();
if (!chromiumPath) {
  if (process.env.REQUIRE_CHROMIUM) throw new Error('no Chromium found (/usr/bin/chromium or CHROMIUM_PATH) and REQUIRE_CHROMIUM is set');
  console.warn('[browser] no Chromium found (/usr/bin/chromium or CHROMIUM_PATH): browser tests are skipped');
}

const SHOTS = path.resolve('artifacts', 'console');
const origin = (app: TestApp) => app.url.replace(/\/graphql$/, '');

let app: TestApp;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
let editorToken: string;
let other: { tenant: string; project: string };
const a11y: Record<string, unknown[]> = {};
const pageErrors: string[] = [];

/** Waits for the screen to settle, then checks accessibility and saves a screenshot. */
async function screen(name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  a11y[name] = await seriousViolations(page);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe.skipIf(!chromiumPath)('web console in Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    // the demo seed (tenant demo, project demo-ml, machines, llm-inference and edge-gpu-cluster);
    // a slower simulated hub so the progress bar is seen moving
    app = await startTestApp({ env: { SEED_DEMO: 'true', SIM_SPEED: '0.05' } });
    const demo = (await app.q(`{ tenant(name: "demo") { id } project(name: "demo-ml") { id } }`)) as { tenant: { id: string }; project: { id: string } };
    editorToken = await createToken(app, [{ role: 'PROJECT_EDITOR', tenantId: demo.tenant.id, projectId: demo.project.id }]);
    // another tenant with a project and a machine: none of it may show up for the demo editor
    const t = await createTenant(app, uniq('rival'), [{ gpuFamily: 'NVIDIA-H100', limit: 8 }]);
    const p = await createProject(app, t.id, uniq('rival-ml'));
    await registerMachines(app, t.id, [{ hostId: uniq('rival-host') }]);
    other = { tenant: t.name, project: p.name };
    browser = await launch(chromiumPath!);
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('signs in with an API token (and refuses a wrong one next to the field)', async () => {
    await page.goto(origin(app) + '/');
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await screen('01-sign-in');
    await page.getByLabel('API token').fill('sg_not_a_real_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The gateway did not accept this token').waitFor();
    expect(await page.getByLabel('API token').getAttribute('aria-invalid')).toBe('true');
    await screen('02-sign-in-refused');
    // the refused token's 401 is the one network error this test causes on purpose
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.includes('status of 401')));
    await page.getByLabel('API token').fill(editorToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tenants and projects' }).waitFor();
  });

  it('shows tenants and projects with GPU quota bars, and the machines', async () => {
    await page.getByRole('heading', { name: /Demo Tenant/ }).waitFor();
    const meters = page.getByRole('meter');
    expect(await meters.count()).toBeGreaterThanOrEqual(4); // tenant and project, H100 and A100
    expect(await page.getByRole('meter', { name: 'NVIDIA-H100 GPU quota' }).first().getAttribute('aria-valuemax')).toBe('32');
    await screen('03-tenants-and-projects');
    await page.getByRole('link', { name: 'Machines of Demo Tenant' }).click();
    await page.getByRole('heading', { name: /Machines of Demo Tenant/ }).waitFor();
    await page.getByRole('rowheader', { name: 'demo-nvidia-h100-1' }).waitFor();
    expect(await page.getByRole('row').count()).toBe(13); // header + 12 machines
    await screen('04-machines');
  });

  it('deploys the demo app from the form after showing the plan, and watches it reach 100 % with its access URL', async () => {
    await page.goto(origin(app) + '/#/projects/demo-ml');
    await page.getByRole('heading', { name: 'Project Demo ML' }).waitFor();
    await screen('05-project');
    await page.getByRole('link', { name: 'Deploy an app' }).click();
    await page.getByRole('heading', { name: /Deploy an app to Demo ML/ }).waitFor();

    // a bad name is refused next to the field
    await page.getByLabel('Name', { exact: true }).fill('Bad_Name');
    await page.getByLabel('On a new dedicated pool, provisioned for it').check();
    await page.getByRole('button', { name: 'Review the plan' }).click();
    await page.locator('#name-errors').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await screen('06-deploy-form-errors');

    await page.getByLabel('Name', { exact: true }).fill('chat');
    await page.getByLabel(/^model/).fill('Qwen/Qwen2.5-7B-Instruct');
    await page.getByRole('button', { name: 'Review the plan' }).click();
    await page.getByRole('heading', { name: /The plan \(nothing written yet\)/ }).waitFor();
    const plan = page.getByRole('region', { name: /The plan/ });
    for (const step of ['provision-pool', 'place', 'apply-work', 'rollout']) await plan.getByText(step, { exact: true }).waitFor();
    expect(await plan.getByRole('rowheader', { name: 'PROJECT' }).count()).toBe(1);
    expect(await plan.getByRole('rowheader', { name: 'TENANT' }).count()).toBe(1);
    await plan.getByText(/would be admitted/).waitFor(); // quotaWhatIf
    await plan.getByText(/Rendered hub objects \(2\)/).waitFor();
    await screen('07-deploy-plan');

    await plan.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('heading', { name: /App deployment chat/ }).waitFor();
    const bar = page.getByRole('progressbar', { name: 'Progress of chat' });
    const seen = new Set<string>();
    for (let i = 0; i < 600 && (await bar.getAttribute('aria-valuenow')) !== '100'; i++) {
      seen.add((await bar.getAttribute('aria-valuenow')) ?? '');
      if (i === 3) await screen('08-deployment-in-progress');
      await page.waitForTimeout(100);
    }
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect([...seen].some((v) => Number(v) > 0 && Number(v) < 100), `progress values seen: ${[...seen].join(',')}`).toBe(true);
    const link = page.getByRole('region', { name: 'Access' }).getByRole('link');
    await link.first().waitFor();
    expect(await link.first().getAttribute('href')).toMatch(/^https?:\/\//);
    await page.getByRole('heading', { name: /App deployment chat/ }).getByText('RUNNING').waitFor();
    for (const step of ['provision-pool', 'place', 'apply-work', 'rollout']) await page.getByRole('region', { name: 'Steps' }).getByText(step, { exact: true }).waitFor();
    await screen('09-deployment-running');

    // its new dedicated pool, with its cluster
    await page.getByRole('region', { name: 'Details' }).getByRole('link').first().click();
    await page.getByRole('heading', { name: /Compute pool chat/ }).waitFor();
    await page.getByRole('region', { name: 'Clusters' }).getByRole('rowheader').first().waitFor();
    await screen('10-pool');
  }, 180_000);

  it('retries a failed deployment from the failed step until it runs', async () => {
    app.hub.sim!.faults.set({ failReleases: ['vllm'] });
    await page.goto(origin(app) + '/#/projects/demo-ml/deploy');
    await page.getByLabel('Name', { exact: true }).fill('flaky');
    await page.getByLabel('On a new dedicated pool, provisioned for it').check();
    await page.getByRole('button', { name: 'Review the plan' }).click();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('heading', { name: /App deployment flaky/ }).waitFor();
    await page.getByRole('heading', { name: /App deployment flaky/ }).getByText('FAILED').waitFor({ timeout: 90_000 });
    const alert = page.getByRole('region', { name: 'Status' }).getByRole('alert');
    await alert.getByText(/Failed at step rollout/).waitFor();
    await alert.getByText(/RELEASE_FAILED/).waitFor();
    await screen('11-deployment-failed');

    app.hub.sim!.faults.clear();
    await page.getByRole('button', { name: 'Retry from the failed step' }).click();
    await page.getByRole('heading', { name: /App deployment flaky/ }).getByText('RUNNING').waitFor({ timeout: 90_000 });
    await page.getByRole('progressbar', { name: 'Progress of flaky' }).and(page.locator('[aria-valuenow="100"]')).waitFor();
    await page.getByRole('region', { name: 'Access' }).getByRole('link').first().waitFor();
    await screen('12-deployment-retried');
  }, 180_000);

  it('deletes a deployment, and clones another with a changed variable (refusing a bad name next to its field)', async () => {
    // flaky's page is open: delete it (two clicks), and watch it go
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete flaky now' }).click();
    await page.getByRole('heading', { name: /App deployment flaky/ }).getByText('DELETED').waitFor({ timeout: 90_000 });
    await screen('13-deployment-deleted');

    await page.goto(origin(app) + '/#/projects/demo-ml');
    await page.getByRole('region', { name: 'App deployments' }).getByRole('rowheader', { name: 'chat', exact: true }).getByRole('link').click();
    await page.getByRole('heading', { name: /App deployment chat/ }).waitFor();
    await page.getByText('Clone with changes…').click();
    await page.getByLabel('New deployment name').fill('Chat Copy');
    await page.getByLabel('Variable model').fill('Qwen/Qwen2.5-14B-Instruct');
    await page.getByRole('button', { name: 'Clone', exact: true }).click();
    await page.locator('#clone-name-errors').getByText(/lowercase letters/).waitFor();
    expect(await page.getByLabel('New deployment name').getAttribute('aria-invalid')).toBe('true');
    await screen('14-clone-refused');
    await page.getByLabel('New deployment name').fill('chat-copy');
    await page.getByRole('button', { name: 'Clone', exact: true }).click();
    await page.getByRole('heading', { name: /App deployment chat-copy/ }).waitFor();
    await page.getByRole('region', { name: 'Details' }).getByText(/Qwen\/Qwen2\.5-14B-Instruct/).waitFor();
    await page.getByRole('heading', { name: /App deployment chat-copy/ }).getByText('RUNNING').waitFor({ timeout: 90_000 });
    await screen('15-clone-running');
  }, 180_000);

  it("shows no object of another tenant anywhere", async () => {
    await page.goto(origin(app) + '/#/');
    await page.getByRole('heading', { name: /Demo Tenant/ }).waitFor();
    await page.waitForLoadState('networkidle');
    const text = await page.locator('main').innerText();
    expect(text).not.toContain(other.tenant);
    expect(text).not.toContain(other.project);
    await page.goto(origin(app) + `/#/projects/${other.project}`);
    await page.getByText(`Project ${other.project} does not exist or is not visible to you.`).waitFor();
    await page.goto(origin(app) + `/#/tenants/${other.tenant}/machines`);
    await page.getByText(`Tenant ${other.tenant} does not exist or is not visible to you.`).waitFor();
    expect(await page.locator('main').innerText()).not.toContain('rival-host');
    await screen('16-other-tenant-invisible');
  });

  it('logged no script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  it('has no serious or critical accessibility violation on any screen', () => {
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(16);
    expect(Object.fromEntries(Object.entries(a11y).filter(([, v]) => v.length))).toEqual({});
  });
});
