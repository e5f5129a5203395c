/**
 * Upstream mode in the dashboard (issue 9, decision 0014): a pair of real engines, one playing the
 * HopX cloud, the other in front of it with `--upstream cloud=<url>` (the cloud's key by env, never
 * argv). The person signs in to the front engine, sees both backends, creates a sandbox on the cloud,
 * runs a plot in it, filters the list by backend, and sees a banner while the cloud is down that
 * clears by itself when it is back.
 * Run with: E2E_PORT=8081 E2E_AGENT_PORTS=8100-8139 npx playwright test e2e/upstream.spec.ts
 */
import AxeBuilder from '@axe-core/playwright';
import { randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { freePort } from '../server/test/host-names.ts';
import { apiClient, deleteAllSandboxes, signIn } from './fixtures.ts';
import { output, runAndWait } from './run-pane.ts';
import { spawnEngine, type SpawnedEngine } from './spawn-engine.ts';

test.describe.configure({ mode: 'serial', timeout: 240_000 });

// Agent ports of the two engines: apart from each other and from the suite's engine.
const CLOUD_AGENT_PORTS = process.env.E2E_UPSTREAM_AGENT_PORTS_CLOUD ?? '7960-7969';
const FRONT_AGENT_PORTS = process.env.E2E_UPSTREAM_AGENT_PORTS_FRONT ?? '7970-7979';

let cloud: SpawnedEngine;
let front: SpawnedEngine;
let cloudApi: APIRequestContext;
let sandboxId = '';

test.beforeAll(async () => {
  cloud = await spawnEngine({
    port: await freePort(),
    framesPort: await freePort(),
    agentPorts: CLOUD_AGENT_PORTS,
    apiKey: `cloud_${randomBytes(16).toString('hex')}`,
    args: ['--warm-pool', '0'],
  });
  front = await spawnEngine({
    port: await freePort(),
    framesPort: await freePort(),
    agentPorts: FRONT_AGENT_PORTS,
    args: ['--warm-pool', '0', '--upstream', `cloud=${cloud.state.baseURL}`],
    env: { HOPDECK_UPSTREAM_KEY_CLOUD: cloud.state.apiKey },
  });
  cloudApi = await apiClient(cloud.state);
});

test.afterAll(async () => {
  // Sandboxes keep running when an engine stops: delete them first (the cloud's through its own API).
  if (cloud) await cloud.start().catch(() => undefined);
  if (cloudApi) {
    await deleteAllSandboxes(cloudApi).catch(() => 0);
    await cloudApi.dispose();
  }
  await front?.stop();
  await cloud?.stop();
});

const backendRow = (page: Page, name: string) =>
  page.getByRole('region', { name: 'Backends' }).locator(`tr[data-backend="${name}"]`);

test('Settings lists both backends with kind, URL, status and latency; the section passes axe', async ({
  page,
}) => {
  await signIn(page, front.state);
  await page.goto(`${front.state.baseURL}/settings`);
  const section = page.getByRole('region', { name: 'Backends' });
  await expect(section).toBeVisible();
  await expect(backendRow(page, 'local')).toContainText('local (this machine)');
  const cloudRow = backendRow(page, 'cloud');
  await expect(cloudRow).toContainText('upstream');
  await expect(cloudRow).toContainText(cloud.state.baseURL);
  await expect(cloudRow).toContainText('default');
  // The first probe may still be under way when the page loads: wait for it to say ok.
  await expect(cloudRow.getByText('ok', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(cloudRow).toContainText(/\d+ ms/);
  // The cloud's key is never sent to the browser.
  expect(await page.content()).not.toContain(cloud.state.apiKey);

  const axe = await new AxeBuilder({ page })
    .include('[aria-labelledby="backends-title"]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test('create a sandbox on the cloud from the dialog and run a plot in it', async ({ page }) => {
  await signIn(page, front.state);
  await page.goto(`${front.state.baseURL}/sandboxes`);
  await page.getByRole('button', { name: 'New sandbox' }).click();
  const choice = page.getByRole('combobox', { name: 'Backend' });
  // The engine's default for creates is the upstream.
  await expect(choice).toHaveValue('cloud');
  await expect(choice.locator('option:checked')).toHaveText(/cloud · default/);
  await expect(page.getByRole('combobox', { name: 'Template' })).toHaveValue('code-interpreter');
  await page.getByRole('button', { name: 'Create sandbox' }).click();
  await page.waitForURL(/\/sandboxes\/[^/]+$/, { timeout: 120_000 });
  sandboxId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

  // It lives on the cloud: the cloud itself knows it.
  const onCloud = await cloudApi.get(`/v1/sandboxes/${sandboxId}`);
  expect(onCloud.status()).toBe(200);

  await page.getByRole('link', { name: 'Run', exact: true }).click();
  await expect(page.locator('.monaco-editor .view-lines')).toBeVisible({ timeout: 60_000 });
  await runAndWait(
    page,
    'import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()\nprint("on the cloud")',
  );
  await expect(output(page)).toContainText('on the cloud');
  const img = output(page).getByRole('img', { name: 'Image output' });
  await expect(img).toBeVisible();
  expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(100);
});

test('the list shows each sandbox’s backend and filters by it', async ({ page }) => {
  expect(sandboxId).not.toBe('');
  await signIn(page, front.state);
  await page.goto(`${front.state.baseURL}/sandboxes`);
  await expect(page.getByRole('columnheader', { name: 'Backend' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: sandboxId });
  await expect(row.getByRole('cell', { name: 'cloud', exact: true })).toBeVisible();

  const filter = page.getByRole('combobox', { name: 'Backend filter' });
  await filter.selectOption('local');
  await expect(page).toHaveURL(/backend=local/);
  await expect(page.getByRole('heading', { name: 'No sandbox matches these filters' })).toBeVisible();
  await filter.selectOption('cloud');
  await expect(page).toHaveURL(/backend=cloud/);
  await expect(page.getByRole('row').filter({ hasText: sandboxId })).toBeVisible();
});

test('a banner names the cloud while it is down and clears by itself when it is back', async ({ page }) => {
  await signIn(page, front.state);
  await page.goto(`${front.state.baseURL}/sandboxes`);
  await expect(page.getByRole('row').filter({ hasText: sandboxId })).toBeVisible();
  const banner = page.getByTestId('backend-banner');
  await expect(banner).toBeHidden();

  await cloud.halt();
  // The list's next poll (~10 s) names the cloud in unavailable_backends, the probe (~10 s) says down.
  await expect(banner).toBeVisible({ timeout: 45_000 });
  await expect(banner).toContainText('Backend “cloud”');
  // The page keeps working: local sandboxes still list, nothing crashed.
  await expect(page.getByRole('heading', { name: 'Sandboxes', level: 1 })).toBeVisible();

  await page.goto(`${front.state.baseURL}/settings`);
  await expect(backendRow(page, 'cloud').getByText('down', { exact: true })).toBeVisible({ timeout: 45_000 });
  await expect(banner).toBeVisible();

  await cloud.start();
  await expect(backendRow(page, 'cloud').getByText('ok', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(banner).toBeHidden({ timeout: 30_000 });
  await page.goto(`${front.state.baseURL}/sandboxes`);
  await expect(page.getByRole('row').filter({ hasText: sandboxId })).toBeVisible({ timeout: 30_000 });
  await expect(banner).toBeHidden();
});
