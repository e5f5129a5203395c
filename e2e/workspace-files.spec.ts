/**
 * The Files tab against the real engine: upload, edit in Monaco, save, read back through the API,
 * download; a change made elsewhere; new folder, live refresh, rename, delete; a 100k-entry folder.
 * Run with: E2E_PORT=7481 E2E_AGENT_PORTS=7500-7599 npx playwright test e2e/workspace-files.spec.ts
 */
import { readFile } from 'node:fs/promises';
import { expect as baseExpect, test } from '@playwright/test';
import { agent, openTab, workspaceSpec } from './workspace.ts';

// The machine may be very busy (other suites, sandboxes booting): generous time, no timed assertions.
test.describe.configure({ mode: 'serial', timeout: 300_000 });
const expect = baseExpect.configure({ timeout: 60_000 });

const spec = workspaceSpec();

test('files: upload, edit in Monaco, save, read back through the API, download', async ({ page }) => {
  await openTab(page, spec, 'files');
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

  const read = (await (await agent(spec, '/files/read?path=/workspace/notes.txt')).json()) as {
    content: string;
  };
  expect(read.content).toBe('edited in the browser\n');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download notes.txt' }).first().click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('notes.txt');
  expect(await readFile(await download.path(), 'utf8')).toBe('edited in the browser\n');
});

test('files: saving over a change made elsewhere asks first', async ({ page }) => {
  await agent(spec, '/files/write', {
    method: 'POST',
    data: { path: '/workspace/race.txt', content: 'v1\n' },
  });
  await openTab(page, spec, 'files', '?file=/workspace/race.txt');
  const lines = page.getByTestId('file-editor').locator('.view-lines');
  await expect(lines).toContainText('v1');
  await agent(spec, '/files/write', {
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
  const kept = (await (await agent(spec, '/files/read?path=/workspace/race.txt')).json()) as {
    content: string;
  };
  expect(kept.content).toBe('v2 from elsewhere\n');
});

test('files: new folder, live refresh, rename and delete with confirmation', async ({ page }) => {
  await openTab(page, spec, 'files');
  await page.getByRole('button', { name: 'New folder' }).click();
  await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('made-here');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('link', { name: 'made-here (folder)' })).toBeVisible();

  // Written by something else: the list refreshes through /files/watch.
  await agent(spec, '/files/write', {
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
  const exists = (await (await agent(spec, '/files/exists?path=/workspace/renamed.txt')).json()) as {
    exists: boolean;
  };
  expect(exists.exists).toBe(false);
});

test('files: a folder of 100,000 entries renders only the visible rows', async ({ page }) => {
  await agent(spec, '/commands/run', {
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
  await openTab(page, spec, 'files', '?path=/workspace/big');
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
  await agent(spec, '/files/remove?path=/workspace/big', { method: 'DELETE' });
});
