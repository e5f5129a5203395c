/**
 * The workspace tabs against the real engine: a terminal, files (upload, edit in Monaco, save,
 * read back, download), background processes (start, see running, kill), environment variables
 * seen by the run pane, the paused state and back, a 100k-entry folder, and axe on every tab.
 * Run with: E2E_PORT=7481 E2E_AGENT_PORTS=7500-7599 npx playwright test e2e/workspace-tabs.spec.ts
 */
import AxeBuilder from '@axe-core/playwright';
import { readFile } from 'node:fs/promises';
import { expect as baseExpect, test, type APIRequestContext, type Page } from '@playwright/test';
import { engine } from './engine.ts';
import { apiClient, signIn } from './fixtures.ts';

// The machine may be very busy (other suites, sandboxes booting): generous time, no timed assertions.
test.describe.configure({ mode: 'serial', timeout: 300_000 });
const expect = baseExpect.configure({ timeout: 60_000 });

let api: APIRequestContext;
let sandboxId = '';

interface SandboxJson {
  public_host: string;
  auth_token: string;
  status: string;
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  api = await apiClient();
  const res = await api.post('/v1/sandboxes', {
    data: { template_name: 'code-interpreter', timeout_seconds: 3600 },
    timeout: 240_000,
  });
  expect(res.status(), await res.text()).toBe(201);
  sandboxId = ((await res.json()) as { id: string }).id;
});

test.afterAll(async () => {
  if (sandboxId) await api.delete(`/v1/sandboxes/${sandboxId}`);
  await api.dispose();
});

async function sandbox(): Promise<SandboxJson> {
  return (await (await api.get(`/v1/sandboxes/${sandboxId}`)).json()) as SandboxJson;
}

/** A request straight to the sandbox's agent through the gateway, as an SDK would make it. */
async function agent(path: string, init: { method?: string; data?: unknown } = {}) {
  const s = await sandbox();
  const res = await api.fetch(`${s.public_host}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${s.auth_token}` },
    data: init.data,
  });
  expect(res.ok(), await res.text()).toBe(true);
  return res;
}

async function open(page: Page, tab: string, search = ''): Promise<void> {
  await signIn(page);
  await page.goto(`${engine().baseURL}/sandboxes/${sandboxId}/${tab}${search}`);
  await expect(page.getByRole('heading', { name: sandboxId, level: 1 })).toBeVisible();
}

async function seriousViolations(page: Page) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}

const terminalState = (page: Page) => page.getByTestId('terminal-state');

test('terminal: a shell that computes, and a second terminal', async ({ page }) => {
  await open(page, 'terminal');
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
  await open(page, 'terminal');
  await expect(terminalState(page)).toHaveAttribute('data-state', 'open', { timeout: 30_000 });
  expect((await api.post(`/v1/sandboxes/${sandboxId}/pause`)).ok()).toBe(true);
  await expect(page.getByText('The terminal is unavailable')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Resume sandbox' }).click();
  await expect(terminalState(page)).toHaveAttribute('data-state', 'open', { timeout: 60_000 });
  await page.getByTestId('terminal').click();
  await page.keyboard.type('echo back-$((40+2))\n');
  await expect(page.getByTestId('terminal').locator('.xterm-rows')).toContainText('back-42');
});

test('files: upload, edit in Monaco, save, read back through the API, download', async ({ page }) => {
  await open(page, 'files');
  await expect(page.getByRole('navigation', { name: 'Folder path' })).toContainText('workspace');
  await page.getByLabel('Upload files').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('first line\n') },
    { name: 'data.bin', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 1, 2, 255, 0]) },
  ]);
  await expect(page.getByTestId('uploads')).toContainText('Uploaded 2 of 2 files');
  await expect(page.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute(
    'aria-valuenow',
    '100',
  );

  await page.getByRole('link', { name: 'data.bin' }).click();
  await expect(page.getByText('Binary file')).toBeVisible();

  await page.getByRole('link', { name: 'notes.txt' }).click();
  const lines = page.getByTestId('file-editor').locator('.view-lines');
  await expect(lines).toContainText('first line');
  await lines.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText('edited in the browser\n');
  await expect(page.getByText('Unsaved changes')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+S');
  await expect(page.getByRole('status').filter({ hasText: /^Saved$/ })).toBeVisible();

  const read = (await (await agent('/files/read?path=/workspace/notes.txt')).json()) as { content: string };
  expect(read.content).toBe('edited in the browser\n');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download notes.txt' }).first().click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('notes.txt');
  expect(await readFile(await download.path(), 'utf8')).toBe('edited in the browser\n');
});

