/**
 * The Logs tab against the real engine: a line a command wrote to the sandbox log appears live,
 * search narrows the lines, pause stops following, download gives the file; axe on the tab.
 * Run with: E2E_PORT=7581 E2E_AGENT_PORTS=7700-7749 npx playwright test e2e/workspace-logs.spec.ts
 */
import { seriousViolations } from './axe.ts';
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { engine } from './engine.ts';
import { sandboxPerSpec, signIn } from './fixtures.ts';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

const spec = sandboxPerSpec();

async function run(command: string) {
  const s = (await (await spec.api.get(`/v1/sandboxes/${spec.id}`)).json()) as {
    public_host: string;
    auth_token: string;
  };
  const res = await spec.api.post(`${s.public_host}/commands/run`, {
    headers: { Authorization: `Bearer ${s.auth_token}` },
    data: { command: 'bash', args: ['-c', command] },
  });
  expect(res.ok(), await res.text()).toBe(true);
}

test('a line a command writes shows up live; search, pause and download', async ({ page }) => {
  await signIn(page);
  await page.goto(`${engine().baseURL}/sandboxes/${spec.id}/logs`);
  const log = page.getByRole('log', { name: 'Sandbox log' });
  await expect(log).toContainText('agent listening on');
  await run('echo "hello from a command $((6*7))" > /run/hopdeck/log');
  await expect(log).toContainText('sandbox: hello from a command 42');

  await page.getByRole('searchbox', { name: 'Search the log' }).fill('FROM A COMMAND');
  await expect(page.getByText('1 matching line')).toBeVisible();
  await expect(log.locator('mark')).toHaveText('from a command');
  await expect(log).not.toContainText('agent listening on');
  await page.getByRole('searchbox', { name: 'Search the log' }).fill('');

  await page.getByRole('button', { name: 'Pause log' }).click();
  await expect(page.getByText('Paused', { exact: true })).toBeVisible();
  await run('echo "written while paused" > /run/hopdeck/log');
  // the line is in the sandbox log, but the paused tab does not take it in
  await expect
    .poll(async () => (await spec.api.get(`/v1/sandboxes/${spec.id}/logs`)).text())
    .toContain('written while paused');
  await expect(log).not.toContainText('written while paused');
  await page.getByRole('button', { name: 'Follow log' }).click();
  await expect(log).toContainText('written while paused');

  expect(await seriousViolations(page)).toEqual([]);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${spec.id}.log`);
  expect(await readFile(await download.path(), 'utf8')).toContain('hello from a command 42');
});
