/**
 * The Metrics tab against the real engine: charts that start with history and show memory in use,
 * and the sandbox list's live CPU and memory column; axe on the tab.
 * Run with: E2E_PORT=7581 E2E_AGENT_PORTS=7700-7749 npx playwright test e2e/workspace-metrics.spec.ts
 */
import { seriousViolations } from './axe.ts';
import { expect, test } from '@playwright/test';
import { engine } from './engine.ts';
import { sandboxPerSpec, signIn } from './fixtures.ts';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

const spec = sandboxPerSpec();

test('the memory chart shows memory in use, drawn by uPlot', async ({ page }) => {
  await signIn(page);
  await page.goto(`${engine().baseURL}/sandboxes/${spec.id}/metrics`);
  const memory = page.getByTestId('metric-memory');
  await expect(memory.getByTestId('metric-value')).toHaveText(/^[\d.]+ (KB|MB|GB) of [\d.]+ (MB|GB)$/);
  const used = (await memory.getByTestId('metric-value').textContent()) ?? '';
  expect(Number.parseFloat(used)).toBeGreaterThan(0);
  await expect(memory.locator('canvas')).toBeVisible();
  await expect(page.getByTestId('metric-cpu')).toBeVisible();
  await expect(page.getByTestId('metric-disk')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the sandbox list shows live CPU and memory for running rows, in one request', async ({ page }) => {
  await signIn(page);
  const usageRequests: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/v1/sandboxes/metrics') usageRequests.push(r.url());
  });
  await page.goto(`${engine().baseURL}/sandboxes`);
  const row = page.getByRole('row').filter({ hasText: spec.id });
  await expect(row.getByTestId('live-usage')).toHaveText(/^[\d.]+% · [\d.]+ (KB|MB|GB)$/);
  expect(usageRequests.length).toBeGreaterThan(0);
  expect(new URL(usageRequests[0] ?? '').searchParams.get('ids')).toContain(spec.id);
});