test('files: saving over a change made elsewhere asks first', async ({ page }) => {
  await agent('/files/write', { method: 'POST', data: { path: '/workspace/race.txt', content: 'v1\n' } });
  await open(page, 'files', '?file=/workspace/race.txt');
  const lines = page.getByTestId('file-editor').locator('.view-lines');
  await expect(lines).toContainText('v1');
  await agent('/files/write', {
    method: 'POST',
    data: { path: '/workspace/race.txt', content: 'v2 from elsewhere\n' },
  });
  await lines.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('mine\n');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const dialog = page.getByRole('alertdialog', { name: 'The file changed since you opened it' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const kept = (await (await agent('/files/read?path=/workspace/race.txt')).json()) as { content: string };
  expect(kept.content).toBe('v2 from elsewhere\n');
});

test('files: new folder, live refresh, rename and delete with confirmation', async ({ page }) => {
  await open(page, 'files');
  await page.getByRole('button', { name: 'New folder' }).click();
  await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('made-here');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('link', { name: 'made-here (folder)' })).toBeVisible();

  // Written by something else: the list refreshes through /files/watch.
  await agent('/files/write', {
    method: 'POST',
    data: { path: '/workspace/from-outside.txt', content: 'x' },
  });
  await expect(page.getByRole('link', { name: 'from-outside.txt' })).toBeVisible();

  await page.getByRole('button', { name: 'Rename from-outside.txt' }).click();
  await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('renamed.txt');
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await expect(page.getByRole('link', { name: 'renamed.txt' })).toBeVisible();

  await page.getByRole('button', { name: 'Delete renamed.txt' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('link', { name: 'renamed.txt' })).toHaveCount(0);
  const exists = (await (await agent('/files/exists?path=/workspace/renamed.txt')).json()) as {
    exists: boolean;
  };
  expect(exists.exists).toBe(false);
});

test('files: a folder of 100,000 entries renders only the visible rows', async ({ page }) => {
  await agent('/commands/run', {
    method: 'POST',
    data: {
      command: '/usr/bin/python3',
      args: [
        '-c',
        "import os\nos.makedirs('/workspace/big', exist_ok=True)\nfor i in range(100000): open(f'/workspace/big/f{i:06d}', 'w').close()",
      ],
      timeout: 120,
    },
  });
  await open(page, 'files', '?path=/workspace/big');
  const list = page.getByRole('list', { name: 'Files in /workspace/big' });
  await expect(list.getByRole('link', { name: 'f000000' })).toBeVisible({ timeout: 120_000 });
  expect(await list.getByRole('listitem').count()).toBeLessThan(200);
  await expect(list.getByRole('listitem').first()).toHaveAttribute('aria-setsize', '100000');
  await expect(page.getByText('1,000 of 100,000 entries loaded')).toBeVisible();
  // Scrolling to the end of what is loaded fetches the next page.
  await page.getByTestId('file-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.getByText('2,000 of 100,000 entries loaded')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('file-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(list.getByRole('link', { name: 'f001999' })).toBeVisible();
  expect(await list.getByRole('listitem').count()).toBeLessThan(200);
  // The agent's recursive /files/watch of /workspace would otherwise walk these 100k files.
  await page.goto('about:blank');
  await agent('/files/remove?path=/workspace/big', { method: 'DELETE' });
});

test('processes: a background sleep is listed as running, then killed', async ({ page }) => {
  await open(page, 'processes');
  await page.getByLabel('Run as').selectOption('command');
  await page.getByLabel('Name (optional)').fill('sleeper');
  await page.getByLabel('Command').fill('sleep 300');
  await page.getByRole('button', { name: 'Start' }).click();
  const item = page.getByTestId('process').filter({ hasText: 'sleeper' });
  await expect(item).toHaveAttribute('data-status', 'running');
  await item.getByRole('button', { name: 'Kill sleeper' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Kill' }).click();
  await expect(item).toHaveAttribute('data-status', 'killed');
  const list = (await (await agent('/execute/processes')).json()) as {
    processes: { name: string; status: string }[];
  };
  expect(list.processes.find((p) => p.name === 'sleeper')?.status).toBe('killed');
});

test('run pane: "Run in background" shows up in the Processes tab', async ({ page }) => {
  await open(page, 'run');
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
  await open(page, 'env');
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
    await open(page, tab);
    await ready();
    expect(await seriousViolations(page), tab).toEqual([]);
  }
});
