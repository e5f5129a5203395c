import { test, expect, createSandbox, deleteAllSandboxes } from './fixtures';

test.describe('sandboxes', () => {
  test.afterEach(async ({ api }) => {
    await deleteAllSandboxes(api);
  });

  test('create a sandbox from the catalog, watch it run, pause and resume it', async ({
    signedInPage: page,
  }) => {
    test.setTimeout(120_000);
    await page.goto('/templates');
    await page.getByRole('link', { name: 'Code Interpreter', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Code Interpreter', level: 1 })).toBeVisible();
    await page.getByRole('link', { name: 'Create sandbox' }).click();

    const dialog = page.getByRole('dialog', { name: 'New sandbox' });
    await expect(dialog.getByLabel('Template')).toHaveValue('code-interpreter');
    await dialog.getByRole('button', { name: 'Add variable' }).click();
    await dialog.getByLabel('Variable 1 name').fill('GREETING');
    await dialog.getByLabel('Variable 1 value').fill('hello');
    await dialog.getByRole('button', { name: 'Create sandbox' }).click();

    // Lands on the new sandbox, which reaches `running` without a reload.
    await expect(page).toHaveURL(/\/sandboxes\/sandbox_[a-z0-9]+$/, { timeout: 60_000 });
    const id = page.url().split('/').pop() ?? '';
    await expect(page.getByRole('heading', { name: id, level: 1 })).toBeVisible();
    await expect(page.locator('[data-sandbox-status]').first()).toHaveText('running', { timeout: 60_000 });

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.locator('[data-sandbox-status]').first()).toHaveText('paused');
    await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible();
    // The engine confirms it (a reload reads it back from the engine, not from the cache).
    await page.reload();
    await expect(page.locator('[data-sandbox-status]').first()).toHaveText('paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(page.locator('[data-sandbox-status]').first()).toHaveText('running');
    await page.reload();
    await expect(page.locator('[data-sandbox-status]').first()).toHaveText('running');

    // The list shows it too, with a live countdown.
    await page.goto('/sandboxes');
    const row = page.getByRole('row').filter({ hasText: id });
    await expect(row).toContainText('running');
    await expect(row.locator('time').last()).toHaveText(/\d+m \d+s|\d+h \d+m/);
  });

  test('bulk delete two sandboxes', async ({ signedInPage: page, api }) => {
    test.setTimeout(120_000);
    const a = await createSandbox(api);
    const b = await createSandbox(api);
    const keep = await createSandbox(api, 'nodejs');
    await page.goto('/sandboxes');
    for (const s of [a, b]) {
      await page.getByRole('checkbox', { name: `Select ${s.id}` }).click();
    }
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await expect(bar).toContainText('2 selected');
    await bar.getByRole('button', { name: /Delete \(2\)/ }).click();
    const confirm = page.getByRole('alertdialog');
    await expect(confirm).toContainText('All 2 selected sandboxes will be deleted');
    await confirm.getByRole('button', { name: 'Delete 2' }).click();
    await expect(page.getByText('2 sandboxes deleted')).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: a.id })).toHaveCount(0);
    await expect(page.getByRole('row').filter({ hasText: b.id })).toHaveCount(0);
    await expect(page.getByRole('row').filter({ hasText: keep.id })).toHaveCount(1);
    // The engine agrees.
    for (const s of [a, b]) {
      expect((await api.get(`/v1/sandboxes/${s.id}`)).status()).toBe(404);
    }
  });

  test('filters, sort and page size live in the URL and survive a reload', async ({
    signedInPage: page,
    api,
  }) => {
    test.setTimeout(120_000);
    const py = await createSandbox(api);
    const node = await createSandbox(api, 'nodejs');
    await page.goto('/sandboxes');
    await expect(page.getByRole('row').filter({ hasText: py.id })).toBeVisible();

    await page.getByRole('combobox', { name: 'Template filter' }).selectOption('nodejs');
    await page.getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Oldest first' });
    await page.getByRole('combobox', { name: 'Rows per page' }).selectOption('25');
    await page.getByRole('button', { name: /Status filter/ }).click();
    await page.getByRole('menuitemcheckbox', { name: 'running' }).click();
    await page.keyboard.press('Escape');
    await expect(page).toHaveURL(/template=nodejs/);
    await expect(page.getByRole('row').filter({ hasText: node.id })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: py.id })).toHaveCount(0);

    await page.reload();
    await expect(page.getByRole('combobox', { name: 'Template filter' })).toHaveValue('nodejs');
    await expect(page.getByRole('combobox', { name: 'Sort' })).toHaveValue('created_at:asc');
    await expect(page.getByRole('combobox', { name: 'Rows per page' })).toHaveValue('25');
    await expect(page.getByRole('button', { name: 'Status filter: running' })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: node.id })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: py.id })).toHaveCount(0);

    // Search by id, focused with the `/` shortcut, also survives a reload.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('body').press('/');
    await expect(page.getByRole('searchbox', { name: 'Search by id or template' })).toBeFocused();
    await page.keyboard.type(py.id);
    await expect(page).toHaveURL(new RegExp(`q=${py.id}`));
    await page.reload();
    await expect(page.getByRole('searchbox', { name: 'Search by id or template' })).toHaveValue(py.id);
    await expect(page.getByRole('row').filter({ hasText: py.id })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: node.id })).toHaveCount(0);
  });

  test('bulk pause reports, per sandbox, the one that failed', async ({ signedInPage: page, api }) => {
    test.setTimeout(120_000);
    const a = await createSandbox(api, 'ubuntu');
    const b = await createSandbox(api, 'ubuntu');
    await page.goto('/sandboxes');
    for (const s of [a, b]) await page.getByRole('checkbox', { name: `Select ${s.id}` }).click();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByRole('button', { name: /Pause \(2\)/ }).click();
    // Someone deletes one of them behind the dashboard's back before the action is confirmed.
    expect((await api.delete(`/v1/sandboxes/${b.id}`)).ok()).toBe(true);
    await page.getByRole('alertdialog').getByRole('button', { name: 'Pause 2' }).click();

    const report = page.getByRole('dialog', { name: 'Some actions failed' });
    await expect(report).toContainText('1 of 2 sandboxes paused');
    const results = report.getByRole('list', { name: 'Results per sandbox' });
    await expect(results.getByRole('listitem').filter({ hasText: a.id })).not.toContainText(
      'RESOURCE_NOT_FOUND',
    );
    await expect(results.getByRole('listitem').filter({ hasText: b.id })).toContainText(
      /RESOURCE_NOT_FOUND.*req_/,
    );
    await page.keyboard.press('Escape');
    // The failed row was rolled back and the list now shows the engine's truth.
    await expect(page.getByRole('row').filter({ hasText: a.id })).toContainText('paused');
    await expect(page.getByRole('row').filter({ hasText: b.id })).toHaveCount(0);
  });

  test('polling sends one list request per interval, never one per row', async ({
    signedInPage: page,
    api,
  }) => {
    test.setTimeout(90_000);
    await createSandbox(api, 'ubuntu');
    await createSandbox(api, 'ubuntu');
    await page.goto('/sandboxes');
    await expect(page.getByRole('row')).toHaveCount(3);
    const calls: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/v1/sandboxes')) calls.push(path);
    });
    // Nothing is changing: the slow interval (10 s) applies, so 12 s see one or two list requests.
    await page.waitForTimeout(12_000);
    // The list, plus the live usage column's one batched request for the visible rows: never a
    // request per sandbox.
    const lists = calls.filter((p) => p === '/v1/sandboxes');
    expect(calls.filter((p) => p !== '/v1/sandboxes' && p !== '/v1/sandboxes/metrics')).toEqual([]);
    expect(lists.length).toBeGreaterThanOrEqual(1);
    expect(lists.length).toBeLessThanOrEqual(2);
  });

  test('cursor pagination: next, reload on page 2, previous', async ({ signedInPage: page, api }) => {
    test.setTimeout(180_000);
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.push((await createSandbox(api, 'ubuntu')).id);
    await page.goto('/sandboxes?limit=10');
    const rows = page
      .getByRole('row')
      .filter({ has: page.getByRole('checkbox', { name: /^Select sandbox_/ }) });
    await expect(rows).toHaveCount(10);
    await expect(page.getByText('Page 1 · 10 shown')).toBeVisible();

    const idsOf = async () =>
      (await rows.allTextContents()).map((t) => /sandbox_[a-z0-9]{16}/.exec(t)?.[0] ?? '');
    const firstPage = await idsOf();
    expect(firstPage.every((id) => ids.includes(id))).toBe(true);

    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByText('Page 2 · 1 shown')).toBeVisible();
    await expect(rows).toHaveCount(1);
    // The second page holds the one sandbox the first did not (creates within one second share a
    // timestamp, so which of them is oldest is not asserted).
    const [last] = await idsOf();
    expect(ids).toContain(last);
    expect(firstPage).not.toContain(last);
    await expect(page).toHaveURL(/cursor=/);
    await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();

    await page.reload();
    await expect(page.getByText('Page 2 · 1 shown')).toBeVisible();
    await expect(rows.first()).toContainText(last ?? '');

    await page.getByRole('button', { name: 'Previous' }).click();
    await expect(page.getByText('Page 1 · 10 shown')).toBeVisible();
    expect(await idsOf()).toEqual(firstPage);
    await expect(page.getByRole('button', { name: 'Previous' })).toBeDisabled();
  });

  test('run code in a new sandbox from a template; deleted and unknown sandboxes get a clear page', async ({
    signedInPage: page,
  }) => {
    test.setTimeout(120_000);
    await page.goto('/templates/ubuntu');
    await page.getByRole('button', { name: 'Run code in a new sandbox' }).click();
    await expect(page).toHaveURL(/\/sandboxes\/sandbox_[a-z0-9]+\/run$/, { timeout: 60_000 });
    const id = page.url().split('/').at(-2) ?? '';
    await expect(page.getByRole('link', { name: 'Run', exact: true })).toHaveAttribute(
      'aria-current',
      'page',
    );

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await expect(page).toHaveURL(/\/sandboxes$/);
    await page.goto(`/sandboxes/${id}`);
    await expect(page.getByRole('heading', { name: 'This sandbox was deleted' })).toBeVisible();
    await page.goto('/sandboxes/sandbox_doesnotexist00000');
    await expect(page.getByRole('heading', { name: 'Sandbox not found' })).toBeVisible();
    await page.getByRole('link', { name: 'All sandboxes' }).click();
    await expect(page).toHaveURL(/\/sandboxes$/);
  });

  test('detail: extend the timeout and refresh the agent token', async ({ signedInPage: page, api }) => {
    test.setTimeout(90_000);
    const s = await createSandbox(api, 'ubuntu');
    await page.goto(`/sandboxes/${s.id}`);
    await page.getByLabel('Delete in (from now)').selectOption({ label: '24 hours' });
    await page.getByRole('button', { name: 'Set timeout' }).click();
    await expect(page.getByText('Timeout updated')).toBeVisible();
    await expect(page.getByText('1 d', { exact: true })).toBeVisible();
    await expect(page.getByText(/^23h 5\dm$/).first()).toBeVisible();
    const after = (await (await api.get(`/v1/sandboxes/${s.id}`)).json()) as { timeout_seconds: number };
    expect(after.timeout_seconds).toBe(86_400);

    await page.getByRole('button', { name: 'Refresh token' }).click();
    await expect(page.getByText('Agent token refreshed')).toBeVisible();
    const masked = (await page.getByLabel('Token (masked)').textContent()) ?? '';
    expect(masked).toMatch(/^eyJ.{3}…/);
    await expect(page.getByRole('button', { name: 'Copy agent token' })).toBeVisible();
    await expect(page.getByText(/Expires in \d+h \d+m/)).toBeVisible();
  });
});
