/**
 * The Metrics tab against the real engine: charts that start with history and show memory in use,
 * and the sandbox list's live CPU and memory column; axe on the tab.
 * Run with: E2E_PORT=7581 E2E_AGENT_PORTS=7700-7749 npx playwright test e2e/workspace-metrics.spec.ts
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { engine } from './engine.ts';
import { apiClient, createSandbox, signIn } from './fixtures.ts';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

let api: APIRequestContext;
let sandboxId = '';

test.beforeAll(async () => {
  api = await apiClient();
  sandboxId = (await createSandbox(api)).id;
});
test.afterAll(async () => {
  if (sandboxId) await api.delete(`/v1/sandboxes/${sandboxId}`);
  await api.dispose();
});

test('the memory chart shows memory in use, drawn by uPlot', async ({ page }) => {
  await signIn(page);
  await page.goto(`${engine().baseURL}/sandboxes/${sandboxId}/metrics`);
  const memory = page.getByTestId('metric-memory');
  await expect(memory.getByTestId('metric-value')).toHaveText(/^[\d.]+ (KB|MB|GB) of [\d.]+ (MB|GB)$/);
  const used = (await memory.getByTestId('metric-value').textContent()) ?? '';
  expect(Number.parseFloat(used)).toBeGreaterThan(0);
  await expect(memory.locator('canvas')).toBeVisible();
  await expect(page.getByTestId('metric-cpu')).toBeVisible();
  await expect(page.getByTestId('metric-disk')).toBeVisible();
  const serious = (
    await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  ).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id);
  expect(serious).toEqual([]);
});

test('the sandbox list shows live CPU and memory for running rows, in one request', async ({ page }) => {
  await signIn(page);
  const usageRequests: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/v1/sandboxes/metrics') usageRequests.push(r.url());
  });
  await page.goto(`${engine().baseURL}/sandboxes`);
  const row = page.getByRole('row').filter({ hasText: sandboxId });
  await expect(row.getByTestId('live-usage')).toHaveText(/^[\d.]+% · [\d.]+ (KB|MB|GB)$/);
  expect(usageRequests.length).toBeGreaterThan(0);
  expect(new URL(usageRequests[0] ?? '').searchParams.get('ids')).toContain(sandboxId);
});
