/**
 * What a newcomer runs into (issue 7), against the real engine: a normal walk without console errors,
 * links and searches that lead where they say, a run pane that is calm and fits the window, and a
 * sandbox that says it timed out. Run with:
 *   E2E_PORT=7381 E2E_AGENT_PORTS=7460-7499 npx playwright test e2e/newcomer.spec.ts
 */
import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { engine } from './engine.ts';
import { apiClient, createSandbox, signIn, type SandboxJson } from './fixtures.ts';

// Independent tests (one failing does not skip the others); a busy machine makes boots slow.
test.describe.configure({ timeout: 240_000 });

/** Collects console errors and failed requests; a normal walk must end with none. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return problems;
}

const base = () => engine().baseURL;
const output = (page: Page) => page.getByRole('region', { name: 'Output' });
const runStatus = (page: Page) => page.getByTestId('run-status');

async function setCode(page: Page, code: string): Promise<void> {
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

async function runAndWait(page: Page, code: string): Promise<void> {
  await setCode(page, code);
  const before = Number(await runStatus(page).getAttribute('data-run-id'));
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(runStatus(page)).toHaveAttribute('data-run-id', String(before + 1), { timeout: 60_000 });
  await expect(runStatus(page)).toHaveAttribute('data-run-state', /^(done|failed|stopped)$/, {
    timeout: 60_000,
  });
}

test('a signed-out visit goes to the sign-in page without a console error', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(`${base()}/sandboxes`);
  await expect(page.getByRole('heading', { name: 'Sign in to Hopdeck' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('the sign-in card does not move when an error appears', async ({ page }) => {
  await page.goto(`${base()}/login`);
  const field = page.getByLabel('API key');
  const before = await field.boundingBox();
  await field.fill('not-a-key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Sign-in failed');
  expect((await field.boundingBox())?.y).toBe(before?.y);
});

test('a normal walk: create from a link, run, interrupt, stop asks first, delete — no console errors', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const problems = watchConsole(page);
  await signIn(page);
  // A link naming a template the engine does not have: the dialog says so, and shows what it sends.
  await page.goto(`${base()}/sandboxes?create=no-such-template`);
  const dialog = page.getByRole('dialog', { name: 'New sandbox' });
  await expect(dialog.getByRole('combobox', { name: 'Template' })).toHaveValue('code-interpreter');
  await expect(dialog.getByRole('note')).toContainText('no-such-template');
  // Regions are the engine's own choices, and the default lifetime is shown.
  await expect(dialog.getByRole('combobox', { name: 'Region' })).toHaveValue('local');
  await expect(dialog.getByRole('combobox', { name: 'Delete after' })).toHaveValue('3600');
  // Many env vars: Create and Cancel stay in view.
  for (let i = 0; i < 8; i++) await dialog.getByRole('button', { name: /Add variable/ }).click();
  await expect(dialog.getByRole('button', { name: 'Create sandbox' })).toBeInViewport();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeInViewport();
  for (let i = 8; i >= 1; i--) await dialog.getByRole('button', { name: `Remove variable ${i}` }).click();
  await dialog.getByRole('button', { name: 'Create sandbox' }).click();
  await expect(page).toHaveURL(/\/sandboxes\/sandbox_[a-z0-9]+$/, { timeout: 90_000 });
  const id = page.url().split('/').pop() ?? '';

  // Overview: each fact once.
  await expect(page.getByText('Public host', { exact: true })).toHaveCount(1);
  await expect(page.getByText('Direct URL', { exact: true })).toHaveCount(0);

  await page.getByRole('link', { name: 'Run', exact: true }).click();
  await expect(page.locator('.monaco-editor .view-lines')).toBeVisible({ timeout: 60_000 });
  // The run page fits a 1440×900 window, and the deadline is on screen.
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(900);
  await expect(page.getByText(/^Deleted in \d+m \d+s$/)).toBeVisible();

  // A run that prints nothing says so.
  await runAndWait(page, 'x = 41');
  await expect(output(page).getByRole('note')).toHaveText(/No output/);

  // Markdown renders as readable prose: a real table.
  await runAndWait(
    page,
    'from IPython.display import Markdown, display\ndisplay(Markdown("| a | b |\\n|---|---|\\n| 1 | 2 |"))',
  );
  await expect(output(page).getByRole('table')).toBeVisible();
  await expect(output(page).getByRole('cell', { name: '2' })).toBeVisible();

  // Interrupt is the cell's button; the sandbox's Stop asks first and Cancel keeps the session.
  await setCode(page, 'import time\nfor i in range(60): print(i, flush=True); time.sleep(0.5)');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(output(page)).toContainText('1', { timeout: 30_000 });
  await page.getByRole('button', { name: /Stop sandbox/ }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Stop sandbox?' });
  await expect(confirm).toContainText('loses its variables');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Interrupt run' }).click();
  await expect(runStatus(page)).toHaveText('Interrupted', { timeout: 30_000 });
  await expect(output(page).getByRole('alert')).toHaveCount(0);
  await expect(output(page).getByRole('note')).toHaveText('Interrupted.');
  // The pane is ready for the next run at once.
  await runAndWait(page, 'print(41 + 1)');
  await expect(output(page)).toContainText('42');

  // Delete from the header: back to the list, and the deleted sandbox is not asked for again.
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete sandbox' }).click();
  await expect(page).toHaveURL(/\/sandboxes$/);
  await expect(page.getByRole('link', { name: id })).toHaveCount(0, { timeout: 15_000 });
  await page.waitForTimeout(1_500);
  expect(problems).toEqual([]);
});

test.describe('with a sandbox', () => {
  let sandbox: SandboxJson;
  test.beforeAll(async () => {
    const api = await apiClient();
    sandbox = await createSandbox(api);
    await api.dispose();
  });
  test.afterAll(async () => {
    const api = await apiClient();
    await api.delete(`/v1/sandboxes/${sandbox.id}`);
    await api.dispose();
  });

  test('the command palette puts the real match first for part of an id', async ({ page }) => {
    await signIn(page);
    await page.goto(`${base()}/templates`);
    // Keys pressed before the page has rendered reach no listener, as for a person.
    await expect(page.getByRole('heading', { name: 'Templates', level: 1 })).toBeVisible();
    await page.keyboard.press('ControlOrMeta+K');
    const part = sandbox.id.slice(-7, -1);
    await page.getByRole('combobox', { name: 'Command' }).fill(part);
    const first = page.getByRole('option').first();
    await expect(first).toContainText(sandbox.id);
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/sandboxes/${sandbox.id}$`));
    await expect(page.getByRole('heading', { name: sandbox.id })).toBeVisible();
  });

  test('an invalid page cursor falls back to the first page with a notice', async ({ page }) => {
    await signIn(page);
    await page.goto(`${base()}/sandboxes?cursor=zzz`);
    await expect(page.getByRole('status').filter({ hasText: 'no longer valid' })).toBeVisible();
    await expect(page).not.toHaveURL(/cursor=/);
    await expect(page.getByRole('link', { name: sandbox.id })).toBeVisible();
  });

  test('no match offers Clear filters, and no paging under an empty list', async ({ page }) => {
    await signIn(page);
    await page.goto(`${base()}/sandboxes?q=nothing-matches-this`);
    await expect(page.getByRole('heading', { name: 'No sandbox matches these filters' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Pagination' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Clear filters' }).last().click();
    await expect(page.getByRole('link', { name: sandbox.id })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Pagination' })).toBeVisible();
  });

  test('on a phone the list shows the whole id and the row actions', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page);
    await page.goto(`${base()}/sandboxes`);
    const link = page.getByRole('link', { name: sandbox.id });
    await expect(link).toBeVisible();
    // One line: the id does not wrap.
    const box = await link.boundingBox();
    expect(box?.height ?? 99).toBeLessThan(24);
    await expect(page.getByRole('button', { name: `Actions for ${sandbox.id}` })).toBeInViewport();
  });
});

test('a sandbox near its deadline warns with a one-click extend, and says "timed out" once deleted', async ({
  page,
}) => {
  const api = await apiClient();
  const res = await api.post('/v1/sandboxes', {
    data: { template_name: 'code-interpreter', timeout_seconds: 300 },
  });
  expect(res.status(), await res.text()).toBe(201);
  const near = (await res.json()) as SandboxJson;
  await signIn(page);
  await page.goto(`${base()}/sandboxes/${near.id}/run`);
  await expect(page.getByRole('alert').filter({ hasText: 'times out in' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Extend by 1 hour' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'times out in' })).toHaveCount(0, {
    timeout: 15_000,
  });
  const after = (await (await api.get(`/v1/sandboxes/${near.id}`)).json()) as { expires_at: string };
  expect(Date.parse(after.expires_at) - Date.now()).toBeGreaterThan(50 * 60_000);
  await api.delete(`/v1/sandboxes/${near.id}`);

  // A sandbox that reaches its deadline is deleted by the engine, and the page says why.
  const short = await api.post('/v1/sandboxes', {
    data: { template_name: 'code-interpreter', timeout_seconds: 1 },
  });
  expect(short.status(), await short.text()).toBe(201);
  const gone = (await short.json()) as SandboxJson;
  await expect
    .poll(async () => (await api.get(`/v1/sandboxes/${gone.id}`)).status(), { timeout: 30_000 })
    .toBe(404);
  await page.goto(`${base()}/sandboxes/${gone.id}/run`);
  await expect(page.getByRole('heading', { name: 'This sandbox timed out' })).toBeVisible();
  await api.dispose();
});

test('"Run code in a new sandbox" gives the same default lifetime as the dialog, and says so', async ({
  page,
}) => {
  await signIn(page);
  await page.goto(`${base()}/templates/code-interpreter`);
  await expect(page.getByText('A new sandbox is deleted after 1 h')).toBeVisible();
  await page.getByRole('button', { name: 'Run code in a new sandbox' }).click();
  await expect(page).toHaveURL(/\/sandboxes\/sandbox_[a-z0-9]+\/run$/, { timeout: 90_000 });
  const id = page.url().split('/').at(-2) ?? '';
  const api = await apiClient();
  const s = (await (await api.get(`/v1/sandboxes/${id}`)).json()) as { timeout_seconds: number | null };
  expect(s.timeout_seconds).toBe(3600);
  await api.delete(`/v1/sandboxes/${id}`);
  await api.dispose();
});

test('template cards carry one status badge and a Create action', async ({ page }) => {
  await signIn(page);
  await page.goto(`${base()}/templates`);
  const card = page
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name: 'Code Interpreter' }) });
  await expect(card.getByText('ready', { exact: true })).toBeVisible();
  await expect(card.getByText('enabled', { exact: true })).toHaveCount(0);
  await card.getByRole('link', { name: 'Create a sandbox from Code Interpreter' }).click();
  await expect(
    page.getByRole('dialog', { name: 'New sandbox' }).getByRole('combobox', { name: 'Template' }),
  ).toHaveValue('code-interpreter');
});
