/**
 * The other workspace tabs against the real engine: a terminal, background processes (start, see
 * running, kill), environment variables seen by the run pane, the paused state and back, and axe on
 * every tab. The Files tab is workspace-files.spec.ts.
 * Run with: E2E_PORT=7481 E2E_AGENT_PORTS=7500-7599 npx playwright test e2e/workspace-tabs.spec.ts
 */
import { expect as baseExpect, test } from '@playwright/test';
import { seriousViolations } from './axe.ts';
import { agent, openTab, terminalState, workspaceSpec } from './workspace.ts';

// The machine may be very busy (other suites, sandboxes booting): generous time, no timed assertions.
test.describe.configure({ mode: 'serial', timeout: 300_000 });
const expect = baseExpect.configure({ timeout: 60_000 });

const spec = workspaceSpec();

test('terminal: a shell that computes, and a second terminal', async ({ page }) => {
  await openTab(page, spec, 'terminal');
  await expect(terminalState(page)).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  await page.getByTestId('terminal').click();
  await page.keyboard.type('echo $((6*7))\n');
  await expect(page.getByTestId('terminal').locator('.xterm-rows')).toContainText('42');

  await page.getByRole('button', { name: 'New terminal' }).click();
  await expect(page.getByRole('tab', { name: 'Terminal 2' })).toHaveAttribute('aria-selected', 'true');
  await expect(terminalState(page)).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  await page.keyboard.type('echo second-$((1+1))\n');
  await expect(page.getByTestId('terminal').locator('.xterm-rows')).toContainText('second-2');
  // The first terminal kept its output.
  await page.getByRole('tab', { name: 'Terminal 1' }).click();
  await expect(page.getByTestId('terminal').locator('.xterm-rows')).toContainText('42');
});

test('terminal: paused sandbox says so, and the shell comes back after resume', async ({ page }) => {
  await openTab(page, spec, 'terminal');
  await expect(terminalState(page)).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  expect((await spec.api.post(`/v1/sandboxes/${spec.id}/pause`)).ok()).toBe(true);
  await expect(page.getByText('The terminal is unavailable')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Resume sandbox' }).click();
  await expect(terminalState(page)).toHaveAttribute('data-state', 'open', { timeout: 60_000 });
  await page.getByTestId('terminal').click();
  await page.keyboard.type('echo back-$((40+2))\n');
  await expect(page.getByTestId('terminal').locator('.xterm-rows')).toContainText('back-42');
});

test('processes: a background sleep is listed as running, then killed', async ({ page }) => {
  await openTab(page, spec, 'processes');
  await page.getByLabel('Run as').selectOption('command');
  await page.getByLabel('Name (optional)').fill('sleeper');
  await page.getByLabel('Command').fill('sleep 300');
  await page.getByRole('button', { name: 'Start' }).click();
  const item = page.getByTestId('process').filter({ hasText: 'sleeper' });
  await expect(item).toHaveAttribute('data-status', 'running');
  await item.getByRole('button', { name: 'Kill sleeper' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Kill' }).click();
  await expect(item).toHaveAttribute('data-status', 'killed');
  const list = (await (await agent(spec, '/execute/processes')).json()) as {
    processes: { name: string; status: string }[];
  };
  expect(list.processes.find((p) => p.name === 'sleeper')?.status).toBe('killed');
});

test('run pane: "Run in background" shows up in the Processes tab', async ({ page }) => {
  await openTab(page, spec, 'run');
  const lines = page.locator('.monaco-editor .view-lines');
  await expect(lines).toBeVisible();
  await lines.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText("import time; print('bg-started', flush=True); time.sleep(240)");
  await page.getByRole('button', { name: 'Run in background' }).click();
  await page.getByRole('link', { name: 'Processes', exact: true }).click();
  const item = page
    .getByTestId('process')
    .filter({ hasText: 'bg-started' })
    .or(page.getByTestId('process').filter({ hasText: 'time.sleep(240)' }));
  await expect(item.first()).toHaveAttribute('data-status', 'running');
  await item.first().getByRole('button', { name: /^Kill/ }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Kill' }).click();
  await expect(item.first()).toHaveAttribute('data-status', 'killed');
});

test('environment: a variable added here is seen by os.environ in the run pane', async ({ page }) => {
  await openTab(page, spec, 'env');
  await page.getByLabel('Name', { exact: true }).fill('HOPDECK_D1_VAR');
  await page.getByLabel('Value', { exact: true }).fill('forty-two');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const row = page.getByTestId('env-var').filter({ hasText: 'HOPDECK_D1_VAR' });
  await expect(row).toContainText('••••');
  await expect(row).not.toContainText('forty-two');
  await row.getByRole('button', { name: 'Reveal HOPDECK_D1_VAR' }).click();
  await expect(row).toContainText('forty-two');

  await page.getByRole('link', { name: 'Run', exact: true }).click();
  const lines = page.locator('.monaco-editor .view-lines');
  await expect(lines).toBeVisible({ timeout: 30_000 });
  await lines.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText("import os; print('env:', os.environ['HOPDECK_D1_VAR'])");
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByRole('region', { name: 'Output' })).toContainText('env: forty-two', {
    timeout: 60_000,
  });
});

test('axe finds no serious or critical issue on the workspace tabs', async ({ page }) => {
  for (const [tab, ready] of [
    [
      'terminal',
      () => expect(terminalState(page)).toHaveAttribute('data-state', 'open', { timeout: 30_000 }),
    ],
    [
      'files',
      () =>
        expect(
          page.getByRole('list', { name: 'Files in /workspace' }).or(page.getByText('This folder is empty.')),
        ).toBeVisible(),
    ],
    [
      'processes',
      () =>
        expect(
          page
            .getByRole('list', { name: 'Background processes' })
            .or(page.getByText('No background executions')),
        ).toBeVisible(),
    ],
    [
      'env',
      () =>
        expect(
          page.getByRole('list', { name: 'Variables' }).or(page.getByText('No variables set.')),
        ).toBeVisible(),
    ],
  ] as const) {
    await openTab(page, spec, tab);
    await ready();
    expect(await seriousViolations(page), tab).toEqual([]);
  }
});
